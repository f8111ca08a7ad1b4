"""The demo generator: same files every time, and records shaped as the seed report needs."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from sawt.core.digits import western_digits
from sawt.demo.generator import DATA_DIR, generate, load_yaml
from sawt.demo.rand import DemoRandom, allocate

CC = "contractor-classification"


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("demo")
    return {slug: generate(slug, out) for slug in (CC, "building-permits")}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_demo_random_is_pinned_to_python_s_stable_stream():
    # random.Random(seed).random() is the one sequence Python promises to keep; the helpers
    # must follow from it alone.
    rng = DemoRandom(1)
    assert [rng.below(1000) for _ in range(3)] == [134, 847, 763]


def test_allocate_splits_exactly():
    assert allocate(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}


def test_generation_is_deterministic(files, tmp_path):
    again = generate(CC, tmp_path)
    assert again.responses_csv.read_bytes() == files[CC].responses_csv.read_bytes()
    assert again.complaints_csv.read_bytes() == files[CC].complaints_csv.read_bytes()
    assert again.answer_labels == files[CC].answer_labels


def test_overall_answers_are_exactly_the_seed_counts(files):
    rows = _rows(files[CC].responses_csv)
    assert len(rows) == 256
    assert Counter(int(r["overall"]) for r in rows) == {5: 100, 4: 80, 3: 40, 2: 20, 1: 16}


def test_items_vary_in_n_and_sit_near_their_targets(files):
    # A property of the generator only; the published figures are checked through the
    # metrics engine in test_load.py.
    rows = _rows(files[CC].responses_csv)
    items = load_yaml(DATA_DIR / f"{CC}.generate.yaml")["responses"]["items"]
    sizes = set()
    for code, item in items.items():
        scores = [int(r[code]) for r in rows if r[code]]
        sizes.add(len(scores))
        assert 200 <= len(scores) <= 256
        assert abs(sum(scores) / len(scores) - item["target"]) <= 0.02, code
        assert len(set(scores)) == 5, f"{code} should use the whole scale"
    assert len(sizes) > 3


def test_open_texts_rank_the_credit_delay_first(files):
    rows = _rows(files[CC].responses_csv)
    written = [r for r in rows if r["main_reason"]]
    assert 60 <= len(written) <= 90
    ranking = Counter(files[CC].answer_labels.values()).most_common()
    assert ranking[0][0] == "credit-delay"
    assert ranking[0][1] > ranking[1][1]


def test_complaints_fall_in_june_and_qawaem_leads(files):
    rows = _rows(files[CC].complaints_csv)
    assert len(rows) == 569
    assert len({r["complaint_id"] for r in rows}) == 569
    assert all(r["received_at"].startswith("2022-06-") for r in rows)
    labelled = Counter(r["category"] for r in rows if r["category"])
    assert 0.85 <= sum(labelled.values()) / 569 <= 0.90
    (top, top_count), (_, second_count) = labelled.most_common(2)
    assert top == "qawaem-statements"
    assert top_count / 569 >= 0.25 and top_count > 1.5 * second_count


def test_complaints_carry_personal_data_for_redaction_to_catch(files):
    texts = [r["text"] for r in _rows(files[CC].complaints_csv)]
    ascii_texts = [western_digits(t) for t in texts]
    assert sum(bool(re.search(r"(?<!\d)[12]\d{9}(?!\d)", t)) for t in ascii_texts) >= 3
    assert sum(bool(re.search(r"05\d[ ]?\d{3}[ ]?\d{4}|\+9665\d{8}", t)) for t in ascii_texts) >= 3
    assert sum("@" in t for t in texts) >= 3
    assert any(re.search("[٠-٩]{4}", t) for t in texts), "some digits should be Arabic-Indic"
    assert len(set(texts)) > 0.95 * len(texts)


def test_the_second_journey_is_smaller_and_plausible(files):
    bp = files["building-permits"]
    assert len(_rows(bp.responses_csv)) == 150
    assert len(_rows(bp.complaints_csv)) == 200
