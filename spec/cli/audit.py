"""tcpverify audit: the seed blog post against RFC 9293 (reports/seed-audit.md, .zh.md).

The last line counts what the audit found: the post's notations the checker refutes,
its conceptual errors and omissions shown on computed runs. Exit 0 when the audit found
all it claims; 1 when it did not (a departure breaks no property, a run is missing, the
RFC model fails, a cited proof is refuted); 3 when a run hit a limit or Z3 answered unknown.
"""

from __future__ import annotations

import sys

from tcpverify.checker.verdict import EXIT_CODES

from ..teaching.audit import LITERAL, audit_md, run_audit
from .output import add_reports, output_folder, write_files
from .progress import add_quiet

REPORTS = {"seed-audit.md": "en", "seed-audit.zh.md": "zh"}


def add_parser(sub) -> None:
    p = sub.add_parser("audit", help="check the seed blog post's handshake and close against RFC 9293")
    add_reports(p, "folder for seed-audit.md and seed-audit.zh.md")
    add_quiet(p)
    p.set_defaults(run=cmd_audit)


def cmd_audit(args) -> int:
    folder = output_folder(args.reports)
    if not args.quiet:
        print("auditing the seed post ...", file=sys.stderr, flush=True)
    a = run_audit()
    write_files({folder / name: audit_md(a, lang) for name, lang in REPORTS.items()})
    for name, row in [(d.variant, r) for d, r in a.departures] + [(LITERAL, a.together)]:
        first = row.shortest()
        what = (f"{first[0].property} fails, counterexample of {first[0].length} steps ({first[0].where})"
                if first else "breaks no property")
        print(f"{name:28} {what}")
    for name, p in a.proofs.items():
        print(f"{name:28} {p.obligation.name} {p.status} for every ISN pair (tcpverify prove)")
    for kind, witnesses in (("wrong:   ", a.misconceptions), ("left out:", a.witnesses)):
        for w in witnesses:
            for topic, shown in w.runs():
                found = "NOT FOUND" if shown is None else \
                    f"{len(shown.trace) - 1} steps, {topic.property or 'every property'} {shown.outcome.status}"
                print(f"{kind} {w.omission.title['en']:44} {topic.command():50} {found}")
    print(f"audit: {a.summary()}; written to {folder / 'seed-audit.md'} and {folder / 'seed-audit.zh.md'}")
    return EXIT_CODES[a.status]
