"""The gate for evidence files (tài liệu kiểm chứng): what may be uploaded, and where it is kept.

`upload_check` decides from the bytes, never from the name, whether a file is one of the accepted
types (PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP), within the size limit, under a plain file name and,
for the ZIP-based office files, not a zip bomb. `upload_store` writes an accepted file outside the
web root, through the storage API, under a generated name; `upload_open` opens a stored name
without ever leaving the storage. Nothing here touches the database.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePosixPath
from typing import BinaryIO, NoReturn

from django.core.files import File
from django.core.files.storage import Storage
from django.utils.translation import gettext as _

from opendti import numbers
from opendti.core.storage import HashingFile, stored_exists, stored_sha256

CHUNK = 64 * 1024
MAX_NAME_LENGTH = 200
MAX_ZIP_ENTRIES = 10_000
MAX_COMPRESSION_RATIO = 100
# Below this an entry's ratio is harmless whatever it is (small XML parts compress very well).
RATIO_FLOOR = 1024 * 1024
DEFAULT_MAX_UNPACKED = 100 * 1024 * 1024
# [Content_Types].xml is read into memory; a real one is a few kilobytes.
MAX_CONTENT_TYPES = 1024 * 1024


@dataclass(frozen=True)
class _Kind:
    label: str
    content_type: str
    extensions: tuple[str, ...]  # the first one is used when storing


_OOXML = "application/vnd.openxmlformats-officedocument."
KINDS: dict[str, _Kind] = {
    "pdf": _Kind("PDF", "application/pdf", (".pdf",)),
    "docx": _Kind("DOCX", _OOXML + "wordprocessingml.document", (".docx",)),
    "xlsx": _Kind("XLSX", _OOXML + "spreadsheetml.sheet", (".xlsx",)),
    "png": _Kind("PNG", "image/png", (".png",)),
    "jpeg": _Kind("JPEG", "image/jpeg", (".jpg", ".jpeg", ".jpe")),
    "gif": _Kind("GIF", "image/gif", (".gif",)),
    "webp": _Kind("WEBP", "image/webp", (".webp",)),
}

# The office kinds: their main part, and the content type [Content_Types].xml must give it (this
# also turns away the macro-enabled .docm/.xlsm, whose main part has another content type).
_OFFICE: dict[str, tuple[str, bytes]] = {
    "docx": ("word/document.xml", f"{_OOXML}wordprocessingml.document.main+xml".encode()),
    "xlsx": ("xl/workbook.xml", f"{_OOXML}spreadsheetml.sheet.main+xml".encode()),
}


class UploadRejected(Exception):
    """A file refused at the gate; str(exc) is the message for the user."""


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str
    kind: str  # one of KINDS
    content_type: str
    extension: str  # with the dot, lower case: the one the stored file gets
    size: int
    sha256: str


def upload_check(
    file: BinaryIO, *, name: str, max_bytes: int, max_unpacked_bytes: int | None = None
) -> CheckedUpload:
    """Check an uploaded file (seekable: Django's uploaded files are); raise UploadRejected with
    the reason, or describe the file. Archives may unpack to at most max_unpacked_bytes (by
    default 50 × max_bytes, and never more than 100 MB)."""
    clean_name = _clean_name(name)
    digest = hashlib.sha256()
    size = 0
    head = b""
    file.seek(0)
    while chunk := file.read(CHUNK):
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(
                _("Tệp vượt quá giới hạn %(limit)s: hãy nén ảnh hoặc chia nhỏ tệp rồi tải lên.")
                % {"limit": _size_text(max_bytes)}
            )
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
    if size == 0:
        raise UploadRejected(_("Tệp rỗng (0 byte): hãy chọn lại tệp."))

    kind = _sniff(head)
    if kind == "zip":
        if max_unpacked_bytes is None:
            max_unpacked_bytes = min(DEFAULT_MAX_UNPACKED, 50 * max_bytes)
        file.seek(0)
        kind = _office_kind(file, max_unpacked_bytes)
    if kind is None:
        raise UploadRejected(
            _("Loại tệp không được chấp nhận: chỉ nhận PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP.")
        )

    spec = KINDS[kind]
    extension = os.path.splitext(clean_name)[1].lower()
    if extension not in spec.extensions:
        raise UploadRejected(
            _(
                "Đuôi tên tệp không khớp với nội dung: nội dung là %(label)s, "
                "hãy đặt tên tệp có đuôi %(extension)s."
            )
            % {"label": spec.label, "extension": spec.extensions[0]}
        )
    return CheckedUpload(
        original_name=clean_name,
        kind=kind,
        content_type=spec.content_type,
        extension=spec.extensions[0],
        size=size,
        sha256=digest.hexdigest(),
    )


def upload_store(file: BinaryIO, checked: CheckedUpload, *, storage: Storage) -> str:
    """Keep a checked file in the storage under a generated name; return the stored name."""
    name = f"{checked.sha256[:2]}/{uuid.uuid4().hex}{checked.extension}"
    content = HashingFile(file)
    content.seek(0)
    stored = storage.save(name, content)
    # The bytes stored must be the bytes checked (the file object could have changed since).
    digest = content.sha256() or stored_sha256(storage, stored)
    if digest != checked.sha256:
        storage.delete(stored)
        raise UploadRejected(_("Tệp đã thay đổi trong khi tải lên: hãy tải lên lại."))
    return stored


def upload_open(name: str, *, storage: Storage) -> File:
    """The stored file of a name, open for reading; FileNotFoundError for anything outside the
    storage or missing (the same answer either way, so a probe learns nothing)."""
    if not stored_exists(storage, name):
        raise FileNotFoundError(name)
    return storage.open(name, "rb")


def _clean_name(name: str) -> str:
    """The name as kept (NFC, trimmed), or UploadRejected if it is not a plain file name. The
    message never repeats the name: it may hold characters unsafe to show."""
    clean = unicodedata.normalize("NFC", name or "").strip()
    if not clean or set(clean) <= {"."}:
        raise UploadRejected(_("Tên tệp không hợp lệ: tên tệp trống, hãy đặt tên cho tệp."))
    if len(clean) > MAX_NAME_LENGTH:
        raise UploadRejected(
            _("Tên tệp không hợp lệ: dài quá %(max)d ký tự, hãy đặt tên ngắn hơn.")
            % {"max": MAX_NAME_LENGTH}
        )
    # Category C: control, format (e.g. right-to-left override), surrogate, private, unassigned.
    if "/" in clean or "\\" in clean or any(unicodedata.category(c)[0] == "C" for c in clean):
        raise UploadRejected(
            _(
                "Tên tệp không hợp lệ: tên tệp không được chứa đường dẫn (/ hoặc \\) hay ký tự "
                "điều khiển, hãy đổi tên tệp rồi tải lên lại."
            )
        )
    return clean


def _sniff(head: bytes) -> str | None:
    """The kind from the first bytes ("zip" when the archive still has to be looked into)."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return "zip"
    return None


def _office_kind(file: BinaryIO, max_unpacked_bytes: int) -> str | None:
    """The office kind of a safe archive, or None for any other ZIP; UploadRejected for a corrupt
    archive or a zip bomb. The file must be seekable (Django's uploaded files are)."""
    try:
        with zipfile.ZipFile(file) as archive:
            entries = archive.infolist()
            _check_entries(entries, max_unpacked_bytes)
            names = {entry.filename for entry in entries}
            kind = next(
                (k for k, (main, _t) in _OFFICE.items() if {main, "[Content_Types].xml"} <= names),
                None,
            )
            if kind is None:
                return None
            main, content_type = _OFFICE[kind]
            # Declared sizes can lie: decompress the parts we rely on, within the budget.
            types = _read_capped(
                archive, "[Content_Types].xml", min(MAX_CONTENT_TYPES, max_unpacked_bytes)
            )
            _read_capped(archive, main, max_unpacked_bytes - len(types), keep=False)
            return kind if content_type in types else None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise UploadRejected(
            _(
                "Tệp bị hỏng hoặc không đọc được (cấu trúc nén không hợp lệ): hãy mở tệp, "
                "lưu lại rồi tải lên lần nữa."
            )
        ) from exc


def _check_entries(entries: list[zipfile.ZipInfo], max_unpacked_bytes: int) -> None:
    if len(entries) > MAX_ZIP_ENTRIES:
        _unsafe(_("có hơn %(max)s thành phần") % {"max": numbers.vi(MAX_ZIP_ENTRIES)})
    for entry in entries:
        parts = PurePosixPath(entry.filename.replace("\\", "/")).parts
        first = parts[0] if parts else ""
        if first.startswith("/") or ":" in first or ".." in parts:
            _unsafe(_("có thành phần mang đường dẫn tuyệt đối hoặc “..”"))
        if (
            entry.file_size > RATIO_FLOOR
            and entry.file_size > MAX_COMPRESSION_RATIO * entry.compress_size
        ):
            _unsafe(_("tỉ lệ nén bất thường"))
    if sum(entry.file_size for entry in entries) > max_unpacked_bytes:
        _unsafe(
            _("dung lượng sau giải nén vượt quá %(limit)s")
            % {"limit": _size_text(max_unpacked_bytes)}
        )


def _read_capped(archive: zipfile.ZipFile, member: str, budget: int, *, keep: bool = True) -> bytes:
    kept = bytearray()
    total = 0
    with archive.open(member) as stream:
        while chunk := stream.read(CHUNK):
            total += len(chunk)
            if total > budget:
                _unsafe(_("dung lượng sau giải nén vượt quá giới hạn"))
            if keep:
                kept += chunk
    return bytes(kept)


def _unsafe(reason: str) -> NoReturn:
    raise UploadRejected(
        _(
            "Tệp bị từ chối vì cấu trúc nén không an toàn (%(reason)s): hãy mở tệp bằng Word hoặc "
            "Excel, lưu lại rồi tải lên lần nữa."
        )
        % {"reason": reason}
    )


def _size_text(size: int) -> str:
    """A size for people: "20 MB", "1,5 MB", "1 KB" (a decimal comma, as written in Vietnamese)."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{numbers.vi(Decimal(size) / factor, 1, trim=True)} {unit}"
    return f"{numbers.vi(size)} byte"
