"""The API tokens page's form: a name, one agency or all of them, and a scope. It parses posted
values only; the token service (sawt/accounts/tokens.py) checks names, agencies and scopes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sawt.accounts.models import ApiTokenScope
from sawt.catalog.models import Agency

# The agency field's value for a token of every agency: never an agency's code (codes are slugs).
ALL_AGENCIES = "*"


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("Unique; the system that will use it, e.g. balady."),
    )
    agency = forms.ChoiceField(
        label=_("Sees the data of"),
        help_text=_("The token sees and changes only what this agency's members could."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"),
        choices=ApiTokenScope.choices,
        widget=forms.RadioSelect,
        initial=ApiTokenScope.READ,
        help_text=_(
            "Read and write lets the system push data and report its recommendations' progress."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agencies = [(a.code, f"{a.name} ({a.code})") for a in Agency.objects.order_by("code")]
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ChoiceField)
        agency.choices = [
            ("", _("Choose an agency")),
            (ALL_AGENCIES, _("All agencies")),
            *agencies,
        ]
