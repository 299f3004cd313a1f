"""Framework templates (bộ chỉ số mẫu): the frameworks of provinces' decisions, ready to import.

Each template is a folder `<slug>/` beside this module holding

- `framework.json`: a framework file (docs/frameworks.md) with every number the decision states,
  and an empty value (`null`, or `""` for a name) wherever it states none;
- `template.json`: the source (the seed document and the sentences quoted from it), the counts the
  decision states (main indices, component indicators, pillar maxima), the keys of the values it
  leaves unstated (`missing`), what it leaves unstated in words, and notes on what was derived.

An empty value is never given a number here: `template_import` refuses a template until the
coordinator supplies every missing value (`{"nhan_thuc_so.max_points": "100", ...}`), names each
one that is still missing, checks the supplied values against what the decision does state (the
total, each pillar's maximum), and then imports the filled document as a new framework version
through the framework file's own checks. The keys:

    <code>.max_points                       an indicator's maximum
    <code>.name                             an indicator's name
    bands.<scheme>.basis                    percent or points, for every band of the scheme
    bands.<scheme>.<label>.lower            a band's lower bound
    bands.<scheme>.<label>.lower_inclusive  yes (≥) or no (>)
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from opendti.numbers import NumberError, parse, plain, vi
from opendti.workbook.errors import WorkbookError
from opendti.workbook.parse import parse_flag

from ..diff import FrameworkDiff, rows_diff
from ..exchange import framework_import_document, framework_rows
from ..models import Framework

FOLDER = Path(__file__).resolve().parent
SCHEMES = ("total", "pillar")
BASES = ("percent", "points")


class TemplateError(Exception):
    """A template that cannot be imported as given; `messages` are Vietnamese, one per problem."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


class TemplateIncomplete(TemplateError):
    """Values the decision leaves unstated and the coordinator has not supplied."""

    def __init__(self, template: Template, missing: list[Missing]) -> None:
        header = _(
            "Chưa nhập được bộ chỉ số mẫu “%(title)s”: văn bản %(decision)s không nêu "
            "%(count)d giá trị sau, cần bổ sung (KHÓA=GIÁ TRỊ):"
        ) % {"title": template.title, "decision": template.decision_number, "count": len(missing)}
        super().__init__([header, *(f"{item.key}: {item.label}" for item in missing)])
        self.missing = missing


@dataclass(frozen=True)
class Missing:
    key: str
    label: str  # what to supply, in words


@dataclass(frozen=True)
class Template:
    slug: str
    title: str
    province: str
    decision_number: str
    decision_date: dt.date
    decision_issuer: str
    level: str
    level_name: str
    year: int
    main_count: int
    component_count: int | None  # None: the source does not say
    total_max: Decimal | None  # None: the source does not say
    pillar_max: dict[str, Decimal]
    missing_keys: tuple[str, ...]
    unstated: tuple[str, ...]
    notes: tuple[str, ...]
    quotes: tuple[str, ...]
    source: dict[str, str]
    document: dict[str, Any]  # framework.json as read; copy before changing

    @property
    def missing(self) -> list[Missing]:
        return [Missing(key, _label(self.document, key)) for key in self.missing_keys]

    def main_indices(self) -> list[dict[str, Any]]:
        return [entry for entry in self.document["framework"] if entry["kind"] == "main"]


# Reading -----------------------------------------------------------------------------------------


def template_list() -> list[Template]:
    """Every shipped template, by slug."""
    return [_load(folder.name) for folder in sorted(FOLDER.iterdir()) if _is_template(folder)]


def template_get(slug: str) -> Template:
    folder = FOLDER / slug
    if "/" in slug or slug.startswith(".") or not _is_template(folder):
        known = ", ".join(t.slug for t in template_list())
        raise TemplateError(
            [
                _("Không có bộ chỉ số mẫu “%(slug)s” (có: %(known)s).")
                % {"slug": slug, "known": known}
            ]
        )
    return _load(slug)


def _is_template(folder: Path) -> bool:
    return folder.is_dir() and (folder / "template.json").is_file()


@cache
def _read(slug: str) -> tuple[dict[str, Any], dict[str, Any]]:
    folder = FOLDER / slug
    about = json.loads((folder / "template.json").read_text(encoding="utf-8"))
    document = json.loads((folder / "framework.json").read_text(encoding="utf-8"))
    return about, document


def _load(slug: str) -> Template:
    about, document = _read(slug)
    document = json.loads(json.dumps(document))  # callers may change their copy
    meta = document["meta"]
    template = Template(
        slug=slug,
        title=about["title"],
        province=about["province"],
        decision_number=meta["decision_number"],
        decision_date=dt.date.fromisoformat(meta["decision_date"]),
        decision_issuer=meta["decision_issuer"],
        level=meta["level"],
        level_name=meta["level_name"],
        year=meta["year"],
        main_count=about["main_count"],
        component_count=about["component_count"],
        total_max=Decimal(meta["total_max"]) if meta["total_max"] else None,
        pillar_max={code: Decimal(value) for code, value in about["pillar_max"].items()},
        missing_keys=tuple(about["missing"]),
        unstated=tuple(about["unstated"]),
        notes=tuple(about["notes"]),
        quotes=tuple(about["quotes"]),
        source=about["source"],
        document=document,
    )
    _check_placeholders(template)
    return template


