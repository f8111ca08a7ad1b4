"""Distribution's part of a journey definition: the survey's optional `invitations:` block,
checked before the import writes anything and stored with it (sawt.surveys.signals)."""

from __future__ import annotations

from typing import Any

from sawt.distribution.messages import TEXT_FIELDS, settings_problems
from sawt.distribution.models import InvitationSettings
from sawt.distribution.sampling import new_seed


def _path(field: str) -> str:
    # sms_text_ar → survey.invitations.sms_text.ar, as the file spells it.
    key, _sep, language = field.rpartition("_")
    return f"survey.invitations.{key}.{language}"


def check_invitations(sender: Any, definition: Any, problem: Any, **kwargs: Any) -> None:
    """Refuse the file's invitation texts that break the rules (placeholders, opt-out word,
    one SMS segment measured with this file's journey names)."""
    spec = definition.survey.invitations
    if spec is None:
        return
    for field, messages in settings_problems(spec.texts, definition.journey_name).items():
        for message in messages:
            problem(_path(field), message)


def write_invitations(sender: Any, definition: Any, survey: Any, **kwargs: Any) -> str | None:
    """Store the block as the survey's invitation settings. Present, the block says it all:
    a key left out takes its default; absent, the settings are left as they are."""
    spec = definition.survey.invitations
    if spec is None:
        return None
    defaults = InvitationSettings()
    values: dict[str, Any] = {
        "valid_days": spec.valid_days or defaults.valid_days,
        "reminder_after_days": (
            defaults.reminder_after_days
            if spec.reminder_after_days is None
            else spec.reminder_after_days
        ),
        "max_reminders": (
            defaults.max_reminders if spec.max_reminders is None else spec.max_reminders
        ),
        **{field: spec.texts.get(field, "") for field, *_rest in TEXT_FIELDS},
        "continuous_rate": spec.continuous_rate,
        "continuous_daily_cap": spec.continuous_daily_cap,
    }
    options = InvitationSettings.objects.filter(survey=survey).first()
    if spec.continuous_seed is not None:
        values["continuous_seed"] = spec.continuous_seed
    elif spec.continuous_rate is not None and (options is None or options.continuous_seed is None):
        # Drawn once and kept, so every later decision of the survey uses the same seed.
        values["continuous_seed"] = new_seed()
    if options is None:
        InvitationSettings.objects.create(survey=survey, **values)
        return "created"
    changed = [name for name, value in values.items() if getattr(options, name) != value]
    if not changed:
        return "unchanged"
    for name in changed:
        setattr(options, name, values[name])
    options.save(update_fields=[*changed, "updated_at"])
    return "updated"
