"""A hostile XLSX upload is refused quickly and within bounded memory: a small file that unpacks
to a huge sheet, rows or columns past the caps, a sheet that lies about its size, a hundred
errors and more, a read that takes too long. Nothing is written in any case."""

from __future__ import annotations

import io
import random
import re
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opendti.accounts.models import User
from opendti.assessments.models import Change, InputValue
from opendti.results.demo import OPEN_PERIOD, demo_load
from tests.login import login

pytestmark = pytest.mark.django_db

UNIT = "xa-hoa-binh"
BASE = f"/ky/{OPEN_PERIOD}/don-vi/{UNIT}/"
SHEET_PART = "xl/worksheets/sheet1.xml"
OPEN = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


@pytest.fixture
def focal(db) -> Client:
    demo_load()
    client = Client()
    login(client, User.objects.get(username="daumoi"))
    return client


def _template(client: Client) -> bytes:
    return client.get(BASE + "mau-excel/").content


def _with_sheet(template: bytes, write_rows, *, dimension: str | None = None) -> bytes:
    """The template with its first sheet replaced: the header row, then what write_rows writes
    (it gets a writable stream), streamed into the archive without building it in memory."""
    source = zipfile.ZipFile(io.BytesIO(template))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            if entry.filename != SHEET_PART:
                target.writestr(entry, source.read(entry))
                continue
            with target.open(SHEET_PART, "w", force_zip64=True) as stream:
                stream.write(OPEN)
                if dimension:
                    stream.write(f'<dimension ref="{dimension}"/>'.encode())
                stream.write(
                    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>'
                )
                write_rows(stream)
                stream.write(b"</sheetData></worksheet>")
    return out.getvalue()


def _upload(client: Client, content: bytes):
    return client.post(BASE + "tai-len-excel/", {"file": SimpleUploadedFile("phieu.xlsx", content)})


def _unchanged(before: tuple[int, int]) -> bool:
    return (InputValue.objects.count(), Change.objects.count()) == before


def _counts() -> tuple[int, int]:
    return InputValue.objects.count(), Change.objects.count()


def _bomb(stream) -> None:
    """About 94 MB of rows that compress about 60 times: the file passes the upload gate."""
    rng = random.Random(7)
    cell = b'<c t="inlineStr"><is><t>1.2</t></is></c>'
    written, number = 0, 1
    while written < 94 * 1024 * 1024:
        chunk = []
        for _ in range(1000):
            number += 1
            chunk.append(
                f'<row r="{number}">'.encode()
                + cell * 8
                + f'<c t="n"><v>{rng.randrange(32)}</v></c></row>'.encode()
            )
        data = b"".join(chunk)
        stream.write(data)
        written += len(data)


def test_a_small_file_that_unpacks_to_a_huge_sheet_is_refused_at_once(focal) -> None:
    content = _with_sheet(_template(focal), _bomb)
    part = zipfile.ZipFile(io.BytesIO(content)).getinfo(SHEET_PART)
    assert 1.0 < len(content) / 2**20 < 2.5  # a small file ...
    assert part.file_size > 90 * 2**20  # ... whose sheet is about 94 MB ...
    assert part.file_size / part.compress_size < 100  # ... at a ratio the gate lets through
    before = _counts()
    tracemalloc.start()
    try:
        response = _upload(focal, content)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert response.status_code == 422
    html = response.content.decode()
    assert "Tệp Excel quá lớn để kiểm tra" in html and "xl/worksheets/sheet1.xml" in html
    assert "tối đa 10,0 MB" in html and "Chưa có gì được lưu." in html
    assert _unchanged(before)
    # The request holds the uploaded file and little else: nothing of the 94 MB was unpacked.
    assert peak < 30 * 2**20, peak


def _rows(count: int, code: str = "9.9", extra: str = ""):
    """Rows with an unknown indicator code in column A (and a cell in column `extra`)."""

    def write(stream) -> None:
        for number in range(2, count + 2):
            far = f'<c r="{extra}{number}"><v>1</v></c>' if extra else ""
            stream.write(
                f'<row r="{number}"><c r="A{number}" t="inlineStr"><is><t>{code}</t></is></c>'
                f"{far}</row>".encode()
            )

    return write


def test_rows_past_the_cap_stop_the_read_even_when_the_sheet_lies_about_its_size(
    focal, settings
) -> None:
    settings.OPENDTI_XLSX_MAX_ROWS = 60
    before = _counts()
    # The sheet declares ten rows and holds two hundred: the read counts, it does not trust.
    response = _upload(focal, _with_sheet(_template(focal), _rows(200), dimension="A1:J10"))
    assert response.status_code == 422
    assert "có hơn 60 dòng" in response.content.decode()
    assert _unchanged(before)
    # A sheet that declares more than the cap is refused before a row is read.
    response = _upload(focal, _with_sheet(_template(focal), _rows(1), dimension="A1:J100000"))
    assert "khai báo 100000 dòng × 10 cột" in response.content.decode()


def test_data_past_the_column_cap_is_refused(focal) -> None:
    response = _upload(focal, _with_sheet(_template(focal), _rows(3, extra="AZ")))
    assert response.status_code == 422
    assert "có dữ liệu ở cột AZ, ngoài 30 cột" in response.content.decode()


def test_cells_past_the_cap_are_refused(focal, settings) -> None:
    settings.OPENDTI_XLSX_MAX_CELLS = 100
    response = _upload(focal, _with_sheet(_template(focal), _rows(80, extra="J")))
    assert response.status_code == 422
    assert "có hơn 100 ô" in response.content.decode()


def test_the_check_stops_after_the_first_hundred_errors(focal) -> None:
    before = _counts()
    response = _upload(focal, _with_sheet(_template(focal), _rows(500)))
    assert response.status_code == 422
    html = response.content.decode()
    problems = re.findall(r"<li>Dòng (\d+), cột A: mã chỉ số “9.9” không có trong phiếu", html)
    assert len(problems) == 100 and problems[0] == "2" and problems[-1] == "101"
    assert "Tệp có 100 lỗi" in html
    assert "Đã dừng kiểm tra ở dòng 102 sau 100 lỗi đầu tiên" in html
    assert _unchanged(before)


def test_a_read_past_the_time_limit_is_refused(focal, settings) -> None:
    # A limit already passed when the first row is read: refused on the first row, whatever the
    # machine's speed (a real limit is seconds; this checks that the clock is consulted).
    settings.OPENDTI_XLSX_MAX_SECONDS = -1
    response = _upload(focal, _template(focal))
    assert response.status_code == 422
    assert "đọc quá -1 giây" in response.content.decode()
