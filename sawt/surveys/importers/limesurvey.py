"""A LimeSurvey survey (`.lss`, or the `.lss` inside a `.lsa` archive) read as a definition.

The XML is parsed with defusedxml (no DTD, no entities) after its size and element count are
bounded; an archive's entry is bounded by its declared size and packing ratio before it is
unpacked. Both the LimeSurvey 2–3 layout (texts in each row, one row per language) and the 4+
one (texts in `*_l10ns` tables) are read. The rules are in docs/formats.md ("Definitions from
LimeSurvey").
"""

from __future__ import annotations

import zipfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError

from django.utils.translation import gettext as _

from sawt.imports.problems import ImportFailed, ProblemCollector
from sawt.imports.readers import refuse
from sawt.surveys.importers.definition import Definition, NamedSpec, QuestionSpec
from sawt.surveys.importers.tools import (
    NAME_LIMIT,
    ToolTarget,
    check_code,
    code_used,
    finish,
    language_of,
    make_code,
    new_definition,
    ordered_scores,
    pick_texts,
    plain_text,
    question,
    scale_problem,
)

# A survey of a thousand questions in three languages is a few MB; the archive's responses
# (.lsr) are not read here.
MAX_LSS_BYTES = 20 * 1024 * 1024
MAX_ELEMENTS = 1_000_000
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
MAX_ARCHIVE_ENTRIES = 100
# Question types: lists and arrays with their own answer options, the fixed scales, texts.
LISTS = {"L", "!", "O"}
ARRAYS = {"F", "H"}
FIXED = {"5": 5, "A": 5, "B": 10}  # the answer codes are 1…n
FIXED_ARRAYS = {"A", "B"}
TEXTS = {"S", "T", "U"}
# Display-only and computed questions, left out without a word.
IGNORED = {"X", "*", "|", "I"}


def parse_limesurvey(
    path: Path, target: ToolTarget, problems: ProblemCollector
) -> Definition | None:
    """Read and check a LimeSurvey survey; problems are collected."""
    root = _parse(_document(path))
    if root.tag != "document" or (root.findtext("LimeSurveyDocType") or "").strip() != "Survey":
        raise refuse(
            _(
                "This XML file is not a LimeSurvey survey structure (.lss): it has no "
                "<LimeSurveyDocType>Survey</LimeSurveyDocType>."
            )
        )
    return _Reader(root, target, problems).definition()


def _document(path: Path) -> bytes:
    size = path.stat().st_size
    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == b"PK\x03\x04":
        return _from_archive(path)
    if size > MAX_LSS_BYTES:
        raise _too_large(size)
    return path.read_bytes()


