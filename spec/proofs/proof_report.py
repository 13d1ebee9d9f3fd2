"""The proofs in the reports and on the command line: results as data, Markdown, one verdict."""

from __future__ import annotations

import re
from typing import Callable, TypeVar

from tcpverify.checker.proofs import ProofResult, overall, prove_all, prove_beside
from tcpverify.checker.status import Expect, Status

from .obligations import obligations

AS_VERDICT = {Status.PROVED: Status.VERIFIED, Status.REFUTED: Status.VIOLATED,
              Status.UNKNOWN: Status.INCOMPLETE}
T = TypeVar("T")


def run_proofs(timeout_ms: int | None = None, workers: int = 1) -> list[ProofResult]:
    return prove_all(obligations(), timeout_ms, workers)


_PROVED: list[tuple[ProofResult, ...]] = []  # this process's results, once discharged


def proof_results(workers: int = 1) -> tuple[ProofResult, ...]:
    """Every obligation's result, computed once per process (over ``workers`` processes) for
    verify and the reports (what they show does not depend on the runs)."""
    if not _PROVED:
        _PROVED.append(tuple(run_proofs(workers=workers)))
    return _PROVED[0]


def proved_beside(here: Callable[[], T], workers: int) -> tuple[T, tuple[ProofResult, ...]]:
    """(here(), proof_results()): here() in this process while the obligations are
    discharged in workers - 1 forked ones; proof_results() gives those from then on."""
    done, results = prove_beside(obligations(), here, workers)
    _PROVED[:] = [tuple(results)]
    return done, _PROVED[0]


def proofs_verdict(results) -> str:
    """The proofs as one checker verdict: VERIFIED, VIOLATED or INCOMPLETE."""
    return AS_VERDICT[overall(list(results))]


def hex_number(v: int) -> str:
    return f"0x{v:08x}"


def proof_dict(res: ProofResult, with_seconds: bool = False) -> dict:
    """One obligation's result as plain data; the numbers of a model in hexadecimal."""
    ob = res.obligation
    d = {"name": ob.name, "statement": ob.statement, "expect": ob.expect, "status": res.status,
         "as_expected": res.as_expected,
         "model": {k: hex_number(v) for k, v in res.model.items()}}
    if res.reason:
        d["reason"] = res.reason
    if with_seconds:
        d["seconds"] = round(res.seconds, 3)
    return d


def statement_md(ob) -> str:
    """An obligation's statement as Markdown text: its <SEQ=...> notations are not HTML tags,
    its bars not table cells."""
    return re.sub(r"<(?=[A-Za-z])", r"\\<", ob.statement.replace("|", "\\|"))


def proofs_md(results) -> list[str]:
    out = ["", "## Proofs", "",
           "Z3 obligations (`tcpverify prove`); an obligation marked *expected refuted* is a "
           "teaching counterexample, shown with Z3's model.", "",
           "| obligation | statement | result |", "|---|---|---|"]
    for res in results:
        mark = res.status + (" (expected)" if res.obligation.expect != Expect.HOLDS else "")
        if not res.as_expected:
            mark = f"**{mark}**"
        model = ", ".join(f"{k}={v}" for k, v in proof_dict(res)["model"].items())
        statement = statement_md(res.obligation)
        out.append(f"| {res.obligation.name} | {statement} | {mark}"
                   + (f": {model}" if model else "") + " |")
    return out
