"""Project-wide guards: migrations match the models, periods parse strictly, apps form layers."""

import ast
import itertools
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import translation

from sawt.core.exceptions import ApplicationError
from sawt.core.periods import parse_period, previous_period


@pytest.mark.django_db
def test_models_and_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_period_bounds_and_previous():
    start, end = parse_period("2022-12")
    assert (str(start), str(end)) == ("2022-12-01", "2023-01-01")
    assert previous_period("2022-01") == "2021-12"


@pytest.mark.parametrize(
    "bad",
    ["2022-6", "2022-13", "22-06", "June 2022", "2022-06-01", "", "0000-01", "0001-01", "9999-12"],
)
def test_impossible_periods_are_refused_with_the_expected_form(bad):
    with translation.override("en"), pytest.raises(ApplicationError, match="YYYY-MM"):
        parse_period(bad)


# The apps in layers, bottom first (docs/decisions/0008-app-layers.md). An app imports only
# apps of lower layers, never its peers: so no two apps can import each other, even through a
# third. A new app must be placed here before its first import.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),  # base model, audit, errors, periods, numbers, the access policy: imports no app
    ("textanalytics",),  # Arabic text, classifiers: pure Python, no Django, no domain
    ("imports", "jobs"),  # reading hostile files; background work
    ("catalog",),  # agencies, journeys, stages, gap categories
    ("accounts",),  # users and their memberships
    ("surveys", "complaints", "workshops"),  # what customers said
    # sorting it into reasons; the gap register; asking people directly (samples, invitations)
    ("classification", "gaps", "distribution"),
    # figures from all of the above; telling other systems of changes (webhooks)
    ("metrics", "webhooks"),
    ("reports",),  # the frozen datasets and their renderers
    # interfaces (pages, the integration API), the demo, settings, test support
    ("web", "api", "demo", "config", "testing"),
)
SAWT = Path(__file__).resolve().parents[2]
# Relations and lookups written as strings ("catalog.Journey", apps.get_model("gaps", …)) are
# imports too: a dependency hidden in a string is still a dependency.
_RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}


def _app_of(path: Path) -> str | None:
    parts = path.relative_to(SAWT).parts
    if len(parts) < 2 or "tests" in parts or "migrations" in parts:
        return None  # sawt/cli.py (the entry point, above every app), tests and migrations
    return parts[0]


def _module_of(path: Path) -> str:
    parts = list(path.relative_to(SAWT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path, source: str | None = None) -> Iterator[tuple[str, int]]:
    """(app named, line) for every import and every app-naming string of one module: at module
    level or inside a function, absolute or relative."""
    module = _module_of(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    source = path.read_text(encoding="utf-8") if source is None else source
    for node in ast.walk(ast.parse(source)):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            prefix = ".".join(base) if node.level else ""
            names = [".".join(p for p in (prefix, node.module or "") if p)]
        elif isinstance(node, ast.Call):
            names = _string_references(node)
        for name in names:
            parts = name.split(".")
            if parts[0] == "sawt" and len(parts) > 1:
                yield parts[1], node.lineno


def _string_references(call: ast.Call) -> list[str]:
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    strings = [a.value for a in call.args[:1] if isinstance(a, ast.Constant)]
    strings = [s for s in strings if isinstance(s, str)]
    if name in {"import_module", "__import__"}:
        return strings
    if name in _RELATIONS | {"get_model"}:
        # An app label ("catalog", or "catalog.Journey"): the app is the package of that name.
        return [f"sawt.{s.split('.')[0]}" for s in strings if s.split(".")[0] in _apps()]
    return []


def _apps() -> set[str]:
    return {p.name for p in SAWT.iterdir() if (p / "__init__.py").exists()}


def _app_graph() -> dict[str, dict[str, list[str]]]:
    """{app: {app it imports: ["file:line", …]}} over every production module of sawt."""
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path in sorted(SAWT.rglob("*.py")):
        app = _app_of(path)
        if app is None:
            continue
        for other, line in _imported(path):
            if other != app and other in _apps():
                graph[app][other].append(f"{path.relative_to(SAWT.parent)}:{line}")
    return graph


def _cycles(graph: dict[str, dict[str, list[str]]]) -> list[list[str]]:
    """A shortest cycle through each app that has one (a path back to itself), without repeats:
    enough to see every tangle and the files that make it, however tangled."""
    found: dict[frozenset[str], list[str]] = {}
    for start in sorted(graph):
        paths, seen = [[start]], {start}
        while paths:
            path = paths.pop(0)
            if start in graph.get(path[-1], {}):
                found.setdefault(frozenset(path), [*path, start])
                break
            for nxt in sorted(graph.get(path[-1], {})):
                if nxt not in seen:
                    seen.add(nxt)
                    paths.append([*path, nxt])
    return list(found.values())


def test_no_import_cycle_between_apps():
    graph = _app_graph()
    report = [
        " → ".join(cycle)
        + "".join(
            f"\n    {a} → {b}: {', '.join(graph[a][b])}" for a, b in itertools.pairwise(cycle)
        )
        for cycle in _cycles(graph)
    ]
    assert not report, "import cycles between apps:\n" + "\n".join(report)


def test_apps_import_only_lower_layers():
    level = {app: i for i, layer in enumerate(LAYERS) for app in layer}
    assert sorted(_apps() - set(level)) == [], "place every app in LAYERS"
    graph = _app_graph()
    wrong = [
        f"{app} (layer {level[app]}) imports {other} (layer {level[other]}): {', '.join(files)}"
        for app, imports in sorted(graph.items())
        for other, files in sorted(imports.items())
        if level[other] >= level[app]
    ]
    assert wrong == [], "\n".join(wrong)


def test_the_graph_sees_every_kind_of_import():
    # The checks above are only as good as what _imported finds: relative imports, imports
    # inside functions and dependencies written as strings all count.
    source = (
        "from ..gaps import models\n"
        "def f():\n"
        "    from sawt.metrics.selectors import journey_summary\n"
        "    import_module('sawt.reports.dataset')\n"
        "    apps.get_model('surveys', 'Survey')\n"
        "journey = ForeignKey('catalog.Journey', on_delete=None)\n"
    )
    found = {app for app, _ in _imported(SAWT / "core" / "probe.py", source)}
    assert found == {
        "gaps",
        "metrics",
        "reports",
        "surveys",
        "catalog",
    }
