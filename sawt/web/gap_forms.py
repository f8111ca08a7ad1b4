"""Forms of the gap register pages: they parse input only; the gap services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Agency, Journey, Stage
from sawt.gaps.choices import RecommendationStatus
from sawt.web.params import MAX_VERSION, IdField, PeriodField

# User-written text: the browser picks its direction from the first strong letter.
AUTO = {"dir": "auto", "rows": 3}


class GapFilterForm(forms.Form):
    """The register's filters, as a GET form; choices come from what the person may see."""

    journey = forms.ChoiceField(label=_("Journey"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    agency = forms.ChoiceField(label=_("Agency"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    period = forms.ChoiceField(label=_("Period"), required=False)

    def __init__(self, data: Any, *, choices: dict[str, list[tuple[str, str]]]) -> None:
        super().__init__(data)
        every: list[tuple[str, Any]] = [("", _("all"))]
        for name, values in choices.items():
            cast(forms.ChoiceField, self.fields[name]).choices = every + values
        statuses = cast(forms.ChoiceField, self.fields["status"])
        statuses.choices = every + list(RecommendationStatus.choices)


class GapSourceForm(forms.Form):
    """Where a new gap comes from: `?journey=&period=` and at most one piece of evidence."""

    journey = forms.SlugField(max_length=100)
    period = PeriodField()
    category = forms.SlugField(max_length=64, required=False)
    item = forms.SlugField(max_length=64, required=False)
    note = IdField(required=False)


class GapForm(forms.Form):
    """A new gap's feedback and stage; the evidence comes from the page's source parameters."""

    feedback_ar = forms.CharField(
        label=_("Customer feedback (Arabic)"), widget=forms.Textarea(attrs=AUTO)
    )
    feedback_en = forms.CharField(
        label=_("Customer feedback (English)"), widget=forms.Textarea(attrs=AUTO), required=False
    )
    stage = forms.ModelChoiceField(label=_("Stage"), queryset=Stage.objects.none(), required=False)

    def __init__(self, *args: Any, journey: Journey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["stage"]).queryset = journey.stages.all()


class RecommendationForm(forms.Form):
    """A recommendation's decision, owner agency and due date (for adding and editing)."""

    text_ar = forms.CharField(label=_("Decision (Arabic)"), widget=forms.Textarea(attrs=AUTO))
    text_en = forms.CharField(
        label=_("Decision (English)"), widget=forms.Textarea(attrs=AUTO), required=False
    )
    owner = forms.ModelChoiceField(label=_("Owner agency"), queryset=Agency.objects.all())
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class RecommendationEditForm(RecommendationForm):
    """RecommendationForm plus what it should move (its targets: the journey's scored items,
    a stage, a complaint category) and the version the person's page showed, to detect
    conflicts. `choices` = {"items" | "stage" | "category": [(code, label)]} of the journey."""

    target_items = forms.MultipleChoiceField(
        label=_("Survey items it should move"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_stage = forms.ChoiceField(label=_("Stage it should move"), required=False)
    target_category = forms.ChoiceField(
        label=_("Complaint category it should reduce"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_VERSION)

    def __init__(self, *args: Any, choices: dict[str, list[tuple[str, str]]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        none: list[tuple[str, str]] = [("", "—")]
        cast(forms.ChoiceField, self.fields["target_items"]).choices = choices["items"]
        cast(forms.ChoiceField, self.fields["target_stage"]).choices = none + choices["stage"]
        cast(forms.ChoiceField, self.fields["target_category"]).choices = none + choices["category"]

    def split(self) -> tuple[dict[str, Any], dict[str, Any]]:
        """(the recommendation's fields, its targets) from the cleaned data."""
        data = dict(self.cleaned_data)
        targets = {
            "items": data.pop("target_items"),
            "stage": data.pop("target_stage") or None,
            "category": data.pop("target_category") or None,
        }
        return data, targets


class MoveForm(forms.Form):
    """A status move: the target, and the status and version the person's page showed."""

    to_status = forms.ChoiceField(choices=RecommendationStatus.choices)
    expected_status = forms.ChoiceField(choices=RecommendationStatus.choices)
    version = forms.IntegerField(min_value=1, max_value=MAX_VERSION)


class CommentForm(forms.Form):
    """A remark on a gap."""

    text = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs=AUTO))
