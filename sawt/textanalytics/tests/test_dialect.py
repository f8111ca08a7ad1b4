"""The Saudi/Gulf lexicon: lookups with clitics, and the seeded dialect copies for training."""

from __future__ import annotations

import random

import numpy as np
import pytest

from sawt.textanalytics import classifier as ml
from sawt.textanalytics import gulf_lexicon
from sawt.textanalytics.arabic import normalize_arabic
from sawt.textanalytics.dialect import (
    dialect_copies,
    dialect_copy,
    dialect_forms,
    msa_tokens,
    standard_form,
    standardise,
)

TABLES = {
    "NOUNS": gulf_lexicon.NOUNS,
    "VERBS": gulf_lexicon.VERBS,
    "WORDS": gulf_lexicon.WORDS,
    "MORE_DIALECT": gulf_lexicon.MORE_DIALECT,
}


@pytest.mark.parametrize("name", TABLES)
def test_the_lexicon_is_written_in_normalised_form(name):
    for key, value in TABLES[name].items():
        assert normalize_arabic(key) == key, key
        assert normalize_arabic(value) == value, value


def test_the_lexicon_covers_everyday_words_once():
    keys = [*gulf_lexicon.NOUNS, *gulf_lexicon.VERBS, *gulf_lexicon.WORDS]
    assert len(keys) == len(set(keys))
    assert len(keys) >= 250


@pytest.mark.parametrize(
    ("word", "full", "core"),
    [
        ("كرت", "بطاقه", "بطاقه"),
        ("كرتي", "بطاقتي", "بطاقتي"),
        ("وكرتي", "وبطاقتي", "بطاقتي"),
        ("الكرت", "البطاقه", "البطاقه"),
        ("بالكرت", "بالبطاقه", "بالبطاقه"),
        ("للكرت", "للبطاقه", "للبطاقه"),
        ("بفلوسي", "باموالي", "باموالي"),
        ("فلوسهم", "اموالهم", "اموالهم"),
        ("جوالي", "هاتفي", "هاتفي"),
        ("مكينتي", "ماكينتي", "ماكينتي"),  # the ت of a feminine noun before an ending
        ("ماقدرت", "ما استطعت", "ما استطعت"),
        ("يشتغل", "يعمل", "يعمل"),
        ("يشتغلش", "لا يعمل", "لا يعمل"),
        ("مايشتغلش", "ما يعمل", "ما يعمل"),
        ("سكرته", "اغلقته", "اغلقته"),
        ("سكروه", "اغلقوه", "اغلقوه"),
        ("وكنسلتها", "والغيتها", "الغيتها"),
        ("ابغاه", "اريده", "اريده"),
        ("وش", "ماذا", "ماذا"),
        ("للحين", "حتي الان", "حتي الان"),
    ],
)
def test_dialect_words_are_found_with_their_clitics(word, full, core):
    found = standard_form(word)
    assert found is not None
    assert (found.full, found.core) == (full, core)


@pytest.mark.parametrize(
    "word",
    [
        "بطاقتي",  # standard already
        "الطلب",
        "وبس",  # بس is a dialect word, but a two-letter stem after a clitic is not trusted
        "ووش",
        "بحاجه",  # MSA "in need of", not ب + a dialect word
        "ماهو",  # MSA "what is"
        "اي",  # MSA "which"
    ],
)
def test_standard_words_and_short_stems_are_left_alone(word):
    assert standard_form(word) is None


def test_word_features_get_the_form_with_and_without_the_conjunction():
    assert msa_tokens(["وكرتي", "الطلب"]) == ["وكرتي", "وبطاقتي", "بطاقتي", "الطلب"]


def test_standardise_rewrites_known_words_and_keeps_the_rest():
    text = normalize_arabic("وش صار على كرتي؟ للحين ما وصلني شي")
    assert standardise(text) == "ماذا حدث علي بطاقتي؟ حتي الان ما وصلني شيء"


def test_char_features_see_the_standard_form():
    grams = ml.char_grams("كرتي")
    assert " بطا" in grams
    assert " كرت" not in grams


def test_standard_words_have_dialect_forms_with_their_clitics():
    assert "كرتي" in dialect_forms("بطاقتي")
    assert "الكرت" in dialect_forms("البطاقه")
    assert "وكرتي" in dialect_forms("وبطاقتي")
    assert "جوالي" in dialect_forms("هاتفي")
    assert dialect_forms("المبلغ") == ()


def test_a_copy_at_full_rate_swaps_every_word_it_can():
    text = normalize_arabic("لماذا لم تصل بطاقتي حتى الآن")
    why, not_, arrive, card, yet = dialect_copy(text, random.Random(0), rate=1.0).split()
    assert (why, not_, arrive, yet) == (why, "ما", "توصل", "للحين")
    assert why in ("ليش", "ليه")
    assert card in ("كرتي", "كارتي", "كاردي")
    assert dialect_copy(text, random.Random(0), rate=0.0) == text


TEXTS = [
    normalize_arabic(t)
    for t in [
        "لماذا لم تصل بطاقتي حتى الآن؟",
        "هل يمكنني إلغاء بطاقتي",
        "فقدت هاتفي وبطاقتي",
        "أريد استرداد أموالي",
        "ما هي رسوم التحويل",
        "المبلغ 15",
    ]
    * 20
]


def test_copies_are_the_same_for_the_same_seed_and_differ_for_another():
    first = dialect_copies(TEXTS, seed=1)
    assert first == dialect_copies(TEXTS, seed=1)
    assert first != dialect_copies(TEXTS, seed=2)
    # Each copy names its original, and a text with nothing to swap gets none.
    assert {i % 6 for i, _ in first} <= {0, 1, 2, 3, 4}
    assert all(copy != TEXTS[i] for i, copy in first)


def test_training_is_repeatable_with_copies():
    labels = ["arrival", "cancel", "lost", "refund", "fees", "other"] * 20
    texts = [f"{t} {i}" for i, t in enumerate(TEXTS)]
    a = ml.train(texts, labels, folds=3)
    b = ml.train(texts, labels, folds=3)
    probe = ["ليش ما وصل كرتي", "ابي اكنسل الكرت", "ضاع جوالي"]
    first, second = a.predict(probe), b.predict(probe)
    assert first.labels == second.labels
    # liblinear's own solver is not bit-for-bit repeatable; the copies are.
    assert first.confidences == pytest.approx(second.confidences, abs=1e-4)
    # The report counts the real texts, not the copies.
    assert a.training_size == len(texts)
    assert a.report["examples"] == len(texts)


def test_a_copy_stays_in_its_originals_fold():
    copies_of = np.array([0, 2, 3])
    rows = ml._and_copies(np.array([0, 3]), copies_of, real=5)
    assert sorted(rows.tolist()) == [0, 3, 5, 7]


def test_cross_validation_counts_real_texts():
    labels = ["arrival", "cancel", "lost", "refund", "fees", "other"] * 20
    evaluation = ml.cross_validate(TEXTS, labels, folds=3, baselines=False)
    assert evaluation.report["examples"] == len(TEXTS)
    assert len(evaluation.out_of_fold.labels) == len(TEXTS)


def test_training_without_copies_is_possible():
    labels = ["arrival", "cancel", "lost", "refund", "fees", "other"] * 20
    model = ml.train(TEXTS, labels, folds=3, dialect_copies=False)
    assert model.training_size == len(TEXTS)
    assert model.predict(["ضاع جوالي"]).labels == ["lost"]
