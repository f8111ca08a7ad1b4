"""What the surveys app announces to the apps above it, without knowing who listens."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `responses_import` after an import that created or changed responses has committed,
# and by `response_submit` after a form's answers that hold an open answer have committed (a
# form without open text changes nothing themes are computed from), with `survey` and `actor`.
# Classification listens (its AppConfig.ready) and refreshes the journey's stored candidate
# themes of open answers, whichever door the answers came through (command line, imports page,
# background work, the demo, the public form); surveys need not import classification, which
# sits above them. One signal for both doors: its listeners care that responses arrived, not how.
responses_imported = Signal()

# Sent by `survey_definition_import` inside its transaction, before it writes anything, with
# `definition` (the parsed file) and `problem(path, message)`: an app above surveys checks the
# part of the file that is its own (distribution: the texts of `survey.invitations`, which must
# fit an SMS) and refuses the import by reporting problems, named by key path and line.
definition_checking = Signal()
# Sent inside the same transaction once the survey is written, with `definition` and `survey`:
# the app writes its part (distribution: the survey's invitation settings) and returns
# "created", "updated" or "unchanged" (counted with the file's other items), or None.
definition_written = Signal()
