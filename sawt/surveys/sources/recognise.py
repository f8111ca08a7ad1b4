"""Which tool wrote a table given as sawt's own: asked of each source's `looks_like(header)`,
so a Kobo or Qualtrics export sent without `--from` is named for what it is."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from importlib import import_module

from sawt.surveys.sources import _MODULES, SOURCES

logger = logging.getLogger(__name__)


def recognised_source(written: Sequence[str], header: Sequence[str]) -> str | None:
    """The first source whose `looks_like` knows the header (as written, then normalised)."""
    for source in SOURCES:
        module_name = _MODULES.get(source)
        if module_name is None:
            continue
        try:
            looks_like = getattr(import_module(module_name), "looks_like", None)
            if looks_like is None:
                continue
            if looks_like(list(written)) or looks_like(list(header)):
                return source
        except Exception:  # a source's guess must never turn into an import's crash
            logger.warning("looks_like of source %s failed", source, exc_info=True)
    return None


# The tools as people know them, for "this looks like a … export".
TOOL_NAMES = {
    "kobo": "KoboToolbox",
    "odk": "ODK Central",
    "qualtrics": "Qualtrics",
    "limesurvey": "LimeSurvey",
    "forms": "Google or Microsoft Forms",
    "spss": "SPSS",
}
