"""Evidence (tài liệu kiểm chứng): files, links and document references backing indicators; the
upload gate through the services and the web view; who may download a stored file."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from opendti.assessments.evidence import (
    evidence_add_document,
    evidence_add_file,
    evidence_add_link,
    evidence_confirm,
)
from opendti.assessments.models import Change, Evidence, EvidenceLink
from opendti.assessments.services import index_assign
from opendti.frameworks.models import Node
from tests.login import login

from .conftest import OPEN, OTHER_UNIT, UNIT

WORKSPACE = f"/ky/{OPEN}/don-vi/{UNIT}/"
ADD = WORKSPACE + "tai-lieu/"
NOT_ACCEPTED = "Loại tệp không được chấp nhận: chỉ nhận PDF, DOCX, XLSX, PNG, JPEG, GIF, WEBP."
UNSAFE_ZIP = "Tệp bị từ chối vì cấu trúc nén không an toàn"
BAD_NAME = "Tên tệp không hợp lệ: tên tệp không được chứa đường dẫn"
BAD_URL = "Đường dẫn phải bắt đầu bằng http:// hoặc https://."


def _pdf() -> bytes:
    """A small, well-formed one-page PDF (with a correct cross-reference table)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


PDF = _pdf()
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"PE\x00\x00"
DOCX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Override PartName="/word/document.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


@pytest.fixture
def root(file_storages) -> Path:
    return file_storages["evidence"]


@pytest.fixture
def zip_bomb(tmp_path) -> Path:
    """A DOCX-looking archive whose document part unpacks to 64 MB of zeros, written in chunks
    (the archive itself is some 64 KB)."""
    path = tmp_path / "bao-cao.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            chunk = bytes(1024 * 1024)
            for _ in range(64):
                part.write(chunk)
    return path


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def add_file(submission, data: bytes, name: str, nodes: list[Node], actor, **extra) -> Evidence:
    return evidence_add_file(
        submission=submission,
        file=io.BytesIO(data),
        name=name,
        title=extra.pop("title", ""),
        nodes=nodes,
        actor=actor,
        **extra,
    )


# --- files -----------------------------------------------------------------------------------------


def test_file_is_stored_under_a_generated_name_and_backs_several_indicators(
    submission, node, demo, root
):
    nodes = [node("1.1"), node("2.1"), node("2.2")]
    evidence = add_file(
        submission,
        PDF,
        "Quyết định 25-QĐ phân công.pdf",
        nodes,
        demo.daumoi,
        title="Quyết định phân công lãnh đạo",
        doc_date=datetime.date(2026, 2, 3),
    )
    evidence.refresh_from_db()
    assert evidence.kind == Evidence.Kind.FILE
    assert evidence.title == "Quyết định phân công lãnh đạo"
    assert evidence.original_name == "Quyết định 25-QĐ phân công.pdf"
    assert evidence.content_type == "application/pdf"
    assert evidence.size == len(PDF)
    assert evidence.sha256 == hashlib.sha256(PDF).hexdigest()
    assert evidence.doc_date == datetime.date(2026, 2, 3)
    assert evidence.created_by == demo.daumoi
    # A generated name under the evidence root, nothing of the user's name in it.
    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{32}\.pdf", evidence.storage_path)
    assert evidence.storage_path.startswith(evidence.sha256[:2])
    (path,) = stored_files(root)
    assert path == root / evidence.storage_path
    assert path.read_bytes() == PDF
    # One item, three links, a history row for each.
    assert Evidence.objects.filter(submission=submission).count() == 1
    assert set(evidence.links.values_list("node__code", flat=True)) == {"1.1", "2.1", "2.2"}
    rows = Change.objects.filter(submission=submission, kind=Change.Kind.EVIDENCE)
    assert sorted(rows.values_list("node__code", "field", "before", "after")) == [
        (code, "link", "", "Quyết định phân công lãnh đạo") for code in ("1.1", "2.1", "2.2")
    ]
    assert {row.actor for row in rows} == {demo.daumoi}


def test_file_without_a_title_is_titled_by_its_name(submission, node, demo, root):
    evidence = add_file(submission, PDF, "ke-hoach.pdf", [node("2.1")], demo.daumoi)
    assert evidence.title == "ke-hoach.pdf"


