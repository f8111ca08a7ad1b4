"""Complaints for the demo: Arabic texts assembled from phrasebooks, as varied as real ones.

A complaint is an opening, the core of its true reason, an optional detail, now and then some
personal data, and a closing; numbers are filled in and written in Western or Arabic-Indic
digits. A few complaints are sent again through a second channel. Most carry the reason the
source system recorded (imported as a label); the rest are left for the classifier.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from sawt.core.digits import arabic_digits
from sawt.demo.rand import DemoRandom, allocate

# Saudi working days (Sunday–Thursday) bring most complaints; the weekend fewer.
WEEKDAY_WEIGHTS = {6: 1.0, 0: 1.0, 1: 1.0, 2: 1.0, 3: 0.9, 4: 0.35, 5: 0.5}
GRADES = ("الأولى", "الثانية", "الثالثة", "الرابعة", "الخامسة")
EMAIL_USERS = (
    "abu.fahad",
    "m.alharbi",
    "contracting.office",
    "info.nakheel",
    "s.otaibi",
    "eng.sara",
)
EMAIL_DOMAINS = ("example.com", "example.sa", "mail.example")
# Share of writers whose keyboard types Arabic-Indic digits (٠–٩).
ARABIC_DIGITS_SHARE = 0.35


@dataclass(frozen=True)
class ComplaintRow:
    """One generated complaint; `reason` is its true category, `category` what the CSV says."""

    received_at: dt.datetime
    channel: str
    text: str
    reason: str
    category: str = ""
    complaint_id: str = ""


def _numbers(rng: DemoRandom) -> dict[str, str]:
    # Fresh values for every complaint; request numbers have 8 digits so redaction of 10-digit
    # national ids must leave them alone.
    national_id = rng.choice("12") + "".join(str(rng.below(10)) for _ in range(9))
    mobile = "05" + "".join(str(rng.below(10)) for _ in range(8))
    mobile = rng.choice([mobile, f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}", "+966" + mobile[1:]])
    return {
        "year": str(rng.between(2020, 2021)),
        "weeks": str(rng.between(2, 7)),
        "days": str(rng.between(18, 50)),
        "times": str(rng.between(3, 8)),
        "request_no": str(rng.between(30_000_000, 99_999_999)),
        "amount": str(rng.between(3, 18) * 500),
        "grade": rng.choice(GRADES),
        "national_id": national_id,
        "mobile": mobile,
        "email": f"{rng.choice(EMAIL_USERS)}{rng.between(1, 99)}@{rng.choice(EMAIL_DOMAINS)}",
    }


def _compose(rng: DemoRandom, spec: dict[str, Any], reason: str, personal: bool) -> str:
    values = _numbers(rng)
    if rng.chance(ARABIC_DIGITS_SHARE):
        # Addresses stay as typed: nobody writes an e-mail address in Arabic-Indic digits.
        values = {k: v if k == "email" else arabic_digits(v) for k, v in values.items()}
    parts = [
        rng.choice(spec["openings"]),
        rng.choice(spec["phrases"][reason]),
        rng.choice(spec["details"]),
        rng.choice(spec["personal_data"]) if personal else "",
        rng.choice(spec["closings"]),
    ]
    return " ".join(part.format_map(values) for part in parts if part)


def _received_at(rng: DemoRandom, year: int, month: int) -> dt.datetime:
    days = range(1, calendar.monthrange(year, month)[1] + 1)
    weights = {d: WEEKDAY_WEIGHTS[dt.date(year, month, d).weekday()] for d in days}
    day = rng.weighted(weights)
    # Riyadh time, 08:00–22:59: far from midnight, so the complaint is in the month in UTC too.
    return dt.datetime(year, month, day, rng.between(8, 22), rng.below(60), rng.below(60))


def _repeat(rng: DemoRandom, spec: dict[str, Any], row: ComplaintRow) -> ComplaintRow:
    """The same complaint sent again hours later through another channel, reworded or not."""
    channels = {c: w for c, w in spec["channels"].items() if c != row.channel}
    later = row.received_at + dt.timedelta(hours=rng.between(2, 30), minutes=rng.below(60))
    if later.month != row.received_at.month:
        later = row.received_at + dt.timedelta(minutes=rng.between(20, 90))
    text = row.text
    if rng.chance(0.5):
        text = f"{rng.choice(spec['openings'][2:])} {text} (للمرة الثانية)"
    return replace(row, received_at=later, channel=rng.weighted(channels), text=text)


def make_complaints(rng: DemoRandom, spec: dict[str, Any], period: str) -> list[ComplaintRow]:
    """All complaints of the period, in the order received, with ids and imported labels."""
    year, month = (int(part) for part in period.split("-"))
    originals = spec["count"] - spec["repeats"]
    reasons = [r for r, c in allocate(originals, spec["weights"]).items() for _ in range(c)]
    rng.shuffle(reasons)
    personal = set(rng.sample(range(originals), spec["with_personal_data"]))
    rows = [
        ComplaintRow(
            received_at=_received_at(rng, year, month),
            channel=rng.weighted(spec["channels"]),
            text=_compose(rng, spec, reason, i in personal),
            reason=reason,
        )
        for i, reason in enumerate(reasons)
    ]
    rows += [_repeat(rng, spec, row) for row in rng.sample(rows, spec["repeats"])]
    rows.sort(key=lambda row: row.received_at)
    unlabelled = set(rng.sample(range(len(rows)), round(len(rows) * (1 - spec["labelled_share"]))))
    rows = [
        replace(
            row,
            complaint_id=spec["id_format"].format(n=n + 1),
            category="" if n in unlabelled else row.reason,
        )
        for n, row in enumerate(rows)
    ]
    return _unsure(rng, spec, rows) if spec.get("unsure") else rows


def _unsure(rng: DemoRandom, spec: dict[str, Any], rows: list[ComplaintRow]) -> list[ComplaintRow]:
    """Among the complaints the source left uncategorised, a few name two problems at once and a
    few raise one the taxonomy has no category for yet: the review queue's and theme discovery's
    work. Drawn last, so every other complaint stays as it was."""
    unsure = spec["unsure"]
    open_rows = sorted(i for i, row in enumerate(rows) if not row.category)
    chosen = rng.sample(open_rows, min(len(open_rows), unsure["mixed"] + unsure["uncovered"]))
    out = list(rows)
    for k, i in enumerate(sorted(chosen)):
        row, values = rows[i], _numbers(rng)
        if k < unsure["mixed"]:
            other = rng.choice([r for r in spec["weights"] if r != row.reason])
            core = " ".join(
                [
                    rng.choice(spec["phrases"][row.reason]),
                    rng.choice(unsure["joiners"]),
                    rng.choice(spec["phrases"][other]),
                ]
            )
            reason = row.reason
        else:
            core, reason = rng.choice(unsure["uncovered_phrases"]), ""
        parts = [rng.choice(spec["openings"]), core, rng.choice(spec["closings"])]
        text = " ".join(part.format_map(values) for part in parts if part)
        out[i] = replace(row, text=text, reason=reason)
    return out
