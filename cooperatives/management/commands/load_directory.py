"""Load the directory of cooperatives from a CSV (by default the bundled starting file)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from cooperatives.loader import DEFAULT_PATH, load_directory


class Command(BaseCommand):
    help = (
        "Create or update directory entries from a CSV of the starting file's shape "
        "(idempotent: entries are matched by slug or name). Entries curators changed since "
        "the last load are kept unless --overwrite."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH), help="CSV file")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Also update entries curators changed since they were loaded.",
        )
        parser.add_argument(
            "--by",
            metavar="EMAIL",
            help="Record the changes in the admin history under this staff member.",
        )

    def handle(self, *args, path, dry_run, overwrite, by, **options):
        user = None
        if by:
            user = get_user_model().objects.filter(email__iexact=by, is_staff=True).first()
            if user is None:
                raise CommandError(f"No staff member with the email address {by}.")
        try:
            report = load_directory(path, by=user, overwrite=overwrite, dry_run=dry_run)
        except FileNotFoundError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        if not report.ok:
            for line, message in report.errors:
                where = f"line {line}" if line else "file"
                self.stderr.write(f"  {where}: {message}")
            raise CommandError(f"{len(report.errors)} problem(s) in {path}; nothing was changed.")
        if options["verbosity"] < 1:
            return
        prefix = "Would load" if dry_run else "Directory loaded"
        self.stdout.write(
            f"{prefix}: {report.new} new, {report.updated} updated, "
            f"{report.unchanged} unchanged, {len(report.kept_curated)} kept as curators left them."
        )
        if report.kept_curated and options["verbosity"] > 1:
            for name in report.kept_curated:
                self.stdout.write(f"  kept: {name}")
