"""The collectives a partitioned search needs, between K processes: mpi4py's lowercase
communicator methods (Get_rank, Get_size, alltoall, gather, scatter, bcast), so that MPI's
COMM_WORLD and ``LocalComm`` (forked processes on this machine, joined by pipes) are one.
MPI's ranks all run from the start; LocalComm's are forked when the search asks (fork()).

LocalComm's messages are pickled (protocol 5); where the platform has memfd_create (Linux),
their large buffers (numpy arrays of SHARED_FROM bytes or more) travel out of band, in shared
memory: the sender writes them into a memfd and passes its descriptor over the pipe's socket
(SCM_RIGHTS), the receiver maps it, and its arrays are views of that memory, not copies. The
gather of the large benchmark case (27 MB) took 0.1 s through the socket, pickled, written,
read in chunks and unpickled, and 0.04 s this way (benchmarks/notes.md). A pickle of more
than IN_BAND bytes goes into the memfd too, so that what a pipe carries never fills it: a rank
sends an exchange's messages, then receives, where it sent from a thread of its own (the
thread's start and the two threads' turns at the GIL took 1.5 ms of each exchange of the large
case's levels, 5% of its time on 2 workers)."""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import math
import mmap
import multiprocessing
import os
import pickle
import signal
import socket
import sys
import threading
import time
import traceback
from itertools import accumulate
from typing import Callable

from .resources import open_files_allowed


class WorkerFailed(RuntimeError):
    """A worker process died: its peers cannot finish the search. ``out_of_memory``: it ran
    out of memory, or was killed as the kernel kills a process when memory runs out."""

    def __init__(self, message: str, out_of_memory: bool = False):
        super().__init__(message)
        self.out_of_memory = out_of_memory


class LocalComm:
    """Rank ``rank`` of the processes on this machine, joined by pipes (``conns[j]``: the pipe
    to rank j). Rank 0 is alone (size 1) until ``fork()`` makes the others, ``ranks`` in all."""

    forked = True  # the ranks are copies of one process: Python's hash() agrees between them

    def __init__(self, ranks: int):
        self.rank, self.size, self.ranks, self.conns = 0, 1, ranks, {}
        self.children: list[int] = []
        self.ended: dict[int, int] = {}  # a child's pid -> its wait status, once rank 0 has reaped it
        self.threaded = True  # an exchange's messages sent from a thread while this one receives
        self._reaping = threading.Lock()

    def fork(self) -> None:
        """Fork ranks 1 .. ranks - 1 here: each goes on from this call as a copy of rank 0 with
        its own rank, and the collectives join all of them from now on."""
        pipes = {(i, j): multiprocessing.Pipe() for i in range(self.ranks) for j in range(i + 1, self.ranks)}
        for stream in (sys.stdout, sys.stderr):  # (a copy's buffers are never written: os._exit)
            with contextlib.suppress(OSError, ValueError):  # (closed: nothing to write)
                stream.flush()
        for r in range(1, self.ranks):
            pid = os.fork()
            if pid == 0:
                self.rank, self.children = r, []
                break
            self.children.append(pid)
        self.conns = {j: pipes[min(self.rank, j), max(self.rank, j)][self.rank > j]
                      for j in range(self.ranks) if j != self.rank}
        _close_all_but(pipes, self.conns)  # a dead peer's pipe must read as EOF
        self.threaded = not (_SHARED and all(_holds(c, 4 * IN_BAND) for c in self.conns.values()))
        _heap_kept()
        self.size = self.ranks

    def close(self) -> None:
        """Rank 0's end: the pipes closed (a rank still waiting reads EOF), the ranks reaped as
        they end, in a thread (workers_ended waits for them). A rank ends a few ms after its
        last message (rank 1 of the large benchmark case: 5 to 7 ms, the kernel freeing its
        pages), which the search's result need not wait for, as one worker's does not wait
        for its own pages to be freed at its exit."""
        for c in self.conns.values():
            c.close()
        left = [pid for pid in self.children if pid not in self.ended]
        if left:
            reaper = threading.Thread(target=_reap, args=(left, self.ended), daemon=True)
            reaper.start()
            _REAPERS.append(reaper)

    def _stopped(self, j: int) -> WorkerFailed:
        """Rank j's pipe broke: what rank 0, the workers' parent, can tell of how they ended
        (within a few seconds: a worker whose peer stopped ends at its next exchange). A worker
        out of memory is named before one that stopped for a peer; other ranks cannot tell."""
        said = f"worker {j} stopped"
        if self.rank or not self.children:
            return WorkerFailed(said)
        deadline = time.monotonic() + _WAIT_FOR_ENDS
        with self._reaping:  # (alltoall's sending thread may ask at once)
            while len(self.ended) < len(self.children) and time.monotonic() < deadline:
                for pid in self.children:
                    if pid not in self.ended:
                        done, status = os.waitpid(pid, os.WNOHANG)
                        if done:
                            self.ended[pid] = status
                time.sleep(0.01)
        ends = [(r, _ending(self.ended[pid])) for r, pid in enumerate(self.children, 1) if pid in self.ended]
        telling = [(r, why, oom) for r, (why, oom) in ends if why] or [(j, "stopped", False)]
        r, why, oom = max(telling, key=lambda t: t[2])
        return WorkerFailed(f"worker {r} {why}", oom)

    def Get_rank(self) -> int:  # noqa: N802 (mpi4py's name)
        return self.rank

    def Get_size(self) -> int:  # noqa: N802
        return self.size

    def alltoall(self, items: list) -> list:
        """items[j] goes to rank j; returns what each rank sent here."""
        peers = [j for j in range(self.size) if j != self.rank]
        if not peers:
            return list(items)
        if not self.threaded:  # (what _put writes on a pipe is small: it never waits for a reader)
            for j in peers:
                self._send(j, items[j])
            got = list(items)
            for j in peers:
                got[j] = self._recv(j)
            return got
        # Send from a thread while this one receives: two ranks sending each other more than
        # a pipe holds would otherwise both block.
        failed = []

        def send_all():
            try:
                for j in peers:
                    self._send(j, items[j])
            except WorkerFailed as e:
                failed.append(e)
        sender = threading.Thread(target=send_all)
        sender.start()
        got = list(items)
        try:
            for j in peers:
                got[j] = self._recv(j)
        finally:
            sender.join()
        if failed:
            raise failed[0]
        return got

    def gather(self, obj, root: int = 0):
        if self.rank != root:
            self._send(root, obj)
            return None
        return [obj if j == root else self._recv(j) for j in range(self.size)]

    def scatter(self, items, root: int = 0):
        if self.rank != root:
            return self._recv(root)
        for j in range(self.size):
            if j != root:
                self._send(j, items[j])
        return items[root]

    def bcast(self, obj, root: int = 0):
        return self.scatter([obj] * self.size if self.rank == root else None, root)

    def _recv(self, j: int):
        try:
            return _take(self.conns[j])
        except (EOFError, OSError):
            raise self._stopped(j) from None

    def _send(self, j: int, obj) -> None:
        try:
            _put(self.conns[j], obj)
        except OSError:
            raise self._stopped(j) from None