def _too_large(size: int) -> ImportFailed:
    return refuse(
        _(
            "The survey structure is %(size)s MB; a LimeSurvey survey is far smaller (at most "
            "%(limit)s MB are read). Check that this is the right file."
        )
        % {"size": f"{size / 1024**2:,.1f}", "limit": MAX_LSS_BYTES // 1024**2}
    )


def _from_archive(path: Path) -> bytes:
    from sawt.imports.xlsx import _declared_parts

    try:
        with path.open("rb") as handle:
            entries = _declared_parts(handle, path.stat().st_size)
        if entries > MAX_ARCHIVE_ENTRIES:
            raise refuse(
                _("The archive holds %(count)s files; a LimeSurvey archive (.lsa) holds a few.")
                % {"count": f"{entries:,}"}
            )
        with zipfile.ZipFile(path) as archive:
            found = [i for i in archive.infolist() if i.filename.lower().endswith(".lss")]
            if len(found) != 1:
                raise refuse(
                    _(
                        "A LimeSurvey archive (.lsa) holds one survey structure (.lss); this "
                        "ZIP file holds %(count)s."
                    )
                    % {"count": len(found)}
                )
            info = found[0]
            if info.file_size > MAX_LSS_BYTES:
                raise _too_large(info.file_size)
            if info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(
                info.compress_size, 1
            ):
                raise refuse(
                    _(
                        "The archive's “%(name)s” unpacks to over %(ratio)s times its packed "
                        "size, as zip bombs do; it was not unpacked."
                    )
                    % {"name": info.filename[:100], "ratio": MAX_RATIO}
                )
            # zipfile stops at the declared size, so this read is bounded.
            with archive.open(info) as entry:
                return entry.read(MAX_LSS_BYTES + 1)
    except ImportFailed:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise refuse(_("The LimeSurvey archive (.lsa) is damaged and cannot be opened.")) from None


def _parse(data: bytes) -> Element:
    import defusedxml.ElementTree as SafeTree
    from defusedxml import DefusedXmlException

    elements = data.count(b"<") - data.count(b"</")
    if elements > MAX_ELEMENTS:
        raise refuse(
            _(
                "The survey structure holds over %(count)s XML elements, far more than a survey "
                "has. Check that this is the right file."
            )
            % {"count": f"{MAX_ELEMENTS:,}"}
        )
    try:
        return SafeTree.fromstring(data, forbid_dtd=True)
    except DefusedXmlException:
        raise refuse(
            _(
                "The XML declares a document type or entities, which a LimeSurvey survey never "
                "does; it was not read."
            )
        ) from None
    except ParseError as error:
        line = error.position[0] if getattr(error, "position", None) else None
        raise refuse(
            _("The XML is not well-formed at line %(line)s; export the survey again.")
            % {"line": line or "?"},
            row=None,
        ) from None


def _rows(root: Element, table: str) -> list[dict[str, str]]:
    node = root.find(table)
    if node is None:
        return []
    rows = node.find("rows")
    if rows is None:
        return []
    return [{child.tag: (child.text or "").strip() for child in row} for row in rows.findall("row")]


def _order(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


@dataclass
class _Texts:
    """Texts by id and language, from the old layout's rows or the new one's l10n tables."""

    by_id: dict[str, dict[str | None, str]]

    @classmethod
    def gather(cls, rows: list[dict[str, str]], key: str, text: str) -> _Texts:
        found: dict[str, dict[str | None, str]] = defaultdict(dict)
        for row in rows:
            if text in row:
                language = language_of(row.get("language", "")) if row.get("language") else None
                value = plain_text(row[text])
                if value and not found[row.get(key, "")].get(language):
                    found[row.get(key, "")][language] = value
        return cls(dict(found))

    def merged(self, other: _Texts) -> _Texts:
        merged = {k: dict(v) for k, v in self.by_id.items()}
        for key, texts in other.by_id.items():
            merged.setdefault(key, {}).update({k: v for k, v in texts.items() if v})
        return _Texts(merged)

    def pair(self, key: str) -> tuple[str, str]:
        return pick_texts(self.by_id.get(key, {}))


def _unique(rows: list[dict[str, str]], key: str) -> list[dict[str, str]]:
    """One row per id: the old layout repeats each row once per language."""
    seen: dict[str, dict[str, str]] = {}
    for row in rows:
        seen.setdefault(row.get(key, ""), row)
    return list(seen.values())


class _Reader:
    def __init__(self, root: Element, target: ToolTarget, problems: ProblemCollector) -> None:
        self.root = root
        self.target = target
        self.problems = problems
        self.skipped: list[str] = []
        self.codes: dict[str, tuple[str, str]] = {}
        surveys = _rows(root, "surveys")
        questions = _rows(root, "questions")
        self.sid = (surveys[0].get("sid") if surveys else "") or (
            questions[0].get("sid", "") if questions else ""
        )
        group_rows = _rows(root, "groups")
        self.groups = sorted(
            _unique(group_rows, "gid"), key=lambda g: _order(g.get("group_order", ""))
        )
        self.group_texts = _Texts.gather(group_rows, "gid", "group_name").merged(
            _Texts.gather(_rows(root, "group_l10ns"), "gid", "group_name")
        )
        sub_rows = _rows(root, "subquestions")
        question_l10ns = _Texts.gather(_rows(root, "question_l10ns"), "qid", "question")
        self.question_texts = (
            _Texts.gather(questions, "qid", "question")
            .merged(_Texts.gather(sub_rows, "qid", "question"))
            .merged(question_l10ns)
        )
        self.questions = _unique(questions, "qid")
        # LimeSurvey 4+ keeps subquestions in <questions> too, with a parent_qid.
        self.subquestions: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in _unique(
            [*sub_rows, *(q for q in questions if q.get("parent_qid", "0") not in ("", "0"))], "qid"
        ):
            if row.get("scale_id", "0") in ("", "0"):
                self.subquestions[row.get("parent_qid", "")].append(row)
        self.questions = [q for q in self.questions if q.get("parent_qid", "0") in ("", "0")]
        answer_rows = _rows(root, "answers")
        self.answers: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in answer_rows:
            if row.get("scale_id", "0") not in ("", "0"):
                continue
            same = self.answers[row.get("qid", "")]
            if not any(a.get("code") == row.get("code") for a in same):
                same.append(row)
        self.settings = _rows(root, "surveys_languagesettings")

    def definition(self) -> Definition:
        stages: list[NamedSpec] = []
        specs: list[QuestionSpec] = []
        lines: dict[str, int] = {}
        by_group: dict[str, list[dict[str, str]]] = defaultdict(list)
        for row in self.questions:
            by_group[row.get("gid", "")].append(row)
        for number, group in enumerate(self.groups, start=1):
            gid = group.get("gid", "")
            stage = self._stage(gid, number)
            items: list[QuestionSpec] = []
            for row in sorted(
                by_group.get(gid, []), key=lambda q: _order(q.get("question_order", ""))
            ):
                items.extend(self._items(row, stage.code if stage else None))
            if items and stage is not None:
                stages.append(stage)
            specs.extend(items)
        if not self.groups and self.questions:
            self.problems.add(None, None, _("The survey has questions but no question groups."))
        definition = new_definition(self.target, self._title(), stages, specs, lines)
        definition.skipped = self.skipped
        finish(definition, self.problems)
        return definition

    def _title(self) -> tuple[str, str]:
        texts = _Texts.gather(
            [{**r, "language": r.get("surveyls_language", "")} for r in self.settings],
            "surveyls_survey_id",
            "surveyls_title",
        )
        pair = pick_texts(next(iter(texts.by_id.values()), {}))
        return pair[0][:NAME_LIMIT], pair[1][:NAME_LIMIT]

    def _stage(self, gid: str, number: int) -> NamedSpec | None:
        name_ar, name_en = self.group_texts.pair(gid)
        base = name_en or name_ar
        code = make_code(base.lower().replace(" ", "-"))[:64].strip("_-") or f"group-{number}"
        return NamedSpec(code, (name_ar or code)[:NAME_LIMIT], name_en[:NAME_LIMIT], f"group {gid}")

    def _where(self, title: str) -> str:
        return _("question %(title)s") % {"title": title}

    def _items(self, row: dict[str, str], stage: str | None) -> list[QuestionSpec]:
        kind, title = row.get("type", ""), row.get("title", "")
        qid, gid = row.get("qid", ""), row.get("gid", "")
        sgqa = f"{self.sid}X{gid}X{qid}"
        texts = self.question_texts.pair(qid)
        if kind in IGNORED:
            return []
        if kind in TEXTS:
            spec = self._spec(title, title, False, texts, None, stage, {}, sgqa)
            return [spec] if spec else []
        if kind in LISTS or kind == "5":
            scale, choices = self._answers(row)
            if scale is None:
                return []
            spec = self._spec(title, title, True, texts, scale, stage, choices, sgqa)
            return [spec] if spec else []
        if kind in ARRAYS or kind in FIXED_ARRAYS:
            scale, choices = self._answers(row)
            if scale is None:
                return []
            subs = sorted(
                self.subquestions.get(qid, []), key=lambda s: _order(s.get("question_order", ""))
            )
            if not subs:
                self.problems.add(
                    None, self._where(title), _("This array has no rows (subquestions).")
                )
                return []
            items = []
            for sub in subs:
                sub_title = sub.get("title", "")
                sub_texts = self.question_texts.pair(sub.get("qid", ""))
                spec = self._spec(
                    f"{title}_{sub_title}",
                    f"{title}[{sub_title}]",
                    True,
                    sub_texts if sub_texts[0] else texts,
                    scale,
                    stage,
                    choices,
                    f"{sgqa}{sub_title}",
                )
                if spec:
                    items.append(spec)
            return items
        self.skipped.append(
            _("question %(title)s (LimeSurvey type %(type)s)") % {"title": title, "type": kind}
        )
        return []

    def _answers(self, row: dict[str, str]) -> tuple[tuple[int, int] | None, dict[str, int]]:
        kind, title = row.get("type", ""), row.get("title", "")
        if kind in FIXED:
            codes = [str(n) for n in range(1, FIXED[kind] + 1)]
        else:
            answers = sorted(
                self.answers.get(row.get("qid", ""), []),
                key=lambda a: _order(a.get("sortorder", "")),
            )
            codes = [a.get("code", "") for a in answers]
        scores = ordered_scores(len(codes), self.target.best)
        if scores is None:
            self.problems.add(None, self._where(title), scale_problem(len(codes)))
            return None, {}
        return (min(scores), max(scores)), dict(zip(codes, scores, strict=True))

    def _spec(
        self,
        written: str,
        path: str,
        scored: bool,
        texts: tuple[str, str],
        scale: tuple[int, int] | None,
        stage: str | None,
        choices: dict[str, int],
        source_key: str,
    ) -> QuestionSpec | None:
        code = make_code(written)
        before = self.problems.count
        check_code(
            code, written, lambda message: self.problems.add(None, self._where(path), message)
        )
        first = self.codes.setdefault(code.lower(), (source_key, path)) if code else None
        if first is not None and first[0] != source_key:
            self.problems.add(
                None, self._where(path), code_used(written, code, self._where(first[1]))
            )
        if not texts[0]:
            self.problems.add(
                None, self._where(path), _("This question has no text in any language.")
            )
        if self.problems.count > before:
            return None
        return question(
            code, scored, texts, scale, stage, path, choices=choices, source_key=source_key
        )
