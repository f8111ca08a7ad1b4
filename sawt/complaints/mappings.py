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


# What each kind of saved mapping is checked and audited as: (saving, removing).
_ACTIONS = {
    KIND: (ACTION, "complaint.mapping_delete"),
    RESPONSES_KIND: (RESPONSES_ACTION, "survey.mapping_delete"),
}


def _save(*, actor: Any, journey: Journey, kind: str, profile: dict[str, Any]) -> SavedMapping:
    saving, _removing = _ACTIONS[kind]
    authorize(actor, saving, journey)
    profile_from_dict(profile)
    with transaction.atomic():
        saved, created = SavedMapping.objects.update_or_create(
            journey=journey, kind=kind, defaults={"profile": profile}
        )
        audit_record(
            actor=actor,
            action=saving,
            obj=journey,
            data={"kind": kind, "profile": profile, "replaced": not created},
        )
    return saved


def _delete(*, actor: Any, journey: Journey, kind: str) -> bool:
    saving, removing = _ACTIONS[kind]
    authorize(actor, saving, journey)
    with transaction.atomic():
        deleted, _by_model = SavedMapping.objects.filter(journey=journey, kind=kind).delete()
        if deleted:
            audit_record(actor=actor, action=removing, obj=journey, data={"kind": kind})
    return bool(deleted)


def _of(journey: Journey, kind: str) -> dict[str, Any] | None:
    saved = SavedMapping.objects.filter(journey=journey, kind=kind).first()
    return dict(saved.profile) if saved is not None else None


def complaints_mapping_save(
    *, actor: Any, journey: Journey, profile: dict[str, Any]
) -> SavedMapping:
    """Store `profile` (a mapping profile's YAML data) as how `journey`'s complaint files are
    read; checked as a `--mapping` file is (ImportFailed naming the key), audited."""
    return _save(actor=actor, journey=journey, kind=KIND, profile=profile)


def complaints_mapping_delete(*, actor: Any, journey: Journey) -> bool:
    """Forget `journey`'s saved mapping (audited); whether there was one."""
    return _delete(actor=actor, journey=journey, kind=KIND)


def complaints_mapping_of(journey: Journey) -> dict[str, Any] | None:
    """The journey's saved mapping profile (its YAML data), if it has one."""
    return _of(journey, KIND)


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
    return _save(actor=actor, journey=journey, kind=RESPONSES_KIND, profile=profile)


def responses_mapping_delete(*, actor: Any, journey: Journey) -> bool:
    """Forget `journey`'s saved responses mapping (audited); whether there was one."""
    return _delete(actor=actor, journey=journey, kind=RESPONSES_KIND)


def responses_mapping_of(journey: Journey) -> dict[str, Any] | None:
    """The journey's saved responses mapping profile (its YAML data), if it has one."""
    return _of(journey, RESPONSES_KIND)
