"""`tcpverify check SCENARIO [run options]`: one scenario under one configuration."""

from __future__ import annotations

from tcpverify.checker.status import Status
from tcpverify.checker.verdict import EXIT_CODES, compaction_note, workers_note

from ..reports.build import verification_json
from ..suite.coverage import run_coverage
from ..teaching.narrator import narrate_verdict
from ..views.render import format_trace
from .options import add_run_options, run_from


def add_parser(sub) -> None:
    c = sub.add_parser("check", help="check one scenario under one configuration")
    c.set_defaults(run=cmd_check)
    c.add_argument("scenario")
    add_run_options(c)
    c.add_argument("--json", action="store_true")
    c.add_argument("--coverage", action="store_true",
                   help="also list how often each edge of the state graph fired, and those that never did")


def cmd_check(args) -> int:
    o = run_from(args)
    if o is None:  # an MPI rank other than 0: rank 0 prints
        return 0
    if args.json:
        print(verification_json([o], o.status), end="")
    else:
        print(describe_outcome(o))
    if args.coverage and not args.json:
        print("\n".join(coverage_lines(run_coverage(o))))
    return EXIT_CODES[o.status]



def coverage_lines(covered) -> list[str]:
    """Each edge with the transitions that fired it, then the summary and the edges never fired."""
    width = max(map(len, covered.edges))
    return [""] + [f"  {e:{width}} {covered.fired[e]:8d}" for e in covered.edges if covered.fired[e]] \
        + covered.lines(gap="not in this run")


def describe_outcome(o) -> str:
    s = o.result.exploration.stats
    variant = f", variant {o.variant.name}" if o.variant else ""
    workers = workers_note(s)
    lines = [f"scenario {o.scenario.name} ({o.config.name}{variant}): {o.status}",
             f"  {s.states} states, {s.transitions} transitions, depth {s.depth}, "
             f"{s.seconds:.2f} s, {s.states_per_second:,.0f} states/s" + (workers and f", {workers}"),
             f"  assumptions: {o.config.assumptions()}"]
    if o.losses:
        lines.append("  losses explored (transitions losing each kind of segment): "
                     + ", ".join(f"{k} {n}" for k, n in sorted(o.losses.items())))
    for lim in o.result.exploration.limits:
        lines.append(f"  limit hit: {lim}")
    if o.result.exploration.graph.compaction:
        lines.append(f"  {compaction_note(s.states, o.result.exploration.graph.compaction)}")
    # what an INCOMPLETE verdict says of itself, beyond the limits and the compaction said above
    said = {"; ".join(o.result.exploration.limits), compaction_note(s.states, o.result.exploration.graph.compaction)
            if o.result.exploration.graph.compaction else None}
    for v in o.result.verdicts:
        note = ""
        if v.status == Status.VIOLATED:
            note = f": {v.message} (counterexample of {v.length} steps)"
        elif v.status == Status.VACUOUS or (v.status == Status.INCOMPLETE and v.message not in said):
            note = f": {v.message}"
        elif v.witness is not None:
            note = f"  (witness: {v.witness_text} at depth {len(v.witness) - 1})"
        lines.append(f"  {v.status:10} {v.property}{note}")
    for name, why in sorted(o.skipped.items()):
        lines.append(f"  {'n/a':10} {name}: {why}")
    for v in o.result.verdicts:
        if v.status == Status.VIOLATED:
            lines += ["", f"Counterexample for {v.property}: {v.message}", format_trace(narrate_verdict(o, v))]
    return "\n".join(lines)
