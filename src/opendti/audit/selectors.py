"""Reading the audit log with the administrators' filters, and writing it as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import json
from collections.abc import Iterator
from dataclasses import asdict, dataclass

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _

from opendti.cells import csv_row

from .models import AuditEvent


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    username: str = ""
    address: str = ""
    since: dt.date | None = None
    until: dt.date | None = None

    def as_query(self) -> dict[str, str]:
        return {
            k: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in asdict(self).items()
            if v
        }


def _date(text: str, label: str, errors: list[str]) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(
            _("%(field)s: “%(text)s” không phải ngày (năm-tháng-ngày).")
            % {"field": label, "text": text}
        )
        return None


def filters_from(query: QueryDict) -> tuple[Filters, list[str]]:
    """The filters in a request's query, and what is wrong with them (ignored, and said)."""
    errors: list[str] = []
    kind = query.get("kind", "").strip()
    if kind and kind not in AuditEvent.Kind.values:
        errors.append(_("Loại sự kiện không có: “%s”.") % kind)
        kind = ""
    address = query.get("address", "").strip()
    if address:
        try:
            address = str(ipaddress.ip_address(address))
        except ValueError:
            errors.append(_("Địa chỉ mạng không hợp lệ: “%s”.") % address)
            address = ""
    return (
        Filters(
            kind=kind,
            username=query.get("username", "").strip()[:150],
            address=address,
            since=_date(query.get("since", "").strip(), _("Từ ngày"), errors),
            until=_date(query.get("until", "").strip(), _("Đến ngày"), errors),
        ),
        errors,
    )


def _start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def audit_events(filters: Filters) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.all()
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.username:
        events = events.filter(username__icontains=filters.username)
    if filters.address:
        events = events.filter(address=filters.address)
    if filters.since:
        events = events.filter(at__gte=_start(filters.since))
    if filters.until:
        events = events.filter(at__lt=_start(filters.until + dt.timedelta(days=1)))
    return events.order_by("-at", "-pk")


HEADER = ["at", "kind", "kind_label", "username", "address", "target", "detail"]


def audit_csv(events: QuerySet[AuditEvent]) -> Iterator[str]:
    """The events as CSV lines (UTF-8 with a byte-order mark for Excel), every cell through the
    one cell writer: a username or a target typed by an attacker never becomes a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    labels = dict(AuditEvent.Kind.choices)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(csv_row(HEADER))
    yield "\ufeff" + flush()
    for event in events.iterator(chunk_size=2000):
        writer.writerow(
            csv_row(
                [
                    timezone.localtime(event.at).isoformat(timespec="seconds"),
                    event.kind,
                    str(labels.get(event.kind, event.kind)),
                    event.username,
                    event.address or "",
                    event.target,
                    json.dumps(event.detail, ensure_ascii=False, sort_keys=True),
                ]
            )
        )
        yield flush()