def _reap(pids: list[int], ended: dict[int, int]) -> None:
    for pid in pids:
        with contextlib.suppress(ChildProcessError):  # (reaped elsewhere: SIGCHLD ignored)
            ended[pid] = os.waitpid(pid, 0)[1]


_REAPERS: list[threading.Thread] = []  # (LocalComm.close)


def workers_ended() -> None:
    """Wait until every worker this process forked has ended and been reaped, so that
    RUSAGE_CHILDREN counts it: at this process's exit, and before a benchmark reads it."""
    while _REAPERS:
        _REAPERS.pop().join()


atexit.register(workers_ended)


def _ending(status: int) -> tuple[str, bool]:
    """(how a worker ended, whether for want of memory) from its wait status; ("", False)
    where it stopped because a peer did."""
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        if sig == signal.SIGKILL:
            return "was killed (SIGKILL, as the kernel kills a process when memory runs out)", True
        return f"was killed by {signal.Signals(sig).name}", False
    code = os.WEXITSTATUS(status)
    if code == _OUT_OF_MEMORY:
        return "ran out of memory", True
    if code in (0, _PEER_STOPPED):  # (done, or stopped for a peer)
        return "", False
    return f"failed (exit status {code}; its error is above)", False


_WAIT_FOR_ENDS = 5.0  # seconds rank 0 waits for the workers to end once one has stopped
# a forked worker's exit status: it stopped because a peer did, or for want of memory (a
# worker's own error exits 1, its traceback printed)
_PEER_STOPPED, _OUT_OF_MEMORY = 2, 3


