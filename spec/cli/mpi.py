"""tcpverify under mpiexec: every rank runs the same command line, the search is partitioned
over MPI's COMM_WORLD (checker.partitioned) and rank 0 alone prints.

    mpiexec -n 4 -f hosts tcpverify check half-close --loss 2 --dup 3 --reorder

(hosts: one machine name per line, each with tcpverify and mpi4py installed; MPICH's option,
Open MPI's is --hostfile). Needs the optional extra: pip install 'tcpverify[mpi]'.
"""

from __future__ import annotations

import os
from functools import lru_cache

# The size of the job, and this process's rank in it, as each MPI implementation tells its ranks.
SIZE_VARIABLES = ("PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALNRANKS")
RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "MPI_LOCALRANKID")


def mpi_rank() -> int:
    """This process's rank in the mpiexec job (0 outside one), read from the environment: known
    where MPI cannot load, and before it does."""
    return _told(RANK_VARIABLES, 0)


def _told(variables: tuple[str, ...], default: int) -> int:
    """The first of these environment variables that is set, as an int, else default."""
    return next((int(os.environ[v]) for v in variables if v in os.environ), default)


@lru_cache(maxsize=None)
def mpi_world():
    """MPI's COMM_WORLD when mpiexec started this process as one of several ranks, else None."""
    if _told(SIZE_VARIABLES, 1) < 2:
        return None
    try:
        from mpi4py import MPI
    except ImportError:
        from .options import UsageError  # options imports this module
        raise UsageError("started by mpiexec, but mpi4py is missing: pip install 'tcpverify[mpi]'") from None
    return MPI.COMM_WORLD
