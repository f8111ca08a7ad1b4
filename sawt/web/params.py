"""Fields for the parameters pages read from addresses and forms, and the 400 page that names
the one that is wrong.

Every value a view takes from the query string or a posted form goes through a Django form
built from these fields: Django's CharField already refuses NUL bytes (which PostgreSQL cannot
store) and, with max_length, values longer than the column; integers and id lists accept ASCII
digits only (`"²".isdigit()` is true, yet `int("²")` fails); periods are `YYYY-MM` in ASCII
digits, as the database's own check constraint reads them. A malformed value is a 400 here;
a well-formed one that names nothing the person may see stays a 404, decided by the selectors.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sawt.core.periods import PERIOD_DB_REGEX

# Database ids are 64-bit; anything above cannot name a row (and some backends refuse it).
MAX_ID = 2**63 - 1
# A recommendation's version is a positive 32-bit integer column.
MAX_VERSION = 2**31 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")


class PeriodField(forms.CharField):
    """A period, `YYYY-MM` in ASCII digits."""

    default_validators = [
        RegexValidator(
            PERIOD_DB_REGEX,
            message=gettext_lazy(
                "The period must be a month written YYYY-MM, for example 2022-06."
            ),
        )
    ]

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=7, **kwargs)


class IdField(forms.IntegerField):
    """A database id: a positive whole number of ASCII digits that fits the column."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if isinstance(value, str) and value.strip() and not _ASCII_DIGITS.fullmatch(value.strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdListField(forms.Field):
    """Database ids posted as comma-separated lists (the themes page posts one per theme)."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {
        "invalid": gettext_lazy("“%(value)s” is not an id: ids are whole numbers, with commas."),
    }

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else [value] if value else []
        ids: list[int] = []
        for text in values:
            for part in str(text).split(","):
                part = part.strip()
                if not part:
                    continue
                if not _ASCII_DIGITS.fullmatch(part) or not 0 < int(part) <= MAX_ID:
                    raise ValidationError(
                        self.error_messages["invalid"], code="invalid", params={"value": part[:40]}
                    )
                ids.append(int(part))
        return ids


def bad_request(request: HttpRequest, form: forms.Form) -> HttpResponse:
    """400: which parameter is malformed and why; nothing was read or changed."""
    problems = "; ".join(
        f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )
    context = {
        "status": 400,
        "heading": _("This request could not be read"),
        "explanation": _("Nothing was changed. %(problems)s") % {"problems": problems},
    }
    return render(request, "web/error.html", context, status=400)
