"""A period with twenty journeys: the demo's two and eighteen generated ones, for bench/reports.py.

`write(directory, …)` writes, per generated journey, the files a ministry would upload: a journey
definition (YAML), a responses CSV and an Arabic complaints CSV (the same generators as
bench/generate.py, so the same item and category shapes). `python bench/portfolio.py load DIR`,
run with SAWT_HOME / DATABASE_URL set, imports them with the `import-survey`,
`import-responses` and `import-complaints` commands — in one process, because eighteen
journeys × three commands would otherwise spend a minute starting Python — then records a
few gaps per journey, with recommendations at various statuses, through the gap services.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

import generate
import numpy as np
import yaml

PERIOD = generate.PERIOD
AGENCIES = {
    "urban-planning": ("وكالة الوزارة للتخطيط العمراني", "Deputy Ministry for Urban Planning"),
    "municipal-services": (
        "وكالة الوزارة للخدمات البلدية",
        "Deputy Ministry for Municipal Services",
    ),
    "housing": ("وكالة الوزارة للإسكان", "Deputy Ministry for Housing"),
}
# Eighteen municipal and housing services: slug, Arabic name, English name, agency.
JOURNEYS = [
    (
        "completion-certificate",
        "شهادة إتمام البناء",
        "Building completion certificate",
        "urban-planning",
    ),
    ("excavation-permit", "تصريح الحفريات", "Excavation permit", "urban-planning"),
    ("demolition-permit", "رخصة الهدم", "Demolition permit", "urban-planning"),
    ("restoration-permit", "رخصة الترميم", "Restoration permit", "urban-planning"),
    ("land-survey-report", "تقرير المساحة", "Land survey report", "urban-planning"),
    ("plan-approval", "اعتماد المخططات", "Approval of land plans", "urban-planning"),
    (
        "commercial-licence",
        "رخصة النشاط التجاري",
        "Commercial activity licence",
        "municipal-services",
    ),
    ("signboard-licence", "ترخيص اللوحات التجارية", "Shop sign licence", "municipal-services"),
    ("health-certificate", "الشهادة الصحية", "Health certificate", "municipal-services"),
    ("food-truck-licence", "ترخيص عربات الطعام", "Food truck licence", "municipal-services"),
    ("street-vendor-permit", "تصريح البسطات", "Street vendor permit", "municipal-services"),
    (
        "fine-appeal",
        "الاعتراض على المخالفات البلدية",
        "Appeal against a municipal fine",
        "municipal-services",
    ),
    ("facility-booking", "حجز المرافق العامة", "Booking a public facility", "municipal-services"),
    ("housing-support", "الدعم السكني", "Housing support", "housing"),
    ("off-plan-sales", "البيع على الخارطة", "Off-plan sales licence", "housing"),
    ("rental-contract", "توثيق عقود الإيجار", "Rental contract registration", "housing"),
    ("land-grant", "المنح السكنية", "Residential land grant", "housing"),
    ("owners-association", "تسجيل جمعيات الملاك", "Owners' association registration", "housing"),
]
# Per gap category: the stage it is met in, the customers' feedback and the decision (ar, en).
GAPS = {
    "outdated-guide": (
        "discovery",
        "دليل الخدمة لا يذكر كل المتطلبات",
        "The guide misses requirements",
        "تحديث دليل الخدمة وتوحيده",
        "Update and merge the guides",
    ),
    "unclear-tracks": (
        "application",
        "لا يعرف المتقدم أي مسار يناسبه",
        "Applicants cannot tell which track fits",
        "شرح المسارات قبل الاختيار",
        "Explain the tracks before the choice",
    ),
    "qawaem-statements": (
        "application",
        "القوائم المالية لا تظهر رغم إيداعها",
        "Filed statements are not found",
        "ربط القوائم المالية آلياً",
        "Link the statements automatically",
    ),
    "email-only": (
        "follow-up",
        "التواصل بالبريد الإلكتروني فقط",
        "Contact by e-mail only",
        "إضافة الرسائل النصية",
        "Add text messages",
    ),
    "unknown-cost": (
        "application",
        "التكلفة غير معروفة قبل الدفع",
        "The cost is unknown before paying",
        "عرض التكلفة التقديرية مسبقاً",
        "Show the estimated cost first",
    ),
    "upgrade-steps": (
        "receiving",
        "خطوات الترقية غير واضحة",
        "Upgrade steps are unclear",
        "حملة توعوية بخطوات الترقية",
        "Explain the upgrade steps",
    ),
    "sla-delay": (
        "follow-up",
        "تأخر الطلب عن المدة المحددة",
        "Requests exceed the SLA",
        "متابعة الطلبات المتأخرة يومياً",
        "Follow late requests daily",
    ),
    "platform-errors": (
        "application",
        "أعطال عند رفع المستندات",
        "Errors when uploading documents",
        "إصلاح رفع المستندات",
        "Fix document upload",
    ),
}
# Statuses the recommendations end in, in turn, so the portfolio shows every stage of the pipeline.
STATUSES = ["proposed", "approved", "in_progress", "implemented", "verified"]
GAPS_PER_JOURNEY = 4


def _definition(slug: str, ar: str, en: str, agency: str, responses: int) -> dict[str, Any]:
    sample = math.ceil(responses / 0.0674)  # the seed's response rate
    return {
        "journey": slug,
        "journey_name": {"ar": ar, "en": en},
        "agency": {"code": agency, "name": dict(zip(("ar", "en"), AGENCIES[agency], strict=True))},
        "stages": [{"code": c, "name": {"ar": a, "en": e}} for c, a, e in generate.STAGES],
        "gap_categories": [
            {"code": c, "name": {"ar": a, "en": e}} for c, a, e in generate.GAP_CATEGORIES
        ],
        "survey": {
            "code": f"{slug}-{PERIOD}",
            "period": PERIOD,
            "sample_size": sample,
            "population_size": sample * 3,
        },
        "questions": [
            {
                "code": item.code,
                "kind": item.kind,
                "text": {"ar": item.text_ar, "en": item.text_en},
                **({"scale": [1, 5]} if item.kind != "text" else {}),
                **({"stage": item.stage} if item.stage else {}),
            }
            for item in generate.ITEMS
        ],
    }


def write(out: Path, respondents: int, complaints: int, seed: int) -> list[dict[str, Any]]:
    """The files of every generated journey; returns what `load` needs to import them."""
    out.mkdir(parents=True, exist_ok=True)
    specs = []
    for i, (slug, ar, en, agency) in enumerate(JOURNEYS):
        rng = np.random.default_rng([seed, i])
        # Sizes vary by ±20 % so the journeys do not all look alike.
        n = int(respondents * rng.uniform(0.8, 1.2))
        m = int(complaints * rng.uniform(0.8, 1.2))
        definition = out / f"{slug}.yaml"
        text = yaml.safe_dump(
            _definition(slug, ar, en, agency, n), allow_unicode=True, sort_keys=False
        )
        definition.write_text(text, encoding="utf-8")
        generate.write_responses(out / f"{slug}-responses.csv", rng, n)
        generate.write_complaints(out / f"{slug}-complaints.csv", rng, m)
        specs.append({"slug": slug, "survey": f"{slug}-{PERIOD}", "responses": n, "complaints": m})
    (out / "journeys.json").write_text(json.dumps(specs, indent=2))
    return specs


def _register(slug: str, offset: int, actor: Any) -> tuple[int, int]:
    """A few gaps on the journey's most-complained-of categories, each with a recommendation."""
    from django.db.models import Count

    from sawt.catalog.models import Journey
    from sawt.gaps.services import gap_create, recommendation_create, recommendation_transition
    from sawt.gaps.transitions import path_to

    journey = Journey.objects.select_related("agency").get(slug=slug)
    ranked = journey.gap_categories.annotate(n=Count("complaints")).order_by("-n", "position")[
        :GAPS_PER_JOURNEY
    ]
    recs = 0
    for k, category in enumerate(ranked):
        stage_code, feedback_ar, feedback_en, decision_ar, decision_en = GAPS[category.code]
        gap = gap_create(
            journey=journey,
            period=PERIOD,
            feedback_ar=feedback_ar,
            feedback_en=feedback_en,
            stage=journey.stages.get(code=stage_code),
            category=category,
            complaints=list(category.complaints.order_by("id")[:5]),
            actor=actor,
        )
        rec = recommendation_create(
            gap=gap,
            text_ar=decision_ar,
            text_en=decision_en,
            owner=journey.agency,
            due_date=dt.date(2022, 9, 30) + dt.timedelta(days=15 * k),
            actor=actor,
        )
        for status in path_to(STATUSES[(offset + k) % len(STATUSES)]):
            rec = recommendation_transition(
                recommendation=rec, to_status=status, expected_status=rec.status, actor=actor
            )
        recs += 1
    return len(ranked), recs


