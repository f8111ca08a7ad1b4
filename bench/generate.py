"""Synthetic, seeded benchmark data in the formats `sawt import-*` read.

Writes into one directory (default `bench/out/r<N>-c<M>-s<seed>/`):
- `journey.yaml`   a journey definition for `sawt import-survey`: 4 stages, 8 gap categories,
                   one survey of 2022-06 with 10 scored items, an overall item, an open question;
- `responses.csv`  one row per respondent for `sawt import-responses`;
- `complaints.csv` Arabic complaints for `sawt import-complaints`.

The same options always give the same bytes, so a benchmark can be re-run on identical files.
`python bench/generate.py --responses 20000 --complaints 4000` for a quick run.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml

OUT_ROOT = Path(__file__).resolve().parent / "out"

JOURNEY = "bench-journey"
SURVEY = "bench-survey"
PERIOD = "2022-06"
# Periods are read in the ministry's zone (SAWT_TIME_ZONE, Asia/Riyadh by default); writing the
# offset keeps the files unambiguous whatever the zone of the machine that imports them.
OFFSET = "+03:00"
PERIOD_START = np.datetime64("2022-06-01T00:00:00")
PERIOD_SECONDS = 30 * 24 * 3600

STAGES = [
    ("discovery", "البحث والاكتشاف", "Search & discovery"),
    ("application", "التقديم", "Application"),
    ("follow-up", "المتابعة ما بعد التقديم", "Follow-up after applying"),
    ("receiving", "الحصول على الخدمة", "Receiving the service"),
]

GAP_CATEGORIES = [
    ("outdated-guide", "دليل الخدمة غير محدث", "Outdated service guide"),
    ("unclear-tracks", "عدم وضوح المسارات", "Unclear tracks"),
    ("qawaem-statements", "القوائم المالية غير موجودة في قوائم", "Statements missing in Qawaem"),
    ("email-only", "التواصل بالبريد فقط", "Contact by e-mail only"),
    ("unknown-cost", "التكلفة غير معروفة", "Cost not known in advance"),
    ("upgrade-steps", "خطوات الترقية غير واضحة", "Upgrade steps unclear"),
    ("sla-delay", "تأخر عن اتفاقية مستوى الخدمة", "Delay beyond the SLA"),
    ("platform-errors", "أعطال في المنصة", "Platform errors"),
]


@dataclass(frozen=True)
class Item:
    """One survey question and, for scored ones, the share of each score 1–5 it draws from."""

    code: str
    kind: str
    stage: str | None
    text_ar: str
    text_en: str
    weights: tuple[float, ...] = ()


# The seed report's ten items and its overall item: kind, stage and the share (%) of each score
# 1–5, chosen so each mean sits near the published score (3.3–4.1) and the summary looks real.
SCORED = {
    "q01": ("effort", "discovery", (8, 14, 24, 32, 22)),
    "q02": ("effort", "discovery", (9, 13, 24, 32, 22)),
    "q03": ("effort", "application", (8, 14, 25, 31, 22)),
    "q04": ("satisfaction", "application", (6, 9, 20, 36, 29)),
    "q05": ("satisfaction", "application", (7, 9, 19, 35, 30)),
    "q06": ("satisfaction", "application", (5, 8, 18, 37, 32)),
    "q07": ("satisfaction", "application", (5, 8, 19, 36, 32)),
    "q08": ("effort", "follow-up", (10, 15, 24, 30, 21)),
    "q09": ("satisfaction", "receiving", (7, 9, 19, 35, 30)),
    "q10": ("satisfaction", "receiving", (3, 5, 14, 37, 41)),
    "overall": ("overall", None, (4, 7, 17, 40, 32)),
}
TEXTS = {
    "q01": ("الجهد المبذول للوصول إلى الخدمة", "Effort to reach the service"),
    "q02": ("الجهد المبذول للتنقل في المنصة", "Effort to navigate the platform"),
    "q03": ("الجهد المبذول للتقديم على الخدمة", "Effort to apply"),
    "q04": ("وضوح آلية مستويات التصنيف", "Clarity of the classification levels"),
    "q05": ("الرضا عن التقييم الائتماني", "The credit evaluation"),
    "q06": ("الرضا عن خدمة العملاء", "Customer service"),
    "q07": ("الرضا عن تقييم المعايير الفنية", "The technical evaluation"),
    "q08": ("الجهد المبذول لمتابعة حالة الطلب", "Effort to follow the request"),
    "q09": ("الرضا عن المدة المستغرقة للحصول على الخدمة", "Time to receive the service"),
    "q10": ("فهم المفتشين لاشتراطات الشهادة", "Inspectors' grasp of the requirements"),
    "overall": ("الرضا العام عن الخدمة", "Overall satisfaction"),
    "comment": ("ما الذي يمكن تحسينه؟", "What could be improved?"),
}
ITEMS = [
    *(
        Item(code, kind, stage, *TEXTS[code], shares)
        for code, (kind, stage, shares) in SCORED.items()
    ),
    Item("comment", "text", None, *TEXTS["comment"]),
]

# Respondent attributes (extra columns become segments).
REGIONS = [
    "الرياض",
    "مكة المكرمة",
    "المنطقة الشرقية",
    "المدينة المنورة",
    "القصيم",
    "عسير",
    "تبوك",
    "حائل",
    "الحدود الشمالية",
    "جازان",
    "نجران",
    "الباحة",
    "الجوف",
]
REGION_WEIGHTS = [30, 25, 16, 6, 4, 5, 2, 2, 1, 4, 2, 1, 2]
APPLICANT_TYPES = ["منشأة", "مكتب هندسي"]

BLANK_SHARE = 0.02  # scored cells left empty (respondents skip an item now and then)
COMMENT_SHARE = 0.03  # respondents who write something in the open question
UNCATEGORISED_SHARE = 0.15  # complaints that arrive without a category
PII_SHARE = 0.05  # complaints that carry a mobile number or a national id (to be redacted)

# Complaint text = opening + problem (which decides the category) + detail + closing.
OPENINGS = ["السلام عليكم،", "مرحبا،", "أرجو المساعدة،", "لدي مشكلة:", "", "للأسف", "بعد التحية،"]
PROBLEMS = {
    "outdated-guide": [
        "دليل الخدمة في المنصة قديم ولا يذكر كل المتطلبات",
        "المعلومات المنشورة عن الخدمة غير محدثة",
    ],
    "unclear-tracks": ["لا أعرف أي مسار يناسب شركتي", "لم أفهم الفرق بين مسارات التصنيف"],
    "qawaem-statements": [
        "النظام يقول إن القوائم المالية غير موجودة في قوائم رغم أنها مودعة",
        "لم يتم العثور على قوائم مالية مع أننا رفعناها",
    ],
    "email-only": [
        "شركة سمة تتواصل بالبريد الإلكتروني فقط ولم يصلني شيء",
        "لا يصلني أي تحديث عن الطلب إلا عبر البريد",
    ],
    "unknown-cost": ["لم أعرف تكلفة المتطلبات إلا عند الدفع", "الأسعار غير واضحة قبل الدفع"],
    "upgrade-steps": ["خطوات رفع درجة التصنيف غير واضحة", "لا أعرف كيف أرفع تصنيف المؤسسة"],
    "sla-delay": [
        "الطلب متأخر منذ أسابيع في مرحلة التصنيف الائتماني",
        "تجاوز الطلب المدة المحددة ولم يكتمل",
    ],
    "platform-errors": ["المنصة تعطي خطأ عند رفع المستندات", "الصفحة لا تفتح عند التقديم"],
}
DETAILS = [
    "والطلب معلق حتى الآن",
    "وتواصلت مع الدعم دون فائدة",
    "وهذا أخر مشروعنا",
    "منذ أكثر من أسبوعين",
    "وتكرر الأمر ثلاث مرات",
    "",
    "رغم استيفاء الشروط",
]
CLOSINGS = ["أرجو الحل بسرعة.", "شكرا.", "نأمل التجاوب.", "", "وشكرا لكم.", "أرجو الإفادة."]
CHANNELS = ["portal", "call-centre", "social-media", "email"]
CHANNEL_WEIGHTS = [55, 25, 12, 8]


def _p(weights: Sequence[float]) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return w / w.sum()


def _timestamps(rng: np.random.Generator, n: int) -> list[str]:
    """n ISO 8601 local times within the period, with the offset written out."""
    seconds = rng.integers(0, PERIOD_SECONDS, size=n)
    stamps = np.datetime_as_string(PERIOD_START + seconds.astype("timedelta64[s]"), unit="s")
    return [s + OFFSET for s in stamps.tolist()]


def _digits(rng: np.random.Generator, n: int, width: int) -> list[str]:
    return [f"{x:0{width}d}" for x in rng.integers(0, 10**width, size=n).tolist()]


def write_journey(path: Path, responses: int) -> None:
    """The journey definition; sample and population are sized like the seed (6.7 % response)."""
    sample = max(1, math.ceil(responses / 0.0674))
    doc: dict[str, Any] = {
        "journey": JOURNEY,
        "journey_name": {"ar": "رحلة قياس الأداء", "en": "Benchmark journey"},
        "agency": {
            "code": "bench-agency",
            "name": {"ar": "وكالة القياس", "en": "Benchmark agency"},
        },
        "stages": [{"code": c, "name": {"ar": ar, "en": en}} for c, ar, en in STAGES],
        "gap_categories": [
            {"code": c, "name": {"ar": ar, "en": en}} for c, ar, en in GAP_CATEGORIES
        ],
        "survey": {
            "code": SURVEY,
            "period": PERIOD,
            "sample_size": sample,
            "population_size": sample * 3,
        },
        "questions": [],
    }
    for item in ITEMS:
        question: dict = {"code": item.code, "kind": item.kind}
        question["text"] = {"ar": item.text_ar, "en": item.text_en}
        if item.kind != "text":
            question["scale"] = [1, 5]
        if item.stage:
            question["stage"] = item.stage
        doc["questions"].append(question)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _complaint_texts(rng: np.random.Generator, n: int) -> tuple[list[str], list[str]]:
    """n Arabic texts and the category each one's problem belongs to."""
    pairs = [(code, text) for code, texts in PROBLEMS.items() for text in texts]
    problem = rng.integers(0, len(pairs), size=n).tolist()
    opening = rng.integers(0, len(OPENINGS), size=n).tolist()
    detail = rng.integers(0, len(DETAILS), size=n).tolist()
    closing = rng.integers(0, len(CLOSINGS), size=n).tolist()
    pii = rng.random(n) < PII_SHARE
    phones = _digits(rng, n, 8)
    texts, categories = [], []
    for i in range(n):
        parts = [OPENINGS[opening[i]], pairs[problem[i]][1], DETAILS[detail[i]]]
        if pii[i]:
            # Half mobiles, half national ids: both must come out of the import redacted.
            parts.append(f"جوالي 05{phones[i]}" if i % 2 else f"هويتي 1{phones[i]}9")
        parts.append(CLOSINGS[closing[i]])
        texts.append(" ".join(p for p in parts if p))
        categories.append(pairs[problem[i]][0])
    return texts, categories


