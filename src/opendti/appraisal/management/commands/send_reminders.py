"""opendti send-reminders: the daily reminder job (Celery beat runs the same in production)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandParser

from opendti.appraisal.reminders import daily_reminders


class Command(BaseCommand):
    help = "Gửi nhắc nhở hằng ngày: hạn tự đánh giá, hạn giải trình, xác nhận lần thẩm định."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", type=datetime.date.fromisoformat, help="ngày (YYYY-MM-DD)")

    def handle(self, *args, **options) -> None:
        sent = daily_reminders(options.get("date"))
        self.stdout.write(f"Đã gửi {sent} thông báo nhắc nhở.")
