"""The fast reason classifier on all 77 intents of ArBanking77: trained on its Modern Standard
and Palestinian train set, scored on its MSA, Palestinian and Saudi test sets (Saudi is a
dialect the model never saw), with the learning curve of Saudi labels and the speeds.

    git clone https://github.com/SinaLab/ArBanking77   # CC BY-SA 4.0; not shipped with sawt
    .venv/bin/python bench/classifier_full.py --data ArBanking77/data [--no-write]

About 10 minutes on one core. Writes its section of docs/benchmarks.md unless --no-write.
"""

from __future__ import annotations

import os

# One core, as the aims say: BLAS threads would otherwise use both.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import csv  # noqa: E402
import datetime as dt  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import machine  # noqa: E402
import report  # noqa: E402

from sawt.textanalytics import classifier as ml  # noqa: E402
from sawt.textanalytics.learning import learning_curve  # noqa: E402

DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- bench/classifier_full.py writes from here -->"
END = "<!-- bench/classifier_full.py writes up to here -->"
BEFORE = "## Near-duplicates and themes"
TRAIN = "Banking77_Arabized_MSA_PAL_train.csv"
TESTS = {
    "MSA": "Banking77_Arabized_MSA_test.csv",
    "Palestinian": "Banking77_Arabized_PAL_test.csv",
    "Saudi": "Banking77_Arabized_Saudi_test.csv",
}


def read(path: Path) -> tuple[list[str], list[str]]:
    with path.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["text"].strip() and r["label"].strip()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def figures(data: Path, ks: list[int], seeds: int) -> dict:
    train = read(data / TRAIN)
    tests = {name: read(data / file) for name, file in TESTS.items()}
    started = time.perf_counter()
    trained = ml.train(*train)  # what `sawt classifier train --engine fast` runs
    train_seconds = time.perf_counter() - started
    print(f"trained in {train_seconds:.1f} s", flush=True)
    scored = {}
    for name, (texts, labels) in tests.items():
        result = trained.predict(texts)
        report_ = ml.scores(labels, result.labels, trained.labels)
        correct = [a == b for a, b in zip(result.labels, labels, strict=True)]
        accepted = [
            ok for ok, c in zip(correct, result.confidences, strict=True) if c >= trained.threshold
        ]
        scored[name] = {
            "n": len(texts),
            "macro_f1": report_["macro_f1"],
            "accuracy": report_["accuracy"],
            "calibration_error": ml.calibration_error(result.confidences, correct),
            "coverage": len(accepted) / len(texts),
            "precision": sum(accepted) / len(accepted) if accepted else None,
        }
        print(name, scored[name], flush=True)
    every = [t for texts, _labels in tests.values() for t in texts]
    rates = []
    for _ in range(3):
        started = time.perf_counter()
        trained.predict(every)
        rates.append(len(every) / (time.perf_counter() - started))
    print("texts/s", rates, flush=True)
    points, facts = learning_curve(*train, *tests["Saudi"], ks, seeds=seeds)
    for point in points:
        print(point, flush=True)
    return {
        "train_n": len(train[0]),
        "labels": len(trained.labels),
        "train_seconds": train_seconds,
        "model_seconds": trained.train_seconds,
        "threshold": trained.threshold,
        "tests": scored,
        "rates": rates,
        "predicted": len(every),
        "curve": points,
        "curve_facts": facts,
    }


def markdown(f: dict, started: dt.datetime) -> str:
    lines = [
        f"Run {started:%Y-%m-%d %H:%M} UTC on sawt {machine.code_version()}, one core (BLAS "
        f"threads 1). Trained on ArBanking77's MSA + Palestinian train set ({f['train_n']:,} "
        f"texts, {f['labels']} intents) with `train` as `sawt classifier train --engine fast` runs "
        f"it: **{f['train_seconds']:.0f} s** in all (5-fold cross-validation for the scores and "
        f"the review threshold, then the model on everything: {f['model_seconds']:.0f} s). "
        f"Review threshold {f['threshold']:.2f} (90 % precision out of fold).",
        "",
        "| test set | texts | macro-F1 | accuracy | calibration error | settled alone | "
        "right when settled alone |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, s in f["tests"].items():
        precision = "—" if s["precision"] is None else f"{100 * s['precision']:.0f} %"
        lines.append(
            f"| {name} | {s['n']:,} | **{s['macro_f1']:.3f}** | {s['accuracy']:.3f} | "
            f"{s['calibration_error']:.3f} | {100 * s['coverage']:.0f} % | {precision} |"
        )
    facts = f["curve_facts"]
    lines += [
        "",
        f"Prediction: **{min(f['rates']):,.0f}–{max(f['rates']):,.0f} texts/s** on one core "
        f"(three passes over the {f['predicted']:,} test texts; aim ≥ 5,000).",
        "",
        f"Learning curve (`sawt classifier evaluate … --test Saudi --learning-curve`): k Saudi "
        f"examples of each intent, as an analyst would label them, added to the training set; "
        f"scored on the other {facts['scored_examples']:,} Saudi texts, the same for every k; "
        f"{facts['seeds']} random draws.",
        "",
        "| k per intent | Saudi texts added | macro-F1 (mean) | lowest–highest | accuracy |",
        "|---|---|---|---|---|",
    ]
    for p in f["curve"]:
        lines.append(
            f"| {p.k} | {p.added:,} | **{p.macro_f1:.3f}** | {p.macro_f1_min:.3f}–"
            f"{p.macro_f1_max:.3f} | {p.accuracy:.3f} |"
        )
    if facts["short_labels"]:
        lines += [
            "",
            f"Intents with too few Saudi texts for the largest k: {len(facts['short_labels'])}.",
        ]
    lines += ["", "Machine:", "", "|  |  |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine.describe(ROOT, None).items()]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="ArBanking77's data folder")
    parser.add_argument("--ks", default="1,2,5,10")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    started = dt.datetime.now(dt.UTC)
    f = figures(args.data, [int(k) for k in args.ks.split(",")], args.seeds)
    text = markdown(f, started)
    print(text)
    if not args.no_write:
        report.update_section(
            DOC, text, start=START, end=END, before=BEFORE, title="Classifier on all 77 intents"
        )


if __name__ == "__main__":
    main()
