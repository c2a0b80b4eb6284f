"""Creates the demo users and rooms (idempotent).

alice and bob are members of the public room `lobby` and the private room `secret`;
carol exists but is not a member of `secret`, to show a refused subscription.
"""
import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from chat.models import Membership, Room


class Command(BaseCommand):
    help = "Create demo users (alice, bob, carol) and rooms (lobby, secret)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password", default=os.environ.get("DEMO_PASSWORD", "gyre-demo-pass"),
            help="password for every demo user (env DEMO_PASSWORD)",
        )

    @transaction.atomic
    def handle(self, *args, password, **options):
        User = get_user_model()
        users = {}
        for name in ("alice", "bob", "carol"):
            user, _ = User.objects.get_or_create(username=name)
            user.set_password(password)
            user.save()
            users[name] = user
        lobby, _ = Room.objects.get_or_create(
            slug="lobby", defaults={"name": "Lobby", "is_private": False, "owner": users["alice"]}
        )
        secret, _ = Room.objects.get_or_create(
            slug="secret", defaults={"name": "Secret", "is_private": True, "owner": users["alice"]}
        )
        for room in (lobby, secret):
            for name in ("alice", "bob"):
                Membership.objects.get_or_create(room=room, user=users[name])
        self.stdout.write("demo users alice, bob, carol; rooms lobby (public), secret (private: alice, bob)")
