"""The command line: tcpverify verify | check | list | graph (and the EXTENSIONS' commands).

Exit codes: 0 all verified, 1 a property violated, 2 bad usage or input,
3 incomplete (a limit was hit, or Z3 answered unknown).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tcpverify.checker.verdict import EXIT_CODES, USAGE_EXIT, worst

from . import cli_audit, cli_bmc, cli_mutants, cli_prove, cli_replay, expect, explain, report_cli, trace
from .config import DEFAULT_CONFIGS, SCENARIOS, Config
from .junit import junit_xml
from .machine import build_graph
from .progress import add_quiet, meter
from .proof_report import proof_results, proofs_verdict
from .properties import every_property
from .render import format_trace, graph_dot, graph_json, graph_mermaid
from .report import FROM_RUNS, verification_json, write_reports
from .run import default_runs, run_all
from .symbolic import Decider
from .variant_file import VariantFileError, load_variant
from .variants import VARIANTS


class UsageError(Exception):
    """Bad usage or input: reported as one line, exit code 2."""


# Modules that add subcommands: each has add_parser(sub), and its parsers
# set_defaults(run=...) to a function of the parsed arguments returning the exit code.
EXTENSIONS: tuple = (explain, trace, report_cli, cli_replay, cli_prove, cli_audit, cli_mutants, cli_bmc)


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _count(text: str) -> int:
    """A budget: a whole number >= 0, or 'inf' (-1)."""
    if text == "inf":
        return -1
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number or 'inf'") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    return n


def _positive(text: str) -> int:
    n = _count(text)
    if n <= 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a whole number above 0")
    return n


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options that choose one run: fault budgets, bounds, variant, state limit."""
    p.add_argument("--loss", type=_count, default=0, help="segments lost at most ('inf': unbounded)")
    p.add_argument("--dup", type=_count, default=0, help="segments duplicated at most")
    p.add_argument("--stale", type=_count, default=0, help="old duplicates arriving at most")
    p.add_argument("--forge", type=_count, default=0,
                   help="RSTs or SYNs a blind attacker injects at most, with arbitrary SEQ (RFC 5961)")
    p.add_argument("--reorder", action="store_true", help="channels may reorder segments")
    p.add_argument("--capacity", type=_positive, default=Config.capacity)
    p.add_argument("--retries", type=_count, default=Config.retries,
                   help="retransmissions before giving up ('inf': never)")
    p.add_argument("--window", type=_count, default=Config.window, help="RCV.WND")
    p.add_argument("--variant", default=None)
    p.add_argument("--variant-file", default=None, help="a Python file defining VARIANT or transform(graph)")
    p.add_argument("--max-states", type=_positive, default=None)
    add_quiet(p)


