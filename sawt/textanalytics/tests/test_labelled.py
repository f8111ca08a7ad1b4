"""Texts and labels out of a table's rows, as `sawt classifier` takes them."""

from __future__ import annotations

from sawt.textanalytics.labelled import cell_text, labelled_texts, texts_to_predict


def test_cells_read_as_text_whole_numbers_without_a_decimal_point():
    assert [cell_text(v) for v in (None, " تأخير ", 3.0, 2.5, 7)] == ["", "تأخير", "3", "2.5", "7"]


def test_rows_without_a_text_or_a_label_are_counted_and_texts_are_redacted():
    rows = [
        ["اتصلوا على جوالي 0551234567", "delay"],
        ["", "fees"],
        ["نص بلا تسمية", None],
        ["الرسوم مرتين", 2.0],
    ]
    found = labelled_texts(rows, 0, 1)
    assert found.skipped == 2
    assert found.labels == ["delay", "2"]
    assert "0551234567" not in found.texts[0] and found.texts[1] == "الرسوم مرتين"


def test_texts_to_predict_keep_the_positions_of_rows_that_have_one():
    rows = [["1", "الطلب متأخر"], ["2", "  "], ["3", "هويتي 1012345678"]]
    positions, texts = texts_to_predict(rows, 1)
    assert positions == [0, 2]
    assert texts[0] == "الطلب متأخر" and "1012345678" not in texts[1]
