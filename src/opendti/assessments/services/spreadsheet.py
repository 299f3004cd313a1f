"""Excel data entry: a unit downloads a template of its submission, fills it in offline and
uploads it back. The upload is checked cell by cell and shown as a list of changes before
anything is written; applying it is all-or-nothing and goes through the same save as the web
form (normalisation, permission, lock, optimistic concurrency, history)."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opendti import numbers
from opendti.cells import xlsx_append
from opendti.frameworks.models import InputSpec, Node
from opendti.numbers import Notation
from opendti.periods import revision

from .. import history_codes
from ..access import Action, can, require
from ..forms import IndicatorForm, field_key, stored_value, value_display
from ..inputs import Field
from ..models import Answer, InputValue, Submission
from ..uploads import UploadRejected, upload_check
from ..xlsx_upload import Cell, Limits, open_checked, sheet_rows
from .answers import Conflict, answer_save, indicator_fields

SHEET = "Phieu tu danh gia"
META = "meta"
HEADER = [
    "Mã chỉ số", "Tên chỉ số", "Đầu vào", "Nhãn", "Kiểu", "Đơn vị tính", "Giới hạn", "Giá trị",
    "Ước tính (x)", "Thuyết minh",
]  # fmt: skip
INPUT_COLUMN_LETTER = "C"  # the input's code (hidden)
VALUE_COLUMN, ESTIMATE_COLUMN, NOTE_COLUMN = 8, 9, 10  # 1-based: H, I, J
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# Past this many problems the check stops: the person fixes these first (and the server does not
# build a list of half a million errors for a hostile file).
MAX_PROBLEMS = 100


@dataclass(frozen=True)
class CellProblem:
    row: int
    column: str  # the column's letter
    message: str

    def __str__(self) -> str:
        return _("Dòng %(row)d, cột %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass(frozen=True)
class IndicatorChange:
    code: str
    name: str
    version: int  # the answer's version when the template was downloaded
    before: dict[str, str]
    after: dict[str, str]
    is_estimate: bool
    note: str
    # (label, before, after) as people read them, for the preview; not kept in the session.
    lines: tuple[tuple[str, str, str], ...] = dataclass_field(default=(), compare=False)


@dataclass(frozen=True)
class UploadPlan:
    changes: tuple[IndicatorChange, ...]
    problems: tuple[CellProblem, ...]
    stopped_at: int | None = None  # the row where the check stopped after MAX_PROBLEMS

    def as_session(self) -> list[dict]:
        return [
            {
                "code": c.code,
                "version": c.version,
                "after": c.after,
                "is_estimate": c.is_estimate,
                "note": c.note,
            }
            for c in self.changes
        ]


def _editable_nodes(submission: Submission, user) -> list[Node]:
    nodes = (
        Node.objects.filter(
            framework=submission.participation.period.framework, source=Node.Source.SELF
        )
        .exclude(rule="")
        .prefetch_related("inputs")
        .order_by("order")
    )
    return [n for n in nodes if n.inputs.all() and can(user, Action.EDIT, submission, n)]


def submission_template(*, submission: Submission, user) -> bytes:
    """The XLSX template of the submission with its current values, for the user's indicators."""
    require(user, Action.EDIT, submission)
    nodes = _editable_nodes(submission, user)
    values: dict[tuple[int, str], str] = {
        (node_id, name): value
        for node_id, name, value in InputValue.objects.filter(submission=submission).values_list(
            "node_id", "input_name", "value"
        )
    }
    answers = {a.node_id: a for a in Answer.objects.filter(submission=submission)}
    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = SHEET
    xlsx_append(sheet, HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    fill = PatternFill("solid", fgColor="FFF4CC")
    yes_no = DataValidation(type="list", formula1='"Có,Không"', allow_blank=True)
    sheet.add_data_validation(yes_no)
    for node in nodes:
        answer = answers.get(node.pk)
        for index, field in enumerate(indicator_fields(node)):
            stored = values.get((node.pk, field.name), "")
            bounds = ""
            if field.min is not None or field.max is not None:
                low = numbers.vi(field.min, trim=True, missing="")
                high = numbers.vi(field.max, trim=True, missing="")
                bounds = f"[{low}; {high}]"
            first = index == 0
            row = xlsx_append(
                sheet,
                [
                    node.code,
                    node.name if first else "",
                    field.name,
                    field.label,
                    str(InputSpec.Type(field.type).label),
                    field.unit,
                    bounds or (" | ".join(field.choices) if field.choices else ""),
                    _cell_value(field, stored),
                    ("x" if answer and answer.is_estimate else "") if first else "",
                    (answer.note if answer else "") if first else "",
                ],
            )
            sheet.cell(row, VALUE_COLUMN).fill = fill
            if field.integer:
                sheet.cell(row, VALUE_COLUMN).number_format = "#,##0"
            if field.type == InputSpec.Type.YESNO:
                yes_no.add(sheet.cell(row, VALUE_COLUMN))
            elif field.type == InputSpec.Type.CHOICE:
                choice = DataValidation(
                    type="list", formula1='"' + ",".join(field.choices) + '"', allow_blank=True
                )
                sheet.add_data_validation(choice)
                choice.add(sheet.cell(row, VALUE_COLUMN))
    for column, width in zip("ABCDEFGHIJ", (9, 60, 14, 40, 12, 12, 16, 16, 12, 40), strict=True):
        sheet.column_dimensions[column].width = width
    # The input's code is for reading the file back, not for people: they read its label (D).
    sheet.column_dimensions[INPUT_COLUMN_LETTER].hidden = True
    meta = book.create_sheet(META)
    period = submission.participation.period
    xlsx_append(meta, ["period", period.code])
    xlsx_append(meta, ["unit", submission.participation.unit.code])
    for node in nodes:
        answer = answers.get(node.pk)
        xlsx_append(meta, [f"version:{node.code}", answer.version if answer else 0])
    meta.sheet_state = "hidden"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(field: Field, stored: str) -> object:
    """A stored value as the template's cell holds it: a number natively (Excel shows it in the
    user's own notation and gives it back exactly), unless a double cannot hold it exactly, then
    as Vietnamese text; Có/Không; a date as a date."""
    if not stored:
        return ""
    if field.is_number:
        number = Decimal(stored)
        if number == number.to_integral_value() and abs(number) < 2**53:
            return int(number)
        if Decimal(repr(float(number))) == number:
            return float(number)
        return numbers.vi_input(number, integer=field.integer)
    if field.type == InputSpec.Type.YESNO:
        return "Có" if stored == "yes" else "Không"
    if field.type == InputSpec.Type.DATE:
        try:
            return datetime.date.fromisoformat(stored)
        except ValueError:
            return stored
    return stored


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def submission_upload_plan(*, submission: Submission, user, file, name: str) -> UploadPlan:
    """Read a filled template: every problem with its row and column, and what would change."""
    require(user, Action.EDIT, submission)
    try:
        upload_check(file, name=name, max_bytes=MAX_TEMPLATE_BYTES)
    except UploadRejected as rejected:
        raise ValidationError(str(rejected)) from None
    file.seek(0)
    if not name.lower().endswith(".xlsx"):
        raise ValidationError(_("Hãy tải lên tệp mẫu Excel (.xlsx) đã tải về từ hệ thống."))
    limits = Limits.from_settings()
    book = open_checked(file, limits)
    try:
        return _plan(submission, user, book, limits)
    finally:
        book.close()


def _formula(number: int, column: str) -> CellProblem:
    return CellProblem(
        number,
        column,
        _("ô chứa công thức Excel; hãy nhập (hoặc dán) giá trị thay vì công thức."),
    )


def _plan(submission: Submission, user, book, limits: Limits) -> UploadPlan:
    if SHEET not in book.sheetnames or META not in book.sheetnames:
        raise ValidationError(_("Tệp không phải mẫu phiếu tự đánh giá tải từ hệ thống."))
    meta = {
        _text(cells[0].value): _text(cells[1].value)
        for _n, cells in sheet_rows(book[META], limits)
        if len(cells) >= 2 and cells[0].value
    }
    period = submission.participation.period
    if meta.get("period") != period.code or meta.get("unit") != submission.participation.unit.code:
        raise ValidationError(
            _("Tệp mẫu là của kỳ %(period)s, đơn vị %(unit)s, không phải phiếu này.")
            % {"period": meta.get("period", "?"), "unit": meta.get("unit", "?")}
        )
    nodes = {n.code: n for n in _editable_nodes(submission, user)}
    fields = {code: {f.name: f for f in indicator_fields(n)} for code, n in nodes.items()}
    stored: dict[str, dict[str, str]] = {}
    for code, input_name, value in InputValue.objects.filter(submission=submission).values_list(
        "node__code", "input_name", "value"
    ):
        stored.setdefault(code, {})[input_name] = value
    answers = {
        a.node.code: a for a in Answer.objects.filter(submission=submission).select_related("node")
    }

    problems: list[CellProblem] = []
    typed: dict[str, dict[str, object]] = {}  # code -> input -> the cell as the file holds it
    rows: dict[str, dict[str, int]] = {}  # code -> input -> row number
    flags: dict[str, tuple[bool, str]] = {}
    stopped_at = None
    blank = Cell(None, False)
    for number, row in sheet_rows(book[SHEET], limits, min_row=2):
        if len(problems) >= MAX_PROBLEMS:
            stopped_at = number
            break
        read = [*row, *[blank] * 10][:10]
        formulas = [
            get_column_letter(i) for i in (1, 3, VALUE_COLUMN, ESTIMATE_COLUMN, NOTE_COLUMN)
            if read[i - 1].formula
        ]  # fmt: skip
        if formulas:
            problems.extend(_formula(number, column) for column in formulas)
            continue
        padded = [c.value for c in read]
        cells = [_text(c) for c in padded]
        code, input_name = cells[0], cells[2]
        if not code and not any(cells):
            continue
        if code not in nodes:
            problems.append(
                CellProblem(number, "A", _("mã chỉ số “%s” không có trong phiếu của bạn.") % code)
            )
            continue
        if input_name not in fields[code]:
            problems.append(
                CellProblem(
                    number,
                    "C",
                    _("chỉ số %(code)s không có đầu vào “%(name)s”.")
                    % {"code": code, "name": input_name},
                )
            )
            continue
        # The cell itself: a number Excel holds natively is read as that number, a text in
        # Vietnamese notation (1.234,5), exactly as the web form reads what is typed.
        cell = padded[VALUE_COLUMN - 1]
        typed.setdefault(code, {})[input_name] = cell if cell is not None else ""
        rows.setdefault(code, {})[input_name] = number
        if input_name == next(iter(fields[code])):
            estimate = cells[ESTIMATE_COLUMN - 1].lower() in ("x", "có", "co", "yes", "1")
            flags[code] = (estimate, cells[NOTE_COLUMN - 1])

    changes = []
    for code, given in typed.items():
        node = nodes[code]
        before = {name: stored.get(code, {}).get(name, "") for name in fields[code]}
        # The indicator's form, as on the web: inputs not in the file keep their stored value.
        form = IndicatorForm(
            node,
            {
                field_key(node, name): given[name]
                if name in given
                else stored_value(f, before[name])
                for name, f in fields[code].items()
            },
        )
        if not form.is_valid():
            first_row = min(rows[code].values())
            for name in form.error_inputs():
                for message in form.errors[field_key(node, name)]:
                    problems.append(CellProblem(rows[code].get(name, first_row), "H", str(message)))
            problems.extend(CellProblem(first_row, "H", str(m)) for m in form.non_field_errors())
            continue
        complete = form.values()
        answer = answers.get(code)
        estimate, note = flags.get(
            code, (answer.is_estimate if answer else False, answer.note if answer else "")
        )
        same_flags = answer is not None and answer.is_estimate == estimate and answer.note == note
        if complete == before and (same_flags or (answer is None and not estimate and not note)):
            continue
        version = int(meta.get(f"version:{code}", "0") or 0)
        lines = tuple(
            (
                f.label or _("Giá trị"),
                value_display(f, before[name]),
                value_display(f, complete[name]),
            )
            for name, f in fields[code].items()
        )
        changes.append(
            IndicatorChange(code, node.name, version, before, complete, estimate, note, lines)
        )
    problems.sort(key=lambda p: p.row)
    return UploadPlan(tuple(changes), tuple(problems[:MAX_PROBLEMS]), stopped_at)


def submission_upload_apply(*, submission: Submission, user, plan: list[dict]) -> int:
    """Apply a checked plan: every indicator or none. A change made on the system after the
    template was downloaded refuses the whole upload, naming the indicator."""
    require(user, Action.EDIT, submission)
    nodes = {
        n.code: n
        for n in Node.objects.filter(
            framework=submission.participation.period.framework
        ).prefetch_related("inputs")
    }
    # Every indicator's save in one transaction, the period's revision raised once at its end.
    with revision.batch():
        for item in plan:
            try:
                answer_save(
                    submission=submission,
                    node=nodes[item["code"]],
                    raw=item["after"],
                    notation=Notation.PLAIN,  # checked and made canonical by the plan
                    version=item["version"],
                    actor=user,
                    is_estimate=item["is_estimate"],
                    note=item["note"],
                    reason=history_codes.REASON_EXCEL,
                )
            except Conflict:
                raise ValidationError(
                    _(
                        "Chỉ số %(code)s đã được sửa trên hệ thống sau khi bạn tải mẫu; hãy tải mẫu mới. Chưa có gì được lưu."
                    )
                    % {"code": item["code"]}
                ) from None
    return len(plan)
