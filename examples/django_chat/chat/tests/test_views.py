import json
import time

from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings
from django.urls import reverse

from chat import tokens
from chat.models import Membership, Message, Room

from .fake_server import FakeApiServer, closed_port_url

SECRET = "view-test-secret"
API_KEY = "test-api-key"


@override_settings(CENTRIFUGO_TOKEN_HMAC_SECRET_KEY=SECRET, CENTRIFUGO_API_KEY=API_KEY,
                   CENTRIFUGO_PUBLISH_TIMEOUT=0.5)
class ViewTests(TestCase):
    def setUp(self):
        User = get_user_model()
        self.alice = User.objects.create_user("alice", password="pw-alice-123")
        self.bob = User.objects.create_user("bob", password="pw-bob-123")
        self.carol = User.objects.create_user("carol", password="pw-carol-123")
        self.lobby = Room.objects.create(name="Lobby", slug="lobby", owner=self.alice)
        self.secret = Room.objects.create(name="Secret", slug="secret", is_private=True, owner=self.alice)
        for room in (self.lobby, self.secret):
            for user in (self.alice, self.bob):
                Membership.objects.create(room=room, user=user)

    def post_json(self, url, payload):
        return self.client.post(url, json.dumps(payload), content_type="application/json")

    # --- auth ---------------------------------------------------------------------------
    def test_pages_require_login(self):
        response = self.client.get(reverse("chat_room", args=["lobby"]))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("login"), response["Location"])

    def test_signup_login_logout(self):
        response = self.client.post(reverse("signup"), {
            "username": "dave", "password1": "a-long-pass-987", "password2": "a-long-pass-987"})
        self.assertRedirects(response, reverse("room_list"))
        self.assertEqual(self.client.get(reverse("room_list")).status_code, 200)
        self.client.post(reverse("logout"))
        self.assertEqual(self.client.get(reverse("room_list")).status_code, 302)
        response = self.client.post(reverse("login"), {"username": "dave", "password": "a-long-pass-987"})
        self.assertRedirects(response, reverse("room_list"))

    def test_login_page_has_test_ids(self):
        html = self.client.get(reverse("login")).content.decode()
        for test_id in ("username", "password", "login-button"):
            self.assertIn(f'data-testid="{test_id}"', html)

    # --- rooms --------------------------------------------------------------------------
    def test_create_room_makes_owner_member(self):
        self.client.force_login(self.carol)
        response = self.client.post(reverse("room_list"), {"name": "Carol's Den", "is_private": "on"})
        room = Room.objects.get(slug="carols-den")
        self.assertRedirects(response, reverse("chat_room", args=[room.slug]))
        self.assertTrue(room.is_private)
        self.assertTrue(room.is_member(self.carol))

    def test_duplicate_slug_rejected(self):
        self.client.force_login(self.carol)
        response = self.client.post(reverse("room_list"), {"name": "Lobby"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(Room.objects.filter(slug="lobby").count(), 1)

    def test_room_list_hides_private_rooms_of_others(self):
        self.client.force_login(self.carol)
        html = self.client.get(reverse("room_list")).content.decode()
        self.assertIn('data-room="lobby"', html)
        self.assertNotIn('data-room="secret"', html)

    def test_join_public_room_but_not_private(self):
        self.client.force_login(self.carol)
        self.client.post(reverse("join_room", args=["lobby"]))
        self.assertTrue(self.lobby.is_member(self.carol))
        self.client.post(reverse("join_room", args=["secret"]))
        self.assertFalse(self.secret.is_member(self.carol))

    def test_member_invites_to_private_room(self):
        self.client.force_login(self.carol)
        self.client.post(reverse("invite", args=["secret"]), {"username": "carol"})
        self.assertFalse(self.secret.is_member(self.carol))  # non-members cannot invite themselves
        self.client.force_login(self.bob)
        self.client.post(reverse("invite", args=["secret"]), {"username": "carol"})
        self.assertTrue(self.secret.is_member(self.carol))

    def test_room_page_loads_recent_messages(self):
        Message.objects.create(room=self.lobby, author=self.alice, text="earlier message")
        self.client.force_login(self.bob)
        html = self.client.get(reverse("chat_room", args=["lobby"])).content.decode()
        self.assertIn("earlier message", html)
        for test_id in ("message-input", "send-button", "message-list", "online-users", "connection-state"):
            self.assertIn(f'data-testid="{test_id}"', html)
        self.assertIn("vendor/centrifuge.js", html)

    def test_private_room_page_for_non_member_shows_why_and_no_messages(self):
        Message.objects.create(room=self.secret, author=self.alice, text="classified")
        self.client.force_login(self.carol)
        response = self.client.get(reverse("chat_room", args=["secret"]))
        html = response.content.decode()
        self.assertNotIn("classified", html)
        self.assertIn("not a member", html)
        self.assertNotIn('data-testid="message-input"', html)

    # --- messages -----------------------------------------------------------------------
    def test_post_stores_and_publishes_after_commit(self):
        self.client.force_login(self.alice)
        with FakeApiServer("ok", api_key=API_KEY) as server, override_settings(CENTRIFUGO_HOST=server.url):
            with self.captureOnCommitCallbacks(execute=False) as callbacks:
                response = self.post_json(reverse("room_messages", args=["secret"]), {"text": "hello"})
            self.assertEqual(response.status_code, 201)
            self.assertEqual(server.requests, [])  # nothing published before the commit
            for callback in callbacks:
                callback()
        message = Message.objects.get(text="hello")
        self.assertEqual(response.json()["message"]["id"], message.id)
        [request] = server.requests
        self.assertEqual(request["body"]["channel"], "$room:secret")
        self.assertEqual(request["body"]["data"], message.as_payload())

    def test_message_saved_when_publishing_fails(self):
        self.client.force_login(self.alice)
        for mode in ("http500", "slow", "api_error"):
            with self.subTest(mode=mode), FakeApiServer(mode, api_key=API_KEY) as server, \
                    override_settings(CENTRIFUGO_HOST=server.url):
                with self.assertLogs("chat.publish", level="ERROR"), \
                        self.captureOnCommitCallbacks(execute=True):
                    response = self.post_json(reverse("room_messages", args=["lobby"]), {"text": f"kept {mode}"})
                self.assertEqual(response.status_code, 201)
                self.assertTrue(Message.objects.filter(text=f"kept {mode}").exists())
        with override_settings(CENTRIFUGO_HOST=closed_port_url()), self.assertLogs("chat.publish", level="ERROR"), \
                self.captureOnCommitCallbacks(execute=True):
            response = self.post_json(reverse("room_messages", args=["lobby"]), {"text": "kept refused"})
        self.assertEqual(response.status_code, 201)
        self.assertTrue(Message.objects.filter(text="kept refused").exists())

    def test_post_requires_membership_and_text(self):
        self.client.force_login(self.carol)
        self.assertEqual(self.post_json(reverse("room_messages", args=["lobby"]), {"text": "x"}).status_code, 403)
        self.assertEqual(self.post_json(reverse("room_messages", args=["secret"]), {"text": "x"}).status_code, 403)
        self.client.force_login(self.alice)
        self.assertEqual(self.post_json(reverse("room_messages", args=["lobby"]), {"text": "  "}).status_code, 400)
        self.assertEqual(self.post_json(reverse("room_messages", args=["lobby"]), {"text": "x" * 2001}).status_code, 400)
        self.assertFalse(Message.objects.exists())

    def test_catch_up_endpoint(self):
        first = Message.objects.create(room=self.secret, author=self.alice, text="one")
        Message.objects.create(room=self.secret, author=self.bob, text="two")
        self.client.force_login(self.bob)
        reply = self.client.get(reverse("room_messages", args=["secret"]), {"after": first.id}).json()
        self.assertEqual([m["text"] for m in reply["messages"]], ["two"])
        self.client.force_login(self.carol)
        self.assertEqual(self.client.get(reverse("room_messages", args=["secret"])).status_code, 403)

    # --- real-time tokens ---------------------------------------------------------------
    def test_connection_token(self):
        self.assertEqual(self.client.post(reverse("connection_token")).status_code, 401)
        self.client.force_login(self.alice)
        self.assertEqual(self.client.get(reverse("connection_token")).status_code, 405)
        before = int(time.time())
        token = self.client.post(reverse("connection_token")).json()["token"]
        claims = tokens.decode_hs256(token, SECRET)
        self.assertEqual(claims["sub"], str(self.alice.pk))
        self.assertGreaterEqual(claims["exp"], before + 1)

    def test_connection_token_endpoint_enforces_csrf(self):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        client.force_login(self.alice)
        self.assertEqual(client.post(reverse("connection_token")).status_code, 403)

    def test_subscription_token_only_for_members(self):
        url = reverse("subscription_token")
        self.client.force_login(self.bob)
        token = self.post_json(url, {"channel": "$room:secret"}).json()["token"]
        claims = tokens.decode_hs256(token, SECRET)
        self.assertEqual((claims["sub"], claims["channel"]), (str(self.bob.pk), "$room:secret"))

        self.client.force_login(self.carol)
        refused = self.post_json(url, {"channel": "$room:secret"})
        self.assertEqual(refused.status_code, 403)
        self.assertIn("not a member", refused.json()["error"])
        self.assertNotIn("token", refused.json())
        # Public channel: any signed-in user.
        self.assertEqual(self.post_json(url, {"channel": "room:lobby"}).status_code, 200)
        # Unknown rooms and mismatched privacy markers are refused.
        self.assertEqual(self.post_json(url, {"channel": "$room:nope"}).status_code, 404)
        self.assertEqual(self.post_json(url, {"channel": "room:secret"}).status_code, 404)
        self.assertEqual(self.post_json(url, {}).status_code, 400)

        self.client.logout()
        self.assertEqual(self.post_json(url, {"channel": "room:lobby"}).status_code, 401)
