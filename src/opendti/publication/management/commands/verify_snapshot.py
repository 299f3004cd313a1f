"""opendti verify-snapshot PERIOD [...] | --all: recompute frozen results and report differences."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from opendti.publication.models import Snapshot
from opendti.publication.snapshots import snapshot_verify


class Command(BaseCommand):
    help = "Kiểm tra kết quả đã phê duyệt: tính lại từ dữ liệu đã lưu và báo mọi sai khác."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("periods", nargs="*", help="mã kỳ đánh giá")
        parser.add_argument("--all", action="store_true", help="mọi kỳ đã phê duyệt")

    def handle(self, *args, **options) -> None:
        snapshots = Snapshot.objects.select_related("period").order_by("period__code")
        if not options["all"]:
            if not options["periods"]:
                raise CommandError("Cho biết mã kỳ hoặc dùng --all.")
            snapshots = snapshots.filter(period__code__in=options["periods"])
            missing = set(options["periods"]) - {s.period.code for s in snapshots}
            if missing:
                raise CommandError(
                    "Không có kết quả đã phê duyệt cho kỳ: " + ", ".join(sorted(missing))
                )
        failed = 0
        for snapshot in snapshots:
            differences = snapshot_verify(snapshot)
            if differences:
                failed += 1
                self.stdout.write(f"{snapshot.period.code}: {len(differences)} sai khác")
                for d in differences[:50]:
                    self.stdout.write(f"  {d.where}: đã lưu {d.stored}, tính lại {d.found}")
            else:
                note = (
                    "; niêm phong phiên bản 1: không bao gồm ngày quyết định, người ký, "
                    "người phê duyệt"
                    if snapshot.seal_version == 1
                    else ""
                )
                self.stdout.write(
                    f"{snapshot.period.code}: khớp ({snapshot.rows_sha256[:12]}{note})"
                )
        if failed:
            raise CommandError(f"{failed} kỳ có kết quả đã phê duyệt bị thay đổi.")
