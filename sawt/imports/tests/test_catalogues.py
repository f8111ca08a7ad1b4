"""Every message of the importers has an Arabic translation in its app's compiled catalogue."""

import ast
import gettext
from pathlib import Path

import pytest

SAWT = Path(__file__).resolve().parents[2]
SOURCES = {
    "imports": ["imports/*.py"],
    "surveys": [
        "surveys/importers/*.py",
        "surveys/services/*.py",
        "surveys/management/commands/*.py",
    ],
    "complaints": [
        "complaints/importers.py",
        "complaints/services.py",
        "complaints/management/commands/*.py",
    ],
}


def messages(patterns: list[str]) -> list[str]:
    """The first msgid of every `_()` and `ngettext()` call with literal text."""
    found = []
    for pattern in patterns:
        for path in sorted(SAWT.glob(pattern)):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in {"_", "ngettext"}
                    and node.args
                    and isinstance(node.args[0], ast.Constant)
                ):
                    found.append(node.args[0].value)
    return found


def merged_catalogue() -> dict:
    # Django merges every app's catalogue into one: a message is translated when any app's
    # catalogue translates it (issue 12's helpers each keep their messages in one catalogue).
    merged: dict = {}
    for mo in sorted(SAWT.glob("*/locale/ar/LC_MESSAGES/django.mo")):
        with mo.open("rb") as handle:
            merged.update(gettext.GNUTranslations(handle)._catalog)
    return merged


@pytest.mark.parametrize("app", sorted(SOURCES))
def test_every_message_has_an_arabic_translation(app):
    catalogue = merged_catalogue()
    ids = messages(SOURCES[app])
    assert ids
    missing = [m for m in ids if m not in catalogue and (m, 1) not in catalogue]
    assert missing == []
