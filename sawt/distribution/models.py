"""Asking people directly: a survey's sample of service users, their invitations and the
messages that carried them, and the people who asked never to be contacted again.

Contacts (a mobile number, an e-mail address) are personal data kept only while needed: each is
stored beside a keyed hash of itself, so that once the contact is erased the hash still keeps a
person from being invited twice or contacted after opting out (Saudi PDPL: minimum necessary,
destruction when no longer needed). Links are never stored, only the SHA-256 of their token.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sawt.catalog.models import Journey
from sawt.core.models import TimeStampedModel
from sawt.distribution.choices import Channel, InvitationState, Language, MessageKind
from sawt.surveys.models import Response, Survey

# A keyed SHA-256 (HMAC) or a plain SHA-256, as 64 hexadecimal digits.
HASH_LENGTH = 64


class InvitationSettings(TimeStampedModel):
    """How a survey's invitations go out: how long a link lives, reminders, the texts sent."""

    survey = models.OneToOneField(
        Survey,
        on_delete=models.CASCADE,
        related_name="invitation_settings",
        verbose_name=_("survey"),
    )
    valid_days = models.PositiveSmallIntegerField(_("days a link stays valid"), default=14)
    reminder_after_days = models.PositiveSmallIntegerField(_("days before a reminder"), default=3)
    max_reminders = models.PositiveSmallIntegerField(_("reminders at most"), default=2)
    # Blank: the default text of sawt (distribution/messages.py) in that language.
    sms_text_ar = models.CharField(_("SMS text (Arabic)"), max_length=160, blank=True)
    sms_text_en = models.CharField(_("SMS text (English)"), max_length=160, blank=True)
    email_subject_ar = models.CharField(_("e-mail subject (Arabic)"), max_length=200, blank=True)
    email_subject_en = models.CharField(_("e-mail subject (English)"), max_length=200, blank=True)
    email_text_ar = models.TextField(_("e-mail text (Arabic)"), blank=True)
    email_text_en = models.TextField(_("e-mail text (English)"), blank=True)
    # The anonymous link /s/open/<survey code>/, for channels without contacts: off by default.
    open_link = models.BooleanField(_("anonymous public link"), default=False)
    # When answers stop being taken; contacts are erased a retention period after it.
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    # Continuous sampling (docs/formats.md): this percentage of the completed service requests
    # pushed through the API (ServiceTransaction) is invited as they arrive, at most
    # `continuous_daily_cap` a day; None: off. The seed makes each decision reproducible.
    continuous_rate = models.DecimalField(
        _("continuous sampling rate (%)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    continuous_daily_cap = models.PositiveIntegerField(
        _("continuous sampling daily cap"), null=True, blank=True
    )
    continuous_seed = models.BigIntegerField(_("continuous sampling seed"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation settings")
        verbose_name_plural = _("invitation settings")
        constraints = [
            models.CheckConstraint(condition=Q(valid_days__gt=0), name="invitations_valid_days"),
            models.CheckConstraint(
                condition=Q(continuous_rate__isnull=True)
                | Q(continuous_rate__gt=0, continuous_rate__lte=100),
                name="invitations_continuous_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}"


class SampleDraw(models.Model):
    """One sample import: how many service users the file listed and how many were drawn."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="sample_draws", verbose_name=_("survey")
    )
    population = models.PositiveIntegerField(_("people in the file"))
    drawn = models.PositiveIntegerField(_("people drawn"))
    # Recorded so the same file and seed draw the same people again (None: everyone was taken).
    seed = models.BigIntegerField(_("seed"), null=True, blank=True)
    strata = models.CharField(_("stratified by"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("sample draw")
        verbose_name_plural = _("sample draws")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.drawn} of {self.population}"


class Invitee(TimeStampedModel):
    """One sampled service user of a survey: how to reach them, and what the sample knew."""

    survey = models.ForeignKey(
        Survey, on_delete=models.CASCADE, related_name="invitees", verbose_name=_("survey")
    )
    # The service request: it becomes the respondent id of the answers.
    reference_id = models.CharField(_("reference id"), max_length=100)
    mobile = models.CharField(_("mobile (E.164)"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    # Keyed hashes of the contacts: they outlive the contacts' erasure.
    mobile_hash = models.CharField(_("mobile hash"), max_length=HASH_LENGTH, blank=True)
    email_hash = models.CharField(_("e-mail hash"), max_length=HASH_LENGTH, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AR
    )
    service_completed_at = models.DateTimeField(_("service delivered at"), null=True, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # The value of the stratifying column when the sample was stratified ('' otherwise).
    stratum = models.CharField(_("stratum"), max_length=100, blank=True)
    contacts_erased_at = models.DateTimeField(_("contacts erased at"), null=True, blank=True)

    class Meta:
        ordering = ["survey", "id"]
        verbose_name = _("invitee")
        verbose_name_plural = _("invitees")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "reference_id"], name="invitee_reference_unique"
            ),
            # Nobody is invited twice for one survey, whatever reference they came with.
            models.UniqueConstraint(
                fields=["survey", "mobile_hash"],
                condition=~Q(mobile_hash=""),
                name="invitee_mobile_once",
            ),
            models.UniqueConstraint(
                fields=["survey", "email_hash"],
                condition=~Q(email_hash=""),
                name="invitee_email_once",
            ),
            models.CheckConstraint(
                condition=Q(contacts_erased_at__isnull=False) | ~Q(mobile_hash="", email_hash=""),
                name="invitee_reachable",
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values), name="invitee_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}:{self.reference_id}"

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The invitees a member of the agency sees (sawt.core.access): its journeys' surveys'."""
        return Q(survey__journey__agency_id=agency_id)


class Invitation(TimeStampedModel):
    """One person's invitation to a survey (one per person), its state and when each step
    happened; reminders are further messages of the same invitation."""

    invitee = models.OneToOneField(
        Invitee, on_delete=models.CASCADE, related_name="invitation", verbose_name=_("invitee")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("state"),
        max_length=16,
        choices=InvitationState.choices,
        default=InvitationState.QUEUED,
    )
    expires_at = models.DateTimeField(_("expires at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    opted_out_at = models.DateTimeField(_("opted out at"), null=True, blank=True)
    # A short code for the funnel's "failures by reason" (e.g. rejected, unreachable, timeout).
    failure_reason = models.CharField(_("failure reason"), max_length=32, blank=True)
    failure_detail = models.TextField(_("failure detail"), blank=True)
    reminders_sent = models.PositiveSmallIntegerField(_("reminders sent"), default=0)
    next_reminder_at = models.DateTimeField(_("next reminder at"), null=True, blank=True)
    # Answers saved as the person goes ({question code: value}), until they complete the form.
    draft = models.JSONField(_("answers so far"), default=dict, blank=True)
    response = models.OneToOneField(
        Response,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invitation",
        verbose_name=_("response"),
    )

    class Meta:
        ordering = ["invitee__survey", "id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        indexes = [
            # Reminders due: a partial index keeps the scheduled look-up small.
            models.Index(
                fields=["next_reminder_at"],
                condition=Q(next_reminder_at__isnull=False),
                name="invitation_reminder_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=InvitationState.values), name="invitation_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="invitation_channel_valid"
            ),
            models.CheckConstraint(
                condition=~Q(state=InvitationState.COMPLETED) | Q(completed_at__isnull=False),
                name="invitation_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitee} ({self.state})"

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The invitations a member of the agency sees (sawt.core.access)."""
        return Q(invitee__survey__journey__agency_id=agency_id)


class InvitationMessage(models.Model):
    """One message of an invitation (the invitation or a reminder), with its own link."""

    invitation = models.ForeignKey(
        Invitation, on_delete=models.CASCADE, related_name="messages", verbose_name=_("invitation")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MessageKind.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # SHA-256 of the link's token (≥ 128 random bits): the link itself is never stored.
    token_hash = models.CharField(_("token hash"), max_length=HASH_LENGTH, unique=True)
    queued_at = models.DateTimeField(_("queued at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["invitation", "queued_at", "id"]
        verbose_name = _("invitation message")
        verbose_name_plural = _("invitation messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="invitation_message_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invitation_id} {self.kind}"


class OptOut(models.Model):
    """Someone who asked never to be contacted again: only the keyed hash of their contact."""

    contact_hash = models.CharField(_("contact hash"), max_length=HASH_LENGTH, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    # How they asked: a reply to a message, the link's page, or a request to the ministry.
    source = models.CharField(_("source"), max_length=16)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self) -> str:
        return f"{self.channel} {self.contact_hash[:8]}…"


class FormRateCount(models.Model):
    """How many counted requests (bad links, posts to an anonymous link) one client address
    made to the public form in one window of time: the rate limit's store, shared by every
    server process (sawt/distribution/ratelimit.py)."""

    # An IPv4 address, or the /64 network of an IPv6 one.
    address = models.CharField(_("address"), max_length=64)
    # The window's start, in seconds since the epoch (a multiple of the window's length).
    window_start = models.BigIntegerField(_("window start"))
    hits = models.PositiveIntegerField(_("hits"), default=0)

    class Meta:
        verbose_name = _("public form rate count")
        verbose_name_plural = _("public form rate counts")
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="form_rate_count_unique"
            ),
        ]
        indexes = [models.Index(fields=["window_start"], name="form_rate_count_window")]

    def __str__(self) -> str:
        return f"{self.address} @{self.window_start}: {self.hits}"


class TransactionDecision(models.TextChoices):
    """What continuous sampling made of a pushed transaction."""

    INVITED = "invited", _("invited")
    NOT_DRAWN = "not_drawn", _("not drawn")
    DAILY_CAP = "daily_cap", _("daily cap reached")
    ALREADY_INVITED = "already_invited", _("already invited to the survey")
    # No survey of the journey for that month with continuous sampling on (or it has closed).
    NO_SURVEY = "no_survey", _("no survey sampling continuously")


class ServiceTransaction(TimeStampedModel):
    """A completed service request a service system pushed (POST /api/v1/transactions/): the
    journey's sampling pool. Its contacts are personal data, kept beside their keyed hashes
    only until SAWT_CONTACT_RETENTION_DAYS after the request (services/contacts.py); whoever
    is invited is copied to an Invitee, which has retention of its own."""

    journey = models.ForeignKey(
        Journey,
        on_delete=models.PROTECT,
        related_name="service_transactions",
        verbose_name=_("journey"),
    )
    reference_id = models.CharField(_("reference id"), max_length=100)
    completed_at = models.DateTimeField(_("service delivered at"))
    mobile = models.CharField(_("mobile (E.164)"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    mobile_hash = models.CharField(_("mobile hash"), max_length=HASH_LENGTH, blank=True)
    email_hash = models.CharField(_("e-mail hash"), max_length=HASH_LENGTH, blank=True)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AR
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # The survey that considered it, and what it decided (blank: no survey did).
    survey = models.ForeignKey(
        Survey,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_transactions",
        verbose_name=_("survey"),
    )
    decision = models.CharField(
        _("sampling decision"), max_length=16, choices=TransactionDecision.choices, blank=True
    )
    # The local day of an invitation, which the survey's daily cap counts.
    invited_on = models.DateField(_("invited on"), null=True, blank=True)
    invitee = models.OneToOneField(
        Invitee,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_transaction",
        verbose_name=_("invitee"),
    )
    contacts_erased_at = models.DateTimeField(_("contacts erased at"), null=True, blank=True)

    class Meta:
        ordering = ["journey", "id"]
        verbose_name = _("service transaction")
        verbose_name_plural = _("service transactions")
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "reference_id"], name="service_transaction_unique"
            ),
            models.CheckConstraint(
                condition=Q(contacts_erased_at__isnull=False) | ~Q(mobile_hash="", email_hash=""),
                name="service_transaction_reachable",
            ),
            models.CheckConstraint(
                condition=Q(language__in=Language.values),
                name="service_transaction_language_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "invited_on"], name="service_transaction_cap"),
            models.Index(fields=["completed_at"], name="service_transaction_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.journey_id}:{self.reference_id}"

    @classmethod
    def visible_to_agency(cls, agency_id: int) -> Q:
        """The transactions a member of the agency sees: its journeys'."""
        return Q(journey__agency_id=agency_id)
