"""`sawt demo` without --load-only hands over to `serve` with the host and port it printed."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sawt.demo.management.commands import demo


def test_demo_serves_after_loading(monkeypatch):
    calls: list[tuple[str, dict[str, Any]]] = []
    loads: list[bool] = []
    monkeypatch.setattr(demo, "demo_load", lambda **kw: loads.append(True))
    monkeypatch.setattr(demo, "call_command", lambda name, **kw: calls.append((name, kw)))
    out = StringIO()
    call_command("demo", "--host", "0.0.0.0", "--port", "9000", stdout=out)
    assert loads == [True]
    assert [name for name, _ in calls] == ["migrate", "serve"]
    assert calls[-1][1] == {"host": "0.0.0.0", "port": 9000}
    assert "http://0.0.0.0:9000/" in out.getvalue()


@pytest.mark.parametrize("flag", ["--load-only"])
def test_load_only_does_not_serve(monkeypatch, flag):
    calls: list[str] = []
    monkeypatch.setattr(demo, "demo_load", lambda **kw: None)
    monkeypatch.setattr(demo, "call_command", lambda name, **kw: calls.append(name))
    call_command("demo", flag, stdout=StringIO())
    assert calls == ["migrate"]