def _check_placeholders(template: Template) -> None:
    """Every empty value a framework needs is listed as missing, and every listed key is empty:
    an unlisted empty maximum would import as 0 (the file format sums only parents)."""
    document = template.document
    parents = {entry["parent"] for entry in document["framework"] if entry["parent"]}
    empty: set[str] = set()
    for entry in document["framework"]:
        if not entry["name"]:
            empty.add(f"{entry['code']}.name")
        if entry["code"] not in parents and entry["scored"] and entry["max_points"] is None:
            empty.add(f"{entry['code']}.max_points")
    for scheme in SCHEMES:
        bands = [band for band in document["bands"] if band["scheme"] == scheme]
        if any(band["basis"] is None for band in bands):
            empty.add(f"bands.{scheme}.basis")
        for band in bands[:-1]:  # the lowest band has no lower bound
            for field in ("lower", "lower_inclusive"):
                if band[field] is None:
                    empty.add(f"bands.{scheme}.{band['label']}.{field}")
    listed = set(template.missing_keys)
    if empty != listed:
        raise ValueError(
            f"template {template.slug}: empty but not listed {sorted(empty - listed)}, "
            f"listed but not empty {sorted(listed - empty)}"
        )


def _label(document: dict[str, Any], key: str) -> str:
    head, _dot, field = key.rpartition(".")
    if head.startswith("bands."):
        scheme_code, _dot, label = head.removeprefix("bands.").partition(".")
        scheme = _("tổng điểm") if scheme_code == "total" else _("trụ cột")
        if key.endswith(".basis") and not label:
            return _(
                "các mức xếp loại theo %(scheme)s xét theo điểm (points) hay theo phần trăm "
                "(percent)"
            ) % {"scheme": scheme}
        if field == "lower":
            return _("ngưỡng dưới của mức “%(label)s” (theo %(scheme)s)") % {
                "label": label,
                "scheme": scheme,
            }
        return _("mức “%(label)s” có tính cả ngưỡng dưới không (có: ≥, không: >)") % {
            "label": label
        }
    entry = next(e for e in document["framework"] if e["code"] == head)
    if field == "name":
        return _("tên của chỉ số chính %(code)s") % {"code": head}
    if entry["name"]:
        return _("điểm tối đa của chỉ số “%(name)s”") % {"name": entry["name"]}
    return _("điểm tối đa của chỉ số chính %(code)s (chưa có tên)") % {"code": head}


# Filling and importing ---------------------------------------------------------------------------


def template_fill(slug: str, supplements: Mapping[str, str]) -> dict[str, Any]:
    """The template's framework file with the supplied values in place, checked against what
    the decision states; TemplateIncomplete names what is still missing, TemplateError any other
    problem. Nothing is written."""
    template = template_get(slug)
    document = template.document
    problems: list[str] = []
    given = {key.strip(): str(value).strip() for key, value in supplements.items()}
    for key, value in given.items():
        if key not in template.missing_keys:
            problems.append(_refused_key(template, key))
        elif not value:
            continue  # still missing: reported below with the others
        else:
            problem = _put(document, key, value)
            if problem:
                problems.append(problem)
    if problems:
        raise TemplateError(problems)
    still = [item for item in template.missing if not given.get(item.key)]
    if still:
        raise TemplateIncomplete(template, still)
    _check_stated(template, document)
    return document


def template_import(
    slug: str,
    supplements: Mapping[str, str] | None = None,
    *,
    code: str | None = None,
    year: int | None = None,
) -> Framework:
    """Import the template as a new version of its framework (code: the template's, or `code`),
    with the coordinator's values for what the decision leaves unstated. All or nothing."""
    document = template_fill(slug, supplements or {})
    if year is not None:
        document["meta"]["year"] = year
    try:
        return framework_import_document(document=document, source=slug, code=code)
    except WorkbookError as exc:
        raise TemplateError([str(error) for error in exc.errors]) from None


def template_diff(
    slug: str,
    supplements: Mapping[str, str] | None,
    against: Framework,
    *,
    year: int | None = None,
) -> FrameworkDiff:
    """What importing the template would change against an existing version (last year's
    framework): the template is imported and read back as an export would read it, then rolled
    back, so the comparison is exactly the one `framework_diff` makes between two versions."""
    with transaction.atomic():
        new = template_import(slug, supplements, year=year)
        diff = rows_diff(framework_rows(against), framework_rows(new))
        transaction.set_rollback(True)
    return diff


