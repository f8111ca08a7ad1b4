"""Parsing and checking of survey files: journey definitions (YAML) and responses (CSV/XLSX)."""

from sawt.surveys.importers.definition import Definition, parse_definition
from sawt.surveys.importers.responses import Layout, parse_responses, response_layout

__all__ = ["Definition", "Layout", "parse_definition", "parse_responses", "response_layout"]