def parser() -> Parser:
    p = Parser(prog="tcpverify", description="Model-check TCP connection management (RFC 9293).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    v = sub.add_parser("verify", help="check every scenario under every default configuration")
    v.set_defaults(run=cmd_verify)
    v.add_argument("--max-states", type=_positive, default=None)
    v.add_argument("--reports", default="reports", help="folder the reports are written to")
    v.add_argument("--json", action="store_true", help="print the JSON report on stdout")
    v.add_argument("--variant", action="append", default=[], metavar="NAME[:CONFIGURATION]",
                   help="also check every scenario with this variant, under every default "
                        "configuration or the one named; repeatable")
    v.add_argument("--junit", metavar="FILE", help="write JUnit XML: a testcase per run and property")
    v.add_argument("--expect", metavar="FILE",
                   help="compare the verdicts with this expectation file (and check the variant "
                        "runs it names); exit 1 on any difference")
    v.add_argument("--write-expect", metavar="FILE", help="write the verdicts as an expectation file")
    add_quiet(v)

    c = sub.add_parser("check", help="check one scenario under one configuration")
    c.set_defaults(run=cmd_check)
    c.add_argument("scenario")
    add_run_options(c)
    c.add_argument("--json", action="store_true")

    sub.add_parser("list", help="list scenarios, variants, properties and configurations"
                   ).set_defaults(run=cmd_list)

    g = sub.add_parser("graph", help="print the endpoint state machine")
    g.add_argument("--format", choices=("dot", "mermaid", "json"), default="dot")
    g.add_argument("--variant", default=None)
    g.add_argument("--variant-file", default=None)
    g.set_defaults(run=cmd_graph)
    for module in EXTENSIONS:
        module.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        return args.run(args)
    except UsageError as e:
        print(f"tcpverify: error: {e}", file=sys.stderr)
        return USAGE_EXIT
    except BrokenPipeError:  # the reader (head, less) went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _variant(args):
    name = args.variant
    if args.variant_file is not None:
        if name is not None:
            raise UsageError("give --variant or --variant-file, not both")
        try:
            return load_variant(args.variant_file)
        except VariantFileError as e:
            raise UsageError(str(e)) from None
    if name is None:
        return None
    if name not in VARIANTS:
        raise UsageError(f"unknown variant '{name}' (see: tcpverify list)")
    return VARIANTS[name]


def run_from(args):
    """The Outcome of the run that add_run_options' arguments (and args.scenario) choose."""
    if args.scenario not in SCENARIOS:
        raise UsageError(f"unknown scenario '{args.scenario}' (see: tcpverify list)")
    if args.dup < 0 or args.stale < 0 or args.forge < 0 or args.window < 0:
        raise UsageError("--dup, --stale, --forge and --window take a whole number, not 'inf'")
    config = Config(loss=args.loss, dup=args.dup, stale=args.stale, forge=args.forge, reorder=args.reorder,
                    capacity=args.capacity, retries=None if args.retries < 0 else args.retries,
                    window=args.window)
    (o,) = run_all([(SCENARIOS[args.scenario], config, _variant(args))],
                   max_states=args.max_states, meter=meter(args.quiet))
    return o


def cmd_check(args) -> int:
    o = run_from(args)
    if args.json:
        print(verification_json([o], o.status), end="")
    else:
        print(describe_outcome(o))
    return EXIT_CODES[o.status]


def describe_outcome(o) -> str:
    s = o.result.exploration.stats
    variant = f", variant {o.variant.name}" if o.variant else ""
    lines = [f"scenario {o.scenario.name} ({o.config.name}{variant}): {o.status}",
             f"  {s.states} states, {s.transitions} transitions, depth {s.depth}, "
             f"{s.seconds:.2f} s, {s.states_per_second:,.0f} states/s",
             f"  assumptions: {o.config.assumptions()}"]
    if o.losses:
        lines.append("  losses explored (transitions losing each kind of segment): "
                     + ", ".join(f"{k} {n}" for k, n in sorted(o.losses.items())))
    for lim in o.result.exploration.limits:
        lines.append(f"  limit hit: {lim}")
    for v in o.result.verdicts:
        note = ""
        if v.status == "VIOLATED":
            note = f": {v.message} (counterexample of {v.length} steps)"
        elif v.vacuous:
            note = f"  (warning: vacuous, no {v.witness_text} was reached)"
        elif v.witness is not None:
            note = f"  (witness: {v.witness_text} at depth {len(v.witness) - 1})"
        lines.append(f"  {v.status:10} {v.property}{note}")
    for name, why in sorted(o.skipped.items()):
        lines.append(f"  {'n/a':10} {name}: {why}")
    for v in o.result.verdicts:
        if v.status == "VIOLATED":
            lines += ["", f"Counterexample for {v.property}: {v.message}", format_trace(o, v)]
    return "\n".join(lines)


def cmd_verify(args) -> int:
    try:
        expected = expect.read(Path(args.expect)) if args.expect else {}
        runs = default_runs() + [r for sel in args.variant for r in expect.selected_runs(sel)]
        runs += expect.runs_named(expected)
    except expect.ExpectError as e:
        raise UsageError(str(e)) from None
    runs = list({(s.name, c.name, v.name if v else "-"): (s, c, v) for s, c, v in runs}.values())
    outcomes = run_all(runs, max_states=args.max_states, meter=meter(args.quiet))
    proofs = proof_results()
    status = worst([o.status for o in outcomes] + [proofs_verdict(proofs)])
    suite = set(default_runs())
    suite_outcomes = [o for o in outcomes if (o.scenario, o.config, o.variant) in suite]
    write_reports(Path(args.reports), suite_outcomes, worst(o.status for o in suite_outcomes), FROM_RUNS)
    if args.junit:
        Path(args.junit).write_text(junit_xml(outcomes))
    if args.write_expect:
        expect.write(Path(args.write_expect), outcomes)
    if args.json:
        print(verification_json(outcomes, status, proofs), end="")
    else:
        print(verification_table(outcomes, status, args.reports, proofs))
    if not (args.expect or args.write_expect):
        return EXIT_CODES[status]
    if proofs_verdict(proofs) != "VERIFIED":  # no expectation file excuses a failed proof
        return EXIT_CODES[proofs_verdict(proofs)]
    differences = expect.compare(expected, expect.verdicts(outcomes)) if args.expect else []
    for line in differences:
        print(f"unexpected: {line}", file=sys.stderr)
    if differences:
        print(f"{len(differences)} verdict(s) differ from {args.expect}", file=sys.stderr)
        return EXIT_CODES["VIOLATED"]
    # Violations are expected here; an incomplete search is never a pass.
    return EXIT_CODES["INCOMPLETE"] if any(o.status == "INCOMPLETE" for o in outcomes) else 0


def verification_table(outcomes, status: str, folder: str = "reports", proofs=()) -> str:
    head = f"{'scenario':24} {'configuration':26} {'verdict':10} {'states':>8} {'trans.':>8} " \
           f"{'depth':>5} {'seconds':>8}"
    lines = [head, "-" * len(head)]
    total = 0.0
    for o in outcomes:
        s = o.result.exploration.stats
        total += s.seconds
        config = o.config.name + (f", variant {o.variant.name}" if o.variant else "")
        lines.append(f"{o.scenario.name:24} {config:26} {o.status:10} {s.states:8d} "
                     f"{s.transitions:8d} {s.depth:5d} {s.seconds:8.2f}")
        for v in o.result.verdicts:
            if v.status != "VERIFIED":
                lines.append(f"    {v.status} {v.property}: {v.message}")
    if proofs:
        lines += ["", "proofs (tcpverify prove):"] + cli_prove.proof_lines(proofs)
    lines.append(f"overall: {status} ({len(outcomes)} runs, {len(proofs)} proof obligations, "
                 f"{total:.1f} s); "
                 f"written to {' and '.join(f'{folder}/{n}' for n in FROM_RUNS)} "
                 f"(tcpverify report writes every report)")
    return "\n".join(lines)


def cmd_list(args) -> int:
    print("scenarios:")
    for s in SCENARIOS.values():
        print(f"  {s.name:28} {s.description}")
    print("variants:")
    for v in VARIANTS.values():
        print(f"  {v.name:28} {v.description}")
    print("properties:")
    for p in every_property(Decider()):
        print(f"  {p.name:28} {p.description}")
    print("configurations (the default suite):")
    for c in DEFAULT_CONFIGS:
        print(f"  {c.name:28} {c.assumptions()}")
    return 0


def cmd_graph(args) -> int:
    g = build_graph()
    variant = _variant(args)
    if variant:
        g = variant.apply(g)
    print({"dot": graph_dot, "mermaid": graph_mermaid, "json": graph_json}[args.format](g))
    return 0


if __name__ == "__main__":
    sys.exit(main())
