import pytest
from django.contrib.auth import get_user_model

from accounts.demo_data import CURATED, curated_email
from accounts.models import Profile
from config.demo import MEMBERS_PER_SCALE, seed

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_demo_members_are_believable_located_and_idempotent():
    seed(scale=1, demo_email="demo@librarian-commons.example", demo_password="pw-demo-2026")
    first = User.objects.count()
    seed(scale=1, demo_email="demo@librarian-commons.example", demo_password="pw-demo-2026")

    # the accounts step tops members up to the scale; other apps' steps add their authors
    assert User.objects.count() == first > MEMBERS_PER_SCALE
    rosa = Profile.objects.get(user__email=curated_email(CURATED[0][0]))
    assert rosa.user.display_name == "Rosa Delgado"
    assert rosa.latitude is not None
    assert "makerspace" in rosa.can_help_with.names()
    demo = Profile.objects.get(user__email="demo@librarian-commons.example")
    assert demo.is_onboarded
    assert demo.latitude is not None
    # everyone can be found by distance and by topic, and several library families are near
    assert not Profile.objects.filter(latitude__isnull=True).exists()
    assert Profile.objects.search("summer reading").exists()
    assert Profile.objects.visible_to(demo.user).colleagues_near(demo).count() >= 5
    assert Profile.objects.filter(visibility=Profile.Visibility.PUBLIC).exists()
    assert len(set(Profile.objects.values_list("library_type", flat=True))) >= 10
