"""What every command shares: the usage error (exit 2), the options that choose one run,
and the run they choose."""

from __future__ import annotations

import argparse
import os

from tcpverify.checker.comm import most_ranks
from tcpverify.checker.resources import open_files_allowed

from ..suite.run import run_all
from ..tcp.variant_file import VariantFileError, load_variant
from ..tcp.variants import VARIANTS
from ..world.config import CHECKABLE, Config
from .errors import UsageError
from .mpi import mpi_world
from .progress import add_quiet, meter


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def _whole(text: str, what: str) -> int:
    """A whole number >= 0; else the error names what the option takes."""
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not {what}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is negative")
    return n


def count(text: str) -> int:
    """A budget: a whole number >= 0, or 'inf' (-1)."""
    return -1 if text == "inf" else _whole(text, "a whole number or 'inf'")


def positive(text: str, what: str = "a whole number") -> int:
    if (n := _whole(text, what)) == 0:
        raise argparse.ArgumentTypeError(f"'{text}' must be a whole number above 0")
    return n


def input_file(text: str) -> str:
    """An argparse type: a file to read, named (what is in it is checked by its reader)."""
    if not text:
        raise argparse.ArgumentTypeError("the file name is empty")
    return text


def between(low: int, high: int, why: str):
    """An argparse type: a whole number from low to high; ``why`` says where high comes from."""
    what = f"a whole number from {low} to {high} ({why})"

    def parse(text: str) -> int:
        if not low <= (n := _whole(text, what)) <= high:
            raise argparse.ArgumentTypeError(f"'{text}' is not {what}")
        return n
    return parse


MAX_WINDOW = 2**16 - 1  # RFC 9293 3.1: the Window field has 16 bits (the model scales no window)


def workers(text: str) -> int:
    """A number of worker processes, or 'auto': one per core this process may use; no more
    than can be joined by pipes within the files this process may open (most_ranks)."""
    n = cores() if text == "auto" else positive(text, "a whole number or 'auto'")
    if n > most_ranks():
        raise argparse.ArgumentTypeError(
            f"'{text}' is more workers than this process can join: {n} hold {n * (n - 1):,} pipe ends open at "
            f"once, and it may open {open_files_allowed():,} files (ulimit -n)")
    return n


def cores() -> int:
    """The cores this process may run on (macOS and Windows tell only the machine's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def fingerprint_bits(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 16 <= n <= 64:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of bits from 16 to 64")
    return n


def add_search_options(p: argparse.ArgumentParser,
                       workers_help: str = "search with N processes ('auto': one per core)") -> None:
    """How the search runs: its workers and its storage (never what it finds, but for
    hash compaction, which labels what it does not find INCOMPLETE)."""
    p.add_argument("--workers", type=workers, default=1, metavar="N",
                   help=f"{workers_help}; same results for any N")
    p.add_argument("--fingerprint", type=fingerprint_bits, default=None, metavar="BITS",
                   help="hash compaction: store each state as a fingerprint of BITS bits (16-64); "
                        "a search that finds nothing is INCOMPLETE, with the chance of an omitted state")


def search_from(args, runs_apart: bool = False) -> dict:
    """The keyword arguments of run_all that add_search_options' arguments choose.
    ``runs_apart``: the caller searches each run on one worker whatever --workers says
    (verify, whose other processes prove), so --fingerprint goes with any --workers there."""
    world = mpi_world()
    if args.fingerprint is not None and world is not None:
        raise UsageError("--fingerprint runs on one worker: run it without mpiexec")
    if args.fingerprint is not None and args.workers != 1 and not runs_apart:
        raise UsageError("--fingerprint runs on one worker: drop --workers")
    return {"workers": world or args.workers, "fingerprint": args.fingerprint}


def add_run_options(p: argparse.ArgumentParser) -> None:
    """The options that choose one run: fault budgets, bounds, variant, state limit."""
    p.add_argument("--loss", type=count, default=0, help="segments lost at most ('inf': unbounded)")
    p.add_argument("--dup", type=count, default=0, help="segments duplicated at most")
    p.add_argument("--stale", type=count, default=0, help="old duplicates arriving at most")
    p.add_argument("--forge", type=count, default=0,
                   help="RSTs or SYNs a blind attacker injects at most, with arbitrary SEQ (RFC 5961)")
    p.add_argument("--reorder", action="store_true", help="channels may reorder segments")
    p.add_argument("--early-rto", action="store_true",
                   help="a retransmission timer may expire while segments are in flight, either "
                        "endpoint's first (default: only on a quiet network, least backoff first)")
    p.add_argument("--capacity", type=positive, default=Config.capacity)
    p.add_argument("--retries", type=count, default=Config.retries,
                   help="retransmissions before giving up ('inf': never)")
    p.add_argument("--window", type=between(0, MAX_WINDOW, "a 16-bit field"), default=Config.window,
                   help=f"RCV.WND, at most {MAX_WINDOW}")
    p.add_argument("--variant", default=None)
    p.add_argument("--variant-file", type=input_file, default=None,
                   help="a Python file defining VARIANT or transform(graph)")
    p.add_argument("--max-states", type=positive, default=None)
    add_search_options(p)
    add_quiet(p)



def variant_from(args):
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



def config_from(args) -> Config:
    """The configuration that add_run_options' arguments choose."""
    if args.dup < 0 or args.stale < 0 or args.forge < 0:
        raise UsageError("--dup, --stale and --forge take a whole number, not 'inf'")
    return Config(loss=args.loss, dup=args.dup, stale=args.stale, forge=args.forge, reorder=args.reorder,
                  capacity=args.capacity, retries=None if args.retries < 0 else args.retries,
                  window=args.window, early_rto=args.early_rto)


def run_from(args):
    """The Outcome of the run that add_run_options' arguments (and args.scenario) choose."""
    if args.scenario not in CHECKABLE:
        raise UsageError(f"unknown scenario '{args.scenario}' (see: tcpverify list)")
    config = config_from(args)
    (o,) = run_all([(CHECKABLE[args.scenario], config, variant_from(args))],
                   max_states=args.max_states, meter=meter(args.quiet), **search_from(args))
    return o
