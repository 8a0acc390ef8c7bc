"""The Indonesian catalogue is complete, and the compiled .mo matches the committed .po."""

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"
ENTRY = re.compile(
    r'^msgid ((?:".*"\n)+)(?:msgid_plural ((?:".*"\n)+))?((?:msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.MULTILINE,
)


ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}


def _joined(block: str) -> str:
    text = "".join(re.findall(r'"(.*)"', block))
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), text)


def entries(language: str) -> list[tuple[str, list[str]]]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in text.split("\nmsgid", 2)[-1], "a fuzzy translation is not used"
    found = []
    for match in ENTRY.finditer(text):
        msgid = _joined(match.group(1))
        if msgid:
            strings = re.findall(r"msgstr(?:\[\d\])? ((?:\".*\"\n)+)", match.group(3))
            found.append((msgid, [_joined(s) for s in strings]))
    return found


def test_every_indonesian_string_is_translated():
    catalogue = entries("id")
    assert len(catalogue) > 200
    untranslated = [msgid for msgid, strings in catalogue if not all(strings)]
    assert untranslated == []


def test_compiled_catalogue_matches_the_source():
    compiled = gettext.GNUTranslations((LOCALE / "id" / "LC_MESSAGES" / "django.mo").open("rb"))
    stale = [
        msgid
        for msgid, strings in entries("id")
        if compiled._catalog.get(msgid, compiled._catalog.get((msgid, 0))) != strings[0]
    ]
    assert stale == [], "run `make messages` and commit the .mo files"


def test_every_translation_keeps_the_placeholders_of_its_source():
    """A translation that drops or renames %(name)s fails at run time, not here, unless checked."""
    placeholder = re.compile(r"%\(\w+\)[sdfr]|\{\w+\}")
    wrong = [
        msgid
        for msgid, strings in entries("id")
        for text in strings[:1]
        if sorted(placeholder.findall(msgid)) != sorted(placeholder.findall(text))
    ]
    assert wrong == []
