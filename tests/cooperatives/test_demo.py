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


# --- generated entries, for larger demos and the benchmark ---------------------------------

REAL_FIELDS = ("name", "slug", "kind", "description", "states", "needs_verification", "status")


def test_generated_entries_top_up_without_touching_the_real_ones():
    from config.demo import seed_cooperatives
    from cooperatives.demo import GENERATED_NOTE, SAMPLE_SENTENCE
    from tests.factories import UserFactory

    demo = UserFactory(email="demo@example.org")
    seed_cooperatives(1, demo=demo)
    real = {o["pk"]: o for o in Organisation.objects.values("pk", *REAL_FIELDS)}
    real_links = set(Organisation.parents.through.objects.values_list("pk", flat=True))
    assert len(real) == 74

    seed_cooperatives(60, demo=demo)
    seed_cooperatives(60, demo=demo)  # tops up: nothing more the second time

    assert Organisation.objects.count() == 120
    assert {
        o["pk"]: o for o in Organisation.objects.filter(pk__in=real).values("pk", *REAL_FIELDS)
    } == real
    generated = Organisation.objects.exclude(pk__in=real)
    assert generated.count() == 46
    assert all(o.needs_verification for o in generated)
    assert set(generated.values_list("curator_notes", flat=True)) == {GENERATED_NOTE}
    assert all(SAMPLE_SENTENCE in o.description for o in generated)
    assert len({o.states[0] for o in generated}) > 15  # spread over the country
    assert generated.values("kind").distinct().count() >= 5
    # the loader names parents by acronym ("ALA"): a generated entry never shares one
    acronyms = [
        a.casefold() for a in generated.exclude(acronym="").values_list("acronym", flat=True)
    ]
    assert acronyms
    assert len(set(acronyms)) == len(acronyms)
    real_acronyms = Organisation.objects.filter(pk__in=real).values_list("acronym", flat=True)
    assert set(acronyms).isdisjoint(a.casefold() for a in real_acronyms)
    # committees and divisions hang under generated entries only
    links = Organisation.parents.through.objects.exclude(pk__in=real_links)
    assert links.exists()
    assert not links.filter(to_organisation__in=real).exists()
    assert not links.filter(from_organisation__in=real).exists()


def test_generated_entries_are_found_by_the_directorys_search_and_filters(client):
    from cooperatives.demo import seed_directory_bulk

    assert seed_directory_bulk(30) == 30
    entry = Organisation.objects.filter(kind="regional_cooperative").first() or (
        Organisation.objects.first()
    )
    state = entry.states[0]

    assert entry in Organisation.objects.search(entry.name)
    listed = client.get("/directory/", {"q": entry.name})
    assert entry.name in listed.content.decode()
    filtered = client.get("/directory/", {"state": state, "kind": entry.kind})
    assert filtered.status_code == 200
    assert entry in list(filtered.context["organisations"])
    page = client.get(entry.get_absolute_url())
    assert page.status_code == 200
    assert "not been confirmed by a curator" in page.content.decode()
    part = Organisation.objects.filter(parents__isnull=False).first()
    assert part is not None
    assert part.parents.get().name in client.get(part.get_absolute_url()).content.decode()