def _refused_key(template: Template, key: str) -> str:
    stated = _stated_value(template.document, key)
    if stated is not None:
        return _(
            "“%(key)s”: văn bản %(decision)s đã nêu giá trị này (%(value)s), mẫu không cho "
            "thay. Muốn điều chỉnh, hãy nhập mẫu rồi xuất, sửa và nhập lại thành phiên bản mới."
        ) % {"key": key, "decision": template.decision_number, "value": stated}
    return _("“%(key)s” không phải giá trị cần bổ sung của mẫu này (cần: %(keys)s).") % {
        "key": key,
        "keys": ", ".join(template.missing_keys) or "—",
    }


def _stated_value(document: dict[str, Any], key: str) -> str | None:
    head, _dot, field = key.rpartition(".")
    for entry in document["framework"]:
        if entry["code"] == head and field in ("name", "max_points") and entry[field]:
            return str(entry[field])
    if head.startswith("bands."):
        scheme, _dot, label = head.removeprefix("bands.").partition(".")
        for band in document["bands"]:
            if band["scheme"] != scheme or (label and band["label"] != label):
                continue
            value = band.get(field)
            if value is not None and field in ("basis", "lower", "lower_inclusive"):
                return ("có" if value else "không") if isinstance(value, bool) else str(value)
    return None


def _put(document: dict[str, Any], key: str, value: str) -> str:
    """Write one supplied value into the document; a Vietnamese problem, or ''."""
    head, _dot, field = key.rpartition(".")
    if field in ("max_points", "lower"):
        try:
            number = parse(value)
        except NumberError:
            return _("“%(key)s”: “%(value)s” không phải là số viết đúng (ví dụ 100 hoặc 12,5).") % {
                "key": key,
                "value": value,
            }
        if number < 0 or (field == "max_points" and number == 0):
            return _("“%(key)s”: %(value)s không dùng được cho giá trị này.") % {
                "key": key,
                "value": value,
            }
        text: object = plain(number)
    elif field == "lower_inclusive":
        try:
            text = parse_flag(value, False)
        except ValueError:
            return _("“%(key)s”: chỉ nhận có hoặc không (yes/no).") % {"key": key}
    elif field == "basis":
        if value not in BASES:
            return _("“%(key)s”: chỉ nhận percent hoặc points.") % {"key": key}
        text = value
    else:
        text = value
    if head.startswith("bands."):
        scheme, _dot, label = head.removeprefix("bands.").partition(".")
        for band in document["bands"]:
            if band["scheme"] == scheme and (not label or band["label"] == label):
                band[field] = text
    else:
        for entry in document["framework"]:
            if entry["code"] == head:
                entry[field] = text
    return ""


def _check_stated(template: Template, document: dict[str, Any]) -> None:
    """The supplied maxima against the total and the pillar maxima the decision states."""
    problems = []
    mains = [e for e in document["framework"] if e["kind"] == "main" and e["scored"]]
    if template.total_max is not None:
        found = sum((Decimal(e["max_points"]) for e in mains), Decimal(0))
        if found != template.total_max:
            problems.append(
                _(
                    "Văn bản %(decision)s nêu tổng %(stated)s điểm, nhưng điểm tối đa các chỉ số "
                    "chính đã bổ sung cộng lại %(found)s."
                )
                % {
                    "decision": template.decision_number,
                    "stated": vi(template.total_max),
                    "found": vi(found),
                }
            )
    names = {pillar["code"]: pillar["name"] for pillar in document["pillars"]}
    for code, stated in template.pillar_max.items():
        found = sum((Decimal(e["max_points"]) for e in mains if code in e["pillars"]), Decimal(0))
        if found != stated:
            problems.append(
                _(
                    "Trụ cột “%(pillar)s”: văn bản %(decision)s nêu tổng điểm %(stated)s, nhưng "
                    "điểm tối đa các chỉ số chính của trụ cột đã bổ sung cộng lại %(found)s."
                )
                % {
                    "pillar": names[code],
                    "decision": template.decision_number,
                    "stated": vi(stated),
                    "found": vi(found),
                }
            )
    if problems:
        raise TemplateError(problems)


# Supplements from a file -------------------------------------------------------------------------


def supplements_read(name: str, content: bytes) -> dict[str, str]:
    """Supplements from a file's content: CSV with the columns `key`, `value` (other columns,
    e.g. the `what` written by `supplements_csv`, are ignored), or a JSON object."""
    text = content.decode("utf-8-sig")
    if name.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TemplateError(
                [_("Tệp JSON không đọc được: %(error)s") % {"error": exc}]
            ) from None
        if not isinstance(data, dict):
            raise TemplateError([_('Tệp JSON phải là một đối tượng {"khóa": "giá trị"}.')])
        return {str(k): "" if v is None else str(v) for k, v in data.items()}
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"key", "value"} <= set(reader.fieldnames):
        raise TemplateError([_("Tệp CSV cần hai cột key và value.")])
    return {row["key"]: row["value"] or "" for row in reader if row.get("key")}


def supplements_rows(slug: str) -> list[dict[str, str]]:
    """The values to supply, as rows (key, value empty, what) for a CSV the coordinator fills."""
    return [
        {"key": item.key, "value": "", "what": item.label} for item in template_get(slug).missing
    ]
