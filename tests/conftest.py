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


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (Vietnamese): a page rendered in English by an
    earlier test leaves its language active in the thread, and services translate messages."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def file_storages(settings, tmp_path_factory) -> dict[str, Path]:
    """Evidence and report files of each test go to its own folders on local disk (never to
    ./var). The folders, by storage name."""
    from opendti.config.settings.base import file_storage

    base = tmp_path_factory.mktemp("storages")
    folders = {name: base / name for name in ("default", "evidence", "reports")}
    settings.STORAGES = {
        **settings.STORAGES,
        **{name: file_storage("local", folder, name) for name, folder in folders.items()},
    }
    return folders


@pytest.fixture(autouse=True)
def _fresh_results_cache():
    """Each test starts with an empty per-process results cache: its keys are (period id,
    revision), and a rolled-back test leaves the next one the same ids and revisions. The same
    for what pages keep per results (results.derived) and the kept pages' bodies (by row id)."""
    from opendti.publication import pages
    from opendti.results import derived, source

    def clear() -> None:
        source.clear_process_cache()
        derived.clear()
        pages.forget_bodies()

    clear()
    yield
    clear()
