"""`opendti score WORKBOOK --format json|csv|xlsx [--output FILE]`: score a workbook offline."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from opendti.scoring import FrameworkError, score_period

from .errors import WorkbookError
from .output import to_csv, to_json, write_xlsx
from .parse import parse_workbook
from .sheets import read_workbook


def score_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="opendti score", description="Score an assessment workbook without a database."
    )
    parser.add_argument("workbook", help="an XLSX file, or a folder of CSV sheets")
    parser.add_argument("--format", choices=("json", "csv", "xlsx"), default="json")
    parser.add_argument(
        "--output", help="where to write (default: standard output; required for xlsx)"
    )
    args = parser.parse_args(argv)
    try:
        parsed = parse_workbook(read_workbook(args.workbook))
        result = score_period(parsed.assessment)
    except WorkbookError as exc:
        print(f"{args.workbook}: {len(exc.errors)} error(s) in the workbook:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 2
    except FrameworkError as exc:
        print(f"{args.workbook}: framework: {exc}", file=sys.stderr)
        return 2
    if args.format == "xlsx":
        if not args.output:
            print("--output FILE.xlsx is required with --format xlsx", file=sys.stderr)
            return 2
        write_xlsx(parsed.assessment, result, Path(args.output))
    else:
        text = (
            to_json(parsed.assessment, result)
            if args.format == "json"
            else to_csv(parsed.assessment, result)
        )
        if args.output:
            Path(args.output).write_text(
                text + ("\n" if args.format == "json" else ""), encoding="utf-8"
            )
        else:
            sys.stdout.write(text + ("\n" if args.format == "json" else ""))
    if result.findings:
        print(f"{len(result.findings)} finding(s): see 'findings' in the output", file=sys.stderr)
    if result.notes:
        print(f"{len(result.notes)} note(s): see 'notes' in the output", file=sys.stderr)
    return 0