def _heap_kept() -> None:
    """Keep freed memory in this process's heap (glibc): a rank's level-sized arrays, made
    and freed at every level, were given back to the kernel and faulted in again. 2 ranks of
    the large benchmark case: 76,000 page faults instead of 110,000, 4% less wall time, about
    the same peak (at 4.4 million states 5% less time, 3 to 7% more peak: benchmarks/notes.md)."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # (not glibc)
        return
    mallopt(_M_MMAP_THRESHOLD, 8 << 20)  # arrays up to 8 MiB from the heap, not mapped apart
    mallopt(_M_TRIM_THRESHOLD, 64 << 20)  # the heap's top kept up to 64 MiB free


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters (malloc.h)
SHARED_FROM = 1 << 18  # bytes of one buffer: smaller ones are copied into the pickle
IN_BAND = 1 << 14  # bytes of a pickle sent on the pipe itself (a few such fill no socket's buffer)
_SHARED = hasattr(os, "memfd_create")


def _put(conn, obj) -> None:
    """Send obj: its pickle, on the pipe where it is small (IN_BAND bytes or less) and holds no
    large buffer; else its size and its large buffers' sizes, then a memfd holding the pickle
    and the buffers one after the other (a pipe's message never fills its socket's buffer)."""
    large: list[memoryview] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        """Whether the pickle copies buffer in; if not, the memfd will hold it."""
        raw = buffer.raw()
        if raw.nbytes < SHARED_FROM:
            return True
        large.append(raw)
        return False
    head = pickle.dumps(obj, 5, buffer_callback=in_band if _SHARED else None)
    if not _SHARED or (not large and len(head) <= IN_BAND):
        conn.send((head, []))
        return
    large.insert(0, memoryview(head))
    sizes = [v.nbytes for v in large]
    fd = os.memfd_create("tcpverify-message", os.MFD_CLOEXEC)
    try:
        for v in large:  # written, not copied into a mapping: a third less time (no page faults)
            while v.nbytes:
                v = v[os.write(fd, v):]
        conn.send((None, sizes))  # (once written: a failure above sends nothing)
        with _borrowed(conn) as sock:
            socket.send_fds(sock, [b"m"], [fd])
    finally:
        os.close(fd)  # (the message holds the memory until the receiver maps it)


def _take(conn):
    """What _put sent on conn's other end: its large buffers mapped, not copied."""
    head, sizes = conn.recv()
    if head is not None:
        return pickle.loads(head)
    with _borrowed(conn) as sock:
        _, fds, _, _ = socket.recv_fds(sock, 1, 1)
    if not fds:
        raise EOFError
    try:
        view = memoryview(mmap.mmap(fds[0], 0))  # (unmapped when the last array on it goes)
    finally:
        os.close(fds[0])
    at = list(accumulate(sizes, initial=0))
    return pickle.loads(view[:sizes[0]], buffers=[view[a:a + n] for a, n in zip(at[1:], sizes[1:])])


def _holds(conn, n: int) -> bool:
    """Whether conn's socket takes n bytes before its reader reads any."""
    with _borrowed(conn) as sock:
        return sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) >= n


@contextlib.contextmanager
def _borrowed(conn):
    """conn's socket as a socket object, which leaves it open."""
    sock = socket.socket(fileno=conn.fileno())
    try:
        yield sock
    finally:
        sock.detach()


def run_forked(size: int, work: Callable[[LocalComm], object]):
    """Run work(comm) on a LocalComm of size ranks, rank 0 in this process; the others, forked
    when work calls comm.fork(), end where work returns in them. Rank 0's result."""
    comm = LocalComm(size)
    try:
        out = work(comm)
    except (WorkerFailed, KeyboardInterrupt):
        if comm.rank:  # a peer stopped, or Ctrl-C: rank 0 says which
            os._exit(_PEER_STOPPED)
        raise
    except MemoryError:
        if comm.rank:  # (rank 0 says it, from the exit status)
            os._exit(_OUT_OF_MEMORY)
        raise
    except BaseException:
        if comm.rank:  # (its peers hear of it as WorkerFailed)
            traceback.print_exc()
            os._exit(1)
        raise
    finally:
        if comm.rank == 0:
            comm.close()
    if comm.rank:
        os._exit(0)  # no atexit handlers or buffers of the parent's
    return out


def shared_out(workers: int, share: Callable[[int, int], list]) -> dict:
    """Every (key, value) pair share(rank, ranks) gives, over workers ranks: rank 0 in this
    process, the others forked copies of it, each computing its own share and sending it."""
    def work(comm: LocalComm) -> dict | None:
        comm.fork()
        parts = comm.gather(share(comm.Get_rank(), comm.Get_size()))
        return None if parts is None else {key: value for part in parts for key, value in part}
    return run_forked(workers, work)


def beside(here: Callable[[], object], there: Callable[[], object]) -> tuple:
    """(here(), there()): here() in this process while there() runs in a forked copy of it,
    whose result is sent back. If here() fails, the copy is killed (and reaped), not waited
    for to finish."""
    def work(comm: LocalComm):
        comm.fork()
        if comm.Get_rank():
            comm.gather(there())
            return None
        try:
            done = here()
        except BaseException:
            for pid in comm.children:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            _reap(comm.children, comm.ended)  # (gone once this raises: not reaped later by close)
            raise
        return done, comm.gather(None)[1]
    return run_forked(2, work)


def most_ranks() -> int:
    """The most ranks a LocalComm can join here: fork() opens a pipe, two ends, per pair of
    ranks at once, within the files this process may open beside those it has open (a few kept
    spare)."""
    allowed = open_files_allowed()
    if allowed == sys.maxsize:
        return sys.maxsize
    try:
        open_now = len(os.listdir("/proc/self/fd" if os.path.isdir("/proc/self/fd") else "/dev/fd"))
    except OSError:
        open_now = 3
    free = max(allowed - open_now - _SPARE_FILES, 0)
    return (1 + math.isqrt(1 + 4 * free)) // 2  # the largest r with r * (r - 1) <= free


_SPARE_FILES = 16  # files a search may open besides its pipes (a crash report, Python's own)


def _close_all_but(pipes: dict, keep: dict) -> None:
    kept = {id(c) for c in keep.values()}
    for pair in pipes.values():
        for c in pair:
            if id(c) not in kept:
                c.close()
