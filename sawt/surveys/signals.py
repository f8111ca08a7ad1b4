"""What the surveys app announces to the apps above it, without knowing who listens."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `responses_import` after an import that created or changed responses has committed,
# with `survey` and `actor`. Classification listens (its AppConfig.ready) and refreshes the
# journey's stored candidate themes of open answers, whichever door the import came through
# (command line, imports page, background work, the demo); surveys need not import
# classification, which sits above them.
responses_imported = Signal()
