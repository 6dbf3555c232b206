"""Shared fixtures: the recorded corpus, databases, loopback upstreams."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb.settings import corpus_dir, corpus_paths
from kb.store import open_db


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--runslow", action="store_true", help="also run slow tests")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--runslow") or os.environ.get("KB_RUNSLOW"):
        return
    skip = pytest.mark.skip(reason="slow: run with --runslow")
    for item in items:
        if item.get_closest_marker("slow"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def corpus() -> Path:
    path = corpus_dir()
    if not (path / "regulations.gov").is_dir():
        pytest.skip(f"recorded corpus not found at {path} (set KB_CORPUS)")
    return path


@pytest.fixture(scope="session")
def colc(corpus: Path) -> Path:
    return corpus / "regulations.gov" / "COLC-2023-0006"


@pytest.fixture
def db(tmp_path: Path):
    return open_db(tmp_path / "kb.db")


@pytest.fixture(scope="session")
def imported_db_path(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the whole recorded regulations.gov corpus imported (read-only use)."""
    from kb.importer import import_paths

    path = tmp_path_factory.mktemp("imported") / "kb.db"
    db = open_db(path)
    import_paths(db, [corpus / "regulations.gov"])
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


def private_copy(path: Path, tmp_path: Path):
    copy = tmp_path / "kb.db"
    shutil.copy(path, copy)
    return open_db(copy)


@pytest.fixture
def imported_db(imported_db_path: Path, tmp_path: Path):
    """A private copy of the imported database."""
    return private_copy(imported_db_path, tmp_path)


@pytest.fixture
def regs_upstream(corpus: Path) -> Iterator:
    from tests.upstream.regulations_gov import RecordedRegulationsGov
    from tests.upstream.server import Upstream

    upstream = Upstream()
    recorded = RecordedRegulationsGov(corpus)
    recorded.install(upstream)
    upstream.start()
    upstream.recorded = recorded  # type: ignore[attr-defined]
    try:
        yield upstream
    finally:
        upstream.stop()


@pytest.fixture
def regs_env(regs_upstream, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {
        "KB_REGULATIONS_GOV_API": f"{regs_upstream.base}/v4",
        "KB_REGULATIONS_GOV_DOWNLOADS": regs_upstream.base,
        "KB_REGULATIONS_GOV_RATE": "1000000",
        "REGULATIONS_GOV_API_KEY": "test-key-7f3a9c1e5b",
        "KB_HTTP_BACKOFF": "0.01",
        "KB_HTTP_TIMEOUT": "5",
        "KB_NO_PROGRESS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture(scope="session")
def tagged_db_path(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The whole recorded corpus imported and tagged, as the demo does it (read-only use)."""
    from kb.importer import import_paths
    from kb.watchlist import load_watchlist
    from nlp.tag import tag_documents

    path = tmp_path_factory.mktemp("tagged") / "kb.db"
    db = open_db(path)
    import_paths(db, corpus_paths(corpus))
    tag_documents(db, load_watchlist())
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture
def tagged_db(tagged_db_path: Path, tmp_path: Path):
    """A private copy of the tagged database."""
    return private_copy(tagged_db_path, tmp_path)
