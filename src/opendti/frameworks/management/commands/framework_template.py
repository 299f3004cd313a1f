"""`opendti framework-template list | show SLUG | supplements SLUG FILE.csv | import SLUG ...`

The framework templates of provinces' decisions (opendti.frameworks.catalog). `import` refuses,
naming each one, while a value the decision leaves unstated has not been supplied.
"""

import csv
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from opendti.cells import csv_row
from opendti.frameworks.catalog import (
    Template,
    TemplateError,
    supplements_read,
    supplements_rows,
    template_get,
    template_import,
    template_list,
)


def _decision(template: Template) -> str:
    return _("Quyết định %(number)s ngày %(date)s của %(issuer)s") % {
        "number": template.decision_number,
        "date": template.decision_date.strftime("%d/%m/%Y"),
        "issuer": template.decision_issuer,
    }


class Command(BaseCommand):
    help = (
        "Framework templates from provinces' decisions: list them, show one, write the CSV of the "
        "values to supply, or import one as a new framework version (docs/frameworks.md)."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser("list", help="the templates")
        show = actions.add_parser("show", help="what a template holds and what it lacks")
        show.add_argument("slug")
        rows = actions.add_parser("supplements", help="write FILE.csv of the values to supply")
        rows.add_argument("slug")
        rows.add_argument("file")
        load = actions.add_parser("import", help="import a template as a new framework version")
        load.add_argument("slug")
        load.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a value the decision leaves unstated (repeatable)",
        )
        load.add_argument("--file", help="a CSV (key,value) or JSON object of values to supply")
        load.add_argument("--code", help="the framework's code (default: the template's)")
        load.add_argument("--year", type=int, help="the year (default: the decision's)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except TemplateError as exc:
            raise CommandError("\n".join(exc.messages)) from None

    def _list(self, options: dict[str, Any]) -> None:
        for template in template_list():
            count = len(template.missing_keys)
            self.stdout.write(
                f"{template.slug}: {template.title} — {_decision(template)}; "
                + _("cần bổ sung %(count)d giá trị") % {"count": count}
            )

    def _show(self, options: dict[str, Any]) -> None:
        template = template_get(options["slug"])
        out = self.stdout.write
        out(f"{template.title}\n{_decision(template)}")
        out(_("Nguồn: %(document)s") % {"document": template.source["document"]})
        out(_("Chỉ số chính: %(count)d") % {"count": template.main_count})
        for entry in template.main_indices():
            out(f"  {entry['code']}: {entry['name'] or '—'} ({entry['max_points'] or '—'})")
        out(_("Văn bản không nêu:"))
        for text in template.unstated:
            out(f"  - {text}")
        for text in template.notes:
            out(f"  * {text}")
        out(_("Cần bổ sung (KHÓA=GIÁ TRỊ):"))
        for item in template.missing:
            out(f"  {item.key}: {item.label}")

    def _supplements(self, options: dict[str, Any]) -> None:
        rows = supplements_rows(options["slug"])
        with Path(options["file"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["key", "value", "what"])
            for row in rows:
                writer.writerow(csv_row([row["key"], row["value"], row["what"]]))
        self.stdout.write(
            _("Đã ghi %(count)d giá trị cần bổ sung vào %(file)s")
            % {"count": len(rows), "file": options["file"]}
        )

    def _import(self, options: dict[str, Any]) -> None:
        supplements: dict[str, str] = {}
        if options["file"]:
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(_("Không có tệp %(file)s") % {"file": path})
            supplements.update(supplements_read(path.name, path.read_bytes()))
        for pair in options["set"]:
            key, sep, value = pair.partition("=")
            if not sep:
                raise CommandError(
                    _("--set cần dạng KHÓA=GIÁ TRỊ, không phải “%(pair)s”") % {"pair": pair}
                )
            supplements[key.strip()] = value.strip()
        framework = template_import(
            options["slug"], supplements, code=options["code"], year=options["year"]
        )
        self.stdout.write(
            self.style.SUCCESS(
                _("Đã nhập bộ chỉ số “%(code)s” phiên bản %(version)d (%(nodes)d chỉ số)")
                % {
                    "code": framework.code,
                    "version": framework.version,
                    "nodes": framework.nodes.count(),
                }
            )
        )
