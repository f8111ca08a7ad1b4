"""XLSForm workbooks written for the tests, and the documented example.

docs/examples/xlsform-contractors.xlsx is `write_xlsform(path, *CONTRACTORS)`, written once
(`python -m sawt.surveys.tests.xlsform_helpers docs/examples/xlsform-contractors.xlsx`); a
test checks the committed file still holds these cells.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

Rows = list[list[Any]]

SURVEY_HEADER = [
    "type",
    "name",
    "label::Arabic (ar)",
    "label::English (en)",
    "required",
    "constraint",
    "parameters",
    "appearance",
]
CHOICES_HEADER = ["list_name", "name", "label::Arabic (ar)", "label::English (en)"]

SURVEY: Rows = [
    ["start", "start"],
    ["end", "end"],
    ["today", "today"],
    ["deviceid", "deviceid"],
    ["note", "welcome", "شكراً لمشاركتك في هذا الاستبيان.", "Thank you for taking part."],
    [
        "select_one satisfaction",
        "overall",
        "بشكل عام، ما مدى رضاك عن خدمة تصنيف المقاولين؟",
        "Overall, how satisfied are you with the contractor classification service?",
        "yes",
    ],
    ["begin_group", "discovery", "البحث والاكتشاف", "Search and discovery"],
    [
        "select_one effort",
        "reach_effort",
        "كم من الجهد احتجت حتى وصلت إلى الخدمة؟",
        "How much effort did it take to find the service?",
    ],
    [
        "select_one effort",
        "navigate_effort",
        "كم من الجهد تطلّب التنقل داخل منصة بلدي؟",
        "How much effort did moving around the Balady platform take?",
    ],
    ["end_group"],
    ["begin_group", "application", "التقديم", "Application"],
    [
        "select_one satisfaction",
        "levels_clarity",
        "ما مدى رضاك عن وضوح طريقة تحديد درجات التصنيف ومستوياته؟",
        "How satisfied are you with how clearly the classification levels are explained?",
    ],
    ["begin group", "evaluation", "التقييم", "Evaluation"],
    [
        "select_one satisfaction",
        "credit_evaluation",
        "ما مدى رضاك عن التقييم الائتماني لمنشأتك؟",
        "How satisfied are you with the credit evaluation of your company?",
    ],
    [
        "integer",
        "technical_evaluation",
        "من 1 إلى 5، ما مدى رضاك عن تقييم المعايير الفنية لمنشأتك؟",
        "From 1 to 5, how satisfied are you with the evaluation of the technical criteria?",
        None,
        ". >= 1 and . <= 5",
    ],
    ["end group"],
    ["calculate", "evaluation_total", None, None, None, None, None, None],
    ["end_group"],
    ["begin_group", "receiving", "الحصول على الخدمة", "Receiving the service"],
    [
        "range",
        "time_to_service",
        "ما مدى رضاك عن المدة التي استغرقها حصولك على الخدمة؟",
        "How satisfied are you with the time it took to receive the service?",
        None,
        None,
        "start=1 end=5 step=1",
    ],
    ["end_group"],
    ["begin_repeat", "visits", "الزيارات", "Visits"],
    ["text", "visit_note", "ملاحظة عن الزيارة", "A note on the visit"],
    ["end_repeat"],
    [
        "text",
        "main_reason",
        "إن لم تكن راضياً، فما السبب الرئيسي لعدم رضاك؟",
        "If you were not satisfied, what was the main reason?",
        None,
        None,
        None,
        "multiline",
    ],
    ["geopoint", "office_location", "موقع المكتب", "Office location"],
]
CHOICES: Rows = [
    ["satisfaction", "very_dissatisfied", "غير راضٍ إطلاقاً", "Very dissatisfied"],
    ["satisfaction", "dissatisfied", "غير راضٍ", "Dissatisfied"],
    ["satisfaction", "neutral", "محايد", "Neutral"],
    ["satisfaction", "satisfied", "راضٍ", "Satisfied"],
    ["satisfaction", "very_satisfied", "راضٍ جداً", "Very satisfied"],
    ["effort", "very_high", "جهد كبير جداً", "Very high effort"],
    ["effort", "high", "جهد كبير", "High effort"],
    ["effort", "moderate", "جهد متوسط", "Moderate effort"],
    ["effort", "low", "جهد قليل", "Low effort"],
    ["effort", "very_low", "جهد قليل جداً", "Very low effort"],
]
SETTINGS: Rows = [
    ["form_title", "form_id", "version", "default_language"],
    ["استبيان تصنيف المقاولين", "contractors_2022_07", "2022070101", "Arabic (ar)"],
]
CONTRACTORS = ([SURVEY_HEADER, *SURVEY], [CHOICES_HEADER, *CHOICES], SETTINGS)


def write_xlsform(
    path: Path, survey: Rows, choices: Rows | None, settings: Rows | None = None
) -> Path:
    """A workbook with sheets survey, choices (when given) and settings (when given)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in survey:
        sheet.append(row)
    for name, rows in (("choices", choices), ("settings", settings)):
        if rows is not None:
            extra = book.create_sheet(name)
            for row in rows:
                extra.append(row)
    book.save(path)
    return path


if __name__ == "__main__":  # pragma: no cover - writes the documented example once
    write_xlsform(Path(sys.argv[1]), *CONTRACTORS)
