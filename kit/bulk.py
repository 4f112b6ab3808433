"""Bulk inserts for big demo and benchmark data sets (`seed_demo --scale 500`, `make bench`).

Each app's `seed_<app>(scale)` step in config/demo.py builds believable rows with its factories'
`build_batch()` (no database work), then inserts them here many rows per statement:

    stories = insert_built(StoryFactory, 200 * scale, author=lambda i: members[i % len(members)])
    copy_rows(Comment, ["story_id", "author_id", "body", "created"], rows)   # millions of rows

`insert_built` uses `bulk_create` (primary keys come back, so related rows can point at them);
`copy_rows` streams tuples through PostgreSQL's COPY for the largest link tables, and
`copy_instances` COPYs whole model instances (ids reserved from the sequence first). Neither runs
`save()`, signals or services: compute derived columns (counters, search vectors) yourself or
with one UPDATE afterwards. Each moves the `site` scope on (no signal does), so kept pages
(kit/pagecache.py) show the new rows at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import cache
from itertools import islice
from typing import Any, TypeVar

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Field, Model
from psycopg import sql

from kit import scopes

BATCH_SIZE = 2000

T = TypeVar("T")


def batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def insert_built(
    factory: Any,  # a factory-boy factory class (a development dependency)
    count: int,
    *,
    batch_size: int = BATCH_SIZE,
    **fields: Any,
) -> list[Model]:
    """Build `count` instances with a factory and insert them in batches; returns them saved.

    A field given as a callable is called with the row number (0…count-1), e.g.
    `author=lambda i: members[i % len(members)]`, so rows can be spread over related objects.
    """
    model = factory._meta.model
    saved: list[Model] = []
    items = fields.items()
    for start in range(0, count, batch_size):
        size = min(batch_size, count - start)
        rows = []
        for i in range(start, start + size):
            values = {name: value(i) if callable(value) else value for name, value in items}
            rows.append(factory.build(**values))
        saved.extend(model.objects.bulk_create(rows, batch_size=batch_size))
    scopes.changed(scopes.SITE)
    return saved


def insert_instances(
    model: type[Model], instances: Iterable[Model], *, batch_size: int = BATCH_SIZE
) -> int:
    """bulk_create unsaved instances in batches without keeping them all in memory."""
    total = 0
    for batch in batches(instances, batch_size):
        model._default_manager.bulk_create(batch, batch_size=batch_size)
        total += len(batch)
    scopes.changed(scopes.SITE)
    return total


def copy_rows(model: type[Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Stream rows (tuples in `fields` order; foreign keys given as ids) into the model's
    table with COPY: the fastest way to load hundreds of thousands of rows."""
    columns = [_column(model, name) for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table),
        sql.SQL(", ").join(sql.Identifier(column) for column in columns),
    )
    total = 0
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
            total += 1
    scopes.changed(scopes.SITE)
    return total


def _column(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, Field) or field.column is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.column


def copy_instances(model: type[Model], instances: Sequence[Model]) -> int:
    """Insert unsaved instances with COPY, many times faster than bulk_create for wide rows.

    Primary keys are reserved from the table's sequence first and set on the instances, so
    rows pointing at them can follow. Like bulk_create, no save() or signals; an auto_now or
    auto_now_add date left empty is set to now, one given (e.g. a past `created_at`) is kept."""
    if not instances:
        return 0
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(instances)],
        )
        for instance, (new_id,) in zip(instances, cursor.fetchall(), strict=True):
            instance.pk = new_id
    fields = [field for field in model._meta.concrete_fields if not field.generated]

    def value(obj: Model, field: Field[Any, Any]) -> Any:
        if getattr(obj, field.attname) is None and (
            getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        ):
            field.pre_save(obj, add=True)
        return field.get_db_prep_save(getattr(obj, field.attname), connection)

    return copy_rows(
        model,
        [field.name for field in fields],
        ([value(obj, field) for field in fields] for obj in instances),
    )


@cache
def shared_password_hash(raw_password: str) -> str:
    """One hash for every generated member: hashing is slow on purpose (≈0.3 s each)."""
    return make_password(raw_password)


def spread(items: Sequence[Any]) -> Callable[[int], Any]:
    """For `insert_built`: row i gets items[i % len(items)]."""
    if not items:
        raise ValueError("nothing to spread rows over")
    return lambda i: items[i % len(items)]
