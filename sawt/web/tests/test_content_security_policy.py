"""Every response carries a Content-Security-Policy that allows no inline script or style, and
no template relies on one (the browser test in tests_e2e/test_csp.py renders every page)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sawt.reports.charts import bar_svg

SAWT = Path(__file__).resolve().parents[2]
# Rendered by WeasyPrint into the PDF only, never served to a browser.
PDF_ONLY = {"reports/templates/reports/base_pdf.html"}
INLINE = re.compile(r"\sstyle=|<style|<script(?![^>]*\ssrc=)|\son[a-z]+=", re.IGNORECASE)


@pytest.mark.django_db
def test_pages_send_a_policy_without_inline_code(client):
    policy = client.get("/accounts/login/").headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_no_template_served_to_a_browser_has_inline_script_or_style():
    found = [
        f"{path.relative_to(SAWT)}: {match.group(0).strip()}"
        for path in SAWT.glob("*/templates/**/*.html")
        if str(path.relative_to(SAWT)) not in PDF_ONLY
        for match in INLINE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_charts_use_presentation_attributes_not_style():
    assert not INLINE.search(bar_svg(0.4, rtl=True)) and not INLINE.search(bar_svg(1.0, rtl=False))
