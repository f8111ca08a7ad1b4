"""Throughput of `redact_pii` over generated Arabic complaint-like texts (aim: ≥ 10,000 texts/s).

    .venv/bin/python bench/redaction.py [count]

5 % of the texts carry personal data (ID, mobile, landline, IBAN, e-mail or card, in Western or
Arabic-Indic digits); others hold dates, amounts and request numbers, or no digits at all.
"""

from __future__ import annotations

import random
import sys
import time

from sawt.core.digits import arabic_digits
from sawt.textanalytics.arabic import redact_pii

OPENINGS = [
    "تأخر إصدار الرخصة رغم اكتمال الطلب",
    "الموظف لم يرد على استفساري في الفرع",
    "التطبيق يتوقف عند رفع المستندات",
    "انتظرت طويلاً في مركز الاتصال",
    "الخدمة ممتازة والإجراءات سريعة",
    "تم رفض الطلب دون توضيح السبب",
]
CLOSINGS = ["أرجو المتابعة", "ولم يتواصل معي أحد", "شكراً لكم", "وهذا غير مقبول"]
NUMBERS = [
    "بتاريخ 2022-06-14",
    "بتاريخ ٢٠٢٢/٠٦/١٤",
    "ودفعت 15000 ريال",
    "والمبلغ 1,250.50 ريال",
    "رقم الطلب 4500123",
    "رقم الطلب REQ-2022-0001234",
    "منذ عام 1443",
]
PII = [
    "هويتي 1012345678",
    "إقامتي ٢٣٤٥٦٧٨٩٠١",
    "جوالي 0551234567",
    "جوالي +966 55 123 4567",
    "جوالي ٠٥٥١٢٣٤٥٦٧",
    "هاتف المنزل 011 234 5678",
    "الآيبان SA03 8000 0000 6080 1016 7519",
    "بريدي ali@example.com",
    "بطاقتي 4111 1111 1111 1111",
]


def texts(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        parts = [rng.choice(OPENINGS)]
        roll = rng.random()
        if roll < 0.05:
            parts.append(rng.choice(PII))
        elif roll < 0.35:
            number = rng.choice(NUMBERS)
            parts.append(arabic_digits(number) if rng.random() < 0.3 else number)
        parts.append(rng.choice(CLOSINGS))
        out.append(" ".join(parts))
    return out


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    sample = texts(count)
    redact_pii(sample[0])  # warm up (phonenumbers loads its metadata lazily)
    started = time.perf_counter()
    redacted = [redact_pii(t) for t in sample]
    seconds = time.perf_counter() - started
    changed = sum(a != b for a, b in zip(sample, redacted, strict=True))
    print(f"{count} texts, {changed} redacted, {seconds:.3f} s, {count / seconds:,.0f} texts/s")


if __name__ == "__main__":
    main()
