"""`tcpverify prove [--json] [--timeout S]`: discharge the Z3 proof obligations.

Exit 0 when every obligation came out as expected (proved, or refuted for the
teaching counterexamples), 1 when one did not, 3 when Z3 answered unknown.
"""

from __future__ import annotations

import json

from tcpverify.checker.proofs import ProofResult, overall
from tcpverify.checker.status import Expect, Status
from tcpverify.checker.verdict import EXIT_CODES

from ..proofs.proof_report import AS_VERDICT, hex_number, proof_dict, run_proofs
from .options import UsageError

SCHEMA = "tcpverify/proofs/1"


def add_parser(sub):
    p = sub.add_parser("prove", help="prove the sequence-arithmetic and protocol obligations with Z3")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds Z3 may spend on each obligation (default: each one's own)")
    p.set_defaults(run=cmd_prove)


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
    if args.timeout is not None and not args.timeout > 0:
        raise UsageError(f"--timeout must be above 0 seconds, not {args.timeout}")
    results = run_proofs(None if args.timeout is None else int(args.timeout * 1000))
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
