"""Rate limits not already covered next to their apps (those are: stories and comments in
tests/stories/test_views.py, contact in tests/accounts, suggestions in tests/cooperatives, join
requests in tests/groups): sign-up, password reset and failed logins (allauth, counted in the
shared cache), and a rule that the posting limits hold per member, not per session."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse

from stories.models import Comment, Story
from tests.factories import StoryFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long and unusual passphrase 42"


def _signup(client, n):
    return client.post(
        reverse("account_signup"),
        {"email": f"new{n}@library.example", "password1": PASSWORD, "password2": PASSWORD},
    )


def test_signups_from_one_address_are_limited_per_hour():
    for n in range(20):
        assert _signup(Client(), n).status_code == 302

    response = _signup(Client(), 20)

    assert response.status_code == 429
    assert get_user_model().objects.filter(email="new20@library.example").exists() is False
    assert get_user_model().objects.count() == 20


def test_password_reset_for_one_address_is_limited(task_queue):
    UserFactory(email="known@library.example")
    for _ in range(5):
        response = Client().post(
            reverse("account_reset_password"), {"email": "known@library.example"}
        )
        assert response.status_code == 302
    task_queue.run_all()
    sent = len(mail.outbox)

    response = Client().post(reverse("account_reset_password"), {"email": "known@library.example"})
    task_queue.run_all()

    assert response.status_code == 429
    assert len(mail.outbox) == sent  # no sixth email


def test_failed_logins_lock_the_account_out_for_a_while(member, password):
    for _ in range(5):
        response = Client().post(
            reverse("account_login"), {"login": member.email, "password": "wrong guess"}
        )
        assert response.status_code == 200

    client = Client()
    response = client.post(reverse("account_login"), {"login": member.email, "password": password})

    assert "_auth_user_id" not in client.session  # even the right password waits
    assert "Too many failed login attempts" in response.content.decode()


def test_posting_limits_count_the_member_not_the_session():
    author = UserFactory()
    story = StoryFactory()
    clients = []
    for _ in range(11):
        client = Client()
        client.force_login(author)
        clients.append(client)
    for n, client in enumerate(clients[:10]):
        client.post(reverse("stories:comment_create", args=[story.pk]), {"body": f"#{n}"})

    response = clients[10].post(
        reverse("stories:comment_create", args=[story.pk]), {"body": "eleventh"}
    )

    assert response.status_code == 429
    assert Comment.objects.filter(author=author).count() == 10
    assert Story.objects.filter(pk=story.pk).exists()
