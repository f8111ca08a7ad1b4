"""Console script `sawt`: one dispatcher that maps `sawt import-responses …` to the Django
management command `import_responses`, so the CLI and `manage.py` never diverge."""

from __future__ import annotations

import os
import sys

# Commands a person runs, in the order `sawt --help` lists them.
COMMANDS = {
    "demo": "Load the demo (contractor classification, 2022-06) and serve it",
    "serve": "Serve the web application",
    "worker": "Run background jobs (retraining, themes, imports from the web page)",
    "import-survey": "Import or update a journey definition (YAML)",
    "import-responses": "Import survey responses (CSV or XLSX)",
    "import-complaints": "Import complaints (CSV or XLSX)",
    "import-sample": "Import the service users a survey asks (CSV or XLSX), or a sample of them",
    "send-invitations": "Queue a survey's invitations by SMS or e-mail (a worker sends them)",
    "summary": "Print a journey's measurement for a period (json or table)",
    "impact": "Did the implemented recommendations work? (json or table)",
    "report": "Write a journey's report, or a period's portfolio, as PDF or HTML",
    "export": "Export a journey's report for a period as an XLSX workbook",
    "classifier": "Train, apply or evaluate a reason classifier (train|predict|evaluate|list)",
    "createuser": "Create an account: administrator, analyst, agency_member or viewer",
    "token": "API tokens for other systems: create (shown once), list, revoke",
    "contacts": "Erase a person's contact details on request (erase --mobile N | --email A)",
    "migrate": "Create or upgrade the database",
}


def _usage() -> str:
    lines = ["usage: sawt COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<18} {text}" for name, text in COMMANDS.items()]
    lines += ["", "`sawt COMMAND --help` explains a command's options."]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run `sawt COMMAND …` as the management command of the same name."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(_usage())
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    from django.core.management import execute_from_command_line

    command = args[0].replace("-", "_")
    execute_from_command_line(["sawt", command, *args[1:]])


if __name__ == "__main__":
    main()
