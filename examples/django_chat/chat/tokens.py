"""HS256 JSON Web Tokens for the real-time server, with the standard library only.

The server verifies them with `client.token.hmac_secret_key` (spec §3.2 connection token,
§4.3 subscription token). `decode_hs256` exists for tests and tooling.
"""
import base64
import hashlib
import hmac
import json
import time

from django.conf import settings


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_hs256(claims: dict, secret: str) -> str:
    header = {"alg": "HS256", "typ": "JWT"}
    signing_input = ".".join(
        _b64url(json.dumps(part, separators=(",", ":"), sort_keys=True).encode("utf-8"))
        for part in (header, claims)
    )
    signature = hmac.new(secret.encode("utf-8"), signing_input.encode("ascii"), hashlib.sha256)
    return f"{signing_input}.{_b64url(signature.digest())}"


class InvalidToken(Exception):
    pass


def decode_hs256(token: str, secret: str, now=None) -> dict:
    """Verify signature and expiry; return the claims."""
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(_b64url_decode(header_b64))
        claims = json.loads(_b64url_decode(claims_b64))
        signature = _b64url_decode(signature_b64)
    except (ValueError, TypeError) as exc:
        raise InvalidToken(f"malformed token: {exc}") from exc
    if header.get("alg") != "HS256":
        raise InvalidToken("unexpected alg")
    expected = hmac.new(
        secret.encode("utf-8"), f"{header_b64}.{claims_b64}".encode("ascii"), hashlib.sha256
    ).digest()
    if not hmac.compare_digest(signature, expected):
        raise InvalidToken("bad signature")
    now = time.time() if now is None else now
    if "exp" in claims and claims["exp"] <= now:
        raise InvalidToken("expired")
    return claims


def user_subject(user) -> str:
    """The `sub` claim: the user's primary key as a string (stable across renames)."""
    return str(user.pk)


def connection_token(user, now=None) -> str:
    now = int(time.time() if now is None else now)
    claims = {
        "sub": user_subject(user),
        "iat": now,
        "exp": now + settings.CENTRIFUGO_CONNECTION_TOKEN_TTL,
        # Becomes conn_info in presence and join/leave, so pages can show names.
        "info": {"username": user.get_username()},
    }
    return encode_hs256(claims, settings.CENTRIFUGO_TOKEN_HMAC_SECRET_KEY)


def subscription_token(user, channel, now=None) -> str:
    now = int(time.time() if now is None else now)
    claims = {
        "sub": user_subject(user),
        "channel": channel,
        "iat": now,
        "exp": now + settings.CENTRIFUGO_SUBSCRIPTION_TOKEN_TTL,
    }
    return encode_hs256(claims, settings.CENTRIFUGO_TOKEN_HMAC_SECRET_KEY)
