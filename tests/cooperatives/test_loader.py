"""`load_directory`: the starting content, loaded idempotently through the import resource."""

import csv
import io

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from cooperatives.loader import DEFAULT_PATH, NEEDS_VERIFICATION, load_directory
from cooperatives.models import Organisation
from tests.factories import make_curator

pytestmark = pytest.mark.django_db


def write_csv(path, rows, header=None):
    header = header or list(rows[0])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def bundled_rows():
    with open(DEFAULT_PATH, encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_the_bundled_file_is_a_copy_inside_the_project():
    assert DEFAULT_PATH.is_file()
    assert "shared" not in DEFAULT_PATH.parts
    assert len(bundled_rows()) == 74


def test_loads_all_74_entries_with_their_parents():
    report = load_directory()

    assert report.ok, report.errors
    assert report.new == 74
    assert Organisation.objects.count() == 74
    ala = Organisation.objects.get(acronym="ALA")
    assert ala.all_library_types is True
    # 51 state associations and the three divisions are ALA's parts
    assert ala.children.count() == 54
    assert ala.children.filter(kind="state_library_association").count() == 51
    committee = Organisation.objects.get(kind="joint_committee")
    assert sorted(committee.parents.values_list("acronym", flat=True)) == [
        "AASL",
        "ALSC",
        "YALSA",
    ]


def test_kinds_states_and_library_types_are_mapped_to_the_directory_vocabulary():
    load_directory()

    uprlc = Organisation.objects.get(acronym="UPRLC")
    assert uprlc.kind == "regional_cooperative"
    assert uprlc.states == ["MI"]
    # "school" and "special" in the file stand for every school and special library type
    assert {"public", "academic", "tribal", "high_school", "special_law"} <= set(
        uprlc.library_types
    )
    assert (
        uprlc.library_types_label
        == "Public, School, Academic (college or university), Special, Tribal"
    )
    assert Organisation.objects.get(name="OCLC, Inc.").kind == "consortium"
    btaa = Organisation.objects.get(acronym="BTAA")
    assert len(btaa.states) == 14
    assert btaa.activities == ["purchasing"]


def test_doubtful_entries_start_as_needing_verification_and_none_is_verified():
    load_directory()

    flagged = set(
        Organisation.objects.filter(needs_verification=True).values_list("name", flat=True)
    )
    assert flagged == set(NEEDS_VERIFICATION)
    wisconsin = Organisation.objects.get(name="Wisconsin Library Association")
    assert "wla.memberclicks.net" in wisconsin.curator_notes
    # Washington shares the acronym WLA but nothing about it is in doubt
    assert not Organisation.objects.get(name="Washington Library Association").needs_verification
    assert not Organisation.objects.filter(last_verified_on__isnull=False).exists()
    assert not Organisation.objects.filter(last_verified_by__isnull=False).exists()


def test_every_doubt_names_an_entry_of_the_file():
    names = {row["name"] for row in bundled_rows()}

    assert set(NEEDS_VERIFICATION) <= names


def test_running_twice_creates_no_duplicates_and_changes_nothing():
    load_directory()
    before = dict(Organisation.objects.values_list("slug", "updated_at"))

    report = load_directory()

    assert report.ok
    assert (report.new, report.updated, report.unchanged) == (0, 0, 74)
    assert dict(Organisation.objects.values_list("slug", "updated_at")) == before


def test_rerunning_updates_entries_the_file_changed(tmp_path):
    rows = bundled_rows()
    load_directory()
    for row in rows:
        if row["acronym"] == "UPRLC":
            row["website"] = "https://www.uprlc.org/"

    report = load_directory(write_csv(tmp_path / "changed.csv", rows))

    assert (report.new, report.updated) == (0, 1)
    assert Organisation.objects.get(acronym="UPRLC").website == "https://www.uprlc.org/"
    assert Organisation.objects.count() == 74


def test_entries_a_curator_changed_are_kept_unless_overwrite(tmp_path):
    load_directory()
    uprlc = Organisation.objects.get(acronym="UPRLC")
    uprlc.phone = "906-555-0100"
    uprlc.description = "Edited by a curator."
    uprlc.save()
    rows = bundled_rows()
    for row in rows:
        if row["acronym"] == "UPRLC":
            row["website"] = "https://www.uprlc.org/"
    path = write_csv(tmp_path / "changed.csv", rows)

    report = load_directory(path)

    uprlc.refresh_from_db()
    assert report.kept_curated == [uprlc.name]
    assert uprlc.description == "Edited by a curator."
    assert uprlc.website == "https://uprlc.org/"

    report = load_directory(path, overwrite=True)

    uprlc.refresh_from_db()
    assert report.updated == 1
    assert uprlc.website == "https://www.uprlc.org/"
    assert uprlc.phone == "906-555-0100"  # not a column of the file: left alone


def test_a_bad_file_is_reported_per_row_and_nothing_is_written(tmp_path):
    rows = [
        {"name": "Good Cooperative", "kind": "consortium", "states": "MI", "parents": ""},
        {"name": "Bad Kind", "kind": "secret_society", "states": "MI", "parents": ""},
        {"name": "Bad State", "kind": "consortium", "states": "MI;ZZ", "parents": ""},
        {"name": "Orphan", "kind": "committee", "states": "", "parents": "Nobody Known"},
    ]

    report = load_directory(write_csv(tmp_path / "bad.csv", rows))

    assert not report.ok
    lines = {line for line, _ in report.errors}
    assert lines == {3, 4, 5}  # file lines, the header being line 1
    text = " ".join(message for _, message in report.errors)
    assert "secret_society" in text
    assert "ZZ" in text
    assert "Nobody Known" in text
    assert not Organisation.objects.exists()


def test_an_ambiguous_acronym_as_parent_asks_for_the_full_name(tmp_path):
    load_directory()
    path = write_csv(
        tmp_path / "committee.csv",
        [{"name": "Conference Committee", "kind": "committee", "parents": "WLA"}],
    )

    report = load_directory(path)

    assert not report.ok
    assert "Washington Library Association" in report.errors[0][1]
    assert "Wisconsin Library Association" in report.errors[0][1]


def test_the_command_loads_reports_and_records_history_when_told_who(tmp_path):
    curator = make_curator(email="curator@libraries.example")
    out = io.StringIO()

    call_command("load_directory", "--by", "curator@libraries.example", stdout=out)

    assert "74 new" in out.getvalue()
    assert LogEntry.objects.filter(user=curator).count() == 74


def test_the_command_dry_run_writes_nothing():
    out = io.StringIO()

    call_command("load_directory", "--dry-run", stdout=out)

    assert "Would load: 74 new" in out.getvalue()
    assert not Organisation.objects.exists()


def test_the_command_fails_loudly_on_a_bad_file(tmp_path):
    path = write_csv(tmp_path / "bad.csv", [{"name": "No Kind", "kind": ""}])
    err = io.StringIO()

    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("load_directory", str(path), stderr=err)
    assert "line 2" in err.getvalue()
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("load_directory", str(tmp_path / "missing.csv"))


def test_make_run_loads_the_directory_after_migrating_every_time(monkeypatch):
    """`devserver` (make run) calls the loader on every start, right after migrating."""
    from config.management.commands import devserver

    called = []

    class ExitedChild:
        pid = -1

        def poll(self):
            return 0

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(devserver, "call_command", lambda name, *a, **k: called.append(name))
    monkeypatch.setattr(devserver.subprocess, "Popen", lambda *a, **k: ExitedChild())
    monkeypatch.setattr(devserver, "_signal_group", lambda child, signum: None)
    monkeypatch.setattr(devserver.signal, "signal", lambda *a: None)
    make_curator()  # not a first run: no demo seeding

    call_command("devserver", stdout=io.StringIO())

    assert called == ["migrate", "createcachetable", "load_directory"]


def test_docker_compose_loads_the_directory_after_migrating():
    from django.conf import settings

    compose = (settings.BASE_DIR / "docker-compose.yml").read_text()
    migrate_command = next(line for line in compose.splitlines() if "migrate --noinput" in line)

    assert migrate_command.index("migrate --noinput") < migrate_command.index("load_directory")


def test_the_command_is_quiet_at_verbosity_0():
    out = io.StringIO()

    call_command("load_directory", verbosity=0, stdout=out)

    assert out.getvalue() == ""
    assert Organisation.objects.count() == 74
