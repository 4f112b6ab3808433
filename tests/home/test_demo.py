"""The demo member's front door has something in every section, and seeding twice is safe."""

import pytest

from accounts.models import User
from config.demo import seed
from home.dashboard import dashboard
from notifications.models import Follow, Notification

pytestmark = pytest.mark.django_db


def test_demo_member_follows_things_and_has_notifications(task_queue):
    first = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-2026")
    again = seed(scale=1, demo_email="demo@example.org", demo_password="demo-pass-2026")

    assert first == again
    demo = User.objects.get(email="demo@example.org")
    assert Follow.objects.filter(follower=demo).count() == first["follows"] >= 3
    assert Notification.objects.filter(recipient=demo).exists()
    board = dashboard(demo)
    assert board.follows_anything
    assert board.groups
