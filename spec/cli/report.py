"""tcpverify report [--check]: regenerate reports/, or check that it has not drifted."""

from __future__ import annotations

import sys
from pathlib import Path


from ..proofs.proof_report import proved_beside
from ..reports.build import drift, render_reports
from ..suite import expect
from ..suite.mutants import default_matrix
from ..suite.run import default_runs, run_all
from .options import workers
from .output import add_reports, output_folder, write_files
from .progress import add_quiet, meter


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="regenerate every report under reports/ from the spec")
    p.add_argument("--check", action="store_true",
                   help="write nothing; exit 1 naming each file that differs from what the spec gives")
    add_reports(p, "the reports folder")
    p.add_argument("--workers", type=workers, default=1, metavar="N",
                   help="run with N processes ('auto': one per core): the proofs in N - 1 of them "
                        "beside the runs, then the mutation matrix over all N; the same reports for any N")
    add_quiet(p)
    p.set_defaults(run=cmd_report)


def cmd_report(args) -> int:
    folder = Path(args.reports) if args.check else output_folder(args.reports)

    def checked():
        return run_all(default_runs(), meter=meter(args.quiet))
    if args.workers > 1:  # the proofs beside the runs, then the mutation matrix over the workers
        outcomes = proved_beside(checked, args.workers)[0]
        default_matrix(args.workers)
    else:
        outcomes = checked()
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
