"""Creating the units' people from an Excel list (unit, name, e-mail, phone, role).

All or nothing: the file is read in openpyxl's streaming mode within the upload caps
(assessments/xlsx_upload.py), every row is checked and shown with what will happen, and nothing
is created unless every row is valid. Confirming checks the rows again (another coordinator may
have created one of the accounts meanwhile) and creates them all in one transaction; the
invitations are sent after it commits.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from opendti.accounts.models import User
from opendti.assessments.services.spreadsheet import CellProblem as Problem
from opendti.assessments.uploads import UploadRejected, upload_check
from opendti.assessments.xlsx_upload import Cell, Limits, open_checked, sheet_rows
from opendti.audit.services import Kind, audit_record
from opendti.cells import xlsx_append
from opendti.core.vietnamese import fold
from opendti.periods.affiliations import affiliation_start
from opendti.units.models import Affiliation, Unit

SHEET = "Danh sach tai khoan"
HEADER = ["Đơn vị", "Họ và tên", "Thư điện tử", "Số điện thoại", "Vai trò"]
COLUMNS = "ABCDE"
MAX_FILE_BYTES = 5 * 1024 * 1024
# Past this many problems the check stops (the person fixes these first).
MAX_PROBLEMS = 100
ROLE_NAMES = {
    Affiliation.Role.FOCAL_POINT: (
        "focal_point",
        "dau moi",
        "can bo dau moi",
        "can bo dau moi cua don vi",
    ),
    Affiliation.Role.UNIT_LEADER: ("unit_leader", "lanh dao", "lanh dao don vi"),
}
PHONE = re.compile(r"^\+?[0-9][0-9 .\-]{6,18}[0-9]$")


@dataclass
class Row:
    """One person of the list, as it will be created."""

    number: int
    unit_code: str = ""
    unit_name: str = ""
    full_name: str = ""
    email: str = ""
    phone: str = ""
    role: str = ""
    username: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def role_label(self) -> str:
        return str(Affiliation.Role(self.role).label) if self.role else ""

    @property
    def valid(self) -> bool:
        return not self.problems

    def columns_wrong(self) -> set[str]:
        return {p.column for p in self.problems}

    def session(self) -> dict:
        data = asdict(self)
        data.pop("problems")
        return data


@dataclass(frozen=True)
class Plan:
    rows: tuple[Row, ...]
    problems: tuple[Problem, ...]
    stopped_at: int | None = None  # the row where the check stopped after MAX_PROBLEMS

    @property
    def valid(self) -> bool:
        return bool(self.rows) and not self.problems


class Units:
    """Current units, found by code or by Vietnamese name (accents and case aside); and the
    e-mails and login names already in use."""

    def __init__(self) -> None:
        self.taken = {
            value.lower()
            for pair in User.objects.values_list("email", "username")
            for value in pair
            if value
        }
        today = timezone.localdate()
        units = list(
            Unit.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today)).order_by("pk")
        )
        self.by_code = {u.code.casefold(): u for u in units}
        self.by_name: dict[str, list[Unit]] = {}
        for unit in units:
            self.by_name.setdefault(fold(unit.name), []).append(unit)

    def find(self, text: str) -> tuple[Unit | None, str]:
        """The unit, or None and why."""
        unit = self.by_code.get(text.strip().casefold())
        if unit is not None:
            return unit, ""
        found = self.by_name.get(fold(text), [])
        if len(found) == 1:
            return found[0], ""
        if found:
            return None, _("có %(n)d đơn vị cùng tên “%(name)s”: hãy ghi mã đơn vị (%(codes)s)") % {
                "n": len(found),
                "name": text,
                "codes": ", ".join(u.code for u in found),
            }
        return None, _("không có đơn vị “%(unit)s” (ghi mã hoặc tên đơn vị như trong hệ thống)") % {
            "unit": text
        }


def role_from(text: str) -> str | None:
    folded = fold(text)
    for role, names in ROLE_NAMES.items():
        if folded in names or folded == fold(str(role.label)):
            return str(role)
    return None


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


def _phone(value: object) -> str:
    text = _text(value)
    # A phone typed in a number cell loses its leading zero (0912… became 912…).
    if isinstance(value, int | float) and text.isdigit() and len(text) == 9:
        text = "0" + text
    return text


def username_base(full_name: str) -> str:
    """A login name from a name without e-mail: "Nguyễn Văn An" → "nguyenvanan"."""
    return re.sub(r"[^a-z0-9]", "", fold(full_name)) or "canbo"


def _check(row: Row, cells: list[Cell], units: Units, seen_emails: dict[str, int]) -> None:
    """Fill `row` from the cells, with a problem for each wrong field."""

    def problem(column: str, message: str) -> None:
        row.problems.append(Problem(row.number, column, message))

    formulas: set[str] = set()
    for letter, cell in zip(COLUMNS, cells, strict=False):
        if cell.formula:
            problem(letter, _("ô chứa công thức Excel; hãy nhập giá trị thay vì công thức."))
            formulas.add(letter)
    # A formula's text is not a value: its cell has its one problem, and reads as empty here.
    cells = [Cell(None, False) if c.formula else c for c in cells]
    unit_text, name, email, role_text = (_text(cells[i].value) for i in (0, 1, 2, 4))
    row.full_name = name
    row.email = email.lower()
    row.phone = _phone(cells[3].value)
    if not unit_text:
        if "A" not in formulas:
            problem("A", _("thiếu đơn vị"))
    else:
        unit, why = units.find(unit_text)
        if unit is None:
            problem("A", why)
        else:
            row.unit_code, row.unit_name = unit.code, unit.name
    if not name:
        if "B" not in formulas:
            problem("B", _("thiếu họ và tên"))
    elif len(name) > 200:
        problem("B", _("họ và tên dài quá 200 ký tự"))
    if row.email:
        try:
            validate_email(row.email)
            if len(row.email) > 150:  # the e-mail is the login name, at most 150 characters
                raise ValidationError("too long")
        except ValidationError:
            problem("C", _("thư điện tử “%(email)s” không hợp lệ") % {"email": email})
        else:
            if row.email in seen_emails:
                problem(
                    "C",
                    _("thư điện tử “%(email)s” trùng với dòng %(row)d")
                    % {"email": email, "row": seen_emails[row.email]},
                )
            elif row.email in units.taken:
                problem("C", _("đã có tài khoản với thư điện tử “%(email)s”") % {"email": email})
            seen_emails.setdefault(row.email, row.number)
    if row.phone and not PHONE.match(row.phone):
        problem("D", _("số điện thoại “%(phone)s” không hợp lệ") % {"phone": row.phone})
    role = role_from(role_text) if role_text else None
    if not role_text:
        if "E" not in formulas:
            problem("E", _("thiếu vai trò"))
    elif role is None:
        problem(
            "E",
            _("vai trò “%(role)s” không có; ghi “%(focal)s” hoặc “%(leader)s”")
            % {
                "role": role_text,
                "focal": Affiliation.Role.FOCAL_POINT.label,
                "leader": Affiliation.Role.UNIT_LEADER.label,
            },
        )
    else:
        row.role = role


def _usernames(rows: list[Row]) -> None:
    """The e-mail is the login name; without one, a name from the person's name, numbered
    past the existing accounts and the file's other rows."""
    taken: set[str] = set()
    for row in rows:
        if row.email:
            row.username = row.email
            taken.add(row.email)
    for row in rows:
        if row.email or not row.full_name:
            continue
        base = username_base(row.full_name)
        existing = {
            u.lower()
            for u in User.objects.filter(username__istartswith=base).values_list(
                "username", flat=True
            )
        }
        n, candidate = 1, base
        while candidate in existing or candidate in taken:
            n += 1
            candidate = f"{base}{n}"
        row.username = candidate
        taken.add(candidate)


