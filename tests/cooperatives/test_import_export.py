"""The curators' CSV round trip in the admin: export, edit, dry-run preview, import; no
duplicates; every bad row reported with its line and field; all of it in the admin history."""

import csv
import io

import pytest
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cooperatives.models import Organisation
from cooperatives.resources import COLUMNS, OrganisationResource
from tests.factories import OrganisationFactory, make_curator

pytestmark = pytest.mark.django_db

IMPORT_URL = reverse("admin:cooperatives_organisation_import")
PROCESS_URL = reverse("admin:cooperatives_organisation_process_import")
EXPORT_URL = reverse("admin:cooperatives_organisation_export")


@pytest.fixture
def curator_client(client):
    curator = make_curator()
    client.force_login(curator)
    client.curator = curator
    return client


@pytest.fixture
def directory():
    ala = OrganisationFactory(
        name="American Library Association",
        acronym="ALA",
        kind="national_association",
        states=[],
        library_types=[],
        all_library_types=True,
    )
    aasl = OrganisationFactory(
        name="American Association of School Librarians",
        acronym="AASL",
        kind="division",
        states=[],
        library_types=["elementary_school", "high_school"],
        parents=[ala],
    )
    committee = OrganisationFactory(
        name="AASL Legislation Committee", kind="committee", states=[], parents=[aasl]
    )
    uprlc = OrganisationFactory(
        name="Upper Peninsula Region of Library Cooperation",
        acronym="UPRLC",
        states=["MI"],
        activities=["resource_sharing", "shared_catalogue"],
        how_to_join=["institutional"],
        founded_year=1984,
        website="https://uprlc.org/",
        source_urls=["https://uprlc.org/about-uprlc/"],
    )
    return {"ala": ala, "aasl": aasl, "committee": committee, "uprlc": uprlc}


