"""Raw loads of the same files, without sawt: the practical limit an import is compared with.

- `pg_copy`: PostgreSQL `COPY … FROM STDIN (FORMAT csv)` into a bare table shaped like the CSV
  (typed columns, no key, no index), the fastest way a client can put the file into PostgreSQL.
- `pg_copy_answers`: the same scores in sawt's long form (one row per answer) copied into a clone
  of `surveys_answer` with its indexes and checks: what the schema alone costs, whatever the
  importer does.
- `sqlite_executemany`: one `executemany` of the csv rows into a bare SQLite table, in one
  transaction with sawt's pragmas: the same idea on SQLite.
"""

from __future__ import annotations

import csv
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
from psycopg import sql

CHUNK = 1 << 20


def _csv_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as f:
        return next(csv.reader(f))


def _column_type(name: str, integers: set[str], times: set[str]) -> str:
    if name in integers:
        return "smallint"
    if name in times:
        return "timestamptz"
    return "text"


def _copy(
    conn: psycopg.Connection, copy_sql: sql.Composed, path: Path, table: sql.Identifier
) -> tuple[float, int]:
    """Stream the file through COPY in one transaction; drop the table once timed, so it does
    not weigh on the VACUUM and the summary measured next."""
    started = time.perf_counter()
    with conn.transaction(), conn.cursor() as cur:
        with cur.copy(copy_sql) as copy, path.open("rb") as f:
            while data := f.read(CHUNK):
                copy.write(data)
        rows = cur.rowcount
    seconds = time.perf_counter() - started
    conn.execute(sql.SQL("DROP TABLE {}").format(table))
    return seconds, rows


def pg_copy(
    dsn: str, table: str, path: Path, *, integers: set[str], times: set[str]
) -> tuple[float, int]:
    """COPY the CSV into a new bare table; return (seconds, rows). Table creation is untimed."""
    columns = [
        sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_column_type(c, integers, times)))
        for c in _csv_header(path)
    ]
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
        conn.execute(
            sql.SQL("CREATE TABLE {} ({})").format(
                sql.Identifier(table), sql.SQL(", ").join(columns)
            )
        )
        copy_sql = sql.SQL("COPY {} FROM STDIN (FORMAT csv, HEADER true)").format(
            sql.Identifier(table)
        )
        return _copy(conn, copy_sql, path, sql.Identifier(table))


def _long_form(path: Path, codes: list[str], text_codes: list[str]) -> Iterator[tuple]:
    """(response, question, score, text, category source) per non-empty cell, as sawt stores
    them; responses and questions are numbered from 1."""
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        scored = [(header.index(c), q) for q, c in enumerate(codes, start=1)]
        texts = [(header.index(c), q) for q, c in enumerate(text_codes, start=len(codes) + 1)]
        for response, row in enumerate(reader, start=1):
            for col, question in scored:
                if row[col]:
                    yield response, question, int(row[col]), "", ""
            for col, question in texts:
                if row[col]:
                    yield response, question, None, row[col], ""


def write_long_form(path: Path, out: Path, codes: list[str], text_codes: list[str]) -> int:
    """Write the answers of `path` in long form to `out` (once; the file is reused)."""
    if out.exists():
        with out.open("rb") as f:
            return sum(1 for _ in f)
    partial = out.with_suffix(".partial")
    rows = 0
    with partial.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        for rows, record in enumerate(_long_form(path, codes, text_codes), start=1):  # noqa: B007
            writer.writerow(record)
    partial.rename(out)
    return rows


def pg_copy_answers(dsn: str, long_form: Path) -> tuple[float, int]:
    """COPY long-form answers into a clone of surveys_answer (indexes, checks; no foreign keys)."""
    table = sql.Identifier("bench_copy_answers")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(table))
        conn.execute(sql.SQL("CREATE TABLE {} (LIKE surveys_answer INCLUDING ALL)").format(table))
        copy_sql = sql.SQL(
            # Unquoted empty fields are NULL in CSV; the two text columns take '' instead.
            "COPY {} (response_id, question_id, score, text, category_source) FROM STDIN "
            "(FORMAT csv, FORCE_NOT_NULL (text, category_source))"
        ).format(table)
        return _copy(conn, copy_sql, long_form, table)


def sqlite_executemany(
    db: Path, table: str, path: Path, *, integers: set[str], times: set[str]
) -> tuple[float, int]:
    """Insert the CSV rows into a new bare table of a SQLite file; return (seconds, rows)."""
    header = _csv_header(path)
    columns = ", ".join(f'"{c}" {_column_type(c, integers, times)}' for c in header)
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        # The pragmas sawt's settings use, so the comparison is with the same durability.
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(f'DROP TABLE IF EXISTS "{table}"')
        conn.execute(f'CREATE TABLE "{table}" ({columns})')
        marks = ", ".join("?" * len(header))
        started = time.perf_counter()
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            next(reader)
            conn.execute("BEGIN IMMEDIATE")
            cur = conn.executemany(f'INSERT INTO "{table}" VALUES ({marks})', reader)
            rows = cur.rowcount
            conn.execute("COMMIT")
        return time.perf_counter() - started, rows
    finally:
        conn.close()
