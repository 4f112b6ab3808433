"""Believable demo content: `manage.py seed_demo` (idempotent), `--scale N` for large sets."""

from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_EMAIL = "demo@librarian-commons.example"
DEMO_PASSWORD = "commons-demo-2026"


class Command(BaseCommand):
    help = "Create demo members (and, as the apps grow, stories, groups and directory entries)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply the amount of content (1 = a small, hand-sized demo).",
        )

    @transaction.atomic
    def handle(self, *args, scale, **options):
        # factory-boy, which demo content is built with, is a development dependency
        from config import demo  # noqa: PLC0415

        created = demo.seed(scale=scale, demo_email=DEMO_EMAIL, demo_password=DEMO_PASSWORD)
        for label, count in created.items():
            self.stdout.write(f"  {label}: {count}")