def export_csv(client) -> list[dict]:
    data = {"format": "0", "resource": "0"}
    data.update({f"organisationresource_{name}": "on" for name in COLUMNS})
    response = client.post(EXPORT_URL, data)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def to_csv(rows: list[dict], header=None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header or list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def dry_run(client, content: bytes):
    upload = SimpleUploadedFile("directory.csv", content, content_type="text/csv")
    return client.post(IMPORT_URL, {"import_file": upload, "format": "0", "resource": "0"})


def confirm(client, preview):
    form = preview.context["confirm_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return client.post(PROCESS_URL, data)


def test_export_writes_every_column_with_parents_first(curator_client, directory):
    rows = export_csv(curator_client)

    assert list(rows[0]) == list(COLUMNS)
    names = [row["name"] for row in rows]
    # a parent always comes before its parts, so the file loads into an empty directory
    assert names.index("American Library Association") < names.index(
        "American Association of School Librarians"
    )
    assert names.index("American Association of School Librarians") < names.index(
        "AASL Legislation Committee"
    )
    uprlc = next(row for row in rows if row["acronym"] == "UPRLC")
    assert uprlc["states"] == "MI"
    assert uprlc["activities"] == "resource_sharing;shared_catalogue"
    assert uprlc["founded_year"] == "1984"
    assert uprlc["needs_verification"] == "no"
    ala = next(row for row in rows if row["acronym"] == "ALA")
    assert ala["library_types"] == "all"
    aasl = next(row for row in rows if row["acronym"] == "AASL")
    assert aasl["parents"] == "American Library Association"


def test_csv_round_trip_updates_adds_and_never_duplicates(curator_client, directory):
    rows = export_csv(curator_client)
    for row in rows:
        if row["acronym"] == "UPRLC":
            row["website"] = "https://www.uprlc.org/"
            row["phone"] = "906-555-0100"
    rows.append(
        {
            **dict.fromkeys(COLUMNS, ""),
            "name": "AASL Standards Committee",
            "kind": "Committee",  # a label is accepted as well as a value
            "parents": "AASL",  # an acronym, resolved to the division
            "library_types": "school",
        }
    )
    content = to_csv(rows)

    preview = dry_run(curator_client, content)

    assert preview.status_code == 200
    result = preview.context["result"]
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"], result.totals["skip"]) == (1, 1, 3)
    assert "confirm_form" in preview.context
    # a dry run writes nothing
    assert Organisation.objects.count() == 4
    assert Organisation.objects.get(acronym="UPRLC").website == "https://uprlc.org/"

    done = confirm(curator_client, preview)

    assert done.status_code == 302
    assert Organisation.objects.count() == 5
    uprlc = Organisation.objects.get(acronym="UPRLC")
    assert (uprlc.website, uprlc.phone) == ("https://www.uprlc.org/", "906-555-0100")
    assert uprlc.activities == ["resource_sharing", "shared_catalogue"]  # untouched
    new = Organisation.objects.get(name="AASL Standards Committee")
    assert new.kind == "committee"
    assert list(new.parents.all()) == [directory["aasl"]]
    assert set(new.library_types) == {
        "elementary_school",
        "middle_school",
        "high_school",
        "independent_school",
    }
    # recorded in the admin history, under the curator who imported
    logged = set(
        LogEntry.objects.filter(user=curator_client.curator).values_list("object_id", "action_flag")
    )
    assert logged == {(str(uprlc.pk), CHANGE), (str(new.pk), ADDITION)}

    # the same file again: nothing new, nothing duplicated
    again = dry_run(curator_client, content)
    assert again.context["result"].totals["new"] == 0
    confirm(curator_client, again)
    assert Organisation.objects.count() == 5
    assert Organisation.objects.filter(name="AASL Standards Committee").count() == 1


def test_an_exported_file_rebuilds_an_empty_directory(curator_client, directory):
    content = to_csv(export_csv(curator_client))
    Organisation.objects.all().delete()

    confirm(curator_client, dry_run(curator_client, content))

    assert Organisation.objects.count() == 4
    committee = Organisation.objects.get(name="AASL Legislation Committee")
    assert [p.acronym for p in committee.parents.all()] == ["AASL"]
    assert Organisation.objects.get(acronym="ALA").all_library_types is True


def test_bad_rows_are_reported_per_row_and_field_and_cannot_be_confirmed(curator_client, directory):
    rows = [
        {
            "name": "Fine Cooperative",
            "kind": "consortium",
            "states": "MI",
            "website": "",
            "founded_year": "",
            "parents": "",
        },
        {
            "name": "Odd Kind",
            "kind": "guild",
            "states": "MI",
            "website": "",
            "founded_year": "",
            "parents": "",
        },
        {
            "name": "Bad Details",
            "kind": "consortium",
            "states": "Michigan;Atlantis",
            "website": "not a url",
            "founded_year": "nineteen",
            "parents": "",
        },
        {
            "name": "Lost Committee",
            "kind": "committee",
            "states": "",
            "website": "",
            "founded_year": "",
            "parents": "Nobody Known",
        },
        {
            "name": "",
            "kind": "consortium",
            "states": "",
            "website": "",
            "founded_year": "",
            "parents": "",
        },
    ]

    preview = dry_run(curator_client, to_csv(rows))

    result = preview.context["result"]
    assert "confirm_form" not in preview.context
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {2, 3, 4, 5}  # data rows, counting from 1
    assert "guild" in " ".join(invalid[2]["kind"])
    assert set(invalid[3]) >= {"states", "website", "founded_year"}
    assert "Nobody Known" in " ".join(invalid[4]["parents"])
    assert "name" in invalid[5]
    page = preview.content.decode()
    # the preview page shows each bad row's number with its field and message
    assert "<td>3 </td>" in page
    assert "Unknown state code: Atlantis" in page
    assert "is not a year" in page
    assert Organisation.objects.count() == 4


def test_rows_the_database_cannot_keep_are_reported_not_failed(curator_client, directory):
    # NUL reached PostgreSQL in the lookup by name (a database error that aborted the import)
    rows = [
        {"name": "Nul\x00 Cooperative", "kind": "consortium", "parents": "", "description": ""},
        {"name": "Parent Nul", "kind": "consortium", "parents": "ALA\x00", "description": ""},
        {"name": "Wordy", "kind": "consortium", "parents": "", "description": "x" * 2001},
        {"name": "Fine Cooperative", "kind": "consortium", "parents": "", "description": "Ok."},
    ]

    preview = dry_run(curator_client, to_csv(rows))

    result = preview.context["result"]
    invalid = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(invalid) == {1, 2, 3}
    assert "Null characters are not allowed." in invalid[1]["name"]
    assert "Null characters are not allowed." in invalid[2]["parents"]
    assert "2,000 characters or fewer" in " ".join(invalid[3]["description"])
    assert not result.has_errors()  # reported per row, not a failed import
    assert Organisation.objects.count() == 4


def test_a_parent_that_would_make_a_loop_is_refused(curator_client, directory):
    rows = [
        {
            "name": "American Library Association",
            "kind": "national_association",
            "parents": "AASL Legislation Committee",
        }
    ]

    preview = dry_run(curator_client, to_csv(rows))

    invalid = preview.context["result"].invalid_rows
    assert len(invalid) == 1
    assert "cannot be a parent" in " ".join(invalid[0].error_dict["parents"])
    assert not directory["ala"].parents.exists()


def test_merged_into_is_checked_like_the_admin_form(curator_client, directory):
    rows = [
        {"name": "Old Cooperative", "kind": "consortium", "status": "merged", "merged_into": ""},
        {
            "name": "Older Cooperative",
            "kind": "consortium",
            "status": "Merged into another organisation",
            "merged_into": "UPRLC",
        },
    ]

    preview = dry_run(curator_client, to_csv(rows))

    invalid = {row.number: row.error_dict for row in preview.context["result"].invalid_rows}
    assert list(invalid) == [1]
    assert "merged_into" in invalid[1]


def test_curators_need_add_and_change_to_import_and_view_to_export(client, directory):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    assert client.get(IMPORT_URL).status_code == 403
    assert client.post(EXPORT_URL, {"format": "0"}).status_code == 403


def test_the_resource_imports_the_starting_file_shape_without_slugs():
    dataset_text = (
        "name,acronym,kind,country,states,library_types,website,parents,description,source_urls\n"
        "Example Cooperative,EXC,regional_cooperative,US,NJ;NY,public;school,https://exc.example/,"
        ',"A cooperative.",https://a.example/1;https://a.example/2\n'
    )
    import tablib

    result = OrganisationResource().import_data(
        tablib.Dataset().load(dataset_text, format="csv"), dry_run=False
    )

    assert not result.has_validation_errors()
    organisation = Organisation.objects.get()
    assert organisation.slug == "example-cooperative"
    assert organisation.states == ["NJ", "NY"]
    assert organisation.source_urls == ["https://a.example/1", "https://a.example/2"]
