"""The test cluster's binaries: found on PATH or in Debian's folders, or a clear failure."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import postgres_cluster


def test_missing_binaries_fail_the_test_naming_the_package(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(postgres_cluster, "DEBIAN_ROOT", tmp_path)
    with pytest.raises(pytest.fail.Exception, match="apt-get install postgresql"):
        postgres_cluster.find_binaries()


def test_the_newest_debian_version_is_taken(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for version in ("9", "15", "13"):
        folder = tmp_path / version / "bin"
        folder.mkdir(parents=True)
        (folder / "initdb").touch()
        (folder / "pg_ctl").touch()
    monkeypatch.setattr(shutil, "which", lambda _name: None)
    monkeypatch.setattr(postgres_cluster, "DEBIAN_ROOT", tmp_path)
    assert postgres_cluster.find_binaries() == tmp_path / "15" / "bin"
