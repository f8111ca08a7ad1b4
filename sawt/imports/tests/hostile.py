"""Hostile files of at most 1 MB, for the test that each costs little and never crashes.

Each case names the command, the file and what a person must see: a refusal whose message holds
`expect` (English), or an accepted file. The XLSX ones are built by hand (zipfile), because the
point is what no spreadsheet program would write: zip bombs, bogus dimensions, far rows.
"""

from __future__ import annotations

import random
import zipfile
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

LIMIT = 1024 * 1024  # every file here is at most 1 MB

# The survey and journey of sawt/surveys/tests/fixtures/definition/valid.yaml.
SURVEY, JOURNEY = "permits-2022-06", "permits"
RESPONSES_HEADER = "respondent_id,overall,s1,e1,n1,t1\n"
COMPLAINTS_HEADER = "complaint_id,received_at,text\n"


@dataclass(frozen=True)
class Case:
    """One hostile file: how to import it and what the person must be told."""

    name: str
    command: tuple[str, ...]
    expect: str  # a piece of the English message; "" for a file that is accepted
    accepted: bool = False


# --- XLSX by hand ---------------------------------------------------------------------------

_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
    'package/2006/content-types"><Default Extension="rels" ContentType="application/'
    'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
    '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName='
    '"/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'spreadsheetml.worksheet+xml"/>{extra}</Types>'
)
_SST_CT = (
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
    'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)
_SST_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/sharedStrings" Target="sharedStrings.xml"/>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="http://schemas.'
    'openxmlformats.org/spreadsheetml/2006/main">{dimension}<sheetData>'
)


def text_cell(text: str) -> str:
    return f'<c t="inlineStr"><is><t>{text}</t></is></c>'


def number_cell(value: int) -> str:
    return f"<c><v>{value}</v></c>"


def xlsx_row(cells: Iterable[str], number: int | None = None) -> str:
    attribute = f' r="{number}"' if number else ""
    return f"<row{attribute}>{''.join(cells)}</row>"


