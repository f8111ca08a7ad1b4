from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    """What a question measures. Scored kinds are stored so that higher is better."""

    OVERALL = "overall", _("overall satisfaction")
    SATISFACTION = "satisfaction", _("satisfaction")
    EFFORT = "effort", _("effort")
    NPS = "nps", _("net promoter score")
    TEXT = "text", _("open text")


SCORED_KINDS = (
    QuestionKind.OVERALL,
    QuestionKind.SATISFACTION,
    QuestionKind.EFFORT,
    QuestionKind.NPS,
)
# The widest scale sawt accepts (NPS runs 0–10); a database check holds every score inside it.
MIN_SCORE, MAX_SCORE = 0, 10

# The public form names its fields by question code (sawt.web.public_forms): these names are the
# form's own, and a code ending in REASON_SUFFIX would collide with another item's "what went
# wrong?" box, so a journey definition may not use them as question codes.
REASON_SUFFIX = "__why"
FORM_FIELDS = frozenset({"partial", "website", "form_key", "csrfmiddlewaretoken", "lang"})