def load(data: Path) -> dict[str, Any]:
    """Import every generated journey and record its gaps; count what the period then holds."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sawt.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from sawt.demo.loader import demo_admin
    from sawt.surveys.models import Survey

    admin = demo_admin()
    gaps = recs = 0
    for i, spec in enumerate(json.loads((data / "journeys.json").read_text())):
        slug = spec["slug"]
        call_command("import_survey", str(data / f"{slug}.yaml"))
        responses = str(data / f"{slug}-responses.csv")
        call_command("import_responses", "--no-progress", "--survey", spec["survey"], responses)
        complaints = str(data / f"{slug}-complaints.csv")
        call_command("import_complaints", "--no-progress", "--journey", slug, complaints)
        g, r = _register(slug, i, admin)
        gaps, recs = gaps + g, recs + r
    surveys = Survey.objects.filter(period=PERIOD)
    return {
        "journeys": surveys.count(),
        "responses": sum(s.responses.count() for s in surveys),
        "generated_gaps": gaps,
        "generated_recommendations": recs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["load"])
    parser.add_argument("data", type=Path)
    args = parser.parse_args()
    # The commands print one line per file; stdout carries only the JSON answer.
    real_stdout, sys.stdout = sys.stdout, sys.stderr
    try:
        result = load(args.data)
    finally:
        sys.stdout = real_stdout
    print(json.dumps(result))


if __name__ == "__main__":
    main()