def write_responses(path: Path, rng: np.random.Generator, n: int) -> dict[str, int]:
    """One row per respondent: id, time, a score 1–5 per scored item (a few blank), attributes.

    Returns the number of non-empty answers per question, which the import must store."""
    labels = np.array(["", "1", "2", "3", "4", "5"], dtype=object)
    columns: list[list[str]] = [[f"R{i:07d}" for i in range(1, n + 1)], _timestamps(rng, n)]
    header = ["respondent_id", "submitted_at"]
    answers: dict[str, int] = {}
    for item in ITEMS:
        header.append(item.code)
        if item.kind == "text":
            keep = np.flatnonzero(rng.random(n) < COMMENT_SHARE).tolist()
            texts, _ = _complaint_texts(rng, len(keep))
            comments = [""] * n
            for row, text in zip(keep, texts, strict=True):
                comments[row] = text
            columns.append(comments)
            answers[item.code] = len(keep)
            continue
        scores = rng.choice(5, size=n, p=_p(item.weights)) + 1
        scores[rng.random(n) < BLANK_SHARE] = 0  # label 0 is the empty cell
        columns.append(labels[scores].tolist())
        answers[item.code] = int(np.count_nonzero(scores))
    header += ["region", "applicant_type"]
    columns.append(
        np.array(REGIONS, dtype=object)[rng.choice(len(REGIONS), n, p=_p(REGION_WEIGHTS))].tolist()
    )
    columns.append(np.array(APPLICANT_TYPES, dtype=object)[rng.choice(2, n, p=[0.8, 0.2])].tolist())
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(zip(*columns, strict=True))
    return answers


