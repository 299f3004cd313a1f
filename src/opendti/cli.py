"""The `opendti` command: `opendti score` (no database needed), then Django's and our commands.

Sub-commands may be written with hyphens (`opendti import-workbook`): they map to Django's
underscored command names.
"""

from __future__ import annotations

import sys

from opendti.config.fallback import choose_settings


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv if argv is None else ["opendti", *argv])
    if len(args) > 1 and args[1] == "score":
        from opendti.workbook.cli import score_main

        return score_main(args[2:])
    if len(args) > 1 and not args[1].startswith("-"):
        args[1] = args[1].replace("-", "_")
    # Never silently: the embedded settings are named on standard error, with DEBUG off.
    choose_settings("opendti")
    from django.core.management import execute_from_command_line

    execute_from_command_line(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
