"""CSV import and export of the directory: the ONE import path, used by the admin's
import/export screens and by `manage.py load_directory`.

The shape is the starting file's (`name, acronym, kind, country, states, library_types,
website, parents, description, source_urls`), extended by everything an export writes. Any
column may be left out: a missing column leaves that field alone. Lists are separated by `;`.

- A row updates the entry with the same `slug` or, without one, the same name (ignoring
  case); otherwise it creates one. Importing the same file twice creates no duplicates.
- `parents` and `merged_into` name other entries by slug, full name or acronym; an acronym
  several entries share (WLA, MLA…) is refused with the names to use instead. A parent must
  already exist or come earlier in the file (exports put parents first).
- Bad values are reported per row and field; nothing is saved when a row is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import F, TextField
from import_export import fields, resources, widgets

from cooperatives.models import Activity, JoinMethod, Kind, Organisation, Status
from cooperatives.services import descendant_ids, parent_links, unique_slug
from kit.vocabularies import COUNTRIES, LIBRARY_FAMILIES, US_STATES, LibraryType

LIST_SEPARATOR = ";"

# Values other files use for a kind the directory names differently.
KIND_ALIASES = {
    # The starting file calls OCLC and Amigos "network"s: member-owned cooperatives of
    # libraries, which the directory's list of kinds calls a consortium (the "informal
    # network or listserv" kind is for mailing lists and the like).
    "network": Kind.CONSORTIUM,
    "regional cooperative": Kind.REGIONAL_COOPERATIVE,
    "section": Kind.DIVISION,
    "listserv": Kind.INFORMAL_NETWORK,
}

COLUMNS = (
    "slug",
    "name",
    "acronym",
    "kind",
    "status",
    "merged_into",
    "parents",
    "country",
    "states",
    "counties_regions",
    "library_types",
    "activities",
    "how_to_join",
    "membership_notes",
    "website",
    "contact_email",
    "phone",
    "address",
    "founded_year",
    "description",
    "needs_verification",
    "curator_notes",
    "last_verified_on",
    "last_verified_by",
    "source_urls",
)

ALL_TYPES_WORDS = {"all", "all types", "all types of library"}


def _split(value, pattern: str = r"[;\n]") -> list[str]:
    if value is None:
        return []
    return [item.strip() for item in re.split(pattern, str(value)) if item.strip()]


def _lookup_table(choices, aliases: dict | None = None) -> dict[str, str]:
    """Accept a choice's value or its label, in any case."""
    table = {}
    for value, label in choices:
        table[str(value).lower()] = value
        table[str(label).lower()] = value
    for alias, value in (aliases or {}).items():
        table[alias.lower()] = value
    return table


class ChoiceWidget(widgets.Widget):
    def __init__(self, choices, *, aliases=None, default=None, what: str = "value"):
        super().__init__()
        self.choices = list(choices)
        self.table = _lookup_table(self.choices, aliases)
        self.default = default
        self.what = what

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            if self.default is not None:
                return self.default
            raise ValueError(f"A {self.what} is required.")
        try:
            return self.table[text.lower()]
        except KeyError:
            allowed = ", ".join(str(choice) for choice, _ in self.choices)
            raise ValueError(
                f"“{text}” is not a known {self.what}. Use one of: {allowed}."
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class ChoiceListWidget(widgets.Widget):
    """A `;`-separated list of choices (values or labels); family names expand (“school”)."""

    def __init__(self, choices, *, what: str, pattern=r"[;\n]", expand=None, upper=False):
        super().__init__()
        self.choices = list(choices)
        self.table = _lookup_table(self.choices)
        self.what = what
        self.pattern = pattern
        self.expand = expand or {}
        self.upper = upper

    def clean(self, value, row=None, **kwargs):
        cleaned, unknown = [], []
        for item in _split(value, self.pattern):
            key = item.lower()
            if key in self.table:
                found = [self.table[key]]
            elif key in self.expand:
                found = self.expand[key]
            else:
                unknown.append(item)
                continue
            cleaned.extend(choice for choice in found if choice not in cleaned)
        if unknown:
            allowed = ", ".join(str(choice) for choice, _ in self.choices)
            raise ValueError(
                f"Unknown {self.what}: {', '.join(unknown)}. Use one of: {allowed}"
                + (f" (or {', '.join(sorted(self.expand))})" if self.expand else "")
                + "."
            )
        return cleaned

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value or [])


