"""Fixtures of the export tests: a workspace (SQLite, or PostgreSQL with SVIDOK_TEST_DB) holding
a small synthetic case ingested through the real intake path (see ``investigation.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.export.investigation import CASE, ingest_case, make_sources


@dataclass(frozen=True)
class Case:
    ws: object
    ref: str
    items: list[str]
    sources: Path


@pytest.fixture
def case(ws, tmp_path) -> Case:
    items = ingest_case(ws, make_sources(tmp_path / "sd-card", photos=2))
    return Case(ws, CASE, items, tmp_path / "sd-card")
