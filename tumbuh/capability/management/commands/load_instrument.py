"""``tumbuh load_instrument [file]``: load a capability questionnaire version (idempotent)."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from tumbuh.capability.services import DEFAULT_INSTRUMENT, load_instrument


class Command(BaseCommand):
    help = "Load a capability assessment instrument from its JSON file (the shipped v1 by default)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_INSTRUMENT))

    def handle(self, *args, path, **options):
        if not Path(path).is_file():
            raise CommandError(f"No such file: {path}")
        try:
            instrument, created = load_instrument(Path(path))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        questions = instrument.questions.count()
        state = "loaded" if created else "already loaded, unchanged"
        self.stdout.write(f"instrument v{instrument.version}: {questions} questions ({state})")