def write_complaints(path: Path, rng: np.random.Generator, n: int) -> int:
    """Complaints of the period; most carry the category an analyst gave them at the source.

    Returns how many rows carry a category."""
    texts, categories = _complaint_texts(rng, n)
    drop = (rng.random(n) < UNCATEGORISED_SHARE).tolist()
    category = ["" if d else c for c, d in zip(categories, drop, strict=True)]
    categorised_rows = [c for c in category if c]
    channel = np.array(CHANNELS, dtype=object)[rng.choice(len(CHANNELS), n, p=_p(CHANNEL_WEIGHTS))]
    columns = [
        [f"C{i:07d}" for i in range(1, n + 1)],
        _timestamps(rng, n),
        texts,
        channel.tolist(),
        category,
    ]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["complaint_id", "received_at", "text", "channel", "category"])
        writer.writerows(zip(*columns, strict=True))
    return len(categorised_rows)


def scored_codes() -> list[str]:
    """Codes of the questions whose CSV column holds integers (the COPY baseline types them)."""
    return [item.code for item in ITEMS if item.kind != "text"]


def generate(responses: int, complaints: int, seed: int, out: Path | None = None) -> Path:
    """Write the files (unless a finished set is already there); return the directory.

    `manifest.json`, written last, says what an import of the files must end up storing."""
    out = out or OUT_ROOT / f"r{responses}-c{complaints}-s{seed}"
    manifest = out / "manifest.json"
    if manifest.exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    write_journey(out / "journey.yaml", responses)
    # One stream per file, so the responses do not change when only --complaints does.
    answers = write_responses(out / "responses.csv", np.random.default_rng([seed, 1]), responses)
    categorised = write_complaints(
        out / "complaints.csv", np.random.default_rng([seed, 2]), complaints
    )
    expected = {
        "journey": JOURNEY,
        "survey": SURVEY,
        "period": PERIOD,
        "responses": responses,
        "answers": answers,
        "scored": scored_codes(),
        "complaints": complaints,
        "complaints_categorised": categorised,
    }
    manifest.write_text(json.dumps(expected, indent=2))
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--complaints", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2022)
    parser.add_argument("--out", type=Path, help="directory (default bench/out/r<N>-c<M>-s<seed>)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    out = generate(args.responses, args.complaints, args.seed, args.out)
    print(f"{out} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)


if __name__ == "__main__":
    main()
