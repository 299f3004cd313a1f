"""The English catalogue: complete, compiled, and served under /en/ while / stays Vietnamese.

Refresh after adding UI strings (from src/opendti):
  DJANGO_SETTINGS_MODULE=opendti.config.settings.test ../../.venv/bin/opendti makemessages \
      -l en --no-location --ignore "static/vendor/*"
then translate the new entries and run `opendti compilemessages`.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import translation

from opendti.accounts.models import User
from tests.login import login

LC_MESSAGES = Path(__file__).resolve().parents[2] / "src/opendti/locale/en/LC_MESSAGES"
PO = LC_MESSAGES / "django.po"
MO = LC_MESSAGES / "django.mo"


@dataclass
class Entry:
    flags: set[str] = field(default_factory=set)
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    obsolete: bool = False
    line: int = 0


KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(\".*\")\s*$")


def _unquote(literal: str) -> str:
    # A PO string literal is a C string; for the escapes gettext writes (\" \\ \n \t) a Python
    # literal reads the same.
    return ast.literal_eval(literal)


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file (blank-line separated blocks), header included, obsolete marked."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int | None] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, target = None, None
            continue
        if current is None:
            current = Entry(line=number)
            entries.append(current)
        if line.startswith("#~"):
            current.obsolete = True
            continue
        if line.startswith("#,"):
            current.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword.startswith("msgstr"):
                target = ("msgstr", int(index) if index is not None else 0)
                current.msgstr[target[1]] = _unquote(literal)
            else:
                target = (keyword, None)
                setattr(current, keyword, _unquote(literal))
            continue
        assert line.startswith('"') and target is not None, f"{path}:{number}: {raw!r}"
        keyword, index = target
        if keyword == "msgstr":
            assert index is not None
            current.msgstr[index] += _unquote(line)
        else:
            setattr(current, keyword, getattr(current, keyword) + _unquote(line))
    return entries


def messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if not e.obsolete and e.msgid]


def header(entries: list[Entry]) -> Entry:
    return next(e for e in entries if e.msgid == "" and not e.obsolete)


PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(scope="module")
def po() -> list[Entry]:
    assert PO.exists(), f"{PO} is missing: run makemessages -l en"
    return parse_po(PO)


def test_the_catalogue_is_for_english_with_two_plural_forms(po) -> None:
    head = header(po)
    assert "fuzzy" not in head.flags
    assert "Language: en\n" in head.msgstr[0]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);" in head.msgstr[0]
    assert len(messages(po)) > 300


def test_every_message_is_translated_and_none_is_fuzzy(po) -> None:
    fuzzy = [e.msgid for e in messages(po) if "fuzzy" in e.flags]
    assert not fuzzy, f"fuzzy entries in {PO}: {fuzzy}"
    untranslated = []
    for e in messages(po):
        forms = 2 if e.msgid_plural is not None else 1
        if sorted(e.msgstr) != list(range(forms)) or not all(e.msgstr.values()):
            untranslated.append(e.msgid)
    assert not untranslated, f"untranslated entries in {PO}: {untranslated}"


def test_translations_keep_every_placeholder(po) -> None:
    wrong = []
    for e in messages(po):
        if e.msgid_plural is None:
            if placeholders(e.msgstr[0]) != placeholders(e.msgid):
                wrong.append((e.msgid, e.msgstr[0]))
        else:
            for text in e.msgstr.values():
                if placeholders(text) != placeholders(e.msgid_plural):
                    wrong.append((e.msgid_plural, text))
    assert not wrong, wrong


def test_english_strings_no_longer_read_vietnamese(po) -> None:
    vietnamese = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.IGNORECASE)
    left = [t for e in messages(po) for t in e.msgstr.values() if vietnamese.search(t)]
    assert not left, left


def test_the_compiled_catalogue_matches_the_po(po) -> None:
    assert MO.exists(), f"{MO} is missing: run compilemessages"
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    catalog: dict[object, str] = dict(compiled._catalog)  # type: ignore[attr-defined]
    expected: dict[object, str] = {}
    for e in messages(po):
        key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
        if e.msgid_plural is None:
            expected[key] = e.msgstr[0]
        else:
            for index, text in e.msgstr.items():
                expected[(key, index)] = text
    catalog.pop("", None)  # the header
    stale = {k: (catalog.get(k), v) for k, v in expected.items() if catalog.get(k) != v}
    assert not stale, f"{MO} is out of date with {PO}; run compilemessages: {stale}"
    extra = set(catalog) - set(expected)
    assert not extra, f"{MO} has messages no longer in {PO}; run compilemessages: {extra}"
    assert compiled.ngettext("%(n)s cảnh báo", "%(n)s cảnh báo", 1) == "%(n)s warning"
    assert compiled.ngettext("%(n)s cảnh báo", "%(n)s cảnh báo", 3) == "%(n)s warnings"


def test_django_uses_the_catalogue() -> None:
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
        assert translation.ngettext("%(n)s lỗi phải sửa", "%(n)s lỗi phải sửa", 2) == (
            "%(n)s errors to fix"
        )
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.mark.django_db
def test_home_page_is_vietnamese_at_the_root_and_english_under_en() -> None:
    client = Client()
    vi = page(client.get("/"))
    assert '<html lang="vi">' in vi
    assert "Hệ thống đánh giá, xếp hạng mức độ chuyển đổi số" in vi
    assert "Chưa có kết quả nào được công bố." in vi
    assert ">Đăng nhập<" in vi

    en = page(Client().get("/en/"))
    assert '<html lang="en">' in en
    assert "Digital transformation assessment and ranking system" in en
    assert "No results have been published yet." in en
    assert ">Log in<" in en
    assert 'aria-label="Language"' in en
    assert "Hệ thống đánh giá" not in en
    assert "Đăng nhập" not in en


@pytest.mark.django_db
def test_the_language_switch_sets_the_cookie_and_goes_to_the_english_page(settings) -> None:
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "Digital transformation assessment and ranking system" in page(client.get("/en/"))


@pytest.mark.django_db
def test_the_switch_in_the_header_goes_from_a_vietnamese_page_to_its_english_twin(settings) -> None:
    client = Client()
    html = page(client.get("/dang-nhap/?next=/ky/x/"))
    assert 'action="/i18n/setlang/"' in html
    next_field = re.search(r'name="next" value="([^"]*)"', html)
    assert next_field is not None
    response = client.post(
        "/i18n/setlang/", {"language": "en", "next": unescape(next_field.group(1))}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/dang-nhap/?next=/ky/x/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"


@pytest.mark.django_db
def test_the_switch_goes_back_from_an_english_page_to_the_vietnamese_one(settings) -> None:
    client = Client()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/en/dang-nhap/?next=/ky/x/").content.decode()
    # The switch on the English page posts the page's address without the language prefix.
    next_field = re.search(r'name="next" value="([^"]*)"', english)
    assert next_field is not None and next_field.group(1) == "/dang-nhap/?next=/ky/x/"
    response = client.post("/i18n/setlang/", {"language": "vi", "next": next_field.group(1)})
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "vi"
    assert urlsplit(response["Location"]).path == "/dang-nhap/"


@pytest.mark.django_db
def test_the_login_page_in_english() -> None:
    html = page(Client().get("/en/dang-nhap/"))
    assert '<html lang="en">' in html
    assert "<h1>Log in</h1>" in html
    assert "Password" in html  # Django's own form labels follow the language too
    assert "Mật khẩu" not in html
    assert "Đăng nhập" not in html


@pytest.mark.django_db
def test_pages_for_a_logged_in_user_in_english() -> None:
    user = User.objects.create_user(username="english-reader", password="Mat-khau-dung-2026")
    client = Client()
    login(client, user)

    home = page(client.get("/en/"))
    assert "Change password" in home
    assert "Log out" in home
    assert "Đăng xuất" not in home

    change = page(client.get("/en/tai-khoan/doi-mat-khau/"))
    assert '<html lang="en">' in change
    assert "Change password" in change
    assert "Đổi mật khẩu" not in change

    vi = page(client.get("/"))
    assert "Đăng xuất" in vi


@pytest.mark.django_db
def test_the_not_found_page_in_english() -> None:
    response = Client().get("/en/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "Không tìm thấy" not in html
