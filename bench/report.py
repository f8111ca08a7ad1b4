"""The results of a run as a terminal table and as the generated part of docs/benchmarks.md.

Only the text between the two markers is rewritten, so the reading a person wrote around it
survives the next `make bench`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
START = "<!-- bench/run.py writes from here -->"
END = "<!-- bench/run.py writes up to here -->"
PHASES = ["as imported", "after vacuum/analyze", "after re-import"]
PHYSICAL = {"tables", "file_bytes"}


def _ratio(step: dict[str, Any], steps: list[dict[str, Any]]) -> float | None:
    base = next((s for s in steps if s["step"] == step.get("baseline")), None)
    return step["seconds"] / base["seconds"] if base else None


def _rows(engine: dict[str, Any]) -> list[list[str]]:
    rows = []
    for step in engine["steps"]:
        ratio = _ratio(step, engine["steps"])
        cpu, peak = step.get("cpu_seconds"), step.get("peak_mib")
        rows.append(
            [
                engine["engine"],
                step["step"],
                f"{step['seconds']:.2f}",
                f"{step['rows'] / step['seconds']:,.0f}" if step["rows"] else "",
                f"{ratio:.1f}×" if ratio else "",
                f"{cpu:.1f}" if cpu is not None else "",
                f"{peak:,.0f}" if peak is not None else "",
            ]
        )
    return rows


STEP_HEADER = ["engine", "step", "seconds", "rows/s", "× raw load", "CPU s (client)", "peak MiB"]
SUMMARY_HEADER = ["engine", "phase", "`sawt summary` (command)", "`journey_summary`", "first call"]


def _summary_rows(engine: dict[str, Any]) -> list[list[str]]:
    rows = []
    for phase in PHASES:
        figures = engine["summary"].get(phase)
        if figures:
            rows.append(
                [
                    engine["engine"],
                    phase,
                    f"{figures['command_median']:.2f} s",
                    f"{figures['median']:.3f} s",
                    f"{figures['first']:.3f} s",
                ]
            )
    return rows


def text_table(run: dict[str, Any]) -> str:
    """Plain columns for the terminal."""
    lines = []
    for header, rows in (
        (STEP_HEADER, [r for e in run["engines"] for r in _rows(e)]),
        (SUMMARY_HEADER, [r for e in run["engines"] for r in _summary_rows(e)]),
    ):
        widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
        for row in [header, *rows]:
            lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=False)))
        lines.append("")
    for engine in run["engines"]:
        for check in engine["checks"]:
            mark = "ok  " if check["ok"] else "FAIL"
            lines.append(f"{mark} {engine['engine']}: {check['check']} ({check['detail']})")
        if engine.get("error"):
            lines.append(f"FAIL {engine['engine']}: {engine['error']}")
    return "\n".join(lines)


def _md_table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return out + ["| " + " | ".join(row) + " |" for row in rows]


def count_changes(before: dict[str, Any], after: dict[str, Any]) -> str:
    """What a re-import changed: row counts, highest ids and, on PostgreSQL, row versions."""
    changes = [
        f"{k} {before[k]:,} → {after[k]:,}"
        for k in before
        if k not in PHYSICAL and before[k] != after[k]
    ]
    for table, stats in after.get("tables", {}).items():
        old = before["tables"].get(table, {})
        for key in ("inserted", "updated", "deleted"):
            if stats[key] != old.get(key):
                changes.append(f"{table}: +{stats[key] - old.get(key, 0):,} rows {key}")
    if not changes:
        changes.append("no row, id or row version changed")
    if "file_bytes" in before:
        changes.append(f"file {after['file_bytes'] - before['file_bytes']:+,} bytes")
    return "; ".join(changes)


def _queries(engine: dict[str, Any]) -> list[str]:
    figures = engine["summary"].get("after vacuum/analyze")
    if not figures:
        return []
    lines = [
        f"{engine['engine']} (after vacuum/analyze): {figures['queries']} queries; the slowest, "
        "each run again alone with all its rows fetched:",
        "",
    ]
    for query in figures["slowest"][:3]:
        lines.append(f"- {query['seconds'] * 1000:,.0f} ms — `{query['sql'][:160]}…`")
    return [*lines, ""]


def _plans(run: dict[str, Any]) -> list[str]:
    lines = []
    for engine in run["engines"]:
        explain = engine.get("explain")
        if explain:
            lines += [f"{engine['engine']} ({explain['seconds'] * 1000:,.0f} ms):", "", "```"]
            lines += [*explain["plan"], "```", ""]
        if explain and explain.get("forced_index"):
            seconds = explain["forced_index_seconds"] * 1000
            lines += [f"{engine['engine']}, sequential scans disabled ({seconds:,.0f} ms):", ""]
            lines += ["```", *explain["forced_index"], "```", ""]
    return lines


def _generated(seconds: float) -> str:
    # Generated files are kept in bench/out and reused by the next run of the same size.
    return f"files generated in {seconds:.0f} s" if seconds >= 1 else "files reused from bench/out"


def markdown(run: dict[str, Any]) -> str:
    """The generated section: run, machine, imports, summary, plans, checks."""
    manifest = run["manifest"]
    answers = sum(manifest["answers"].values())
    lines = [
        f"Run {run['started']} on sawt {run.get('code', '?')}: `{run['command']}`, "
        f"{run['total_seconds'] / 60:.0f} min in all "
        f"({_generated(run['generate_seconds'])}). Data: "
        f"{manifest['responses']:,} responses × {len(manifest['scored'])} scored questions and "
        f"one open question = {answers:,} answers; {manifest['complaints']:,} complaints. "
        f"Load average (1/5/15 min) at start {run['load_start']}, at end {run['load_end']}.",
        "",
        "### Machine",
        "",
        *_md_table(["", ""], [[k, v] for k, v in run["machine"].items()]),
        "",
        "### Imports and raw loads",
        "",
        *_md_table(STEP_HEADER, [r for e in run["engines"] for r in _rows(e)]),
        "",
        "### Summary",
        "",
        *_md_table(SUMMARY_HEADER, [r for e in run["engines"] for r in _summary_rows(e)]),
        "",
        *[line for e in run["engines"] for line in _queries(e)],
        "### Plan of the summary's slowest query (after vacuum/analyze)",
        "",
        *_plans(run),
        "### Checks",
        "",
    ]
    for engine in run["engines"]:
        for check in engine["checks"]:
            mark = "ok" if check["ok"] else "**FAILED**"
            lines.append(f"- {engine['engine']}: {check['check']}: {mark} ({check['detail']})")
        if engine.get("error"):
            lines.append(f"- {engine['engine']}: **stopped**: {engine['error']}")
    return "\n".join(lines)


def update_doc(path: Path, generated: str) -> None:
    """Replace the generated section of `path`, or start the file around it."""
    block = f"{START}\n{generated}\n{END}"
    if path.exists() and START in (text := path.read_text()) and END in text:
        head, rest = text.split(START, 1)
        path.write_text(head + block + rest.split(END, 1)[1])
        return
    path.write_text(f"# Benchmarks\n\nRun with `make bench`.\n\n{block}\n")


def update_section(
    path: Path, generated: str, *, start: str, end: str, before: str, title: str
) -> None:
    """Replace one script's generated block (between its `start` and `end` markers), or add it
    as a new section `title` just above `before`, or at the end of the page."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    block = f"{start}\n{generated}\n{end}"
    if start in text and end in text:
        head, rest = text.split(start, 1)
        path.write_text(head + block + rest.split(end, 1)[1])
    elif before in text:
        head, rest = text.split(before, 1)
        path.write_text(f"{head}## {title}\n\n{block}\n\n{before}{rest}")
    else:
        path.write_text(f"{text.rstrip()}\n\n## {title}\n\n{block}\n")
