"""`tcpverify trace SCENARIO [run options] --html FILE`: one self-contained page that steps
through a counterexample (or, when the run verifies, a witness) on the state diagram and the
message sequence chart. Also --svg FILE (the chart alone) and --mermaid (on stdout)."""

from __future__ import annotations

from tcpverify.checker.verdict import EXIT_CODES

from ..teaching.messages import LANGS
from ..teaching.narrator import narrate
from ..teaching.pages import describe, page, pick
from ..views.pictures import chart, sequence_mermaid, sequence_svg
from ..world.properties import PROPERTY_NAMES
from .options import UsageError, add_run_options, run_from
from .output import output_file, write_files


def add_parser(sub) -> None:
    p = sub.add_parser("trace", help="step through a counterexample or witness: HTML, SVG, Mermaid")
    p.add_argument("scenario")
    add_run_options(p)
    p.add_argument("--property", default=None,
                   help="show this property's counterexample or witness (default: the first "
                        "violated property, else the longest witness)")
    p.add_argument("--html", type=output_file, metavar="FILE", help="write the step-through page here")
    p.add_argument("--svg", type=output_file, metavar="FILE", help="write the message sequence chart here")
    p.add_argument("--mermaid", action="store_true", help="print the chart as a Mermaid sequenceDiagram")
    p.add_argument("--lang", choices=LANGS, default="en")
    p.set_defaults(run=cmd_trace)


def cmd_trace(args) -> int:
    if not (args.html or args.svg or args.mermaid):
        raise UsageError("trace needs --html FILE, --svg FILE or --mermaid")
    if args.property is not None and args.property not in PROPERTY_NAMES:
        raise UsageError(f"unknown property '{args.property}' (see: tcpverify list)")
    o = run_from(args)
    names = [v.property for v in o.result.verdicts]
    if args.property is not None and args.property not in names:
        raise UsageError(f"property '{args.property}' is n/a in this run "
                         f"(it checks: {', '.join(names)})")
    picked = pick(o, args.property)
    if picked is None:
        raise UsageError("the run has neither a counterexample nor a witness to show")
    told = narrate(o, picked.trace, picked.loop_start, args.lang)
    outputs = {args.html: lambda: page(o, picked, told),
               args.svg: lambda: sequence_svg(chart(told), describe(o, picked, args.lang))}
    write_files({path: make() for path, make in outputs.items() if path})
    if args.mermaid:
        print(sequence_mermaid(chart(told)))
    return EXIT_CODES[o.status]
