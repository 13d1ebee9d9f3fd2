"""`tcpverify prove [--json] [--timeout S] [--workers N]`: discharge the Z3 proof obligations.

Exit 0 when every obligation came out as expected (proved, or refuted for the
teaching counterexamples), 1 when one did not, 3 when Z3 answered unknown.
"""

from __future__ import annotations

import argparse
import json
import math

from tcpverify.checker.proofs import ProofResult, overall
from tcpverify.checker.status import Expect, Status
from tcpverify.checker.verdict import EXIT_CODES

from ..proofs.proof_report import AS_VERDICT, hex_number, proof_dict, run_proofs
from .options import workers

SCHEMA = "tcpverify/proofs/1"


def add_parser(sub):
    p = sub.add_parser("prove", help="prove the sequence-arithmetic and protocol obligations with Z3")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--timeout", type=z3_seconds, default=None, metavar="S",
                   help="seconds Z3 may spend on each obligation, from 0.001 to "
                        f"{MAX_TIMEOUT_MS // 1000} (default: each one's own)")
    p.add_argument("--workers", type=workers, default=1, metavar="N",
                   help="prove with N processes ('auto': one per core), those that share a "
                        "setup in one; same results for any N")
    p.set_defaults(run=cmd_prove)


MAX_TIMEOUT_MS = 2**32 - 1  # Z3 counts the timeout in milliseconds, in an unsigned 32-bit number


def z3_seconds(text: str) -> int:
    """A Z3 timeout given in seconds, as Z3's milliseconds: finite, at least one millisecond
    (Z3 reads 0 as no limit at all)."""
    try:
        s = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds") from None
    if not math.isfinite(s) or not 0.001 <= s <= MAX_TIMEOUT_MS // 1000:
        raise argparse.ArgumentTypeError(
            f"'{text}' is not between 0.001 and {MAX_TIMEOUT_MS // 1000} seconds")
    return round(s * 1000)


def proof_lines(results: list[ProofResult]) -> list[str]:
    lines = []
    for res in results:
        expected = " (expected)" if res.obligation.expect != Expect.HOLDS else ""
        flag = "" if res.as_expected else "  <-- not as expected"
        lines.append(f"{res.obligation.name:32} {res.status + expected:20} {res.seconds:7.3f} s  "
                     f"{res.obligation.statement}{flag}")
        if res.status == Status.REFUTED:
            model = " ".join(f"{k}={hex_number(v)}" for k, v in res.model.items())
            lines.append(f"{'':32} model: {model or '(any values)'}")
            if res.obligation.explain is not None and not res.as_expected:
                lines.append(f"{'':32} breaks at: {res.obligation.explain()}")
        if res.status == Status.UNKNOWN:
            lines.append(f"{'':32} Z3: {res.reason}")
    return lines


def cmd_prove(args) -> int:
    results = run_proofs(args.timeout, args.workers)
    status = overall(results)
    if args.json:
        doc = {"schema": SCHEMA, "status": status,
               "obligations": [proof_dict(r, with_seconds=True) for r in results]}
        print(json.dumps(doc, indent=2))
    else:
        print("\n".join(proof_lines(results)))
        total = sum(r.seconds for r in results)
        print(f"overall: {status} ({len(results)} obligations, {total:.2f} s in Z3)")
    return EXIT_CODES[AS_VERDICT[status]]