def _oversized() -> bytes:
    return PDF + b"%" + b"0" * (1024 * 1024 - len(PDF))  # 1 MB and one byte


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("quyet-dinh.pdf", lambda: EXE, NOT_ACCEPTED),  # an executable renamed to .pdf
        ("bao-cao.docx", lambda: b"\x7fELF\x02\x01\x01\x00" + bytes(56), NOT_ACCEPTED),
        ("ke-hoach.pdf", _oversized, "Tệp vượt quá giới hạn 1 MB"),
        ("../../x.pdf", lambda: PDF, BAD_NAME),
        ("..\\..\\x.pdf", lambda: PDF, BAD_NAME),
        ("anh.png", lambda: PDF, "Đuôi tên tệp không khớp với nội dung"),
        ("trong.pdf", lambda: b"", "Tệp rỗng (0 byte)"),
    ],
)
def test_refused_file_leaves_nothing(
    submission, node, demo, root, settings, name, content, message
):
    settings.OPENDTI_EVIDENCE_MAX_MB = 1
    with pytest.raises(ValidationError) as excinfo:
        add_file(submission, content(), name, [node("1.1")], demo.daumoi)
    assert excinfo.value.messages[0].startswith(message)
    assert not Evidence.objects.exists()
    assert not Change.objects.filter(submission=submission).exists()
    assert stored_files(root) == []


def test_file_at_the_limit_is_accepted(submission, node, demo, root, settings):
    settings.OPENDTI_EVIDENCE_MAX_MB = 1
    data = _oversized()[:-1]
    evidence = add_file(submission, data, "ke-hoach.pdf", [node("1.1")], demo.daumoi)
    assert evidence.size == 1024 * 1024


def test_zip_bomb_disguised_as_docx_is_refused(submission, node, demo, root, zip_bomb):
    assert zip_bomb.stat().st_size < 1024 * 1024
    with zip_bomb.open("rb") as file, pytest.raises(ValidationError) as excinfo:
        evidence_add_file(
            submission=submission,
            file=file,
            name=zip_bomb.name,
            title="",
            nodes=[node("1.1")],
            actor=demo.daumoi,
        )
    assert excinfo.value.messages[0].startswith(UNSAFE_ZIP)
    assert not Evidence.objects.exists()
    assert stored_files(root) == []


@pytest.mark.parametrize("who", ["lanhdao", "daumoi2", "dieuphoi"])
def test_only_the_focal_point_adds_evidence(submission, node, demo, root, who):
    with pytest.raises(PermissionDenied):
        add_file(submission, PDF, "a.pdf", [node("1.1")], getattr(demo, who))
    assert not Evidence.objects.exists()
    assert stored_files(root) == []


def test_evidence_is_refused_after_the_deadline(submission, node, demo, root, close_phase, reload):
    close_phase()
    with pytest.raises(PermissionDenied):
        add_file(reload(submission), PDF, "a.pdf", [node("1.1")], demo.daumoi)
    assert stored_files(root) == []


def test_contributor_adds_evidence_for_the_index_handed_to_him(submission, node, demo, contributor):
    index_assign(submission=submission, node=node("1"), user=contributor, actor=demo.daumoi)
    evidence = evidence_add_link(
        submission=submission,
        url="https://hoabinh.example.vn/tuyen-truyen",
        title="Tin tuyên truyền",
        nodes=[node("1.2")],
        actor=contributor,
    )
    assert list(evidence.links.values_list("node__code", flat=True)) == ["1.2"]
    with pytest.raises(PermissionDenied):
        evidence_add_link(
            submission=submission,
            url="https://hoabinh.example.vn/ke-hoach",
            title="Kế hoạch",
            nodes=[node("1.2"), node("2.1")],
            actor=contributor,
        )
    assert Evidence.objects.filter(submission=submission).count() == 1

    # Items carried over from last year: confirmed by whoever may edit every indicator they back.
    theirs = evidence_add_link(
        submission=submission,
        url="https://hoabinh.example.vn/ke-hoach",
        title="Kế hoạch",
        nodes=[node("2.1")],
        actor=demo.daumoi,
    )
    Evidence.objects.filter(submission=submission).update(carried_over=True)
    evidence_confirm(evidence=evidence, actor=contributor)
    with pytest.raises(PermissionDenied):
        evidence_confirm(evidence=theirs, actor=contributor)
    assert dict(Evidence.objects.values_list("pk", "carried_over")) == {
        evidence.pk: False,
        theirs.pk: True,
    }
    assert (
        Change.objects.filter(
            submission=submission, field="evidence_carried_over", actor=contributor
        ).count()
        == 1
    )


def test_evidence_needs_indicators_of_the_periods_framework(submission, node, demo, root):
    with pytest.raises(ValidationError):
        add_file(submission, PDF, "a.pdf", [], demo.daumoi)
    foreign = Node.objects.exclude(framework=node("1.1").framework).first()
    assert foreign is not None
    with pytest.raises(ValidationError):
        add_file(submission, PDF, "a.pdf", [node("1.1"), foreign], demo.daumoi)
    assert not Evidence.objects.exists()
    assert stored_files(root) == []


