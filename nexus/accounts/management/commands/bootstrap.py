import secrets
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from nexus.accounts.models import Role, Track, User

DEMO_ACCOUNTS = (
    ("admin@nexus.local", "Nexus Admin", Role.ADMIN, Track.FULLSTACK),
    ("mentor@nexus.local", "Maya Mentor", Role.MENTOR, Track.BACKEND),
    ("backend@nexus.local", "Bola Backend", Role.LEARNER, Track.BACKEND),
    ("frontend@nexus.local", "Fern Frontend", Role.LEARNER, Track.FRONTEND),
)


class Command(BaseCommand):
    help = "Create the admin and demo accounts once, printing their passwords when created."

    def handle(self, *args: Any, **options: Any) -> None:
        created = []
        with transaction.atomic():
            for email, name, role, track in DEMO_ACCOUNTS:
                if User.objects.filter(email__iexact=email).exists():
                    continue
                password = secrets.token_urlsafe(12)
                if role == Role.ADMIN:
                    User.objects.create_superuser(email, password, display_name=name, track=track)
                else:
                    User.objects.create_user(
                        email, password, display_name=name, role=role, track=track
                    )
                created.append((email, role, password))
        if not created:
            self.stdout.write("Demo accounts exist already; their passwords were printed once.")
            return
        self.stdout.write(self.style.SUCCESS("Demo accounts (shown only this once):"))
        for email, role, password in created:
            self.stdout.write(f"  {role:<8} {email:<24} password: {password}")
