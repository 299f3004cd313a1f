"""The evidence upload gate: accepted files are stored under generated names; every refused file
gets a clear message and leaves nothing in storage."""

from __future__ import annotations

import hashlib
import io
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile

from opendti.assessments.uploads import (
    CheckedUpload,
    UploadRejected,
    upload_check,
    upload_open,
    upload_store,
)
from opendti.config.settings.base import file_storage
from opendti.core.storage import LocalStorage

MAX = 20 * 1024 * 1024
NOT_ACCEPTED = "Loại tệp không được chấp nhận: chỉ nhận PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP"
BAD_NAME = "Tên tệp không hợp lệ"
UNSAFE_ZIP = "Tệp bị từ chối vì cấu trúc nén không an toàn"
CORRUPT = "Tệp bị hỏng hoặc không đọc được"

# --- real files, built here -------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\xff\xff")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


PNG = _png()
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00\x2f\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Báo cáo chuyển đổi số</w:t></w:r></w:p></w:body></w:document>"
)


def _content_types(main: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main}"/></Types>'
    )


def _zip(entries: dict[str, str | bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _docx(main: str = DOCX_MAIN, **extra: str | bytes) -> bytes:
    return _zip(
        {
            "[Content_Types].xml": _content_types(main),
            "_rels/.rels": '<?xml version="1.0"?><Relationships/>',
            "word/document.xml": DOCUMENT,
            **extra,
        }
    )


def _xlsx() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "Chỉ số"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DOCX = _docx()
XLSX = _xlsx()


def _understated(data: bytes, member: str, declared: int) -> bytes:
    """The archive with one entry's uncompressed size in the central directory made smaller."""
    patched = bytearray(data)
    at = patched.find(b"PK\x01\x02")
    while at != -1:
        name_length = struct.unpack_from("<H", patched, at + 28)[0]
        if patched[at + 46 : at + 46 + name_length] == member.encode():
            struct.pack_into("<I", patched, at + 24, declared)
        at = patched.find(b"PK\x01\x02", at + 4)
    return bytes(patched)


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A DOCX in appearance holding 200 MB of zeros (about 200 KB on disk), written streaming."""
    path = tmp_path_factory.mktemp("bomb") / "bao-cao.docx"
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _content_types(DOCX_MAIN))
        archive.writestr("word/document.xml", DOCUMENT)
        with archive.open("word/media/image1.bin", mode="w", force_zip64=True) as entry:
            for _ in range(200):
                entry.write(zeros)
    return path


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return tmp_path / "evidence"


def local(root: Path) -> LocalStorage:
    """The evidence storage as the settings make it, on local disk at root."""
    return storages.create_storage(file_storage("local", root, "evidence"))


def read(name: str, root: Path) -> bytes:
    with upload_open(name, storage=local(root)) as handle:
        return handle.read()


def check_then_store(
    data: bytes, name: str, root: Path, max_bytes: int = MAX, **options: int
) -> tuple[CheckedUpload, str]:
    """What a view does: the gate, then storage only for what passed."""
    file = io.BytesIO(data)
    checked = upload_check(file, name=name, max_bytes=max_bytes, **options)
    return checked, upload_store(file, checked, storage=local(root))


def assert_refused(data: bytes, name: str, root: Path, fragment: str, **options: int) -> str:
    with pytest.raises(UploadRejected) as refused:
        check_then_store(data, name, root, **options)
    message = str(refused.value)
    assert fragment in message
    assert not root.exists() or not any(root.rglob("*")), "a refused file left something behind"
    return message


# --- accepted ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "name", "kind", "content_type", "extension"),
    [
        (PDF, "Báo cáo năm 2024.pdf", "pdf", "application/pdf", ".pdf"),
        (
            DOCX,
            "Kế hoạch.docx",
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
        (
            XLSX,
            "Số liệu.XLSX",
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ".xlsx",
        ),
        (PNG, "ảnh chụp.png", "png", "image/png", ".png"),
        (JPEG, "scan.jpeg", "jpeg", "image/jpeg", ".jpg"),
        (GIF, "so-do.gif", "gif", "image/gif", ".gif"),
        (WEBP, "man-hinh.webp", "webp", "image/webp", ".webp"),
    ],
)
def test_accepted_file_is_described_and_stored_under_a_generated_name(
    root: Path, data: bytes, name: str, kind: str, content_type: str, extension: str
) -> None:
    checked, relative = check_then_store(data, name, root)

    sha256 = hashlib.sha256(data).hexdigest()
    assert checked == CheckedUpload(
        original_name=name,
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(data),
        sha256=sha256,
    )
    assert re.fullmatch(rf"{sha256[:2]}/[0-9a-f]{{32}}{re.escape(extension)}", relative)
    with upload_open(relative, storage=local(root)) as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == sha256
    stored = root / relative
    assert [p.name for p in stored.parent.iterdir()] == [stored.name], "no temporary file left"
    assert stored.parent.stat().st_mode & 0o027 == 0, "folders closed to other users"


def test_django_uploaded_file_is_accepted(root: Path) -> None:
    upload = SimpleUploadedFile("Biên bản.pdf", PDF, content_type="application/octet-stream")
    checked = upload_check(upload, name=upload.name, max_bytes=MAX)
    relative = upload_store(upload, checked, storage=local(root))
    assert checked.kind == "pdf"
    assert read(relative, root) == PDF


def test_name_is_kept_nfc_normalised_and_trimmed(root: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "  Báo cáo tổng hợp.pdf ")
    checked, _ = check_then_store(PDF, decomposed, root)
    assert checked.original_name == "Báo cáo tổng hợp.pdf"


def test_same_content_twice_is_stored_twice(root: Path) -> None:
    _, first = check_then_store(PDF, "a.pdf", root)
    _, second = check_then_store(PDF, "b.pdf", root)
    assert first != second
    assert read(first, root) == read(second, root)


# --- refused: type checked by content, not by name -------------------------------------------


@pytest.mark.parametrize(
    ("data", "name"),
    [
        pytest.param(EXE, "report.pdf", id="renamed-executable"),
        pytest.param(ELF, "bao-cao.docx", id="elf-renamed-docx"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", "ghi-chu.pdf", id="script"),
        pytest.param(b"<html><script>alert(1)</script></html>", "anh.png", id="html"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "cu.docx", id="old-doc"),
        pytest.param(_zip({"readme.txt": "xin chào"}), "bao-cao.docx", id="plain-zip"),
        pytest.param(_zip({}), "bao-cao.xlsx", id="empty-zip"),
        pytest.param(_docx(main=DOCM_MAIN), "bao-cao.docx", id="macro-enabled-docm"),
        pytest.param(
            _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": DOCUMENT}),
            "bao-cao.docx",
            id="docx-parts-without-docx-content-type",
        ),
    ],
)
def test_content_that_is_not_an_accepted_type_is_refused(
    root: Path, data: bytes, name: str
) -> None:
    assert_refused(data, name, root, NOT_ACCEPTED)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (PDF, "so-lieu.xlsx", "nội dung là PDF, hãy đặt tên tệp có đuôi .pdf"),
        (DOCX, "bao-cao.pdf", "nội dung là DOCX, hãy đặt tên tệp có đuôi .docx"),
        (XLSX, "so-lieu.docx", "nội dung là XLSX, hãy đặt tên tệp có đuôi .xlsx"),
        (PNG, "anh.jpg", "nội dung là PNG, hãy đặt tên tệp có đuôi .png"),
        (PNG, "anh-khong-duoi", "nội dung là PNG, hãy đặt tên tệp có đuôi .png"),
    ],
)
def test_name_contradicting_the_content_is_refused(
    root: Path, data: bytes, name: str, message: str
) -> None:
    assert_refused(data, name, root, "Đuôi tên tệp không khớp với nội dung: " + message)


# --- refused: size ----------------------------------------------------------------------------


def test_oversized_file_is_refused_with_the_limit(root: Path) -> None:
    assert_refused(PDF + bytes(2048), "lon.pdf", root, "Tệp vượt quá giới hạn 1 KB", max_bytes=1024)


def test_limit_is_inclusive_and_one_byte_over_is_refused(root: Path) -> None:
    data = PDF + bytes(1024 * 1024 - len(PDF) + 1)
    assert_refused(data, "lon.pdf", root, "Tệp vượt quá giới hạn 1 MB", max_bytes=1024 * 1024)
    checked, _ = check_then_store(data[:-1], "vua.pdf", root, max_bytes=1024 * 1024)
    assert checked.size == 1024 * 1024


class EndlessPdf(io.RawIOBase):
    """A PDF header followed by zeros that never end: the gate must stop reading at the limit."""

    def __init__(self) -> None:
        self.served = 0

    def readable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = 0) -> int:
        self.served = 0
        return 0

    def read(self, size: int = -1) -> bytes:
        size = 65536 if size is None or size < 0 else size
        self.served += size
        return (b"%PDF-" + bytes(size - 5)) if self.served == size else bytes(size)


def test_oversized_stream_is_not_read_to_the_end() -> None:
    endless = EndlessPdf()
    with pytest.raises(UploadRejected, match="Tệp vượt quá giới hạn 20 MB"):
        upload_check(endless, name="vo-tan.pdf", max_bytes=MAX)
    assert endless.served <= MAX + 65536


def test_empty_file_is_refused(root: Path) -> None:
    assert_refused(b"", "rong.pdf", root, "Tệp rỗng (0 byte)")


# --- refused: names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\x.pdf",
        "a/b.pdf",
        "/etc/passwd.pdf",
        "C:\\Windows\\report.pdf",
        "bao-cao\x00.pdf",
        "bao-cao\n.pdf",
        "hoa-don\u202efdp.exe",  # right-to-left override: shows as "hoa-donexe.pdf"
        "",
        "   ",
        "..",
        "a" * 197 + ".pdf",
    ],
)
def test_name_that_is_not_a_plain_file_name_is_refused(root: Path, name: str) -> None:
    message = assert_refused(PDF, name, root, BAD_NAME)
    assert "\x00" not in message and "\u202e" not in message and "passwd" not in message


def test_longest_allowed_name_is_accepted(root: Path) -> None:
    name = "a" * 196 + ".pdf"
    assert check_then_store(PDF, name, root)[0].original_name == name


# --- refused: archives ------------------------------------------------------------------------


def test_zip_bomb_disguised_as_docx_is_refused(root: Path, zip_bomb: Path) -> None:
    assert zip_bomb.stat().st_size < MAX
    data = zip_bomb.read_bytes()
    message = assert_refused(data, "bao-cao.docx", root, UNSAFE_ZIP)
    assert "tỉ lệ nén bất thường" in message


def test_zip_bomb_read_from_a_file_on_disk_is_refused(zip_bomb: Path) -> None:
    # Django hands large uploads over as a temporary file on disk rather than in memory.
    with zip_bomb.open("rb") as file, pytest.raises(UploadRejected, match=UNSAFE_ZIP):
        upload_check(file, name="bao-cao.docx", max_bytes=MAX)


def test_docx_larger_than_the_unpacked_budget_is_refused(root: Path) -> None:
    data = _docx(**{"word/media/image1.png": os.urandom(20_000)})
    assert_refused(
        data, "bao-cao.docx", root, "dung lượng sau giải nén vượt quá 8 KB", max_unpacked_bytes=8192
    )


def test_docx_with_too_many_entries_is_refused(root: Path) -> None:
    data = _docx(**{f"word/media/{i}.xml": "" for i in range(10_001)})
    assert_refused(data, "bao-cao.docx", root, "có hơn 10.000 thành phần")


@pytest.mark.parametrize("member", ["../../evil.sh", "word/../../evil.sh", "/etc/cron.d/x"])
def test_docx_with_escaping_entry_paths_is_refused(root: Path, member: str) -> None:
    data = _docx(**{member: "x"})
    assert_refused(data, "bao-cao.docx", root, "đường dẫn tuyệt đối hoặc “..”")


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"PK\x03\x04" + os.urandom(2000), id="garbage-after-signature"),
        pytest.param(DOCX[: len(DOCX) // 2], id="truncated"),
        pytest.param(
            _understated(
                _docx(**{"word/document.xml": DOCUMENT + " " * 50_000}), "word/document.xml", 100
            ),
            id="lying-header",
        ),
    ],
)
def test_corrupt_docx_is_refused(root: Path, data: bytes) -> None:
    assert_refused(data, "bao-cao.docx", root, CORRUPT)


# --- storage ----------------------------------------------------------------------------------


def test_store_refuses_content_changed_after_the_check(root: Path) -> None:
    file = io.BytesIO(PDF)
    checked = upload_check(file, name="a.pdf", max_bytes=MAX)
    file.seek(0, io.SEEK_END)
    file.write(b"%injected")
    with pytest.raises(UploadRejected, match="Tệp đã thay đổi"):
        upload_store(file, checked, storage=local(root))
    assert not [p for p in root.rglob("*") if p.is_file()]


def test_open_refuses_paths_outside_the_root(root: Path, tmp_path: Path) -> None:
    _, relative = check_then_store(PDF, "a.pdf", root)
    (tmp_path / "x").write_text("outside")
    (root / "link.pdf").symlink_to(tmp_path / "x")
    for bad in [
        "../x",
        f"{relative[:2]}/../../x",
        str(tmp_path / "x"),
        "/etc/passwd",
        "link.pdf",
        "",
        relative[:2],
        "ab/missing.pdf",
        "bad\x00name",
    ]:
        with pytest.raises(FileNotFoundError):
            upload_open(bad, storage=local(root))
    assert read(relative, root) == PDF
