"""Near-duplicate grouping of complaints: copies found, different complaints kept apart."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sawt.textanalytics import duplicates
from sawt.textanalytics.arabic import tokenize
from sawt.textanalytics.duplicates import (
    comparison_text,
    group_sizes,
    near_duplicate_groups,
    similar_pairs,
)
from sawt.textanalytics.stopwords import STOPWORDS, is_stopword

BODY = (
    "تقدّمت بطلب إصدار شهادة الخبرة عبر البوابة الإلكترونية بتاريخ ١٤٤٥/٠٣/١٢ ورقم الطلب "
    "٤٥٠٠١٢٣، وقد مضى أكثر من شهرين دون أي ردّ رغم مراجعتي للفرع مرتين. أرجو سرعة الإفادة."
)
SHORT = "البوابة ما تفتح معي من أمس، كل ما أدخل رمز التحقق يقول الرمز غير صحيح"
LOGIN = "لا أستطيع الدخول إلى حسابي في البوابة منذ أسبوع بسبب خطأ في رمز التحقق."
FEES = "تم خصم رسوم تجديد السجل التجاري مرتين من بطاقتي ولم يُسترجع المبلغ حتى الآن."
CERTIFICATE = "تأخر إصدار شهادة التخرج أكثر من شهرين رغم اكتمال جميع المتطلبات."
FORMAL_OPENING = (
    "السلام عليكم ورحمة الله وبركاته، سعادة مدير عام خدمة المستفيدين المحترم، تحية طيبة وبعد، "
    "أتقدم إليكم بهذه الشكوى آملاً منكم التكرم بالاطلاع عليها واتخاذ اللازم حيالها: "
)
FORMAL_CLOSING = " شاكراً لكم حسن تعاونكم، وتقبلوا فائق الاحترام والتقدير."
FORM = "نوع البلاغ: خدمات إلكترونية. الجهة: الأحوال المدنية. المدينة: الرياض. الوصف: "

# The same complaint as two channels or two sendings deliver it.
COPIES = {
    "e-mail and web: spacing, punctuation, diacritics, hamza, taa marbuta, digits": (
        "السلام عليكم،\n" + BODY,
        "السلام عليكم  تقدمت بطلب اصدار شهاده الخبره عبر البوابه الالكترونيه بتاريخ 1445/03/12 "
        "- ورقم الطلب 4500123 - وقد مضي اكثر من شهرين دون اي رد رغم مراجعتي للفرع مرتين!! "
        "ارجو سرعه الافاده",
    ),
    "e-mail with greeting and signature, web form with the body only": (
        "السلام عليكم ورحمة الله وبركاته\n\n" + BODY + "\n\nمع خالص الشكر،\nأخوكم فهد",
        BODY,
    ),
    "forwarded with a prefix": ("إلحاقاً لشكواي السابقة: " + BODY, BODY),
    "forwarded twice, e-mail style": ("Fwd: RE: " + SHORT, SHORT),
    "reminder without a colon": ("للتذكير، " + BODY, BODY),
    "redacted number at different places": (
        "رقم جوالي [جوال] " + LOGIN,
        LOGIN + " رقم جوالي [جوال]",
    ),
    "different redaction placeholders": (LOGIN + " للتواصل [جوال]", LOGIN + " للتواصل [هاتف]"),
    "a word changed and one added": (
        BODY,
        BODY.replace("أرجو سرعة الإفادة", "نأمل سرعة الإفادة والحل"),
    ),
    "short complaint retyped": (
        SHORT,
        "البوابه ما تفتح معي من امس كل ما ادخل رمز التحقق يقول ان الرمز غير صحيح",
    ),
}

# Different complaints that share much of their wording.
NEAR_MISSES = {
    "one formal letter template, login problem vs fees charged twice": (
        FORMAL_OPENING + LOGIN + FORMAL_CLOSING,
        FORMAL_OPENING + FEES + FORMAL_CLOSING,
    ),
    "one formal letter template, certificate delay vs fees charged twice": (
        FORMAL_OPENING + CERTIFICATE + FORMAL_CLOSING,
        FORMAL_OPENING + FEES + FORMAL_CLOSING,
    ),
    "one web form header, different descriptions": (FORM + LOGIN, FORM + FEES),
    "same request, then rejected vs no reply": (
        BODY,
        BODY.split("، وقد")[0] + "، وتم رفض الطلب دون توضيح السبب ولم أتمكن من الاعتراض عليه.",
    ),
    "same greeting, short different problems": (
        "السلام عليكم، البوابة ما تفتح من أمس",
        "السلام عليكم، الشهادة ما وصلتني من أمس",
    ),
}


@pytest.mark.parametrize("pair", COPIES.values(), ids=COPIES.keys())
def test_copies_of_one_complaint_are_grouped(pair):
    assert near_duplicate_groups(list(pair)) == [0, 0]


@pytest.mark.parametrize("pair", NEAR_MISSES.values(), ids=NEAR_MISSES.keys())
def test_different_complaints_sharing_wording_stay_apart(pair):
    assert near_duplicate_groups(list(pair)) == [0, 1]


def test_copies_and_near_misses_together():
    """In one batch (where the IDF is learnt from all of them) the same decisions hold."""
    texts = [text for pair in [*COPIES.values(), *NEAR_MISSES.values()] for text in pair]
    groups = near_duplicate_groups(texts)
    for k in range(len(COPIES)):
        assert groups[2 * k] == groups[2 * k + 1], list(COPIES)[k]
    for k in range(len(COPIES), len(COPIES) + len(NEAR_MISSES)):
        assert groups[2 * k] != groups[2 * k + 1], list(NEAR_MISSES)[k - len(COPIES)]


def test_groups_point_to_their_first_text_and_are_transitive():
    forwarded = "إلحاقاً لشكواي السابقة: " + BODY
    signed = BODY + "\nمع خالص الشكر،\nأخوكم فهد"
    texts = [LOGIN, forwarded, FEES, BODY, signed, "رقم جوالي [جوال] " + LOGIN, CERTIFICATE]
    assert near_duplicate_groups(texts) == [0, 1, 2, 1, 1, 0, 6]


def test_exact_repeats_are_one_group():
    texts = [SHORT, LOGIN, SHORT, SHORT, "  " + SHORT + "  "]
    assert near_duplicate_groups(texts) == [0, 1, 0, 0, 0]
    assert group_sizes(near_duplicate_groups(texts)) == {0: 4, 1: 1}


def test_empty_texts_each_stay_alone():
    texts = ["", "   ", LOGIN, "\n", "[جوال]", "؟؟", LOGIN]
    assert near_duplicate_groups(texts) == [0, 1, 2, 3, 4, 5, 2]


def test_texts_of_function_words_only_group_only_when_equal():
    assert near_duplicate_groups(["و في من", "و في من", "من", "لا"]) == [0, 0, 2, 3]


def test_no_texts_and_one_text():
    assert near_duplicate_groups([]) == []
    assert near_duplicate_groups([LOGIN]) == [0]


def test_threshold_one_still_groups_the_same_words_in_another_order():
    assert near_duplicate_groups(["البوابة لا تعمل", "لا تعمل البوابة"], threshold=1.0) == [0, 0]


def test_a_stricter_threshold_splits_a_reworded_copy():
    pair = list(COPIES["a word changed and one added"])
    assert near_duplicate_groups(pair, threshold=0.97) == [0, 1]
    # exact copies after normalisation still go together at any threshold
    pair = list(
        COPIES["e-mail and web: spacing, punctuation, diacritics, hamza, taa marbuta, digits"]
    )
    assert near_duplicate_groups(pair, threshold=1.0) == [0, 0]


def test_lower_threshold_groups_more():
    pair = NEAR_MISSES["one web form header, different descriptions"]
    assert near_duplicate_groups(list(pair), threshold=0.3) == [0, 0]


@pytest.mark.parametrize("threshold", [0, -0.5, 1.5])
def test_threshold_out_of_range_is_refused(threshold):
    with pytest.raises(ValueError, match="threshold"):
        near_duplicate_groups([LOGIN], threshold=threshold)


def test_comparison_text_drops_placeholders_and_forwarding_labels():
    assert comparison_text("Fwd: إلحاقاً لشكواي: جوالي [جوال] لا يصلني الرمز") == (
        "جوالي لا يصلني الرمز"
    )
    assert comparison_text("الموعد الساعة 10:30 صباحاً") == "الموعد الساعه 10 30 صباحا"
    # a text that is only a label keeps its words
    assert comparison_text("البوابة لا تعمل:") == "البوابه لا تعمل"


def test_group_sizes_counts_members_per_group():
    assert group_sizes([0, 1, 0, 3, 1, 0]) == {0: 3, 1: 2, 3: 1}
    assert group_sizes([]) == {}


def test_pairs_are_exactly_those_a_full_comparison_finds():
    """Prefix filtering skips pairs that cannot reach the threshold, and no others."""
    rng = random.Random(3)
    words = tokenize(f"{BODY} {SHORT} {LOGIN} {FEES} {CERTIFICATE} {FORMAL_OPENING}")
    bases = [rng.sample(words, rng.randint(4, 20)) for _ in range(40)]
    texts = []
    for _ in range(400):
        text = list(rng.choice(bases))
        for _ in range(rng.randint(0, 4)):
            if rng.random() < 0.5 and len(text) > 1:
                text.pop(rng.randrange(len(text)))
            else:
                text.insert(rng.randrange(len(text) + 1), rng.choice(words))
        texts.append(" ".join(text))
    texts = list(dict.fromkeys(texts))
    vectors = duplicates._tfidf(texts)
    cosines = (vectors @ vectors.T).toarray()
    for threshold in (0.3, 0.6, 0.8, 0.95):
        i, j = similar_pairs(texts, threshold)
        expected = {
            (a, b)
            for a, b in zip(*np.triu_indices(len(texts), 1), strict=True)
            if cosines[a, b] >= threshold - 1e-6
        }
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == expected
        assert expected  # the check has something to find


def test_stopwords_are_written_as_tokenize_yields_them():
    assert all(tokenize(word) == [word] for word in STOPWORDS)
    assert {
        "في",
        "الي",
        "علي",
        "اللي",
        "وش",
        "ليش",
        "حق",
        "مو",
        "الحين",
        "عشان",
        "the",
    } <= STOPWORDS
    assert is_stopword("هذا") and is_stopword("التي") and not is_stopword("الفاتوره")