# --- links and documents ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(document.cookie)",
        "JavaScript:alert(1)",
        "ftp://files.hoabinh.example.vn/ke-hoach.pdf",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "file:///etc/passwd",
        "hoabinh.example.vn/ke-hoach",
        "",
    ],
)
def test_link_must_be_http_or_https(submission, node, demo, url):
    with pytest.raises(ValidationError) as excinfo:
        evidence_add_link(
            submission=submission, url=url, title="Kế hoạch", nodes=[node("2.1")], actor=demo.daumoi
        )
    assert excinfo.value.messages == [BAD_URL]
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    "url", ["https://hoabinh.example.vn/ke-hoach", "http://dichvucong.example.gov.vn/tthc?id=12"]
)
def test_web_link_is_added(submission, node, demo, url):
    evidence = evidence_add_link(
        submission=submission, url=url, title="", nodes=[node("2.1")], actor=demo.daumoi
    )
    assert (evidence.kind, evidence.url, evidence.title) == (Evidence.Kind.LINK, url, url)
    assert Change.objects.filter(submission=submission, kind=Change.Kind.EVIDENCE).count() == 1


def test_long_link_without_a_title_gets_a_title_that_fits(submission, node, demo):
    url = "https://drive.example.vn/file/d/" + "a" * 400 + "/view?usp=sharing"
    evidence = evidence_add_link(
        submission=submission, url=url, title="", nodes=[node("2.1")], actor=demo.daumoi
    )
    evidence.full_clean()  # every value fits its column (PostgreSQL would refuse it otherwise)
    assert evidence.url == url


def test_link_longer_than_the_column_is_refused(submission, node, demo):
    url = "https://hoabinh.example.vn/" + "a" * 1000
    with pytest.raises(ValidationError):
        evidence_add_link(
            submission=submission, url=url, title="x", nodes=[node("2.1")], actor=demo.daumoi
        )
    assert not Evidence.objects.exists()


@pytest.mark.parametrize(
    ("number", "date"),
    [("", datetime.date(2026, 2, 3)), ("   ", datetime.date(2026, 2, 3)), ("25/QĐ-UBND", None)],
)
def test_document_needs_number_and_date(submission, node, demo, number, date):
    with pytest.raises(ValidationError) as excinfo:
        evidence_add_document(
            submission=submission,
            doc_number=number,
            doc_date=date,
            issuer="UBND xã Hòa Bình",
            summary="Phân công",
            nodes=[node("1.1")],
            actor=demo.daumoi,
        )
    assert excinfo.value.messages == ["Văn bản cần có số và ngày ban hành."]
    assert not Evidence.objects.exists()


def test_document_reference_is_added(submission, node, demo):
    evidence = evidence_add_document(
        submission=submission,
        doc_number=" 25/QĐ-UBND ",
        doc_date=datetime.date(2026, 2, 3),
        issuer="UBND xã Hòa Bình",
        summary="Phân công lãnh đạo phụ trách chuyển đổi số",
        nodes=[node("1.1"), node("2.1")],
        actor=demo.daumoi,
    )
    assert evidence.doc_number == "25/QĐ-UBND"
    assert evidence.title == "25/QĐ-UBND Phân công lãnh đạo phụ trách chuyển đổi số"
    assert EvidenceLink.objects.filter(evidence=evidence).count() == 2


def test_document_with_a_long_summary_gets_a_title_that_fits(submission, node, demo):
    summary = "Về việc ban hành kế hoạch chuyển đổi số " * 20
    evidence = evidence_add_document(
        submission=submission,
        doc_number="25/KH-UBND",
        doc_date=datetime.date(2026, 2, 3),
        issuer="UBND xã Hòa Bình",
        summary=summary,
        nodes=[node("2.1")],
        actor=demo.daumoi,
    )
    evidence.full_clean()
    assert evidence.summary == summary.strip()


@pytest.mark.parametrize(
    ("number", "issuer"), [("25/QĐ-UBND" * 20, "UBND xã"), ("25/QĐ-UBND", "UBND xã " * 60)]
)
def test_document_fields_longer_than_their_columns_are_refused(
    submission, node, demo, number, issuer
):
    with pytest.raises(ValidationError):
        evidence_add_document(
            submission=submission,
            doc_number=number,
            doc_date=datetime.date(2026, 2, 3),
            issuer=issuer,
            summary="",
            nodes=[node("2.1")],
            actor=demo.daumoi,
        )
    assert not Evidence.objects.exists()


