"""Read a YAML document with the line of every key, and check its shape with key paths.

Problems name where they are twice over: the line a person sees in an editor and the key path
(`questions[3].scale`, items counted from 1), so a message stays clear without the file open.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import detect_encoding, refuse
from sawt.imports.values import ValueProblem, parse_whole

_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_PARENT = re.compile(r"(\.[^.\[\]]+|\[\d+\])$")
# Stands for a key that is absent (already reported by `Shape.mapping`), unlike an empty value.
MISSING: Any = object()
# A definition is a few kilobytes; anything far larger is not one (and YAML is slow to parse).
MAX_YAML_BYTES = 1024 * 1024
# A definition nests four levels (questions → item → text → ar) and holds some ten values per
# question. Anything far beyond is refused from the parser's events, before a node is built:
# building follows aliases (ten lists of ten aliases six deep are a million items) and recurses
# once per level (100,000 levels are a RecursionError).
MAX_DEPTH = 20
MAX_VALUES = 20_000
# Keys are shown in problems by path: a 1 MB key must not make a 1 MB message.
MAX_KEY_SHOWN = 60
# libyaml parses some thirty times faster than PyYAML's Python parser, where it is installed.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def key_text(key: Any) -> str:
    """A key as it appears in a key path, cut short if it is very long."""
    text = str(key)
    return text if len(text) <= MAX_KEY_SHOWN else text[: MAX_KEY_SHOWN - 1] + "…"


def load_yaml(path: Path, problems: ProblemCollector) -> tuple[Any, dict[str, int]]:
    """The parsed document and {key path: line}; syntax errors are refused with their line."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise refuse(
            _("The file “%(name)s” was not found.") % {"name": path.name}, unit="line"
        ) from None
    if size > MAX_YAML_BYTES:
        raise refuse(_("A journey definition must be smaller than 1 MB."), unit="line")
    try:
        text = path.read_bytes().decode(detect_encoding(path))
    except UnicodeError:
        raise refuse(
            _("The file cannot be read as text; save it again as UTF-8."), unit="line"
        ) from None
    try:
        _check_events(text)
        loader = _Loader(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        reason = error.problem or str(error)
        if "nesting depth" in reason:
            # libyaml's own limit (deep flow brackets are scanned ahead of the events): the
            # same refusal as ours, in the person's language rather than libyaml's English.
            raise _too_deep(line) from None
        raise refuse(
            _(
                "This line is not valid YAML (%(reason)s); check its indentation, colons and "
                "brackets, and those of the line before."
            )
            % {"reason": reason},
            row=line,
            unit="line",
        ) from None
    except yaml.YAMLError as error:
        raise refuse(
            _("The file is not valid YAML (%(reason)s).") % {"reason": error}, unit="line"
        ) from None
    lines: dict[str, int] = {}
    if root is not None:
        _index(root, "", lines, problems)
    return data, lines


def _too_deep(line: int | None) -> ImportFailed:
    return refuse(
        _("The file is nested more than %(limit)s levels deep; a journey definition needs four.")
        % {"limit": MAX_DEPTH},
        row=line,
        unit="line",
    )


def _line(event: yaml.Event) -> int | None:
    return event.start_mark.line + 1 if event.start_mark is not None else None


def _check_events(text: str) -> None:
    """Refuse anchors, aliases, deep nesting and huge documents from the parser's events."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise refuse(
                _(
                    "Anchors and aliases (&name, *name) are not allowed in a journey "
                    "definition; write each value out in full."
                ),
                row=_line(event),
                unit="line",
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(_line(event))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            values += 1
            if values > MAX_VALUES:
                raise refuse(
                    _(
                        "The file holds more than %(limit)s values (keys, items and texts); a "
                        "journey definition holds far fewer. Check that this is the right file."
                    )
                    % {"limit": f"{MAX_VALUES:,}"},
                    row=_line(event),
                    unit="line",
                )


def _index(node: yaml.Node, path: str, lines: dict[str, int], problems: ProblemCollector) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            full = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            key = key_text(full)
            child = f"{path}.{key}" if path else key
            if full in seen:
                problems.add(
                    key_node.start_mark.line + 1, child, _("This key appears more than once.")
                )
            seen.add(full)
            lines[child] = key_node.start_mark.line + 1
            _index(value_node, child, lines, problems)
    elif isinstance(node, yaml.SequenceNode):
        for number, item in enumerate(node.value, start=1):
            _index(item, f"{path}[{number}]", lines, problems)


class Shape:
    """Type and presence checks on a parsed document; every problem names its key path."""

    def __init__(self, lines: dict[str, int], problems: ProblemCollector) -> None:
        self.lines = lines
        self.problems = problems

    def problem(self, path: str, message: str) -> None:
        # A missing key has no line of its own: point at the nearest enclosing one.
        probe = path
        while probe and probe not in self.lines:
            parent = _PARENT.sub("", probe)
            probe = parent if parent != probe else ""
        self.problems.add(self.lines.get(probe), path or None, message)

    def mapping(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if value is MISSING:
            return None
        if not isinstance(value, dict):
            self.problem(path, _("This must be a set of keys and values."))
            return None
        prefix = f"{path}." if path else ""
        allowed = ", ".join((*required, *optional))
        for key in value:
            if key not in required and key not in optional:
                self.problem(
                    f"{prefix}{key_text(key)}",
                    _("This key is not known here; the keys allowed are: %(allowed)s.")
                    % {"allowed": allowed},
                )
        for key in required:
            if key not in value:
                self.problem(f"{prefix}{key}", _("This key is missing."))
        return value

    def sequence(self, value: Any, path: str) -> list[Any]:
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.problem(path, _("This must be a list (one item per line starting with “-”)."))
            return []
        return value

    def text(self, value: Any, path: str, *, required: bool = True, max_length: int = 0) -> str:
        if value is MISSING:
            return ""
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.problem(path, _("This text is required."))
            return ""
        if not isinstance(value, str):
            self.problem(path, _("This must be text."))
            return ""
        text = value.strip()
        if max_length and len(text) > max_length:
            self.problem(
                path, _("This text is longer than %(limit)s characters.") % {"limit": max_length}
            )
        return text

    def code(self, value: Any, path: str, *, max_length: int = 64) -> str:
        if value is MISSING:
            return ""
        valid_type = isinstance(value, int | str) and not isinstance(value, bool)
        text = str(value).strip() if valid_type else ""
        if not text or not _SLUG.match(text):
            self.problem(
                path,
                _(
                    "A code must be Latin letters, digits, “-” or “_”, without spaces "
                    "(for example q1 or search-discovery)."
                ),
            )
            return ""
        if len(text) > max_length:
            self.problem(path, _("A code is at most %(limit)s characters.") % {"limit": max_length})
        return text

    def names(self, value: Any, path: str) -> tuple[str, str]:
        """Arabic (required) and English (optional) text under `ar` and `en`."""
        if value is MISSING or self.mapping(value, path, ("ar",), ("en",)) is None:
            return "", ""
        return (
            self.text(value.get("ar", MISSING), f"{path}.ar", max_length=255),
            self.text(value.get("en"), f"{path}.en", required=False, max_length=255),
        )

    def positive(self, value: Any, path: str, *, required: bool = True) -> int | None:
        if value is MISSING:
            return None
        if value is None:
            if required:
                self.problem(path, _("This number is required."))
            return None
        try:
            number = parse_whole(value)
        except ValueProblem:
            number = 0
        if number <= 0:
            self.problem(
                path, _("This must be a whole number above zero, such as 3800, without commas.")
            )
            return None
        return number
