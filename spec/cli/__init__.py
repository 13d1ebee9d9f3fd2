"""The command line: `tcpverify COMMAND`, one module per command (each has add_parser(sub),
whose parsers set_defaults(run=...) to a function of the parsed arguments returning the exit code).

Exit codes: 0 all verified, 1 a property violated, 2 bad usage or input,
3 incomplete (a limit was hit, or Z3 answered unknown).
"""

from __future__ import annotations

import os
import sys

from tcpverify.checker.verdict import USAGE_EXIT

from . import audit, bmc, check, explain, explore, listing, mutants, prove, replay, report, trace, verify
from .mpi import mpi_world
from .options import Parser, UsageError

COMMANDS = (verify, check, listing, explain, explore, trace, report, replay, prove, audit, mutants, bmc)


def parser() -> Parser:
    p = Parser(prog="tcpverify", description="Model-check TCP connection management (RFC 9293).")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in COMMANDS:
        module.add_parser(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
        if mpi_world() and args.command != "check":
            raise UsageError("under mpiexec, tcpverify runs the command check only")
        return args.run(args)
    except UsageError as e:
        print(f"tcpverify: error: {e}", file=sys.stderr)
        return USAGE_EXIT
    except BrokenPipeError:  # the reader (head, less) went away
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0




if __name__ == "__main__":
    sys.exit(main())
