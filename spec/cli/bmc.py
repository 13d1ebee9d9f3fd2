"""`tcpverify bmc SCENARIO [options of check] [--depth K] [--json]`: Z3's bounded model checking
against the breadth-first search, property by property.

Exit 0 when every shortest length agrees, 1 when one differs, 3 when Z3 answered unknown or the
depth bound hides the answer (or the search was incomplete), 2 on bad input.
"""

from __future__ import annotations

import json

from tcpverify.checker.status import Status

from ..proofs.bmc import NOT_ENCODED, compare, unencoded
from .options import UsageError, add_run_options, between, config_from, run_from

SCHEMA = "tcpverify/bmc/1"
# Each step adds a copy of the transition relation to Z3's formula; the deepest breadth-first
# search of the default suite is 23 steps.
MAX_DEPTH = 100


def add_parser(sub):
    p = sub.add_parser("bmc", help="bounded model checking with Z3, against the breadth-first search")
    p.add_argument("scenario")
    add_run_options(p)
    p.add_argument("--depth", type=between(1, MAX_DEPTH, "steps Z3 unrolls"), default=None,
                   help=f"steps to unroll, at most {MAX_DEPTH} (default: the depth the "
                        "breadth-first search explored)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_bmc)


def cmd_bmc(args) -> int:
    refused = unencoded(config_from(args))
    if refused:  # the option is the Config field that allows the action
        raise UsageError("bmc does not encode " + "; ".join(
            f"{a.name} (no --{a.budget}): {NOT_ENCODED[a.name]}" for a in refused))
    if args.loss < 0:
        raise UsageError("bmc needs a bounded --loss")
    o = run_from(args)
    enc, result, rows = compare(o, depth=args.depth, measure=True)
    agree = [r.agree for r in rows]
    status = 1 if False in agree else 3 if None in agree or o.status == Status.INCOMPLETE else 0
    if args.json:
        doc = {"schema": SCHEMA, "scenario": o.scenario.name, "configuration": o.config.name,
               "variant": o.variant.name if o.variant else None, "depth": result.depth,
               "formula_size": result.size,
               "properties": [{"property": r.property, "bfs": r.bfs, "bmc": r.bmc.status,
                               "bmc_depth": r.bmc.depth, "agree": r.agree} for r in rows]}
        print(json.dumps(doc, indent=2))
        return status
    variant = f", variant {o.variant.name}" if o.variant else ""
    print(f"scenario {o.scenario.name} ({o.config.name}{variant}): BMC to depth {result.depth}, "
          f"{result.seconds:.1f} s, formula of {result.size} nodes")
    for r in rows:
        bmc = str(r.bmc.depth) if r.bmc.status == Status.FOUND else \
            f"none up to {r.bmc.depth}" if r.bmc.status == Status.NOT_FOUND else f"unknown at {r.bmc.depth}"
        bfs = "none" if r.bfs is None else str(r.bfs)
        verdict = {True: "agree", False: "DISAGREE", None: "unknown"}[r.agree]
        print(f"  {r.property:18} BMC {bmc:16} BFS {bfs:6} {verdict}")
    return status
