"""Rooms, memberships and messages.

A room maps to one real-time channel: `room:<slug>` for a public room (any signed-in user
may subscribe), `$room:<slug>` for a private one (the `$` prefix makes the server demand a
subscription token, which Django issues only to members). Both live in the `room`
namespace, which has history, recovery and presence enabled in the server config.
"""
from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

CHANNEL_NAMESPACE = "room"
PRIVATE_PREFIX = "$"

slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9_-]{0,49}$",
    "Use lowercase letters, digits, '-' and '_' (max 50, starting with a letter or digit).",
)


class Room(models.Model):
    name = models.CharField(max_length=100)
    slug = models.CharField(max_length=50, unique=True, validators=[slug_validator])
    is_private = models.BooleanField(default=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="owned_rooms"
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="rooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def channel(self):
        prefix = PRIVATE_PREFIX if self.is_private else ""
        return f"{prefix}{CHANNEL_NAMESPACE}:{self.slug}"

    def is_member(self, user):
        if not user.is_authenticated:
            return False
        return Membership.objects.filter(room=self, user=user).exists()

    def can_read(self, user):
        """Public rooms are readable by every signed-in user; private ones by members only."""
        if not user.is_authenticated:
            return False
        return not self.is_private or self.is_member(user)

    def can_post(self, user):
        return self.is_member(user)

    @classmethod
    def from_channel(cls, channel):
        """The room a channel name denotes, or None."""
        private = channel.startswith(PRIVATE_PREFIX)
        name = channel[len(PRIVATE_PREFIX):] if private else channel
        namespace, sep, slug = name.partition(":")
        if sep != ":" or namespace != CHANNEL_NAMESPACE:
            return None
        return cls.objects.filter(slug=slug, is_private=private).first()


class Membership(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["room", "user"], name="unique_membership")]


class Message(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages"
    )
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["room", "-id"], name="message_room_recent")]

    def __str__(self):
        return f"{self.author}: {self.text[:40]}"

    def as_payload(self):
        """The JSON published to the channel and returned by the JSON endpoints."""
        return {
            "id": self.id,
            "room": self.room.slug,
            "author": self.author.get_username(),
            "text": self.text,
            "created_at": self.created_at.isoformat(),
        }
