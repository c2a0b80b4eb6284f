from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.test import TestCase

from chat.models import Membership, Message, Room


class RoomModelTests(TestCase):
    def setUp(self):
        User = get_user_model()
        self.alice = User.objects.create_user("alice", password="pw-alice-123")
        self.bob = User.objects.create_user("bob", password="pw-bob-123")
        self.public = Room.objects.create(name="Lobby", slug="lobby", owner=self.alice)
        self.private = Room.objects.create(name="Secret", slug="secret", is_private=True, owner=self.alice)
        Membership.objects.create(room=self.private, user=self.alice)

    def test_channel_names(self):
        self.assertEqual(self.public.channel, "room:lobby")
        self.assertEqual(self.private.channel, "$room:secret")

    def test_from_channel(self):
        self.assertEqual(Room.from_channel("room:lobby"), self.public)
        self.assertEqual(Room.from_channel("$room:secret"), self.private)
        # The privacy marker must match the room: no reading a private room as public.
        self.assertIsNone(Room.from_channel("room:secret"))
        self.assertIsNone(Room.from_channel("$room:lobby"))
        self.assertIsNone(Room.from_channel("other:lobby"))
        self.assertIsNone(Room.from_channel("lobby"))

    def test_permissions(self):
        self.assertTrue(self.public.can_read(self.bob))
        self.assertFalse(self.public.can_post(self.bob))
        self.assertFalse(self.private.can_read(self.bob))
        self.assertTrue(self.private.can_read(self.alice))
        self.assertTrue(self.private.can_post(self.alice))
        Membership.objects.create(room=self.private, user=self.bob)
        self.assertTrue(self.private.can_read(self.bob))

    def test_membership_unique(self):
        with self.assertRaises(IntegrityError):
            Membership.objects.create(room=self.private, user=self.alice)

    def test_slug_validation(self):
        room = Room(name="Bad", slug="Bad Slug!", owner=self.alice)
        with self.assertRaises(ValidationError):
            room.full_clean()

    def test_message_order_and_payload(self):
        first = Message.objects.create(room=self.public, author=self.alice, text="one")
        second = Message.objects.create(room=self.public, author=self.alice, text="two")
        self.assertEqual(list(self.public.messages.all()), [first, second])
        payload = second.as_payload()
        self.assertEqual(payload["id"], second.id)
        self.assertEqual(payload["author"], "alice")
        self.assertEqual(payload["room"], "lobby")
        self.assertEqual(payload["text"], "two")
        self.assertIn("T", payload["created_at"])
