"""tcpverify report [--check]: regenerate reports/, or check that it has not drifted."""

from __future__ import annotations

import sys
from pathlib import Path


from ..reports.build import drift, render_reports
from ..suite import expect
from ..suite.run import default_runs, run_all
from .output import add_reports, output_folder, write_files
from .progress import add_quiet, meter


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="regenerate every report under reports/ from the spec")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming each file that differs from what the spec gives")
    add_reports(p, "the reports folder")
    add_quiet(p)
    p.set_defaults(run=cmd_report)


def cmd_report(args) -> int:
    folder = Path(args.reports) if args.check else output_folder(args.reports)
    outcomes = run_all(default_runs(), meter=meter(args.quiet))
    status = expect.status_after_departures(outcomes)
    if not args.check:
        made = render_reports(outcomes, status)
        for path in write_files({folder / name: data for name, data in made.items()}):
            print(f"wrote {path}")
        return 0
    lines = drift(folder, outcomes, status)
    for line in lines:
        print(line, file=sys.stderr)
    if lines:
        print(f"{folder}/ has drifted from the spec: run tcpverify report, and commit the result",
              file=sys.stderr)
        return 1
    print(f"{folder}/ is what the spec gives")
    return 0