def _family_expansions() -> dict[str, list[str]]:
    """“school” → every school type, “special” → every special type (families that are not
    themselves a library type; “academic” and “public” are types and stay as they are)."""
    values = {value for value, _ in LibraryType.choices}
    families: dict[str, list[str]] = {}
    for value, family in LIBRARY_FAMILIES.items():
        if family not in values:
            families.setdefault(family, []).append(value)
    return families


class LibraryTypesField(fields.Field):
    """`library_types`: types served, or `all` (which sets “serves all types of library”)."""

    def __init__(self, **kwargs):
        super().__init__(
            attribute="library_types",
            column_name="library_types",
            widget=ChoiceListWidget(
                LibraryType.choices, what="library type", expand=_family_expansions()
            ),
            **kwargs,
        )

    def clean(self, row, **kwargs):
        items = _split(row[self.column_name])
        all_types = any(item.lower() in ALL_TYPES_WORDS for item in items)
        rest = ";".join(item for item in items if item.lower() not in ALL_TYPES_WORDS)
        return self.widget.clean(rest), all_types

    def save(self, instance, row, is_m2m=False, **kwargs):
        types, all_types = self.clean(row)
        instance.library_types = types
        instance.all_library_types = all_types

    def get_value(self, instance):
        return (tuple(instance.library_types or ()), instance.all_library_types)

    def export(self, instance, **kwargs):
        if instance.all_library_types:
            return "all"
        return LIST_SEPARATOR.join(instance.library_types or [])


def resolve_organisation(reference: str, cache: dict | None = None) -> Organisation:
    """An entry named by slug, full name or acronym; a clear ValueError otherwise."""
    if cache is not None and reference in cache:
        matches = cache[reference]
    else:
        matches = Organisation.objects.matching_reference(reference)
        if cache is not None:
            cache[reference] = matches
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise ValueError(
            f"No entry called “{reference}” (by name, acronym or slug). "
            "If it is in this file, put its row above this one."
        )
    names = "; ".join(org.name for org in matches)
    raise ValueError(f"“{reference}” could be any of: {names}. Use the full name instead.")


class OrganisationListWidget(widgets.ManyToManyWidget):
    def __init__(self):
        super().__init__(Organisation, separator=LIST_SEPARATOR, field="name")
        # {reference: matches}, kept by the resource for one import and emptied on each save
        self.cache: dict | None = None

    def clean(self, value, row=None, **kwargs):
        found, problems = [], []
        for reference in _split(value):
            try:
                organisation = resolve_organisation(reference, self.cache)
            except ValueError as error:
                problems.append(str(error))
                continue
            if organisation not in found:
                found.append(organisation)
        if problems:
            raise ValueError(" ".join(problems))
        return found

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return LIST_SEPARATOR.join(org.name for org in value.all())


class OrganisationWidget(widgets.Widget):
    cache: dict | None = None

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        return resolve_organisation(text, self.cache) if text else None

    def render(self, value, obj=None, **kwargs):
        return value.name if value else ""


class YearWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if text.endswith(".0"):  # spreadsheets turn 1904 into 1904.0
            text = text[:-2]
        if not text.isdigit():
            raise ValueError(f"“{text}” is not a year; write it as four digits, e.g. 1904.")
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class FlagWidget(widgets.Widget):
    TRUE = {"1", "true", "yes", "y", "x"}
    FALSE = {"", "0", "false", "no", "n"}

    def clean(self, value, row=None, **kwargs):
        text = "" if value is None else str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(f"“{value}” is not yes or no.")

    def render(self, value, obj=None, **kwargs):
        return "yes" if value else "no"


class UrlListWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        return _split(value, r"[;\s]+")

    def render(self, value, obj=None, **kwargs):
        return LIST_SEPARATOR.join(value or [])


class UserNameWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return str(value) if value else ""


class OrganisationResource(resources.ModelResource):
    slug = fields.Field(attribute="slug", column_name="slug", widget=widgets.CharWidget())
    kind = fields.Field(
        attribute="kind",
        column_name="kind",
        widget=ChoiceWidget(Kind.choices, aliases=KIND_ALIASES, what="kind"),
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(Status.choices, default=Status.ACTIVE, what="status"),
    )
    merged_into = fields.Field(
        attribute="merged_into", column_name="merged_into", widget=OrganisationWidget()
    )
    parents = fields.Field(
        attribute="parents", column_name="parents", widget=OrganisationListWidget()
    )
    country = fields.Field(
        attribute="country",
        column_name="country",
        widget=ChoiceWidget(COUNTRIES, default="US", what="country"),
    )
    states = fields.Field(
        attribute="states",
        column_name="states",
        widget=ChoiceListWidget(US_STATES, what="state code", pattern=r"[;,\n]"),
    )
    library_types = LibraryTypesField()
    activities = fields.Field(
        attribute="activities",
        column_name="activities",
        widget=ChoiceListWidget(Activity.choices, what="activity"),
    )
    how_to_join = fields.Field(
        attribute="how_to_join",
        column_name="how_to_join",
        widget=ChoiceListWidget(JoinMethod.choices, what="way to join"),
    )
    founded_year = fields.Field(
        attribute="founded_year", column_name="founded_year", widget=YearWidget()
    )
    needs_verification = fields.Field(
        attribute="needs_verification", column_name="needs_verification", widget=FlagWidget()
    )
    source_urls = fields.Field(
        attribute="source_urls", column_name="source_urls", widget=UrlListWidget()
    )
    last_verified_on = fields.Field(
        attribute="last_verified_on",
        column_name="last_verified_on",
        widget=widgets.DateWidget(),
        readonly=True,
    )
    last_verified_by = fields.Field(
        attribute="last_verified_by",
        column_name="last_verified_by",
        widget=UserNameWidget(),
        readonly=True,
    )

    class Meta:
        model = Organisation
        fields = COLUMNS
        export_order = COLUMNS
        import_id_fields = ("name",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(
        self,
        *,
        doubts: dict[str, str] | None = None,
        keep_curated: bool = False,
        mark_loaded: bool = False,
        **kwargs,
    ):
        """`doubts` ({name: what to check}) flags new entries as needing verification;
        `keep_curated` skips entries a curator changed since `load_directory` wrote them;
        `mark_loaded` records that `load_directory` wrote a row."""
        super().__init__(**kwargs)
        self.doubts = doubts or {}
        self.keep_curated = keep_curated
        self.mark_loaded = mark_loaded
        self.kept_curated: list[str] = []
        # what parents and merged_into refer to, and the parent links, for this import only
        self.references: dict = {}
        cast(OrganisationListWidget, self.fields["parents"].widget).cache = self.references
        cast(OrganisationWidget, self.fields["merged_into"].widget).cache = self.references
        self._links: dict[int, list[int]] | None = None

    def _forget(self) -> None:
        """A save can add or rename an entry, or change links: look them up afresh."""
        self.references.clear()
        self._links = None

    # --- finding the entry a row describes ------------------------------------------------

    def before_import_row(self, row, **kwargs):
        # PostgreSQL refuses NUL in text, and finding the entry sends the name to it first
        with_nul = [column for column, value in row.items() if "\x00" in str(value or "")]
        if with_nul:
            raise ValidationError(dict.fromkeys(with_nul, "Null characters are not allowed."))

    def get_instance(self, instance_loader, row):
        slug = str(row.get("slug") or "").strip()
        if slug:
            found = Organisation.objects.filter(slug=slug).first()
            if found:
                return found
        name = " ".join(str(row.get("name") or "").split())
        if not name:
            return None
        matches = list(Organisation.objects.filter(name__iexact=name)[:5])
        if len(matches) > 1:
            slugs = ", ".join(org.slug for org in matches)
            raise ValidationError(
                {"name": f"Several entries are called “{name}”; add a slug column ({slugs})."}
            )
        return matches[0] if matches else None

    # --- reading a row --------------------------------------------------------------------

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        instance.name = " ".join((instance.name or "").split())
        if not instance.slug and instance.name:
            instance.slug = unique_slug(instance.name, exclude_pk=instance.pk)
        if instance._state.adding and instance.name in self.doubts:
            instance.needs_verification = True
            reason = self.doubts[instance.name]
            if reason not in instance.curator_notes:
                instance.curator_notes = "\n".join(filter(None, [instance.curator_notes, reason]))
        if "parents" in row:
            try:
                self._check_parents(instance, self.fields["parents"].clean(row))
            except ValueError as error:
                errors.setdefault("parents", []).append(str(error))
        if errors:
            raise ValidationError(errors)

    def _check_parents(self, instance: Organisation, parents: Iterable[Organisation]) -> None:
        parents = list(parents)
        if instance.pk is None or not parents:
            return
        if self._links is None:
            self._links = parent_links()
        below = descendant_ids(instance, links=self._links) | {instance.pk}
        loops = [parent.name for parent in parents if parent.pk in below]
        if loops:
            raise ValueError(
                f"{', '.join(loops)} cannot be a parent: it is this entry or one of its parts."
            )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if self.keep_curated and original is not None and original.pk is not None:
            curated = original.loaded_at is None or original.updated_at > original.loaded_at
            if curated:
                self.kept_curated.append(original.name)
                return True
        return super().skip_row(instance, original, row, import_validation_errors)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """Field values, the model's own rules (Organisation.clean) and a unique slug. The
        check constraints say the same as Organisation.clean and stay in the database: checking
        them here too would cost four queries a row."""
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, "search_vector"],
                validate_unique=validate_unique,
                validate_constraints=False,
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        # a TextField's max_length is checked by forms only (and by a constraint, in the
        # database): say it here, per field, rather than fail the row there
        texts = [f for f in instance._meta.concrete_fields if isinstance(f, TextField)]
        for field in texts:
            length = len(getattr(instance, field.attname) or "")
            if field.max_length and length > field.max_length:
                errors.setdefault(field.name, []).append(
                    f"Keep it to {field.max_length:,} characters or fewer: it has {length:,}."
                )
        if errors:
            # name the problem in words curators know, not “__all__”
            if NON_FIELD_ERRORS in errors:
                errors["row"] = errors.pop(NON_FIELD_ERRORS)
            raise ValidationError(errors)

    def after_save_instance(self, instance, row, **kwargs):
        self._forget()
        if self.mark_loaded:
            Organisation.objects.filter(pk=instance.pk).update(loaded_at=F("updated_at"))

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        self._forget()

    # --- export ---------------------------------------------------------------------------

    def filter_export(self, queryset, **kwargs):
        """Parents before their parts, so that the file imports into an empty directory."""
        organisations = list(
            queryset.prefetch_related("parents").select_related("merged_into", "last_verified_by")
        )
        links = parent_links()
        depth = {org.pk: _depth(org.pk, links) for org in organisations}
        merged_last = {org.pk: org.merged_into_id is not None for org in organisations}
        return sorted(
            organisations, key=lambda org: (merged_last[org.pk], depth[org.pk], org.name.lower())
        )


def _depth(pk: int, links: dict[int, list[int]], seen: frozenset = frozenset()) -> int:
    """How many levels of parents sit above an entry (loops, which imports refuse, stop it)."""
    parents = [parent for parent in links.get(pk, []) if parent not in seen]
    if not parents:
        return 0
    return 1 + max(_depth(parent, links, seen | {pk}) for parent in parents)
