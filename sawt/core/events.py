"""Things that happened which other systems may want to hear of (webhooks), announced by the
app where they happen without knowing who listens.

`event_announce("gap.created", gap)` sends `announced` with the event's name, the object it is
about and a few facts the object alone does not tell (a status it left, an import's counts).
It is sent at once, inside the sender's transaction: a listener that writes (the webhooks app
stores one delivery per subscribed hook and queues its job) writes in that transaction, so what
it stored commits or rolls back with the change itself, and nothing is announced for a change
that never happened nor lost for one that did. Work outside the database (an HTTP request)
belongs to a background job, which the job queue hands over only once the transaction commits.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import Signal

# kwargs: event (str), obj (the model instance it is about), facts (dict of JSON-able values).
announced = Signal()


def event_announce(event: str, obj: models.Model, **facts: Any) -> None:
    """Tell the listeners that `event` happened to `obj` (see the module's docstring)."""
    announced.send(sender=type(obj), event=event, obj=obj, facts=facts)
