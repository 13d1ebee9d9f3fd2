"""The collectives a partitioned search needs, between K processes: mpi4py's lowercase
communicator methods (Get_rank, Get_size, alltoall, gather, scatter, bcast), so that MPI's
COMM_WORLD and ``LocalComm`` (forked processes on this machine, joined by pipes) are one."""

from __future__ import annotations

import multiprocessing
import os
import threading
import traceback
from typing import Callable


class WorkerFailed(RuntimeError):
    """A worker process died: its peers cannot finish the search."""


class LocalComm:
    """Rank ``rank`` of ``size`` forked processes; ``conns[j]`` is the pipe to rank j."""

    forked = True  # the ranks are copies of one process: Python's hash() agrees between them

    def __init__(self, rank: int, size: int, conns: dict):
        self.rank, self.size, self.conns = rank, size, conns

    def Get_rank(self) -> int:  # noqa: N802 (mpi4py's name)
        return self.rank

    def Get_size(self) -> int:  # noqa: N802
        return self.size

    def alltoall(self, items: list) -> list:
        """items[j] goes to rank j; returns what each rank sent here."""
        peers = [j for j in range(self.size) if j != self.rank]
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
            return self.conns[j].recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"worker {j} stopped") from None

    def _send(self, j: int, obj) -> None:
        try:
            self.conns[j].send(obj)
        except OSError:
            raise WorkerFailed(f"worker {j} stopped") from None


def run_forked(size: int, work: Callable[[LocalComm], object]):
    """Run work(comm) in this process (rank 0) and in size-1 forked ones; rank 0's result."""
    ctx = multiprocessing.get_context("fork")
    pipes = {(i, j): ctx.Pipe() for i in range(size) for j in range(i + 1, size)}

    def ends(rank: int) -> dict:
        return {j: pipes[min(rank, j), max(rank, j)][rank > j] for j in range(size) if j != rank}

    def child(rank: int) -> None:
        mine = ends(rank)
        _close_all_but(pipes, mine)  # a dead peer's pipe must read as EOF
        code = 0
        try:
            work(LocalComm(rank, size, mine))
        except BaseException:  # noqa: BLE001 (the parent reports it as WorkerFailed)
            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)  # no atexit handlers or buffers of the parent's

    procs = [ctx.Process(target=child, args=(r,), daemon=True) for r in range(1, size)]
    for p in procs:
        p.start()
    mine = ends(0)
    _close_all_but(pipes, mine)
    try:
        return work(LocalComm(0, size, mine))
    finally:
        for c in mine.values():
            c.close()
        for p in procs:
            p.join()


def _close_all_but(pipes: dict, keep: dict) -> None:
    kept = {id(c) for c in keep.values()}
    for pair in pipes.values():
        for c in pair:
            if id(c) not in kept:
                c.close()
