"""Pages with pictures ask the database the same number of questions with 1,000 stories as with
100,000 (issue 18): every figure behind a picture is one aggregate query, whatever the rows."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stories.models import Comment, Story
from tests.a11y.test_pictures import picture_pages
from tests.factories import CommentFactory, StoryFactory
from tests.pictures import build_pictures_world

pytestmark = pytest.mark.django_db

# the most any of them needs: a series' page as its organizer sees it (session, user, versions,
# group, series, dates counted, breaks, what continues it, the dates, the series chart's one)
BUDGET = 10


def grow(model, total: int, *, dated: str) -> None:
    """Copies of the first row of `model`, made in SQL until there are `total`, their `dated`
    column spread over the last 180 days (what the overview counts week by week)."""
    template = model.objects.order_by("pk").first()
    missing = total - model.objects.count()
    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or getattr(field, "generated", False):
            continue
        columns.append(connection.ops.quote_name(field.column))
        if field.column == dated:
            values.append("now() - (n %% 180) * interval '1 day'")
        else:
            values.append(connection.ops.quote_name(field.column))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM {table}, generate_series(1, %s) AS n WHERE {table}.id = %s",
            [missing, template.pk],
        )


def queries_per_page(world) -> dict[str, int]:
    counts = {}
    for who, paths in picture_pages(world).items():
        client = Client()
        if who != "visitor":
            client.force_login(getattr(world, who))
            client.get("/")  # onboarding is recorded once a session
        for path in paths:
            # no kept page and no kept figures: each page computes its picture afresh (the
            # staff overview's counts are kept in the default cache, home/overview.py)
            caches["pages"].clear()
            caches["process"].clear()
            caches["default"].clear()
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200, path
            counts[f"{who} {path}"] = len(captured)
    return counts


def test_pages_with_pictures_ask_as_much_at_100000_stories_as_at_1000():
    world = build_pictures_world()
    StoryFactory(author=world.member)
    CommentFactory()
    grow(Story, 1_000, dated="published_at")
    grow(Comment, 1_000, dated="created_at")
    few = queries_per_page(world)

    grow(Story, 100_000, dated="published_at")
    grow(Comment, 100_000, dated="created_at")
    many = queries_per_page(world)

    assert Story.objects.published().count() >= 100_000
    assert many == few
    assert max(many.values()) <= BUDGET, many
    staff = Client()
    staff.force_login(world.organizer)
    page = staff.get(reverse("admin:overview")).content.decode()
    assert "stories published in the last 26 weeks" in page
