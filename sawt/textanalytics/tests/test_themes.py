"""Theme discovery: feedback no category covers falls into themes an analyst recognises."""

from __future__ import annotations

from sawt.textanalytics.themes import discover_themes

LOGIN = [
    "لا أستطيع تسجيل الدخول إلى المنصة",
    "ما أقدر أسجل دخول للبوابة من أمس",
    "تسجيل الدخول عبر النفاذ الوطني لا يعمل",
    "كل ما أحاول تسجيل الدخول يظهر خطأ",
    "الدخول للحساب في المنصة متعطل",
    "النظام يرفض تسجيل الدخول مع أن كلمة المرور صحيحة",
    "ليش ما يفتح معي الدخول في المنصة؟",
    "مشكلة في تسجيل الدخول إلى حسابي بالمنصة",
]
INVOICE = [
    "الفاتورة وصلت بمبلغ أكبر من المستحق",
    "في الفاتورة رسوم لم نطلبها",
    "الفاتورة فيها خطأ في المبلغ",
    "وصلتني فاتورة مكررة لنفس الخدمة",
    "المبلغ في الفاتورة غير صحيح",
    "أرجو تصحيح الفاتورة لأن المبلغ خطأ",
    "الفاتوره ما تطابق المبلغ المدفوع",
    "فاتورة الخدمة عليها مبلغ زائد",
]
FEES_TWICE = [
    "تم خصم الرسوم مرتين من حسابي",
    "الرسوم انسحبت مرتين وأبي استرجاع المبلغ",
    "انخصمت الرسوم مرتين لنفس الطلب",
    "خصم الرسوم تكرر مرتين",
    "دفعت الرسوم مرتين بالخطأ",
    "الرسوم خصمت مرتين من البطاقة",
    "سحبوا الرسوم مرتين",
    "الرسوم مخصومة مرتين",
]


def _theme_of(themes, index):
    return next((n for n, t in enumerate(themes) if index in t.members), None)


def test_three_kinds_of_complaint_become_three_themes_with_telling_terms():
    texts = LOGIN + INVOICE + FEES_TWICE
    themes = discover_themes(texts, max_themes=3)
    assert len(themes) == 3
    for start, word in ((0, "الدخول"), (8, "الفاتورة"), (16, "الرسوم")):
        owners = [_theme_of(themes, i) for i in range(start, start + 8)]
        main = max(set(owners), key=owners.count)
        assert owners.count(main) >= 6  # most of the group is together
        assert word in themes[main].top_terms
    assert [t.size for t in themes] == sorted((t.size for t in themes), reverse=True)
    assert all(t.size == len(t.members) for t in themes)


def test_terms_are_shown_as_people_wrote_them():
    # Normalisation folds ة into ه; the writers mostly wrote الفاتورة, so that is what shows.
    themes = discover_themes(INVOICE + LOGIN, max_themes=2)
    terms = {term for theme in themes for term in theme.top_terms}
    assert "الفاتورة" in terms and "الفاتوره" not in terms


def test_examples_are_members_with_different_texts():
    themes = discover_themes(FEES_TWICE + FEES_TWICE[:2] + LOGIN, max_themes=2)
    for theme in themes:
        assert set(theme.examples) <= set(theme.members)
        texts = [(FEES_TWICE + FEES_TWICE[:2] + LOGIN)[i] for i in theme.examples]
        assert len(set(texts)) == len(texts) <= 3


def test_themes_smaller_than_min_size_are_dropped():
    # Two invoice complaints among eight about logging in: too few to be a theme of their own,
    # and they are left out rather than forced into the login theme.
    themes = discover_themes(LOGIN + INVOICE[:2], max_themes=2, min_size=3)
    assert [sorted(t.members) for t in themes] == [list(range(8))]


def test_same_input_same_themes():
    texts = LOGIN + INVOICE + FEES_TWICE
    assert discover_themes(texts) == discover_themes(texts)


def test_the_number_of_themes_is_chosen_when_not_given():
    themes = discover_themes(LOGIN + INVOICE + FEES_TWICE)
    assert 2 <= len(themes) <= 6


def test_nothing_to_cluster_gives_no_theme():
    assert discover_themes([]) == []
    assert discover_themes(["", "  ", "١٢٣"]) == []
    assert discover_themes(["في من على", "[جوال]"]) == []
