import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management import call_command

from config.management.commands.seed_demo import DEMO_EMAIL


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_the_demo_member_can_sign_in(client):
    call_command("seed_demo")
    counts = get_user_model().objects.count()
    call_command("seed_demo")

    assert get_user_model().objects.count() == counts > 1
    assert EmailAddress.objects.get(email=DEMO_EMAIL).verified
    demo = get_user_model().objects.get(email=DEMO_EMAIL)
    assert demo.profile.is_onboarded


@pytest.mark.django_db
def test_seed_demo_scale_grows_the_data():
    call_command("seed_demo")
    small = get_user_model().objects.count()
    call_command("seed_demo", scale=2)

    assert get_user_model().objects.count() > small
