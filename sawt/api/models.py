"""What the API keeps of its own: the per-token request counts behind its rate limit."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TokenRateCount(models.Model):
    """How many requests one token made in one window of time (sawt/api/throttling.py): in the
    database, so every server process and machine counts together."""

    token_id = models.BigIntegerField(_("token"))
    # The window's start, in seconds since the epoch (a multiple of the window's length).
    window_start = models.BigIntegerField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("API rate count")
        verbose_name_plural = _("API rate counts")
        constraints = [
            models.UniqueConstraint(
                fields=["token_id", "window_start"], name="token_rate_count_unique"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="token_rate_count_window")]

    def __str__(self) -> str:
        return f"token {self.token_id} @{self.window_start}: {self.hits}"