def _header_ok(cells: list[Cell]) -> bool:
    found = [fold(_text(c.value)) for c in cells[: len(HEADER)]]
    return found == [fold(h) for h in HEADER]


def accounts_plan(*, file, name: str) -> Plan:
    """Read a list: every row with what will happen, and every problem by row and column."""
    try:
        upload_check(file, name=name, max_bytes=MAX_FILE_BYTES)
    except UploadRejected as rejected:
        raise ValidationError(str(rejected)) from None
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Hãy tải lên tệp Excel (.xlsx) theo mẫu tải từ hệ thống."))
    limits = Limits.from_settings()
    book = open_checked(file, limits)
    try:
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        return _plan(sheet, limits)
    finally:
        book.close()


def _plan(sheet, limits: Limits) -> Plan:
    units = Units()
    rows: list[Row] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    blank = Cell(None, False)
    stopped_at = None
    for number, cells in sheet_rows(sheet, limits):
        cells = [*cells, *[blank] * len(HEADER)][: len(HEADER)]
        if number == 1:
            if not _header_ok(cells):
                raise ValidationError(
                    _("Dòng 1 của tệp phải là tiêu đề của mẫu: %(header)s.")
                    % {"header": ", ".join(HEADER)}
                )
            continue
        if all(c.value is None or _text(c.value) == "" for c in cells):
            continue  # an empty row
        if len(problems) >= MAX_PROBLEMS:
            stopped_at = number
            break
        row = Row(number)
        _check(row, cells, units, seen)
        rows.append(row)
        problems.extend(row.problems)
    if not rows:
        raise ValidationError(_("Tệp không có dòng nào sau dòng tiêu đề."))
    _usernames(rows)
    return Plan(tuple(rows), tuple(problems[:MAX_PROBLEMS]), stopped_at)


