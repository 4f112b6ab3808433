"""`manage.py load_directory [path]`: load the starting directory (or any CSV of its shape)
through the same import resource the admin uses.

Idempotent: entries are found by slug or name, so re-running updates and never duplicates.
An entry a curator has changed since the loader last wrote it (in the admin, by a bulk action,
an approved suggestion or an admin import) is kept as the curator left it: the loader runs on
every `make run` and every deploy, and must never undo a curator's work. `overwrite=True`
(`--overwrite`) loads such entries anyway.

The starting file is `cooperatives/data/organisations.csv`, a copy of the fact-checked seed
(../shared/data/organisations.csv); the project never reads ../shared at run time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import tablib
from django.contrib.admin.models import ADDITION, CHANGE
from django.db import transaction
from import_export.results import RowResult

from accounts.models import User
from cooperatives.models import Activity
from cooperatives.resources import OrganisationResource
from cooperatives.services import history_record

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "organisations.csv"

# Entries organisations-notes.md casts doubt on. They start as "needs verification", with the
# reason in the curator notes, until a curator checks them. Keyed by name: acronyms repeat.
NEEDS_VERIFICATION = {
    # "Websites / domains that need a check"
    "Wisconsin Library Association": (
        "Website unverified: wla.wisconsinlibraries.org was seen only on 2015–2016 conference "
        "archive pages; newer pages (bylaws) are on wla.memberclicks.net."
    ),
    "Rhode Island Library Association": (
        "Website seen only in a Wikipedia infobox copy; no archived page of its own site found."
    ),
    "Michigan Library Association": (
        "milibraries.org seen only in newsletter text and on LinkedIn; its archived pages are "
        "on mla.memberclicks.net."
    ),
    "North Dakota Library Association": (
        "Moved from www.ndlaonline.org (2016) to ndla.info (2017): check the current address."
    ),
    "Reaching Across Illinois Library System": (
        "Both railslibraries.info (older) and railslibraries.org were seen; .org was used."
    ),
    "Panhandle Library Access Network": (
        "Both planfl.org and www.plan.lib.fl.us host about/join pages; plan.lib.fl.us was used."
    ),
    "Indiana Library Federation": (
        "www.ilfonline.org was used; its about page was also seen at inlf.memberclicks.net."
    ),
    "Tennessee Library Association": (
        "Older host tnla.site-ym.com seen. Its own pages say “TLA”; TNLA was used because TLA "
        "is the Texas Library Association."
    ),
    "Alabama Library Association": "Older host alla.memberclicks.net seen: check the website.",
    "Delaware Library Association": "Older host www2.lib.udel.edu/dla seen: check the website.",
    "Wyoming Library Association": "Announced its new site wyla.org: check it is live.",
    "American Association of School Librarians": (
        "An older page says www.aasl.org; current pages are under www.ala.org/aasl/ (used)."
    ),
    "Collaborative Librarianship": (
        "Moved from www.collaborativelibrarianship.org (2010) to Digital Commons @ University "
        "of Denver."
    ),
    "AASL/ALSC/YALSA Interdivisional Committee on School/Public Library Cooperation": (
        "The name varies by page (“Joint Committee…”, “Interdivisional Committee…”, “School & "
        "Public Library Cooperation Committee”); the website is its AASL committee page."
    ),
    # "Smaller uncertainties"
    "South Dakota Library Association": (
        "Founding year disputed: first official meeting 1906 (used); Wikipedia 1891; older "
        "documents “organized 1907”."
    ),
    "California Library Association": "Founded 1895 (Wikipedia, used) or 1894 (one summary).",
    "Oregon Library Association": "The year 1940 comes from Wikipedia only.",
    "Woodlands Library Cooperative": (
        "An older page lists 50 public, 6 school, 6 academic and 1 special member; the current "
        "page mentions only the public libraries (recorded)."
    ),
    "Colorado Alliance of Research Libraries": (
        "“14 academic, 1 public” member libraries comes from a 2019 presentation."
    ),
    "Amigos Library Services": (
        "Serves members in 22 states that no page names (states left empty); the seed file "
        "called it a “network” (recorded as a consortium)."
    ),
    "OCLC, Inc.": "The seed file called it a “network” (recorded as a consortium): check the kind.",
    # "Renames, mergers and history"
    "LibraryLinkNJ, The New Jersey Library Cooperative": (
        "Warned of possible dissolution by June 2019; a December 2024 newsletter shows it "
        "active. The year its name was approved is not shown."
    ),
    "Panhandle Public Library Cooperative System": (
        "A 2014-era page lists Calhoun, Holmes, Jackson and Washington counties; the current "
        "page lists only Calhoun, Holmes and Jackson."
    ),
    "Big Ten Academic Alliance": (
        "States come from the member universities' names (Wikipedia list); four universities "
        "joined in August 2024."
    ),
}

# What each entry does, where its description in the seed file says so (and only then).
STATED_ACTIVITIES = {
    "Big Ten Academic Alliance": [Activity.PURCHASING],
    "OCLC, Inc.": [Activity.SHARED_CATALOGUE],
    "Upper Peninsula Region of Library Cooperation": [
        Activity.RESOURCE_SHARING,
        Activity.SHARED_CATALOGUE,
    ],
    "Collaborative Librarianship": [Activity.PUBLISHING],
    "Superiorland Library Cooperative": [Activity.SHARED_CATALOGUE],
    "Tenn-Share": [Activity.PURCHASING, Activity.RESOURCE_SHARING, Activity.DELIVERY],
    "Connecticut Library Consortium": [Activity.PURCHASING],
    "Massachusetts Library System": [
        Activity.DELIVERY,
        Activity.PROFESSIONAL_DEVELOPMENT,
        Activity.CONSULTING,
        Activity.RESOURCE_SHARING,
    ],
    "Colorado Library Consortium": [
        Activity.DELIVERY,
        Activity.SHARED_CATALOGUE,
        Activity.CONSULTING,
        Activity.PROFESSIONAL_DEVELOPMENT,
        Activity.PURCHASING,
    ],
    "Colorado Alliance of Research Libraries": [Activity.SHARED_CATALOGUE],
    "Bergen County Cooperative Library System": [
        Activity.RESOURCE_SHARING,
        Activity.SHARED_CATALOGUE,
    ],
    "Amigos Library Services": [Activity.RESOURCE_SHARING],
}


@dataclass
class LoadReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_curated: list[str] = field(default_factory=list)
    # [(row number in the file, counting the header as row 1, "field: message")]
    errors: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


def read_dataset(path: Path | str) -> tablib.Dataset:
    text = Path(path).read_text(encoding="utf-8-sig")
    return tablib.Dataset().load(text, format="csv")


def add_stated_activities(dataset: tablib.Dataset) -> None:
    """Give the starting file the activities its descriptions state, unless the file has its
    own `activities` column."""
    if "activities" in dataset.headers or "name" not in dataset.headers:
        return
    names = dataset["name"]
    dataset.append_col(
        [";".join(STATED_ACTIVITIES.get(name.strip(), [])) for name in names],
        header="activities",
    )


def load_directory(
    path: Path | str | None = None,
    *,
    by: User | None = None,
    overwrite: bool = False,
    dry_run: bool = False,
) -> LoadReport:
    """Import `path` (default: the starting file). All or nothing: one bad row and nothing
    is written; every bad row is reported with its line number."""
    dataset = read_dataset(path or DEFAULT_PATH)
    add_stated_activities(dataset)
    resource = OrganisationResource(
        doubts=NEEDS_VERIFICATION, keep_curated=not overwrite, mark_loaded=True
    )
    with transaction.atomic():
        result = resource.import_data(
            dataset,
            dry_run=dry_run,
            use_transactions=True,
            rollback_on_validation_errors=True,
            retain_instance_in_row_result=True,
        )
        report = LoadReport(
            new=result.totals[RowResult.IMPORT_TYPE_NEW],
            updated=result.totals[RowResult.IMPORT_TYPE_UPDATE],
            unchanged=result.totals[RowResult.IMPORT_TYPE_SKIP] - len(resource.kept_curated),
            kept_curated=resource.kept_curated,
            dry_run=dry_run,
        )
        report.errors = _errors(result)
        if by is not None and report.ok and not dry_run:
            for import_type, action, message in (
                (RowResult.IMPORT_TYPE_NEW, ADDITION, "Added by load_directory."),
                (RowResult.IMPORT_TYPE_UPDATE, CHANGE, "Updated by load_directory."),
            ):
                history_record(
                    by=by,
                    objects=[row.instance for row in result if row.import_type == import_type],
                    message=message,
                    action=action,
                )
    return report


def _errors(result) -> list[tuple[int, str]]:
    errors = [(0, str(error.error)) for error in result.base_errors]
    errors.extend(
        (invalid.number + 1, f"{name}: {message}")
        for invalid in result.invalid_rows
        for name, messages in invalid.error_dict.items()
        for message in messages
    )
    errors.extend(
        (number + 1, str(error.error))
        for number, row_errors in result.row_errors()
        for error in row_errors
    )
    return sorted(errors)
