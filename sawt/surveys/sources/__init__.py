"""Where responses come from: sawt's own table, or another tool's export read as one.

Each source module turns its tool's export into a `Table` in sawt's own shape (the columns
`respondent_id`, `submitted_at`, the survey's question codes and attribute names; choices
already scored through the definition), so `parse_responses` checks every source by the same
rules and nothing downstream knows where a row came from. A module exposes
`open_source(path, survey, problems, progress)` (a context manager yielding the table) and
`looks_like(header)` (whether a header is recognisably its tool's, to tell a person who sent it
without `--from`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from importlib import import_module
from pathlib import Path
from typing import Any

from sawt.imports.problems import ProblemCollector
from sawt.imports.readers import Table, open_table

# The values of `--from`, in the order the help and the imports page list them.
SOURCES: tuple[str, ...] = ("sawt", "kobo", "odk", "qualtrics", "limesurvey", "forms", "spss")
# Sources whose module exists (helpers add theirs here as they land).
_MODULES: dict[str, str] = {}
_MODULES["kobo"] = "sawt.surveys.sources.kobo"
_MODULES["odk"] = "sawt.surveys.sources.odk"
_MODULES["qualtrics"] = "sawt.surveys.sources.qualtrics"
_MODULES["limesurvey"] = "sawt.surveys.sources.limesurvey"
_MODULES["forms"] = "sawt.surveys.sources.forms"
_MODULES["spss"] = "sawt.surveys.sources.spss"

Opener = Callable[[Path, Any, ProblemCollector, bool], AbstractContextManager[Table]]


def available() -> tuple[str, ...]:
    return tuple(s for s in SOURCES if s == "sawt" or s in _MODULES)


@contextmanager
def _sawt(path: Path, survey: Any, problems: ProblemCollector, progress: bool) -> Iterator[Table]:
    with open_table(path, problems=problems, progress=progress) as table:
        yield table


def opener(source: str) -> Opener:
    """The reader of `source`; ValueError for a name not in `available()`."""
    if source == "sawt":
        return _sawt
    if source not in _MODULES:
        raise ValueError(source)
    module = import_module(_MODULES[source])
    opener_of: Opener = module.open_source
    return opener_of
