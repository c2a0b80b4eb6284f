"""The publisher against real local HTTP servers: success, and each way publishing fails."""
from django.contrib.auth import get_user_model
from django.test import TestCase, override_settings

from chat.models import Message, Room
from chat.publish import publish, publish_message

from .fake_server import FakeApiServer, closed_port_url

API_KEY = "test-api-key"


class PublishTests(TestCase):
    def setUp(self):
        self.alice = get_user_model().objects.create_user("alice", password="pw-alice-123")
        self.room = Room.objects.create(name="Secret", slug="secret", is_private=True, owner=self.alice)

    def _settings(self, url, timeout=0.5):
        return override_settings(CENTRIFUGO_HOST=url, CENTRIFUGO_API_KEY=API_KEY,
                                 CENTRIFUGO_PUBLISH_TIMEOUT=timeout)

    def test_success_posts_seed_format_with_api_key(self):
        message = Message.objects.create(room=self.room, author=self.alice, text="hi")
        with FakeApiServer("ok", api_key=API_KEY) as server, self._settings(server.url):
            self.assertTrue(publish_message(message))
        [request] = server.requests
        self.assertEqual(request["path"], "/api/publish")
        self.assertEqual(request["headers"]["X-API-Key"], API_KEY)
        self.assertEqual(request["body"]["channel"], "$room:secret")
        self.assertEqual(request["body"]["data"]["text"], "hi")
        self.assertEqual(request["body"]["data"]["id"], message.id)

    def _assert_fails(self, server_mode=None, url=None, expect_in_log=""):
        if server_mode:
            with FakeApiServer(server_mode, api_key=API_KEY) as server, self._settings(server.url):
                with self.assertLogs("chat.publish", level="ERROR") as logs:
                    self.assertFalse(publish("room:x", {"text": "t"}))
        else:
            with self._settings(url), self.assertLogs("chat.publish", level="ERROR") as logs:
                self.assertFalse(publish("room:x", {"text": "t"}))
        self.assertIn(expect_in_log, "\n".join(logs.output))

    def test_http_500_is_logged(self):
        self._assert_fails("http500", expect_in_log="HTTP 500")

    def test_api_error_object_is_logged(self):
        self._assert_fails("api_error", expect_in_log="unknown channel")

    def test_non_json_reply_is_logged(self):
        self._assert_fails("not_json", expect_in_log="not JSON")

    def test_timeout_is_logged(self):
        self._assert_fails("slow", expect_in_log="timed out")

    def test_connection_refused_is_logged(self):
        self._assert_fails(url=closed_port_url(), expect_in_log="publish to room:x failed")

    def test_wrong_api_key_is_logged(self):
        with FakeApiServer("ok", api_key="another-key") as server, self._settings(server.url):
            with self.assertLogs("chat.publish", level="ERROR") as logs:
                self.assertFalse(publish("room:x", {"text": "t"}))
        self.assertIn("HTTP 401", "\n".join(logs.output))
