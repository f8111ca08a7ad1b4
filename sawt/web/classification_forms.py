"""Forms of the review queue and the themes page: they parse posted values only; the
classification services decide."""

from __future__ import annotations

from django import forms

from sawt.catalog.models import GapCategory
from sawt.web.params import IdField, IdListField

THEME_SOURCES = ("complaints", "survey")
_NAME_LENGTH = GapCategory._meta.get_field("name_ar").max_length
_CODE_LENGTH = GapCategory._meta.get_field("code").max_length


class SettleForm(forms.Form):
    """A category for one queued complaint, and the item the page showed next."""

    category = forms.CharField(max_length=_CODE_LENGTH)
    next = IdField(required=False)


class ThemePromoteForm(forms.Form):
    """A theme to make a category: its names and code, and the texts it gathers.

    The names may be empty here: the service refuses a missing Arabic name with its own words.
    """

    source = forms.ChoiceField(choices=[(s, s) for s in THEME_SOURCES], required=False)
    theme = IdField(required=False)
    name_ar = forms.CharField(max_length=_NAME_LENGTH, required=False)
    name_en = forms.CharField(max_length=_NAME_LENGTH, required=False)
    code = forms.CharField(max_length=_CODE_LENGTH, required=False)
    complaint_ids = IdListField(required=False)
    answer_ids = IdListField(required=False)