def write_xlsx_parts(
    path: Path,
    header: Iterable[str],
    body: Iterable[str],
    *,
    dimension: str = "",
    doctype: str = "",
    shared: Iterable[str] | None = None,
    members: int = 0,
) -> Path:
    """A one-sheet workbook whose sheet XML after the header row is `body`, streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CT.format(extra=_SST_CT if shared else ""))
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.format(extra=_SST_REL if shared else "")
        )
        if shared is not None:
            with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
                part.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.'
                    b'openxmlformats.org/spreadsheetml/2006/main">'
                )
                for piece in shared:
                    part.write(piece.encode())
                part.write(b"</sst>")
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write(_SHEET_HEAD.format(doctype=doctype, dimension=dimension).encode())
            part.write(xlsx_row((text_cell(name) for name in header), 1).encode())
            for piece in body:
                part.write(piece.encode())
            part.write(b"</sheetData></worksheet>")
        for number in range(members):
            archive.writestr(f"x/{number}", b"")
    return path


def _repeat(piece: str, times: int, batch: int = 1000) -> Iterator[str]:
    for _ in range(times // batch):
        yield piece * batch
    yield piece * (times % batch)


# --- the files ------------------------------------------------------------------------------


def _billion_laughs() -> str:
    # Ten lists of ten aliases, six levels deep: 385 bytes that expand to 10**6 items.
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 7):
        aliases = ",".join([f"*a{level - 1}"] * 10)
        lines.append(f"a{level}: &a{level} [{aliases}]")
    return "\n".join(lines) + "\n"


def _noisy_rows(count: int, cells: str, bits: int = 48) -> Iterator[str]:
    # A random attribute on each row keeps the part under the packing ratio zip bombs reach.
    draw = random.Random(9)
    for _ in range(count // 100):
        yield "".join(f'<row x="{draw.getrandbits(bits):x}">{cells}</row>' for _ in range(100))


def _yaml_cases(directory: Path) -> list[Case]:
    files = {
        "laughs.yaml": _billion_laughs(),
        "deep_flow.yaml": "[" * 100_000 + "]" * 100_000,
        "deep_block.yaml": "".join(" " * n + "a:\n" for n in range(1300)) + " " * 1300 + "b",
        "wide_flow.yaml": "questions: [" + "{}, " * 250_000 + "{}]\n",
        "many_keys.yaml": "".join(f"k{n:07d}: 1\n" for n in range(85_000)),
        "big_key.yaml": "? " + "x" * 1_000_000 + "\n: 1\n",
        "big_scalar.yaml": "journey: " + "x" * 1_000_000 + "\n",
        "binary.yaml": bytes(range(256)).decode("latin-1") * 4000,
    }
    expect = {
        "laughs.yaml": "Anchors and aliases",
        # libyaml stops at 1,000 levels by itself, before sawt's own limit of 20 is met.
        "deep_flow.yaml": "nested more than 20 levels",
        "deep_block.yaml": "nested more than 20 levels",
        "wide_flow.yaml": "values",
        "many_keys.yaml": "values",
        "big_key.yaml": "This key is not known here",
        "big_scalar.yaml": "A code is at most",
        "binary.yaml": "not valid YAML",
    }
    cases = []
    for name, text in files.items():
        data = text.encode("latin-1" if name == "binary.yaml" else "utf-8")
        (directory / name).write_bytes(data[:LIMIT])
        cases.append(Case(name, ("import_survey", str(directory / name)), expect[name]))
    return cases


def _csv_cases(directory: Path) -> list[Case]:
    responses = ("import_responses", "--survey", SURVEY)
    complaints = ("import_complaints", "--journey", JOURNEY)
    files: dict[str, tuple[tuple[str, ...], str, str]] = {
        # name: (command, content, expected message; "" = accepted)
        "big_field.csv": (
            responses,
            RESPONSES_HEADER + 'R1,5,5,5,5,"' + "x" * 1_000_000 + '"\n',
            "cannot be read as CSV",
        ),
        "long_header.csv": (responses, ",".join(f"c{n}" for n in range(140_000)), "columns"),
        # A million blank cells after the last column are trailing blanks: the row is kept.
        "wide_row.csv": (responses, RESPONSES_HEADER + "R1" + "," * 1_000_000, ""),
        "wide_filled_row.csv": (responses, RESPONSES_HEADER + "R2" + ",x" * 500_000, "more cells"),
        "long_line.csv": (
            responses,
            RESPONSES_HEADER + "R1,5,5,5,5," + "x" * 1_040_000,
            "cannot be read as CSV",
        ),
        "blank_lines.csv": (responses, RESPONSES_HEADER + "\n" * 1_000_000, ""),
        "blank_cells.csv": (responses, RESPONSES_HEADER + ",,,,,\n" * 170_000, ""),
        "same_row.csv": (responses, RESPONSES_HEADER + "R1,9,9,9,9,x\n" * 80_000, "stopped"),
        "nul.csv": (responses, RESPONSES_HEADER + "R\x001,5,5,5,5,a\x00b\n", ""),
        "complaints_bad_dates.csv": (
            complaints,
            COMPLAINTS_HEADER + "C1,never,x\n" * 90_000,
            "stopped",
        ),
        "complaints_nul.csv": (complaints, COMPLAINTS_HEADER + "C\x001,2022-06-01,a\x00b\n", ""),
    }
    cases = []
    for name, (command, text, expect) in files.items():
        (directory / name).write_bytes(text.encode()[:LIMIT])
        cases.append(Case(name, (*command, str(directory / name)), expect, accepted=not expect))
    return cases


def _xlsx_cases(directory: Path, only: Collection[str] | None) -> list[Case]:
    header = ("respondent_id", "overall", "s1")
    bad_row = xlsx_row([text_cell("R1"), number_cell(9), number_cell(9)])
    laughs = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    builders = {
        # A million rows of three bad cells, like the audit's zip bomb (6 M rows, 18 M problems)...
        "bomb_bad_rows.xlsx": (dict(body=_repeat(bad_row, 1_000_000)), "unpacks"),
        # ...and packed less tightly, so that it is read until the problem limit.
        "noisy_bad_rows.xlsx": (dict(body=_noisy_rows(40_000, bad_row[5:-6], 36)), "stopped"),
        "bomb_blank_rows.xlsx": (dict(body=_repeat("<row/>", 2_000_000)), "unpacks"),
        "bomb_blank_cells.xlsx": (
            dict(body=_repeat("<row>" + "<c/>" * 100 + "</row>", 30_000)),
            "unpacks",
        ),
        "bomb_shared_strings.xlsx": (
            dict(body=[], shared=_repeat("<si><t>ab</t></si>", 1_000_000)),
            "unpacks",
        ),
        # Random row attributes keep it under the packing ratio; the blank cells are the cost.
        "dense_blank_cells.xlsx": (dict(body=_noisy_rows(30_000, "<c/>" * 100)), "cells"),
        "far_row.xlsx": (dict(body=[xlsx_row([number_cell(1)], 999_999_999)]), "1,048,576"),
        "last_row.xlsx": (
            dict(body=[xlsx_row([text_cell("R1"), number_cell(5)], 1_048_576)]),
            "",
        ),
        "far_columns.xlsx": (
            dict(body=_noisy_rows(30_000, '<c r="XFD2"><v>1</v></c>', 36)),
            "stopped",
        ),
        "bogus_dimension.xlsx": (
            dict(body=[bad_row], dimension='<dimension ref="A1:XFD1048576"/>'),
            "outside this question",
        ),
        "xml_entities.xlsx": (dict(body=[bad_row], doctype=laughs), "damaged"),
        "many_members.xlsx": (dict(body=[bad_row], members=9_000), "outside this question"),
    }
    cases = []
    for name, (options, expect) in builders.items():
        if only is not None and name not in only:
            continue
        path = write_xlsx_parts(directory / name, header, **options)  # type: ignore[arg-type]
        assert path.stat().st_size <= LIMIT, (name, path.stat().st_size)
        command = ("import_responses", "--survey", SURVEY, str(path))
        cases.append(Case(name, command, expect, accepted=not expect))
    return cases


def hostile_files(directory: Path, only: Collection[str] | None = None) -> list[Case]:
    """Write the hostile files (all, or those named) into `directory`, saying how each must be
    received."""
    directory.mkdir(parents=True, exist_ok=True)
    cases = [*_yaml_cases(directory), *_csv_cases(directory), *_xlsx_cases(directory, only)]
    return [case for case in cases if only is None or case.name in only]
