"""The survey page's form: which invitations to queue. It parses posted values only; the
distribution service decides who is invited and refuses what it must."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from sawt.distribution.choices import Channel

# More than any sample a ministry draws: a larger number is a typing slip, not a limit.
MAX_LIMIT = 1_000_000


class SendInvitationsForm(forms.Form):
    """Queue invitations: every sampled person not yet invited, or the first `limit` of them,
    through one channel or each person's own."""

    channel = forms.TypedChoiceField(
        label=_("Channel"),
        choices=[("", _("SMS, or e-mail for those without a mobile number")), *Channel.choices],
        required=False,
        empty_value=None,
    )
    limit = forms.IntegerField(
        label=_("At most"),
        help_text=_("Leave empty to invite everyone in the sample not invited yet."),
        min_value=1,
        max_value=MAX_LIMIT,
        required=False,
    )
