"""Arabic first: every message in the code has an Arabic translation in a compiled catalogue."""

import ast
import gettext
import re
import shutil
import subprocess
from pathlib import Path

import pytest

SAWT = Path(__file__).resolve().parents[2]
GETTEXT_NAMES = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext"}
TEMPLATE_TAG = re.compile(r"{% (?:translate|trans) \"([^\"]+)\"")


def _catalogue() -> dict:
    merged: dict = {}
    for mo in SAWT.glob("*/locale/ar/LC_MESSAGES/django.mo"):
        with mo.open("rb") as handle:
            merged.update(gettext.GNUTranslations(handle)._catalog)
    return merged


def _python_messages() -> set[str]:
    found = set()
    for path in SAWT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT_NAMES
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def _template_messages() -> set[str]:
    return {
        m
        for path in SAWT.rglob("templates/**/*.html")
        for m in TEMPLATE_TAG.findall(path.read_text())
    }


def test_every_python_message_is_translated():
    catalogue = _catalogue()
    missing = sorted(
        m for m in _python_messages() if m not in catalogue and (m, 0) not in catalogue
    )
    assert missing == []


def test_every_template_message_is_translated():
    catalogue = _catalogue()
    assert sorted(m for m in _template_messages() if m not in catalogue) == []


def test_compiled_catalogues_match_their_sources(tmp_path):
    # The .mo files are committed (a fresh machine needs no gettext tools); they must not lag.
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (gettext) is not installed")
    for po in SAWT.glob("*/locale/ar/LC_MESSAGES/django.po"):
        fresh = tmp_path / f"{po.parts[-5]}.mo"
        subprocess.run([msgfmt, "-o", str(fresh), str(po)], check=True)
        with fresh.open("rb") as a, po.with_suffix(".mo").open("rb") as b:
            assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog, po
