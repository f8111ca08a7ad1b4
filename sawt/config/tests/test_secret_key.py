"""The generated secret key: private from the first byte, and one key when processes race."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from sawt.config import settings as sawt_settings


@pytest.fixture
def open_umask():
    # The most permissive umask: the mode must come from the code, not from the environment.
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch):
    monkeypatch.delenv("SAWT_SECRET_KEY", raising=False)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_key_file_is_private_from_the_start(tmp_path, open_umask, monkeypatch):
    # No chmod afterwards: a file created readable, then tightened, was readable in between.
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)
    monkeypatch.setattr(os, "chmod", lambda *args, **kwargs: None)
    key = sawt_settings._secret_key(tmp_path)
    assert len(key) >= 50
    assert _mode(tmp_path / "secret_key") == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_the_key_is_kept_across_restarts(tmp_path):
    assert sawt_settings._secret_key(tmp_path) == sawt_settings._secret_key(tmp_path)


def test_processes_starting_together_share_one_key(tmp_path, open_umask):
    start, keys = threading.Barrier(8), []

    def read() -> None:
        start.wait()
        keys.append(sawt_settings._secret_key(tmp_path))

    threads = [threading.Thread(target=read) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(keys) == 8 and len(set(keys)) == 1 and keys[0]
    assert (tmp_path / "secret_key").read_text().strip() == keys[0]
    assert _mode(tmp_path / "secret_key") == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("SAWT_SECRET_KEY", "from-the-environment")
    assert sawt_settings._secret_key(tmp_path) == "from-the-environment"
    assert not (tmp_path / "secret_key").exists()
