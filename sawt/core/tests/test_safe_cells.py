"""Formula injection: which texts get the apostrophe, and which are left alone."""

import pytest

from sawt.core.safe_cells import BIDI_MARKS, cell_text, neutralise


@pytest.mark.parametrize(
    "text",
    [
        "=cmd|' /C calc'!A0",
        '=HYPERLINK("http://example.com","x")',
        "@SUM(1+1)",
        "+1",
        "-1+1",
        "-3",  # a number written as text, e.g. inside a quote
        "\t=1+1",
        "\r=1+1",
        "\x00=1+1",
        "\tنص يبدأ بمسافة جدولة",
        " =1+1",
        "\n=1+1",
        "\u00a0=1+1",
        "\u200f=1+1",  # Arabic text often starts with a right-to-left mark
        "\u200e\u202b=1+1\u202c",
        "\u2067@SUM(A1)\u2069",
        "\ufeff+1",
        "\u061c-1",
        "\u200b\u2060=1",  # zero-width space and word joiner are format characters too
    ],
)
def test_a_text_that_starts_like_a_formula_gets_an_apostrophe(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("mark", list(BIDI_MARKS))
def test_every_direction_mark_is_looked_past(mark):
    assert neutralise(f"{mark}{mark}=1") == f"'{mark}{mark}=1"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "دليل الخدمة قديم",
        "\u200fدليل الخدمة قديم = ناقص",
        "user@example.com",
        "1+1",
        "3-1",
        "2022-06",
        "'=1+1",  # already neutralised: not quoted twice
        "#N/A",
        "(+966) 11",
        "٣+١",
    ],
)
def test_an_ordinary_text_is_left_alone(text):
    assert neutralise(text) == text


def test_characters_xml_cannot_carry_are_replaced_after_the_check():
    assert cell_text("\x00x") == "'\ufffdx"
    assert cell_text("a\x01b\x0bc") == "a\ufffdb\ufffdc"
    assert cell_text("line 1\nline 2\tend\r") == "line 1\nline 2\tend\r"