# --- through the web ---------------------------------------------------------------------------------


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        login(client, user)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_upload_through_the_page(submission, demo, root):
    response = client_for(demo.daumoi).post(
        ADD,
        {
            "kind": "file",
            "nodes": ["1.1", "2.1"],
            "title": "Quyết định phân công",
            "file": SimpleUploadedFile("qd.pdf", PDF, content_type="application/pdf"),
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == WORKSPACE + "#tai-lieu"
    assert messages_of(response) == ["Đã thêm tài liệu kiểm chứng."]
    evidence = Evidence.objects.get(submission=submission)
    assert set(evidence.links.values_list("node__code", flat=True)) == {"1.1", "2.1"}
    assert [p.read_bytes() for p in stored_files(root)] == [PDF]


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda bomb: SimpleUploadedFile("quyet-dinh.pdf", EXE), NOT_ACCEPTED),
        (lambda bomb: bomb.open("rb"), UNSAFE_ZIP),
    ],
)
def test_refused_upload_through_the_page_shows_why(
    submission, demo, root, zip_bomb, upload, message
):
    file = upload(zip_bomb)
    try:
        response = client_for(demo.daumoi).post(
            ADD, {"kind": "file", "nodes": ["1.1"], "file": file}, follow=True
        )
    finally:
        file.close()
    assert response.status_code == 200
    (shown,) = messages_of(response)
    assert shown.startswith(message)
    assert shown in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(root) == []


def test_upload_by_the_leader_is_forbidden(submission, demo, root):
    response = client_for(demo.lanhdao).post(
        ADD, {"kind": "file", "nodes": ["1.1"], "file": SimpleUploadedFile("qd.pdf", PDF)}
    )
    assert response.status_code == 403
    assert not Evidence.objects.exists()
    assert stored_files(root) == []


@pytest.mark.parametrize("who", ["daumoi2", "thamdinh"])
def test_upload_to_another_units_page_answers_404(submission, demo, root, who):
    response = client_for(getattr(demo, who)).post(
        ADD, {"kind": "file", "nodes": ["1.1"], "file": SimpleUploadedFile("qd.pdf", PDF)}
    )
    assert response.status_code == 404
    assert stored_files(root) == []


@pytest.fixture
def stored(submission, node, demo, root) -> Evidence:
    return add_file(submission, PDF, "Quyết định 25.pdf", [node("1.1")], demo.daumoi)


def download_url(evidence: Evidence, unit: str = UNIT) -> str:
    return f"/ky/{OPEN}/don-vi/{unit}/tai-lieu/{evidence.pk}/"


@pytest.mark.parametrize("who", ["daumoi", "lanhdao", "dieuphoi"])
def test_download_serves_the_file_as_an_attachment(demo, stored, who):
    response = client_for(getattr(demo, who)).get(download_url(stored))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2025.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    response.close()


@pytest.mark.parametrize("who", ["daumoi2", "lanhdao2", "thamdinh", "pheduyet"])
def test_download_answers_404_to_other_people(demo, stored, who):
    assert client_for(getattr(demo, who)).get(download_url(stored)).status_code == 404


def test_download_sends_anonymous_users_to_login(demo, stored):
    response = client_for(None).get(download_url(stored))
    assert response.status_code == 302
    assert response["Location"].startswith("/dang-nhap/?next=")


def test_evidence_of_another_submission_answers_404_under_this_units_url(
    demo, stored, other_submission, node
):
    theirs = add_file(other_submission, PDF, "tan-lap.pdf", [node("1.1")], demo.daumoi2)
    # The coordinator may see both submissions, but the item must belong to the one in the URL.
    for who in (demo.dieuphoi, demo.daumoi):
        assert client_for(who).get(download_url(theirs)).status_code == 404
    assert client_for(demo.daumoi2).get(download_url(theirs, OTHER_UNIT)).status_code == 200
    assert client_for(demo.daumoi2).get(download_url(stored, OTHER_UNIT)).status_code == 404


def test_download_of_a_link_or_a_missing_file_answers_404(demo, stored, submission, node, root):
    link = evidence_add_link(
        submission=submission,
        url="https://hoabinh.example.vn/ke-hoach",
        title="Kế hoạch",
        nodes=[node("2.1")],
        actor=demo.daumoi,
    )
    client = client_for(demo.daumoi)
    assert client.get(download_url(link)).status_code == 404
    (root / stored.storage_path).unlink()
    assert client.get(download_url(stored)).status_code == 404
