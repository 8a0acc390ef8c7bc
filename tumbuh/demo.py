"""``tumbuh demo``: the database, the real regions and every app's demo data, then a server.

The project's wiring, like ``tumbuh serve`` in :mod:`tumbuh.cli`, not a command of an app: it
loads the regions and every app's ``demo.py`` (through :func:`tumbuh.core.demodata.load_all`) and
starts gunicorn, so it sits above all the apps. It is still a Django ``BaseCommand``, run by
``tumbuh.cli`` with Django's own argument parsing, so its options, help, output and errors are
those of a management command: ``tumbuh demo [--no-serve] [--seed N] [--report PATH]``.
"""

import json
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tumbuh.cli import gunicorn_arguments
from tumbuh.core.demodata import load_all
from tumbuh.regions.datafiles import DataFileError
from tumbuh.regions.services import load_regions


class Command(BaseCommand):
    help = (
        "Set up the database, load the real regions and every app's demo data (idempotent), "
        "print the URLs and demo logins, then serve with a background-task worker."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Load only; do not serve.")
        parser.add_argument(
            "--seed", type=int, default=settings.TUMBUH_DEMO_SEED, help="Seed of the demo data."
        )
        parser.add_argument(
            "--report",
            dest="report_path",
            type=Path,
            help="Also write the printed URLs and logins as JSON to this file (the smoke crawl).",
        )

    def handle(self, *args, no_serve: bool, seed: int, report_path: Path | None = None, **options):
        started = time.perf_counter()
        self.stdout.write("Menyiapkan basis data… (setting up the database)")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Memuat wilayah… (loading the regions)")
        try:
            regions = load_regions()
        except DataFileError as error:
            raise CommandError(f"Nothing was loaded. {error}") from None
        villages = regions.levels["village"]
        self.stdout.write(
            f"  {villages.total} villages ({villages.created} new) in {regions.seconds:.1f} s"
        )
        self.stdout.write(f"Memuat data demo (seed {seed})… (loading the demo data)")
        report = load_all(seed=seed)
        for line in report.lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"Siap dalam {time.perf_counter() - started:.1f} s.\n")
        self._print_report(report)
        if report_path is not None:
            self._write_report(report, report_path)
        if not no_serve:
            self._serve()

    def _print_report(self, report) -> None:
        base = settings.SITE_URL
        self.stdout.write(self.style.MIGRATE_HEADING("Alamat (URLs)"))
        for path, what in report.links:
            self.stdout.write(f"  {base}{path:<28} {what}")
        self.stdout.write(self.style.MIGRATE_HEADING("Akun demo (demo logins; demo data only)"))
        width = max((len(login.login) for login in report.logins), default=0)
        for login in report.logins:
            self.stdout.write(f"  {login.login:<{width}}  {login.password}  {login.who}")

    def _write_report(self, report, path: Path) -> None:
        """The printed URLs and logins as JSON; the file holds demo passwords, so owner-only."""
        data = {
            "site_url": settings.SITE_URL,
            "links": [{"path": link, "what": what} for link, what in report.links],
            "logins": [
                {"login": login.login, "password": login.password, "who": login.who}
                for login in report.logins
            ],
        }
        path.touch(mode=0o600)
        path.chmod(0o600)
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n")

    def _serve(self) -> None:
        self.stdout.write(f"\nServing on {settings.SITE_URL} with a task worker; Ctrl+C stops.")
        sys.stdout.flush()
        worker = subprocess.Popen([sys.executable, "-m", "tumbuh.cli", "worker"])
        web = subprocess.Popen(gunicorn_arguments([]))  # noqa: S603
        try:
            web.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for process in (web, worker):
                if process.poll() is None:
                    process.terminate()
            for process in (web, worker):
                try:
                    process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    process.kill()
