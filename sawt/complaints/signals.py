"""What the complaints app announces to the apps above it, without knowing who listens."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `complaints_import` after an import that created or changed complaints has committed,
# with `journey` and `actor`. Classification listens (its AppConfig.ready) and queues sorting
# them with the journey's model: every door an import comes through (command line, imports
# page, background work, the demo) gets that, and complaints need not import classification,
# which sits above them. A listener's error reaches the import's caller, as a call would.
complaints_imported = Signal()
