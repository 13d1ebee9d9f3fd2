"""`tcpverify verify`: every scenario under every default configuration, the variant runs
asked for, and the proofs; writes the reports made from these runs."""

from __future__ import annotations

import sys
from pathlib import Path

from tcpverify.checker.status import Status
from tcpverify.checker.verdict import EXIT_CODES, worst

from ..proofs.proof_report import proof_results, proofs_verdict, proved_beside
from ..reports.build import FROM_RUNS, render_reports, verification_json
from ..suite import expect
from ..suite.coverage import coverage
from ..suite.run import default_runs, run_all
from ..teaching.narrator import counterexamples
from ..views.junit import junit_xml
from . import prove as cli_prove
from .options import UsageError, add_search_options, input_file, positive, search_from
from .output import DEFAULT_REPORTS, output_file, output_folder, write_files
from .progress import add_quiet, meter


def add_parser(sub) -> None:
    v = sub.add_parser("verify", help="check every scenario under every default configuration")
    v.set_defaults(run=cmd_verify)
    v.add_argument("--max-states", type=positive, default=None)
    add_search_options(v, "run with N processes ('auto': one per core): the proofs in N - 1 of "
                          "them beside the runs")
    v.add_argument("--reports", type=output_folder, default=None, metavar="DIR",
                   help=f"folder the reports are written to (default: ./{DEFAULT_REPORTS}; "
                        "with --json, none unless this is given)")
    v.add_argument("--json", action="store_true",
                   help="print the JSON report on stdout, and write reports only to --reports DIR")
    v.add_argument("--variant", action="append", default=[], metavar="NAME[:CONFIGURATION]",
                   help="also check every scenario with this variant ('-': the RFC model), under "
                        "every default configuration or the one named; repeatable")
    v.add_argument("--junit", type=output_file, metavar="FILE",
                   help="write JUnit XML: a testcase per run and property")
    v.add_argument("--expect", type=input_file, metavar="FILE",
                   help="compare the verdicts with this expectation file (and check the variant "
                        "runs it names); exit 1 on any difference")
    v.add_argument("--write-expect", type=output_file, metavar="FILE",
                   help="write the verdicts as an expectation file")
    v.add_argument("--fail-fast", action="store_true",
                   help="stop at the first run that is not VERIFIED and exit with its code, "
                        "without the other runs, the proofs or any report")
    add_quiet(v)


def cmd_verify(args) -> int:
    if args.fail_fast:
        return fail_fast(args)
    folder = args.reports or (None if args.json else output_folder(DEFAULT_REPORTS))
    expected, runs = selected(args)
    search = search_from(args, runs_apart=True)
    workers = search["workers"]
    apart = isinstance(workers, int) and workers > 1  # (on this machine, not under MPI)
    if apart:  # the proofs beside the runs, which gain nothing from workers of their own
        search["workers"] = 1  # (the default suite's searches are too small to gain: benchmarks/results.md)

    def checked():
        return run_all(runs, max_states=args.max_states, meter=meter(args.quiet), **search)
    outcomes, proofs = proved_beside(checked, workers) if apart else (checked(), proof_results())
    # without --expect, the default suite's departures that spec/suite/departures.tsv explains
    excused, contradicted = ({}, []) if args.expect else expect.departures(outcomes)
    left = [v.status for v in expect.unexcused_verdicts(outcomes, excused)]
    status = Status.VIOLATED if contradicted else worst(left + [proofs_verdict(proofs)])
    suite = set(default_runs())
    suite_outcomes = [o for o in outcomes if (o.scenario, o.config, o.variant) in suite]
    files = {} if folder is None else {folder / name: data for name, data in render_reports(
        suite_outcomes, expect.status_after_departures(suite_outcomes), FROM_RUNS).items()}
    if args.junit:
        files[args.junit] = junit_xml(outcomes, counterexamples(outcomes))
    if args.write_expect:
        files[args.write_expect] = expect.text(outcomes)
    write_files(files)
    if args.json:
        print(verification_json(outcomes, status, proofs), end="")
    else:
        print(verification_table(outcomes, status, folder, proofs, excused))
    if not (args.expect or args.write_expect):
        for line in contradicted:
            print(f"unexpected: {line}", file=sys.stderr)
        return EXIT_CODES[status]
    if proofs_verdict(proofs) != Status.VERIFIED:  # no expectation file excuses a failed proof
        return EXIT_CODES[proofs_verdict(proofs)]
    differences = expect.compare(expected, expect.verdicts(outcomes)) if args.expect else []
    for line in differences:
        print(f"unexpected: {line}", file=sys.stderr)
    if differences:
        print(f"{len(differences)} verdict(s) differ from {args.expect}", file=sys.stderr)
        return EXIT_CODES[Status.VIOLATED]
    # Violations are expected here; an incomplete search is never a pass.
    return EXIT_CODES[Status.INCOMPLETE] if any(o.status == Status.INCOMPLETE for o in outcomes) else 0


