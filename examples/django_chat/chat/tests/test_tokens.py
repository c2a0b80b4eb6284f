import time

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from chat import tokens

SECRET = "unit-test-secret"


@override_settings(CENTRIFUGO_TOKEN_HMAC_SECRET_KEY=SECRET, CENTRIFUGO_CONNECTION_TOKEN_TTL=120,
                   CENTRIFUGO_SUBSCRIPTION_TOKEN_TTL=60)
class TokenTests(TestCase):
    def setUp(self):
        self.user = get_user_model().objects.create_user("alice", password="pw-alice-123")

    def test_known_vector(self):
        # Signature computed independently with
        # `openssl dgst -sha256 -hmac secret` over the header and claims below.
        token = tokens.encode_hs256({"sub": "42"}, "secret")
        self.assertEqual(
            token,
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiJ9."
            "79CVgMIG_JB921dVUeJDWNJubJojFodH3-XtC_1C408",
        )

    def test_connection_token_claims(self):
        now = int(time.time())
        claims = tokens.decode_hs256(tokens.connection_token(self.user, now=now), SECRET)
        self.assertEqual(claims["sub"], str(self.user.pk))
        self.assertEqual(claims["exp"], now + 120)
        self.assertEqual(claims["info"], {"username": "alice"})
        self.assertNotIn("channel", claims)  # a connection token must not carry `channel`

    def test_subscription_token_claims(self):
        now = int(time.time())
        token = tokens.subscription_token(self.user, "$room:secret", now=now)
        claims = tokens.decode_hs256(token, SECRET)
        self.assertEqual(claims["sub"], str(self.user.pk))
        self.assertEqual(claims["channel"], "$room:secret")
        self.assertEqual(claims["exp"], now + 60)

    def test_wrong_secret_and_expiry_rejected(self):
        token = tokens.connection_token(self.user, now=1000)
        with self.assertRaises(tokens.InvalidToken):
            tokens.decode_hs256(token, "other-secret", now=1000)
        with self.assertRaises(tokens.InvalidToken):
            tokens.decode_hs256(token, SECRET, now=1000 + 121)
        self.assertEqual(tokens.decode_hs256(token, SECRET, now=1001)["sub"], str(self.user.pk))
