"""Where files are kept: Django's storage API (settings.STORAGES), on local disk by default or in
any S3-compatible store (django-storages). The named storages are "evidence" (uploaded evidence
files) and "reports" (generated report files); both stay outside the web root and are served only
through views that check permissions first.

`LocalStorage` is Django's file-system storage that never shows half a file: the bytes are
written aside and renamed into place, so a process killed while writing leaves no partial file
under the stored name. `file_response` serves a stored file: streamed from local disk, or a
redirect to a short-lived signed URL when the store can give one (S3).
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.http import FileResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

EVIDENCE = "evidence"
REPORTS = "reports"


def storage(alias: str) -> Storage:
    return storages[alias]


class _Written:
    """A finished file on disk that FileSystemStorage may move into place (its own fast path for
    uploads Django already wrote to a temporary file)."""

    def __init__(self, path: str) -> None:
        self._path = path

    def temporary_file_path(self) -> str:
        return self._path


class LocalStorage(FileSystemStorage):
    """File-system storage whose files appear whole or not at all, and whose names never reach
    outside its folder, not even through a symbolic link."""

    def path(self, name: str) -> str:
        path = super().path(name)  # refuses "..", absolute names
        base = os.path.realpath(self.location)
        real = os.path.realpath(path)
        if real != base and not real.startswith(base + os.sep):
            raise SuspiciousFileOperation(f"{name!r} leaves the storage")
        return path

    def _save(self, name: str, content: Any) -> str:
        if hasattr(content, "temporary_file_path"):
            return super()._save(name, content)  # type: ignore[misc]  # moved into place
        directory = os.path.dirname(self.path(name))
        os.makedirs(directory, mode=self.directory_permissions_mode or 0o777, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".", suffix=".part")
        try:
            with os.fdopen(descriptor, "wb") as out:
                for chunk in content.chunks():
                    out.write(chunk.encode() if isinstance(chunk, str) else chunk)
                out.flush()
                os.fsync(out.fileno())
            return super()._save(name, _Written(temporary))  # type: ignore[misc]
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)


class HashingFile(File):
    """A file whose SHA-256 is computed from the bytes the storage reads while saving it, so that
    what was stored can be compared with what was checked without reading it twice."""

    def __init__(self, file: Any, name: str | None = None) -> None:
        super().__init__(file, name)
        self._digest = hashlib.sha256()
        self._complete = True

    def read(self, *args: Any) -> bytes:
        assert self.file is not None
        data = self.file.read(*args)
        self._digest.update(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        assert self.file is not None
        position = self.file.seek(offset, whence)
        # Read again from the start: count again. Any other jump leaves the digest unknown.
        self._digest = hashlib.sha256()
        self._complete = position == 0
        return position

    def sha256(self) -> str | None:
        """The digest of the bytes read from the start, or None if the reader jumped about."""
        return self._digest.hexdigest() if self._complete else None


def stored_sha256(store: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with store.open(name, "rb") as handle:
        for chunk in handle.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def is_local(store: Storage) -> bool:
    return isinstance(store, FileSystemStorage)


def stored_exists(store: Storage, name: str) -> bool:
    """Whether a stored name exists, False for a name that would leave the storage."""
    try:
        if not name:
            return False
        if is_local(store):
            return os.path.isfile(store.path(name))  # a folder is not a stored file
        return bool(store.exists(name))
    except (SuspiciousFileOperation, ValueError):
        return False


def file_response(
    store: Storage, name: str, *, filename: str, content_type: str
) -> HttpResponseBase:
    """The download of a stored file, once the caller has checked the permission: streamed from
    local disk, or a redirect to a signed URL valid for OPENDTI_S3_URL_SECONDS that makes the
    store answer with the same name and type as an attachment. FileNotFoundError when the file is
    missing or the name leaves the storage (the same answer either way)."""
    if not stored_exists(store, name):
        raise FileNotFoundError(name)
    response: HttpResponseBase
    if is_local(store):
        response = FileResponse(
            store.open(name, "rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    else:
        disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
        url = store.url(  # type: ignore[call-arg]
            name,
            parameters={
                "ResponseContentDisposition": disposition,
                "ResponseContentType": content_type,
            },
            expire=settings.OPENDTI_S3_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