def selected(args) -> tuple[dict, list]:
    """(the expectation file's verdicts, the runs: the default suite, the variant runs asked
    for and those the expectation file names, each once)."""
    try:
        expected = expect.read(Path(args.expect)) if args.expect else {}
        runs = default_runs() + [r for sel in args.variant for r in expect.selected_runs(sel)]
        runs += expect.runs_named(expected)
    except expect.ExpectError as e:
        raise UsageError(str(e)) from None
    return expected, list({(s.name, c.name, v.name if v else "-"): (s, c, v) for s, c, v in runs}.values())


def fail_fast(args) -> int:
    """verify --fail-fast: the default suite and the variant runs asked for, up to the first
    run that is not VERIFIED (e.g. to judge a mutant of the model quickly)."""
    for option in ("json", "junit", "expect", "write_expect", "reports"):
        if getattr(args, option):
            raise UsageError(f"--fail-fast writes no report: drop --{option.replace('_', '-')}")
    search = search_from(args)
    if not isinstance(search["workers"], int):
        raise UsageError("--fail-fast stops on one machine: run it without MPI")
    _, runs = selected(args)
    outcomes = run_all(runs, max_states=args.max_states, meter=meter(args.quiet),
                       until=lambda o: unexcused(o)[0] != Status.VERIFIED, **search)
    last = outcomes[-1]
    status, failed = unexcused(last)
    if status != Status.VERIFIED:
        print(f"{last.scenario.name} under {last.config.name}"
              + (f", variant {last.variant.name}" if last.variant else "")
              + f": {status} ({', '.join(failed)}); run {len(outcomes)} of {len(runs)}, "
                "the rest not checked")
        return EXIT_CODES[status]
    _, contradicted = expect.departures(outcomes)
    for line in contradicted:
        print(f"unexpected: {line}", file=sys.stderr)
    if contradicted:
        return EXIT_CODES[Status.VIOLATED]
    proofs = proof_results(search["workers"])
    print(f"{len(outcomes)} runs VERIFIED or departing as expected; proofs {proofs_verdict(proofs)}")
    return EXIT_CODES[proofs_verdict(proofs)]


def unexcused(o) -> tuple[Status, list[str]]:
    """A run's worst verdict but those departures.tsv expects, and the properties behind it."""
    excused, _ = expect.departures([o])
    left = expect.unexcused_verdicts([o], excused)
    status = worst([v.status for v in left] + [Status.VERIFIED])
    return status, [v.property for v in left if v.status == status != Status.VERIFIED]


def verification_table(outcomes, status: str, folder: Path, proofs=(), excused=None) -> str:
    """``excused``: {(run key..., property): reason} of the departures expected (departures.tsv)."""
    excused = excused or {}
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
            if v.status != Status.VERIFIED:
                why = excused.get((*o.key, v.property))
                lines.append(f"    {v.status} {v.property}: {v.message}"
                             + (f" (expected: {why})" if why else ""))
    covered = coverage(outcomes)
    if covered is not None:
        lines += [""] + covered.lines()
    if proofs:
        lines += ["", "proofs (tcpverify prove):"] + cli_prove.proof_lines(proofs)
    if excused:
        lines.append(f"{len(excused)} verdict(s) other than {Status.VERIFIED} are expected "
                     f"(spec/suite/{expect.DEPARTURES.name}, each with its reason)")
    lines.append(f"overall: {status} ({len(outcomes)} runs, {len(proofs)} proof obligations, "
                 f"{total:.1f} s); "
                 f"written to {' and '.join(str(folder / n) for n in FROM_RUNS)} "
                 f"(tcpverify report writes every report)")
    return "\n".join(lines)
