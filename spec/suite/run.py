"""Wiring: the TCP model, a scenario, a configuration and a variant, through the checker."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from tcpverify.checker.explore import Progress
from tcpverify.checker.fingerprint import tuple_hashes
from tcpverify.checker.verdict import Result, check

from ..tcp.machine import Machine, build_graph
from ..tcp.symbolic import Decider
from ..tcp.variants import Variant
from ..world.config import DEFAULT_CONFIGS, SCENARIOS, Config, Scenario
from ..world.properties import suite
from ..world.system import TcpSystem


@dataclass
class Outcome:
    scenario: Scenario
    config: Config
    variant: Variant | None
    result: Result
    skipped: dict[str, str]
    system: TcpSystem
    losses: Counter = field(default_factory=Counter)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def key(self) -> tuple[str, str, str]:
        """(scenario, configuration, variant or "-"): what names the run in CI formats."""
        return self.scenario.name, self.config.name, self.variant.name if self.variant else "-"

    def verdict(self, prop: str):
        return next(v for v in self.result.verdicts if v.property == prop)

    def state(self, i: int):
        return self.result.exploration.graph.states[i]

    def transitions(self, pick) -> list[tuple[int, object, int]]:
        """(source, label, target) of every explored transition that pick(source world, label,
        target world) accepts."""
        g = self.result.exploration.graph
        return [(i, label, j) for i, out in enumerate(g.edges) for label, j in out
                if pick(g.states[i], label, g.states[j])]

    def path_ending(self, found: list[tuple[int, object, int]]) -> list:
        """The shortest run that ends by taking one of the transitions ``found``."""
        g = self.result.exploration.graph
        i, label, j = min(found, key=lambda f: (g.depth[f[0]], f[0]))
        return g.path_to(i) + [(label, j)]


def machine_for(variant: Variant | None) -> Machine:
    graph = build_graph()
    return Machine(variant.apply(graph) if variant else graph)


def check_scenario(scenario: Scenario, config: Config, variant: Variant | None = None,
                   max_states: int | None = None, progress: Progress | None = None,
                   decider: Decider | None = None,
                   isns: dict[str, tuple[int, ...]] | None = None, workers: int | object = 1,
                   fingerprint: int | None = None, regardless: tuple[str, ...] = (),
                   all_edges: bool = True) -> Outcome | None:
    """The run's Outcome; None on an MPI rank other than 0 (``workers``, ``all_edges``:
    checker.verdict.check; ``regardless``: world.properties.suite)."""
    decider = decider or Decider()
    system = TcpSystem(machine_for(variant), scenario, config, decider, isns)
    props, skipped = suite(decider, scenario, config, regardless)
    result = check(system.compact, props, max_states=max_states, progress=progress, workers=workers,
                   fingerprint=fingerprint, affinity=owner_affinity(system), all_edges=all_edges)
    if result is None:
        return None
    return Outcome(scenario, config, variant, result, skipped, system, system.lost)


def owner_affinity(system: TcpSystem):
    """A compact state's owner among workers: the hash of its channel to A (id 3). The successor
    templates and the properties' memos are keyed on a TCB with a channel or two, so states that
    share these share that work. A's deliveries and the faults on the channel to A make most of
    the templates (41,000 of the large benchmark case's 53,000) and are keyed on that channel:
    each is made on one rank. The TCBs alone were too coarse: the large case has 61 TCB pairs
    and from depth 16 on one holds 45% to 79% of a level, so the balance of the levels was a
    lottery on the pairs' hashes (the states' bound on 2 workers' speed-up 1.23). The TCBs and
    the channel to A (ids 0, 1 and 3, until 4 December 2026) spread one channel's states over
    the ranks by their TCBs, so that B's templates and the timeouts' were made on both more
    often: 67,608 templates on 2 ranks against 60,294, bound 1.88 against 1.92, 5% more wall
    time (benchmarks/notes.md). ``affinity.hashes(n)`` is its hash of each of the channels
    numbered 0 to n - 1 (a partitioned search's owners of a level: a lookup per row)."""
    chans, column = system.chans, 3
    known = np.empty(0, np.uint64)  # per channel met so far, affinity's hash

    def affinity(s: tuple) -> int:
        return int(hashes(s[column] + 1)[s[column]])

    def hashes(n: int) -> np.ndarray:
        nonlocal known
        if n > len(known):  # channels met since the last time
            chans.catch_up()
            known = np.concatenate([known, tuple_hashes([np.asarray(chans.hashes[len(known):], np.uint64)])])
        return known[:n]

    affinity.columns = (column,)  # what it reads
    affinity.hashes = hashes
    return affinity


Run = tuple[Scenario, Config, "Variant | None"]


def default_runs() -> list[Run]:
    """The default suite: every scenario under every default configuration."""
    return [(s, c, None) for s in SCENARIOS.values() for c in DEFAULT_CONFIGS]


def run_all(runs: list[Run], max_states: int | None = None, meter=None, workers: int | object = 1,
            fingerprint: int | None = None, until=None) -> list[Outcome]:
    """Check each run, sharing one Decider; ``meter`` (spec.cli.progress.Meter) shows progress;
    stop after the first Outcome for which ``until`` holds. On an MPI rank other than 0, the
    Outcomes are None. Their graphs keep the edges liveness reads, not all (what the commands
    that run them need: verdicts, traces, counts)."""
    decider = Decider()
    outcomes = []
    for n, (scenario, config, variant) in enumerate(runs, 1):
        if meter:
            meter.start(f"{scenario.name}, {config.name}"
                        + (f", variant {variant.name}" if variant else "") + f" ({n}/{len(runs)})")
        outcomes.append(check_scenario(scenario, config, variant, max_states=max_states,
                                       progress=meter, decider=decider, workers=workers,
                                       fingerprint=fingerprint, all_edges=False))
        if until and until(outcomes[-1]):
            break
    if meter:
        meter.close()
    return outcomes
