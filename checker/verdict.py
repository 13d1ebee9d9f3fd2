"""Verdicts: what the checker found for each property, and the exit code they make."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import takewhile
from typing import Callable, Hashable, Sequence

from . import partitioned_levels
from .comm import run_forked
from .explore import Exploration, Progress, Stats, explore, gc_paused, is_run, omission_probability
from .levels import explore_levels
from .liveness import check_eventually
from .model import Model
from .partitioned import explore_partitioned
from .properties import EndState, Eventually, Property
from .status import Status

# A vacuous verdict, like an incomplete one, neither verifies nor refutes: exit 3.
EXIT_CODES = {Status.VERIFIED: 0, Status.VIOLATED: 1, Status.INCOMPLETE: 3, Status.VACUOUS: 3}
MEANING = {
    Status.VERIFIED: "holds in every explored state and run, and the states it speaks of are reached",
    Status.VIOLATED: "a shortest counterexample (a lasso for a liveness property) is shown",
    Status.INCOMPLETE: "a limit was hit or a solver could not decide: nothing is claimed",
    Status.VACUOUS: "holds only because the states it speaks of are never reached, or its goal "
                    "holds from the start: nothing is proved",
}


@dataclass
class Verdict:
    property: str
    status: Status
    message: str = ""
    assumptions: str = ""
    trace: list[tuple[object, int]] = field(default_factory=list)  # (label, state index)
    loop_start: int | None = None  # where a lasso's cycle begins in trace
    witness: list[tuple[object, int]] | None = None
    witness_text: str = ""

    @property
    def length(self) -> int:
        """Steps in the counterexample (the initial state is not a step)."""
        return max(len(self.trace) - 1, 0)

    @property
    def vacuous(self) -> bool:
        return self.status == Status.VACUOUS


@dataclass
class Result:
    exploration: Exploration
    verdicts: list[Verdict]

    @property
    def status(self) -> Status:
        return worst(v.status for v in self.verdicts)


def worst(statuses) -> Status:
    statuses = set(statuses)
    for s in (Status.VIOLATED, Status.INCOMPLETE, Status.VACUOUS):
        if s in statuses:
            return s
    return Status.VERIFIED


def check(model: Model, properties: Sequence[Property], max_states: int | None = None,
          progress: Progress | None = None, workers: int | object = 1,
          fingerprint: int | None = None, affinity: Callable[[Hashable], int] | None = None,
          all_edges: bool = True) -> Result | None:
    """``workers``: a number of local processes, or a communicator (MPI's COMM_WORLD), whose
    ranks other than 0 take part in the search and get None; ``affinity`` decides which rank
    owns a state (explore_partitioned; a model with ``expand`` is searched a block of rows at a
    time, by checker.levels on one worker, checker.partitioned_levels on several, which stop
    alike at ``max_states``). ``fingerprint``: hash compaction with fingerprints of
    that many bits (explore_levels, or without ``expand`` explore); what it
    does not find is INCOMPLETE. Without ``all_edges`` the
    block searches (one worker's, the partitioned one's) keep only the edges liveness reads
    (EdgeList.partial)."""
    needs_edges = any(isinstance(p, Eventually) for p in properties)
    if workers != 1 and fingerprint is not None:
        raise ValueError("hash compaction runs on one worker")

    def search(comm):
        if hasattr(model, "expand"):
            return partitioned_levels.explore_partitioned_levels(
                comm, model, properties, keep_edges=needs_edges, progress=progress, affinity=affinity,
                all_edges=all_edges, max_states=max_states)
        return explore_partitioned(comm, model, properties, max_states=max_states,
                                   keep_edges=needs_edges, progress=progress, affinity=affinity)
    with gc_paused():  # forked workers inherit the pause
        if workers == 1 and hasattr(model, "expand"):
            ex = explore_levels(model, properties, keep_edges=needs_edges, progress=progress,
                                all_edges=all_edges, fingerprint=fingerprint, max_states=max_states)
        elif workers == 1:
            ex = explore(model, properties, max_states=max_states, keep_edges=needs_edges,
                         progress=progress, fingerprint=fingerprint)
        else:
            ex = run_forked(workers, search) if isinstance(workers, int) else search(workers)
    if ex is None:
        return None
    g = ex.graph
    limits = "; ".join(ex.limits)
    # A state whose steps the model cut off (a bound it met) has no successor without being an end.
    cut = bool(model.limits_hit())
    # (Liveness is decided only on a complete graph, and an unknown answer is a limit.)
    doubtful = getattr(model, "doubtful", lambda state: False)
    undecided = "violated only where the model could not decide: " + limits
    verdicts = []
    for p in properties:
        w = ex.witnesses.get(p.name)
        v = Verdict(p.name, Status.VERIFIED, assumptions=p.assumptions, witness_text=p.witness_text,
                    witness=g.path_to(w.index) if w else None)
        found = ex.violations.get(p.name)
        if found is not None and isinstance(p, EndState) and cut:
            v.status, v.message = Status.INCOMPLETE, limits
        elif found is not None and doubtful(g.states[found.index]):
            v.status, v.message, v.trace = Status.INCOMPLETE, f"{undecided} ({found.message})", \
                g.path_to(found.index)
        elif found is not None:
            v.status, v.message, v.trace = Status.VIOLATED, found.message, g.path_to(found.index)
        elif isinstance(p, Eventually) and g.complete:
            lasso = ex.lassos[p.name] if p.name in ex.lassos else check_eventually(g, p)
            if lasso is not None and g.compaction is not None and not is_run(g, lasso.stem + lasso.loop):
                v.status, v.message = Status.INCOMPLETE, (
                    f"hash compaction ({g.compaction}-bit fingerprints): the run found without the goal goes "
                    f"through states taken for one (probability <= "
                    f"{omission_probability(ex.stats.states, g.compaction):.2g}), and no run takes it")
            elif lasso is not None:
                v.status, v.trace = Status.VIOLATED, lasso.stem + lasso.loop
                if lasso.loop:
                    v.loop_start = len(lasso.stem) - 1
                    v.message = "a fair run loops for ever without reaching the goal"
                else:
                    v.message = "a run ends without reaching the goal"
        elif not g.complete:
            v.status, v.message = Status.INCOMPLETE, limits
        if v.status == Status.VERIFIED and g.compaction is not None:
            # a violation found is real (its trace replays); its absence is only probable
            v.status, v.message = Status.INCOMPLETE, compaction_note(ex.stats.states, g.compaction)
        if v.status == Status.VERIFIED:
            v.message = vacuity(p, g, v.witness)
            v.status = Status.VACUOUS if v.message else v.status
        verdicts.append(v)
    return Result(ex, verdicts)


def vacuity(p: Property, g, witness) -> str:
    """Why a property that holds says nothing, or "": its goal holds in an initial state (every
    run reaches it at once), or the states it speaks of (its witness) are never reached."""
    initial = takewhile(lambda i: g.depth[i] == 0, range(len(g.states)))
    if isinstance(p, Eventually) and any(p.goal(g.states[i]) for i in initial):
        return "its goal holds in the initial state: no run has to do anything"
    if witness is None and p.witness_text:
        return f"never reached: {p.witness_text}"
    return ""


def compaction_note(states: int, bits: int) -> str:
    return (f"hash compaction ({bits}-bit fingerprints): nothing found, but a state may have "
            f"been omitted, probability <= {omission_probability(states, bits):.2g}")


def workers_note(stats: Stats) -> str:
    """Which workers searched a run a partitioned search was asked for ("" for one worker's):
    forked ones start at its first level of SPLIT_AT states."""
    if len(stats.phases) == 1:
        return f"1 worker (no level reached {partitioned_levels.SPLIT_AT:,} states)"
    return f"{len(stats.phases)} workers" if stats.phases else ""
