"""The command line: `tcpverify COMMAND`, one module per command (each has add_parser(sub),
whose parsers set_defaults(run=...) to a function of the parsed arguments returning the exit code).

Exit codes: 0 all verified, 1 a property violated, 2 bad usage or input, 3 incomplete (a limit
was hit, memory ran out, or Z3 answered unknown), 4 an internal error (a bug in tcpverify: one
line, and the traceback in a file), 130 interrupted (Ctrl-C: no report is written).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import tempfile
import traceback
from importlib.metadata import PackageNotFoundError, version

from tcpverify.checker import interrupt
from tcpverify.checker.resources import peak_rss_mib

from .errors import INTERNAL_EXIT, INTERRUPTED_EXIT, OUT_OF_MEMORY_EXIT, USAGE_EXIT, UsageError
from .mpi import mpi_rank, mpi_world


def parser():
    """Every command's parser; the model loads here, inside main()'s handling of Ctrl-C."""
    from . import (audit, bmc, check, exercise, explain, explore, listing, mutants, prove, replay, report,
                   schema, trace, verify)
    from .options import Parser
    p = Parser(prog="tcpverify", description="Model-check TCP connection management (RFC 9293).")
    p.add_argument("--version", action="version", version=f"tcpverify {_version()}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    for module in (verify, check, listing, explain, explore, exercise, trace, report, replay, prove, audit,
                   mutants, bmc, schema):
        module.add_parser(sub)
    return p


def _version() -> str:
    try:
        return version("tcpverify")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


class PipeSafe:
    """stdout that outlives its reader (head, less): once the pipe breaks, writes go nowhere,
    and the command goes on to return its own exit code."""

    def __init__(self, stream):
        self.stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        return self._guard(self.stream.write, text) or len(text)

    def flush(self) -> None:
        self._guard(self.stream.flush)

    def _guard(self, call, *a):
        if self.broken:
            return None
        try:
            return call(*a)
        except BrokenPipeError:
            self.broken = True
            try:  # what Python would flush at exit goes nowhere too
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
            except (OSError, ValueError):  # not a file descriptor (a test's capture)
                pass
            return None

    def __getattr__(self, name):
        return getattr(self.stream, name)


def main(argv: list[str] | None = None) -> int:
    stdout, handler = sys.stdout, signal.getsignal(signal.SIGINT)
    sys.stdout = PipeSafe(stdout)
    interrupt.install()
    try:
        args = parser().parse_args(argv)
        if mpi_world() and args.command != "check":
            raise UsageError("under mpiexec, tcpverify runs the command check only")
        code = args.run(args)
        interrupt.check()  # a Ctrl-C a finalizer swallowed: not the verdict's exit code
        sys.stdout.flush()
        return code
    except SystemExit as e:  # argparse's --help and --version
        return e.code
    except (UsageError, argparse.ArgumentTypeError) as e:  # the latter from output paths checked late
        if mpi_rank():  # (every rank of an mpiexec job finds the same bad input: rank 0 says it)
            return USAGE_EXIT
        return _fail(f"error: {e}", USAGE_EXIT)
    except KeyboardInterrupt:
        return _interrupted(argv)
    except Exception as e:
        if interrupt.pending():  # the interrupt, wrapped on its way up
            return _interrupted(argv)
        if isinstance(e, MemoryError) or getattr(e, "out_of_memory", False):  # (a worker's: comm.WorkerFailed)
            code = _out_of_memory(e)
        else:
            code = _fail(f"internal error: {type(e).__name__}: {e} (a bug in tcpverify; the traceback "
                         f"is in {_save_traceback()})", INTERNAL_EXIT)
        _end_job(code)
        return code
    finally:
        sys.stdout = stdout
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, handler)


def _out_of_memory(e: Exception) -> int:
    """One line for a run that ran out of memory, here (MemoryError) or in a worker (its exit
    status: checker.comm.WorkerFailed), not taken for a bug: exit 3, nothing decided."""
    here, peak = isinstance(e, MemoryError), peak_rss_mib()
    what = f"out of memory (at a peak of {peak:,.0f} MiB)" if here and peak else "out of memory" if here else e
    return _fail(f"{what}: the search did not finish; smaller bounds (--loss, --dup, --capacity) make it smaller",
                 OUT_OF_MEMORY_EXIT)


def _end_job(code: int) -> None:
    """Under mpiexec, a rank that failed alone (bad input, which every rank finds alike, returns
    as usual) leaves the others waiting for it in the search's collectives: MPI_Abort ends them
    all with code, where returning left the job hanging until mpiexec was killed."""
    try:
        world = mpi_world()
    except UsageError:  # (mpi4py missing: no search began)
        return
    if world is not None:
        sys.stderr.flush()
        world.Abort(code)


def _interrupted(argv: list[str] | None) -> int:
    """Ctrl-C: one line, exit 130. As the program (no argv given), the objects a library was
    building when the signal landed are left to the exit unfinalized: a half-built Z3 term's
    __del__ fails ('BitVecRef' object has no attribute 'ctx') and Python would print that."""
    code = _fail("interrupted", INTERRUPTED_EXIT)
    if argv is None:
        sys.unraisablehook = lambda unraisable: None
    return code


def _fail(line: str, code: int) -> int:
    clear = "\r\x1b[K" if sys.stderr.isatty() else ""  # over a progress line
    print(f"{clear}tcpverify: {line}", file=sys.stderr)
    return code


def _save_traceback() -> str:
    """Where the traceback went: a file in the temporary folder (or nowhere, saying why)."""
    try:
        fd, path = tempfile.mkstemp(prefix="tcpverify-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"tcpverify {_version()}, argv {sys.argv!r}\n{traceback.format_exc()}")
    except OSError as e:
        return f"no file: {e}"
    return path


if __name__ == "__main__":
    sys.exit(main())
