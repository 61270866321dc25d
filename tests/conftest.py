"""Shared fixtures: where the samples are, the default rules profile."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository (README.md, setup.cfg, jixiao_xlsx/)."""
    return ROOT


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """samples/: jiahe-2022.xlsx and the others; district/ for the batch (read only: copy before writing)."""
    return SAMPLES


@pytest.fixture(scope="session")
def district_dir() -> Path:
    """samples/district: ten streets, two broken files, a hidden file (10 scored, 2 unreadable, 1 skipped)."""
    return SAMPLES / "district"


@pytest.fixture(scope="session")
def national_profile():
    """The default rules profile (national-2020)."""
    from jixiao_xlsx import load_profile

    return load_profile()
