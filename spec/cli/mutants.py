"""tcpverify mutants: every variant against every property (reports/mutants.md).

Exit 0 when every mutant is killed or is a survivor the report explains
(spec.suite.mutants.SURVIVORS); 1 when a mutant survives unexplained.
"""

from __future__ import annotations

import sys

from ..suite.mutants import SURVIVORS, matrix, mutants_md
from ..tcp.variants import VARIANTS
from ..world.properties import PROPERTY_NAMES
from .options import UsageError, workers
from .output import add_reports, output_folder, write_files
from .progress import add_quiet


def add_parser(sub) -> None:
    p = sub.add_parser("mutants", help="the mutation matrix: which property kills which variant")
    p.add_argument("variants", nargs="*", metavar="VARIANT",
                   help="only these variants (the report is written only when all run)")
    add_reports(p, "folder for mutants.md")
    p.add_argument("--workers", type=workers, default=1, metavar="N",
                   help="check with N processes ('auto': one per core), the variants dealt to them; "
                        "the same matrix for any N")
    add_quiet(p)
    p.set_defaults(run=cmd_mutants)


def cmd_mutants(args) -> int:
    unknown = [v for v in args.variants if v not in VARIANTS]
    if unknown:
        raise UsageError(f"unknown variant '{unknown[0]}' (see: tcpverify list)")
    folder = None if args.variants else output_folder(args.reports)
    announce = None if args.quiet else (
        lambda name: print(f"mutant {name} ...", file=sys.stderr, flush=True))
    rows = matrix(names=args.variants or None, progress=announce, workers=args.workers)
    width = max(len(r.variant.name) for r in rows)
    print(f"{'mutant':{width}}  killed by (shortest counterexample, steps)")
    for row in rows:
        kills = ", ".join(f"{k.property} {k.length}" for k in row.shortest())
        print(f"{row.variant.name:{width}}  {kills or 'SURVIVES'}")
    if folder is not None:
        write_files({folder / "mutants.md": mutants_md(rows)})
        print(f"written to {folder / 'mutants.md'}")
    unexplained = [r.variant.name for r in rows if not r.kills and r.variant.name not in SURVIVORS]
    for name in unexplained:
        print(f"{name} survives every property: a property is missing", file=sys.stderr)
    unused = [p for p in PROPERTY_NAMES if not any(p in r.kills for r in rows)]
    if unused and not args.variants:
        print("no mutant is killed by: " + ", ".join(unused), file=sys.stderr)
    return 1 if unexplained else 0
