"""`sawt classifier evaluate FILE --test FILE2 --learning-curve 1,2,5,10`, and `train --engine`:
how fast a model learns a new way of writing from an analyst's first labels, and which engine
trains."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sawt.classification.models import ClassifierModel
from sawt.classification.tests.test_classifier_command import sawt
from sawt.textanalytics import engines
from sawt.textanalytics.learning import learning_curve, parse_ks

pytestmark = pytest.mark.django_db

# Two ways of writing the same three reasons that share no words: the model trained on the
# first knows nothing of the second until an analyst labels some of it.
FORMAL = {
    "delay": ["تأخر إصدار الشهادة", "تأخر الطلب كثيرا", "مدة الإصدار طويلة", "الطلب متأخر"],
    "fees": ["خصم الرسوم مرتين", "الرسوم مرتفعة", "رسوم إضافية غير معلنة", "سداد الرسوم"],
    "login": ["تعذر الدخول للحساب", "كلمة المرور لا تعمل", "الحساب مقفل", "رمز التحقق لا يصل"],
}
DIALECT = {
    "delay": ["للحين ما طلعت", "للحين واقفه المعامله", "للحين انطر", "للحين ما خلصت"],
    "fees": ["انسحبت فلوس زود", "فلوس زياده", "سحبتوا فلوس مرتين", "فلوسي راحت"],
    "login": ["ما اقدر ادش", "ادش ويطردني", "ابي ادش ما يخليني", "ما عاد اقدر ادش"],
}


def _write(path: Path, by_label: dict[str, list[str]], copies: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label"])
        for label, texts in by_label.items():
            for n in range(copies):
                for text in texts:
                    writer.writerow([f"{text} {'!' * n}".strip(), label])
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return _write(tmp_path / "formal.csv", FORMAL, 2), _write(tmp_path / "dialect.csv", DIALECT, 2)


def _curve(formal: Path, dialect: Path, *extra: str) -> tuple[int, str, str]:
    return sawt(
        "evaluate",
        str(formal),
        "--test",
        str(dialect),
        "--text-column",
        "text",
        "--label-column",
        "label",
        *extra,
    )


def test_the_curve_shows_the_model_learning_the_new_writing(files: tuple[Path, Path]) -> None:
    code, out, err = _curve(*files, "--learning-curve", "2,1,4", "--format", "json")
    assert code == 0, err
    curve = json.loads(out)
    points = {p["k"]: p for p in curve["learning_curve"]}
    # k = 0 is always the starting point; the ks are sorted and each added k per label.
    assert sorted(points) == [0, 1, 2, 4]
    assert [points[k]["added"] for k in (0, 1, 2, 4)] == [0, 3, 6, 12]
    # Each label has 8 rows in the second file: 4 drawn at most, the other 4 scored.
    assert curve["scored_examples"] == 12
    assert curve["examples"] == 24 and curve["test_examples"] == 24 and curve["seeds"] == 3
    # Knowing none of the dialect's words the model guesses; with its labels it learns them.
    assert points[0]["macro_f1"] < 0.6
    assert points[4]["macro_f1"] > points[0]["macro_f1"] + 0.3
    assert points[4]["macro_f1_min"] <= points[4]["macro_f1"] <= points[4]["macro_f1_max"]


def test_the_curve_is_the_same_every_run(files: tuple[Path, Path]) -> None:
    first = _curve(*files, "--learning-curve", "1,2", "--format", "json", "--seeds", "2")
    again = _curve(*files, "--learning-curve", "1,2", "--format", "json", "--seeds", "2")
    assert first == again and first[0] == 0


def test_the_table_names_the_files_and_the_draws(files: tuple[Path, Path]) -> None:
    code, out, _err = _curve(*files, "--learning-curve", "1,2,5,10")
    assert code == 0
    assert "formal.csv" in out and "dialect.csv" in out and "3 random draws" in out
    lines = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [row[0] for row in lines] == ["0", "1", "2", "5", "10"]
    # 8 examples a label: 10 cannot be drawn with one left to score, and the note says which.
    assert "delay, fees, login" in out


def test_the_curve_in_arabic(files: tuple[Path, Path]) -> None:
    code, out, _err = sawt(
        "evaluate",
        str(files[0]),
        "--test",
        str(files[1]),
        "--text-column",
        "text",
        "--label-column",
        "label",
        "--learning-curve",
        "1",
        lang="ar",
    )
    assert code == 0 and "منحنى التعلم" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--learning-curve", "1,x,5"], "“x” is not one"),
        (["--learning-curve", "0,2"], "“0” is not one"),
        (["--learning-curve", "1", "--seeds", "0"], "--seeds must be between 1 and 20"),
    ],
)
def test_a_wrong_curve_is_refused_naming_the_part(
    files: tuple[Path, Path], extra: list[str], message: str
) -> None:
    code, out, err = _curve(*files, *extra)
    assert code == 1 and message in err and out == ""


def test_a_curve_needs_the_second_file(files: tuple[Path, Path]) -> None:
    code, _out, err = sawt(
        "evaluate", str(files[0]), "--text-column", "text", "--label-column", "label",
        "--learning-curve", "1,2",
    )  # fmt: skip
    assert code == 1 and "--test FILE2" in err


def test_draws_grow_and_every_k_is_scored_on_the_same_texts() -> None:
    seen: list[tuple[list[str], list[str]]] = []

    def recording(texts: list[str], labels: list[str]):  # type: ignore[no-untyped-def]
        def predict(batch: list[str]) -> list[str]:
            seen.append((list(texts), list(batch)))
            return ["a"] * len(batch)

        return predict

    new = [f"a{i}" for i in range(6)] + [f"b{i}" for i in range(6)]
    points, facts = learning_curve(
        ["x", "y"], ["a", "b"], new, ["a"] * 6 + ["b"] * 6, [1, 3], seeds=1, fitter=recording
    )
    (t0, s0), (t1, s1), (t3, s3) = seen
    assert s0 == s1 == s3 and len(s0) == 6  # 3 of each label held back for k = 3
    added1, added3 = set(t1) - set(t0), set(t3) - set(t0)
    assert len(added1) == 2 and len(added3) == 6 and added1 < added3  # nested draws
    assert not added3 & set(s0)  # nothing drawn is scored
    assert [p.k for p in points] == [0, 1, 3] and facts["short_labels"] == []


def test_ks_are_parsed_strictly() -> None:
    assert parse_ks("10, 1,2,2") == [1, 2, 10]
    for wrong in ("", "1,,2", "-1", "2.5", "a"):
        with pytest.raises(ValueError):
            parse_ks(wrong)


# --- train --engine ---------------------------------------------------------------------------


def _train(path: Path, *extra: str) -> tuple[int, str, str]:
    return sawt(
        "train", "--name", "reasons", str(path), "--text-column", "text", "--label-column",
        "label", *extra,
    )  # fmt: skip


def test_train_fast_says_so_and_stores_it(files: tuple[Path, Path]) -> None:
    code, out, err = _train(files[0], "--engine", "fast")
    assert code == 0, err
    assert "fast engine" in out
    model = ClassifierModel.objects.get(name="reasons")
    assert model.scores["engine"] == "fast"
    listed = sawt("list")[1]
    assert "reasons" in listed and " v1 " in listed and " fast " in listed


def test_deep_without_its_extra_is_refused_and_stores_nothing(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "deep_installed", lambda: False)
    code, _out, err = _train(files[0], "--engine", "deep")
    assert code == 1 and "pip install 'sawt[deep]'" in err and "--engine fast" in err
    assert not ClassifierModel.objects.exists()


def test_auto_trains_fast_without_the_extra(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engines, "deep_installed", lambda: False)
    code, _out, err = _train(files[0], "--engine", "auto")
    assert code == 0, err
    assert ClassifierModel.objects.get(name="reasons").scores["engine"] == "fast"


def test_auto_means_deep_when_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "deep_installed", lambda: True)
    assert engines.resolve("auto") == "deep"
    monkeypatch.setattr(engines, "deep_installed", lambda: False)
    assert engines.resolve("auto") == "fast"
    with pytest.raises(engines.EngineUnavailable):
        engines.resolve("deep")
    with pytest.raises(ValueError, match="unknown engine"):
        engines.resolve("bert")


def test_columns_named_text_and_label_need_no_options(files: tuple[Path, Path]) -> None:
    code, out, err = sawt(
        "evaluate", str(files[0]), "--test", str(files[1]), "--learning-curve", "1,2,5,10",
        "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert [p["k"] for p in json.loads(out)["learning_curve"]] == [0, 1, 2, 5, 10]
