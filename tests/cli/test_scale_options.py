"""--workers, --fingerprint and mpiexec from the command line."""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys

import pytest

from tcpverify.checker import levels
from tcpverify.spec.cli import main
from tcpverify.spec.world.batch import Batch

RUN = ["check", "half-close", "--loss", "1", "--stale", "1"]


def cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def without_speed(out: str) -> str:
    """The output but for the line with seconds and states/s."""
    return "\n".join(line for line in out.splitlines() if "states/s" not in line)


@pytest.mark.parametrize("split, who", [(None, "1 worker (no level reached 2,048 states)"), (0, "2 workers"),
                                        (40, "2 workers")])
def test_workers_and_auto_print_what_one_worker_prints(capsys, split_at, split, who):
    """A run this small is rank 0's alone; forked at once, or from a level of 40 states, the
    same; the line of the speed says which workers searched."""
    if split is not None:
        split_at(split)
    code, one, _ = cli(capsys, *RUN)
    assert code == 1 and "Counterexample for" in one  # a trace to print, and its values of Z3
    assert one.splitlines()[1].endswith(" states/s")
    for workers in ("2", "auto"):
        code, out, err = cli(capsys, *RUN, "--workers", workers)
        assert (code, err, without_speed(out)) == (1, "", without_speed(one))
        if workers == "2":
            assert out.splitlines()[1].endswith(f" states/s, {who}")


def test_fingerprint_labels_the_verdicts_incomplete_with_the_omission_probability(capsys):
    code, out, _ = cli(capsys, "check", "normal", "--loss", "1", "--fingerprint", "64")
    assert code == 3
    assert out.splitlines()[0] == "scenario normal (loss 1): INCOMPLETE"
    assert "hash compaction (64-bit fingerprints): nothing found, but a state may have been " \
           "omitted, probability <= 1.2e-16" in out  # 67 states
    assert "VERIFIED" not in out
    code, out, _ = cli(capsys, "check", "normal", "--loss", "1", "--variant", "no-time-wait", "--fingerprint", "32")
    assert code == 1 and "VIOLATED   time-wait-role" not in out and "VIOLATED" in out


def test_a_run_that_merged_states_make_is_said_incomplete_on_its_verdicts_line(capsys):
    code, out, _ = cli(capsys, "check", "half-close", "--loss", "1", "--dup", "1", "--reorder", "--fingerprint", "16")
    assert code == 3 and "VIOLATED" not in out
    assert "  INCOMPLETE close-completion: hash compaction (16-bit fingerprints): the run found without the goal " \
           "goes through states taken for one (probability <= 1), and no run takes it\n" in out


@pytest.mark.parametrize("argv, message", [
    (["--workers", "0"], "argument --workers: '0' must be a whole number above 0"),
    (["--workers", "many"], "argument --workers: 'many' is not a whole number or 'auto'"),
    (["--workers", "inf"], "argument --workers: 'inf' is not a whole number or 'auto'"),
    (["--fingerprint", "8"], "argument --fingerprint: '8' is not a number of bits from 16 to 64"),
    (["--fingerprint", "65"], "argument --fingerprint: '65' is not a number of bits from 16 to 64"),
    (["--fingerprint", "32", "--workers", "2"], "--fingerprint runs on one worker: drop --workers"),
])
def test_bad_search_options_exit_2_with_one_line(capsys, argv, message):
    code, out, err = cli(capsys, "check", "normal", *argv)
    assert (code, out, err) == (2, "", f"tcpverify: error: {message}\n")


def test_fingerprints_under_mpiexec_exit_2_with_one_line(capsys, monkeypatch):
    from tcpverify.spec.cli import options
    monkeypatch.setattr(options, "mpi_world", lambda: object())  # (a rank of several)
    code, out, err = cli(capsys, "check", "normal", "--fingerprint", "32")
    assert (code, out, err) == (2, "", "tcpverify: error: --fingerprint runs on one worker: run it without mpiexec\n")


@pytest.mark.parametrize("rank, said", [("0", "tcpverify: error: unknown scenario 'nosuch' (see: tcpverify list)\n"),
                                        ("1", "")])
def test_bad_input_under_mpiexec_is_said_once_by_rank_0(capsys, monkeypatch, rank, said):
    monkeypatch.setenv("PMI_RANK", rank)
    assert cli(capsys, "check", "nosuch") == (2, "", said)


def test_auto_is_the_cores_this_process_may_use_or_where_untold_the_machines(monkeypatch):
    from tcpverify.spec.cli.options import workers

    assert workers("auto") == len(os.sched_getaffinity(0))
    monkeypatch.delattr(os, "sched_getaffinity")  # (macOS, Windows)
    monkeypatch.setattr(os, "cpu_count", lambda: 6)
    assert workers("auto") == 6


def test_more_workers_than_pipes_can_join_exit_2_with_one_line_before_the_search():
    """fork() opens a pipe between each two workers at once: 200 need 39,800 ends, past a
    limit of 256 open files; the 15 that fit search (this run forks at its first large level)."""
    def limited():
        resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))

    run = ["check", "half-close", "--loss", "2", "--dup", "1", "--reorder"]
    many = subprocess.run([sys.executable, "-m", "tcpverify", *run, "--workers", "200"], preexec_fn=limited,
                          capture_output=True, text=True, timeout=300)
    assert (many.returncode, many.stdout) == (2, "")
    assert many.stderr == ("tcpverify: error: argument --workers: '200' is more workers than this process can "
                           "join: 200 hold 39,800 pipe ends open at once, and it may open 256 files (ulimit -n)\n")
    fit = subprocess.run([sys.executable, "-m", "tcpverify", *run, "--workers", "15"], preexec_fn=limited,
                         capture_output=True, text=True, timeout=300)
    assert (fit.returncode, fit.stderr) == (1, "") and fit.stdout.splitlines()[1].endswith(" states/s, 15 workers")


