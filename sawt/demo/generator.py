"""Generate a demo journey's raw records as the CSV files a ministry would import.

Everything is drawn from one seeded source per journey, so the files are byte-for-byte the
same on every run and every machine. The journey's definition lives in
`data/<slug>.survey.yaml` (the import-survey format); how to generate its records in
`data/<slug>.generate.yaml`.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sawt.demo.complaints import ComplaintRow, make_complaints
from sawt.demo.rand import DemoRandom
from sawt.demo.responses import Respondent, answer_item, answer_open_text, make_respondents

DATA_DIR = Path(__file__).resolve().parent / "data"
SCORED = ("overall", "satisfaction", "effort", "nps")


@dataclass(frozen=True)
class Generated:
    """The files written for one journey, and the labels an analyst gives its open texts."""

    slug: str
    survey_code: str
    survey_yaml: Path
    responses_csv: Path
    complaints_csv: Path
    text_question: str
    answer_labels: dict[str, str]


def load_yaml(path: Path) -> dict[str, Any]:
    """One YAML document as a dict; a `base:` file beside it is read first and overlaid."""
    with path.open(encoding="utf-8") as fh:
        data = yaml.safe_load(fh)
    base = data.pop("base", None)
    return _overlay(load_yaml(path.parent / base), data) if base else data


def _overlay(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """`base` with `changes` merged in, mappings key by key (an earlier wave restates only
    what differs from the journey's main files: period, counts, targets)."""
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _overlay(merged[key], value)
        else:
            merged[key] = value
    return merged


def wave_name(slug: str, period: str | None = None) -> str:
    """The data files' stem: `<slug>` for the main period, `<slug>.<period>` for another wave."""
    return f"{slug}.{period}" if period else slug


def _scales(definition: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {
        q["code"]: (int(q["scale"][0]), int(q["scale"][1]))
        for q in definition["questions"]
        if q["kind"] in SCORED
    }


def generate_respondents(
    definition: dict[str, Any], params: dict[str, Any]
) -> tuple[list[Respondent], dict[str, str]]:
    """The survey's respondents with all their answers, and the open-text labels."""
    spec = params["responses"]
    # Each kind of record has its own stream, so adding a complaint phrase never changes the
    # survey answers (and the other way round).
    rng = DemoRandom(params["seed"])
    people = make_respondents(rng, spec, params["period"])
    scales = _scales(definition)
    for code, item in spec["items"].items():
        if code not in scales:
            raise ValueError(f"{code!r} is not a scored question of {definition['journey']}")
        answer_item(rng, people, code, item, scales[code])
    labels = answer_open_text(rng, people, spec["open_text"])
    return people, labels


def generate_complaints(params: dict[str, Any]) -> list[ComplaintRow]:
    """The period's complaints, in the order received."""
    return make_complaints(DemoRandom(params["seed"] + 1), params["complaints"], params["period"])


def _write_responses(path: Path, definition: dict[str, Any], people: list[Respondent]) -> None:
    codes = [q["code"] for q in definition["questions"]]
    attributes = list(people[0].attributes) if people else []
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["respondent_id", "submitted_at", *codes, *attributes])
        for p in people:
            answers = [p.answers.get(code, "") for code in codes]
            writer.writerow(
                [p.respondent_id, p.submitted_at, *answers, *(p.attributes[a] for a in attributes)]
            )


def _write_complaints(path: Path, rows: list[ComplaintRow]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["complaint_id", "received_at", "text", "channel", "category"])
        for row in rows:
            stamp = row.received_at.isoformat() + "+03:00"
            writer.writerow([row.complaint_id, stamp, row.text, row.channel, row.category])


def generate(slug: str, out_dir: Path, period: str | None = None) -> Generated:
    """Write `<name>-responses.csv` and `<name>-complaints.csv` into `out_dir`, where the name is
    the slug for the journey's main wave, or `<slug>.<period>` for an earlier one."""
    name = wave_name(slug, period)
    survey_yaml = DATA_DIR / f"{name}.survey.yaml"
    definition = load_yaml(survey_yaml)
    if period:
        # The import reads a whole definition: write the overlaid one beside the records.
        survey_yaml = out_dir / f"{name}.survey.yaml"
        survey_yaml.write_text(yaml.safe_dump(definition, allow_unicode=True), encoding="utf-8")
    params = load_yaml(DATA_DIR / f"{name}.generate.yaml")
    people, labels = generate_respondents(definition, params)
    responses_csv = out_dir / f"{name}-responses.csv"
    _write_responses(responses_csv, definition, people)
    complaints_csv = out_dir / f"{name}-complaints.csv"
    _write_complaints(complaints_csv, generate_complaints(params))
    return Generated(
        slug=slug,
        survey_code=definition["survey"]["code"],
        survey_yaml=survey_yaml,
        responses_csv=responses_csv,
        complaints_csv=complaints_csv,
        text_question=params["responses"]["open_text"]["question"],
        answer_labels=labels,
    )
