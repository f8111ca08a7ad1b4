"""The webhooks pages' forms: registering a hook, and changing what it hears of."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Agency
from sawt.webhooks.choices import WebhookEvent


class _EventsAndAgency(forms.Form):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.order_by("code"),
        required=False,
        empty_label=_("All agencies"),
        to_field_name="code",
        help_text=_("Only events about what this agency's members may see; empty: all agencies."),
    )


class WebhookForm(_EventsAndAgency):
    """A new hook: the address, its events, and the agency it is for (or all)."""

    url = forms.URLField(
        label=_("Address (URL)"),
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    field_order = ["url", "events", "agency"]


class WebhookEditForm(_EventsAndAgency):
    """A hook's events, agency and whether it is on."""

    active = forms.BooleanField(label=_("Active"), required=False)
