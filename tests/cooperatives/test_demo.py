import io

import pytest
from django.core.management import call_command

from cooperatives.models import Affiliation, Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_loads_the_directory_and_affiliations_idempotently():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Organisation.objects.count(), Affiliation.objects.count())

    call_command("seed_demo", stdout=io.StringIO())

    assert counts[0] == 74
    assert counts[1] > 0
    assert (Organisation.objects.count(), Affiliation.objects.count()) == counts