def mpiexec():
    """The mpiexec beside this Python (the mpich wheel's), or on the PATH, with mpi4py importable."""
    found = shutil.which("mpiexec", path=os.path.dirname(sys.executable)) or shutil.which("mpiexec")
    try:
        import mpi4py.MPI  # noqa: F401
    except ImportError:
        found = None
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI installs the mpi extra (.ci/run): mpiexec and mpi4py must be there")
        pytest.skip("no MPI here: pip install -e '.[mpi]'")
    return found


@pytest.mark.slow
def test_mpiexec_with_2_ranks_prints_what_one_process_prints():
    tcpverify = shutil.which("tcpverify", path=os.path.dirname(sys.executable))
    one = subprocess.run([tcpverify, *RUN], capture_output=True, text=True, timeout=300)
    two = subprocess.run([mpiexec(), "-n", "2", tcpverify, *RUN], capture_output=True, text=True, timeout=300)
    assert (two.returncode, two.stderr) == (1, "")  # rank 0's exit code: VIOLATED
    assert without_speed(two.stdout) == without_speed(one.stdout)
    other = subprocess.run([mpiexec(), "-n", "2", tcpverify, "verify"], capture_output=True, text=True, timeout=300)
    assert (other.returncode, other.stderr) == (2, "tcpverify: error: under mpiexec, tcpverify runs the command check only\n")


FAILING_RANK = """
import sys
from tcpverify.spec.cli import main
from tcpverify.spec.cli.mpi import mpi_rank
if mpi_rank() == 1:  # rank 1 fails at its fourth block while rank 0 waits for it
    from tcpverify.spec.world.batch import Batch
    expand, blocks = Batch.expand, []
    def failing(self, rows):
        blocks.append(1)
        if len(blocks) > 3:
            raise RuntimeError("rank 1 fails")
        return expand(self, rows)
    Batch.expand = failing
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_rank_that_fails_under_mpiexec_ends_the_job_with_its_line_and_code():
    job = subprocess.run([mpiexec(), "-n", "2", sys.executable, "-c", FAILING_RANK, "check", "half-close", "--loss",
                          "2", "--dup", "1", "--reorder"], capture_output=True, text=True, timeout=120)
    assert job.returncode == 4 and job.stdout == ""  # (without MPI_Abort: rank 0 waited for ever)
    assert job.stderr.startswith("tcpverify: internal error: RuntimeError: rank 1 fails (a bug in tcpverify; ")


OUT_OF_MEMORY = (": the search did not finish; smaller bounds (--loss, --dup, --capacity) make it smaller\n")


def test_a_search_out_of_memory_says_so_in_one_line_and_exits_3(capsys, monkeypatch):
    def exhausted(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(levels, "_search", exhausted)
    code, out, err = cli(capsys, "check", "half-close", "--loss", "1")
    assert (code, out) == (3, "")
    assert re.fullmatch(r"tcpverify: out of memory \(at a peak of [\d,]+ MiB\)" + re.escape(OUT_OF_MEMORY), err)


def test_a_worker_out_of_memory_is_named_by_rank_0_which_exits_3(capfd, monkeypatch, split_at):
    split_at(0)  # (forked at once)
    parent, expand = os.getpid(), Batch.expand

    def exhausted(self, rows):
        if os.getpid() != parent:
            raise MemoryError
        return expand(self, rows)
    monkeypatch.setattr(Batch, "expand", exhausted)
    code = main(["check", "half-close", "--loss", "1", "--dup", "1", "--workers", "2"])
    out, err = capfd.readouterr()
    assert (code, out, err) == (3, "", "tcpverify: worker 1 ran out of memory" + OUT_OF_MEMORY)


@pytest.mark.slow
def test_a_check_given_too_little_memory_ends_with_that_line_not_a_traceback():
    """A real MemoryError: the address space limited to what a small check took and 40 MiB
    more, which the large benchmark case (about 110 MiB more) exceeds."""
    tcpverify = shutil.which("tcpverify", path=os.path.dirname(sys.executable))
    small = subprocess.run([sys.executable, "-c", "from tcpverify.spec.cli import main; main(['check', "
                            "'half-close', '--loss', '1', '--quiet']); print(next(line.split()[1] for line in "
                            "open('/proc/self/status') if line.startswith('VmPeak')))"],
                           capture_output=True, text=True, check=True)
    limit = (int(small.stdout.split()[-1]) << 10) + (40 << 20)

    def limited():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    large = subprocess.run([tcpverify, "check", "half-close", "--loss", "2", "--dup", "3", "--reorder", "--retries",
                            "3", "--capacity", "7"], preexec_fn=limited, capture_output=True, text=True, timeout=300)
    assert (large.returncode, large.stdout) == (3, "")
    assert re.fullmatch(r"tcpverify: out of memory \(at a peak of [\d,]+ MiB\)" + re.escape(OUT_OF_MEMORY),
                        large.stderr)
