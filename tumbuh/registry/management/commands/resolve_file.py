import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tumbuh.registry.resolution.files import resolve_file
from tumbuh.registry.services import active_model


class Command(BaseCommand):
    help = (
        "Find the duplicates inside a partner's CSV file without touching the database: the "
        "output is the input with every row and column kept, plus cluster_id and "
        "match_probability, so a partner can clean a file before sending it. The output keeps "
        "the input's NIK and phone columns as they were: keep it as carefully as the input (it "
        "is written readable by its owner only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path)
        parser.add_argument("--output", type=Path, required=True)
        parser.add_argument(
            "--model",
            type=Path,
            help="A saved model (JSON). Default: the registry's active model when there is one, "
            "else the model shipped with Tumbuh (the summary says which was used).",
        )
        parser.add_argument(
            "--train",
            action="store_true",
            help="Train a model on the file itself (fixed seed) instead of using the registry's "
            "or the shipped model; slower, and on large files no more accurate.",
        )
        parser.add_argument("--json", action="store_true", dest="as_json", help="Print JSON.")

    def handle(
        self,
        *args,
        input: Path,
        output: Path,
        model: Path | None,
        train: bool,
        as_json: bool,
        **options,
    ):
        if not input.exists():
            raise CommandError(f"{input}: no such file.")
        try:
            summary = resolve_file(
                input,
                output,
                model_path=model,
                registry_model=None if model or train else self._registry_model(),
                train=train,
            )
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"{input.name}: {error}") from None
        if as_json:
            self.stdout.write(json.dumps(summary))
        else:
            self.stdout.write(", ".join(f"{key}: {value}" for key, value in summary.items()))

    @staticmethod
    def _registry_model():
        try:
            return active_model()
        except Exception:
            return None