def _recheck(saved: list[dict]) -> list[Row]:
    """The rows kept between the preview and the confirmation, checked again now."""
    units = Units()
    seen: dict[str, int] = {}
    rows = []
    for data in saved:
        row = Row(int(data["number"]))
        cells = [
            Cell(data["unit_code"], False),
            Cell(data["full_name"], False),
            Cell(data["email"], False),
            Cell(data["phone"], False),
            Cell(data["role"], False),
        ]
        _check(row, cells, units, seen)
        if not row.email and User.objects.filter(username__iexact=data["username"]).exists():
            row.problems.append(
                Problem(
                    row.number,
                    "B",
                    _("tên đăng nhập “%(u)s” vừa được dùng") % {"u": data["username"]},
                )
            )
        row.username = data["username"]
        rows.append(row)
    return rows


def accounts_create(*, saved: list[dict], actor: User) -> list[User]:
    """Create every account of a previewed list in one transaction, or none (ValidationError
    with every problem when a row is no longer valid)."""
    with transaction.atomic():
        rows = _recheck(saved)
        problems = [str(p) for row in rows for p in row.problems]
        if problems or not rows:
            raise ValidationError(problems or [_("Danh sách trống.")])
        units = {u.code: u for u in Unit.objects.filter(code__in={r.unit_code for r in rows})}
        created = []
        for row in rows:
            user = User(
                username=row.username,
                full_name=row.full_name,
                email=row.email,
                phone=row.phone,
            )
            user.set_unusable_password()  # the person chooses one from the invitation
            user.save()
            audit_record(
                Kind.ACCOUNT_CREATED,
                actor=actor,
                target=f"user:{user.get_username()}",
                detail={"unit": row.unit_code, "role": row.role, "via": "excel"},
            )
            affiliation_start(
                user=user, unit=units[row.unit_code], role=row.role, actor=actor,
                reason=_("Tạo từ danh sách Excel"),
            )  # fmt: skip
            created.append(user)
    return created


def accounts_template() -> bytes:
    """The empty list to fill in, with an example row and the roles as a drop-down."""
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = SHEET
    xlsx_append(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip(COLUMNS, (30, 30, 32, 16, 22), strict=True):
        sheet.column_dimensions[letter].width = width
    roles = [str(Affiliation.Role.FOCAL_POINT.label), str(Affiliation.Role.UNIT_LEADER.label)]
    choice = DataValidation(type="list", formula1='"' + ",".join(roles) + '"', allow_blank=False)
    sheet.add_data_validation(choice)
    choice.add("E2:E1000")
    # Phones are text: a number cell would drop the leading zero.
    for row in range(2, 1001):
        sheet.cell(row=row, column=4).number_format = "@"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
