from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKBOOKS = ROOT / "src" / "opendti" / "demo" / "workbooks"
PUBLISHED = ROOT.parent / "shared" / "data" / "published"


@pytest.fixture
def workbooks() -> Path:
    return WORKBOOKS


@pytest.fixture
def published() -> Path:
    if not PUBLISHED.exists():
        pytest.fail(f"the published tables are expected at {PUBLISHED}")
    return PUBLISHED
