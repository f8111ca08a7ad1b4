"""A journey's saved column mappings — one for complaint files, one for survey responses files
in sawt's own table: saved and removed by analysts (the imports page's preview), read by the
page's later uploads for the journey, and written out as the YAML a `--mapping` file holds.

(The responses mapping lives here with the `SavedMapping` model: the surveys app, on the same
layer, does not import complaints.)"""

from __future__ import annotations

from typing import Any

import yaml
from django.db import transaction

from sawt.catalog.models import Journey
from sawt.complaints.models import SavedMapping
from sawt.core.access import authorize
from sawt.core.audit import audit_record
from sawt.imports.mapping import MappingProfile, profile_from_dict

ACTION = "complaint.mapping_save"
KIND = SavedMapping.KIND_COMPLAINTS
RESPONSES_ACTION = "survey.mapping_save"
RESPONSES_KIND = SavedMapping.KIND_RESPONSES


def complaints_mapping_save(
    *, actor: Any, journey: Journey, profile: dict[str, Any]
) -> SavedMapping:
    """Store `profile` (a mapping profile's YAML data) as how `journey`'s complaint files are
    read; checked as a `--mapping` file is (ImportFailed naming the key), audited."""
    authorize(actor, ACTION, journey)
    profile_from_dict(profile)
    with transaction.atomic():
        saved, created = SavedMapping.objects.update_or_create(
            journey=journey, kind=KIND, defaults={"profile": profile}
        )
        audit_record(
            actor=actor,
            action=ACTION,
            obj=journey,
            data={"kind": KIND, "profile": profile, "replaced": not created},
        )
    return saved


def complaints_mapping_delete(*, actor: Any, journey: Journey) -> bool:
    """Forget `journey`'s saved mapping (audited); whether there was one."""
    authorize(actor, ACTION, journey)
    with transaction.atomic():
        deleted, _by_model = SavedMapping.objects.filter(journey=journey, kind=KIND).delete()
        if deleted:
            audit_record(
                actor=actor, action="complaint.mapping_delete", obj=journey, data={"kind": KIND}
            )
    return bool(deleted)


def complaints_mapping_of(journey: Journey) -> dict[str, Any] | None:
    """The journey's saved mapping profile (its YAML data), if it has one."""
    saved = SavedMapping.objects.filter(journey=journey, kind=KIND).first()
    return dict(saved.profile) if saved is not None else None


def mapping_profile_of(data: dict[str, Any] | None) -> MappingProfile | None:
    """A stored profile's data read as a profile (None for none)."""
    return profile_from_dict(data) if isinstance(data, dict) else None


def mapping_yaml(data: dict[str, Any]) -> str:
    """The profile as a `--mapping` YAML file."""
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, default_flow_style=False)


# --- Survey responses (sawt's own table) ---------------------------------------------------


def responses_mapping_save(
    *, actor: Any, journey: Journey, profile: dict[str, Any]
) -> SavedMapping:
    """Store `profile` (a mapping profile's YAML data) as how `journey`'s responses files are
    read; checked as a `--mapping` file is (ImportFailed naming the key), audited."""
    authorize(actor, RESPONSES_ACTION, journey)
    profile_from_dict(profile)
    with transaction.atomic():
        saved, created = SavedMapping.objects.update_or_create(
            journey=journey, kind=RESPONSES_KIND, defaults={"profile": profile}
        )
        audit_record(
            actor=actor,
            action=RESPONSES_ACTION,
            obj=journey,
            data={"kind": RESPONSES_KIND, "profile": profile, "replaced": not created},
        )
    return saved


def responses_mapping_delete(*, actor: Any, journey: Journey) -> bool:
    """Forget `journey`'s saved responses mapping (audited); whether there was one."""
    authorize(actor, RESPONSES_ACTION, journey)
    with transaction.atomic():
        deleted, _by_model = SavedMapping.objects.filter(
            journey=journey, kind=RESPONSES_KIND
        ).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="survey.mapping_delete",
                obj=journey,
                data={"kind": RESPONSES_KIND},
            )
    return bool(deleted)


def responses_mapping_of(journey: Journey) -> dict[str, Any] | None:
    """The journey's saved responses mapping profile (its YAML data), if it has one."""
    saved = SavedMapping.objects.filter(journey=journey, kind=RESPONSES_KIND).first()
    return dict(saved.profile) if saved is not None else None
