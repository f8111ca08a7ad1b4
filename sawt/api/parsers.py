"""Request bodies: JSON, refusing at the door what would otherwise fail deep inside (a 500).

- JSON nested deeper than Python's decoder can follow raises RecursionError, not ValueError,
  so DRF's parser lets it through as a server error.
- A NUL character is valid JSON (`"\\u0000"`), but PostgreSQL stores it in no text or jsonb
  column; a lone surrogate (`"\\ud800"`) cannot be written as UTF-8 at all. Both are refused
  with the path of every string that holds one, keys included, whatever the endpoint.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import exceptions, parsers
from rest_framework.utils import json

# Enough to say where the problems are without a response as long as the request.
MOST_REPORTED = 20


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_paths(data: Any) -> list[str]:
    """The dotted paths (list items by index from 0) of strings no database can hold, in
    document order, walked without recursion (the body may be deep)."""
    found: list[str] = []
    stack: list[tuple[str, Any]] = [("", data)]
    while stack and len(found) < MOST_REPORTED:
        path, value = stack.pop()
        if isinstance(value, str):
            if not _storable(value):
                found.append(path)
        elif isinstance(value, dict):
            children = []
            for key, child in value.items():
                where = f"{path}.{key}" if path else str(key)
                if not _storable(key):
                    found.append(path)
                    continue
                children.append((where, child))
            stack.extend(reversed(children))
        elif isinstance(value, list):
            stack.extend(
                reversed([(f"{path}.{i}" if path else str(i), v) for i, v in enumerate(value)])
            )
    return found


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            parse_constant = json.strict_constant if self.strict else None
            data = json.loads(stream.read().decode(encoding), parse_constant=parse_constant)
        except RecursionError as exc:
            raise exceptions.ParseError(_("The JSON body is nested too deeply.")) from exc
        except ValueError as exc:
            raise exceptions.ParseError(
                _("The body is not valid JSON: %(problem)s") % {"problem": exc}
            ) from exc
        paths = unstorable_paths(data)
        if paths:
            message = _(
                "This text holds a NUL character or a lone surrogate, which cannot be stored."
            )
            detail: dict[str, list[str]] = {}
            for path in paths:
                detail.setdefault(path, []).append(message)
            raise exceptions.ValidationError(detail)
        return data
