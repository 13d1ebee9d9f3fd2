"""Wiring: the TCP model, a scenario, a configuration and a variant, through the checker."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from tcpverify.checker.explore import Progress
from tcpverify.checker.verdict import Result, check

from .config import Config, Scenario
from .machine import Machine, build_graph
from .properties import suite
from .symbolic import Decider
from .system import TcpSystem
from .variants import Variant


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

    def verdict(self, prop: str):
        return next(v for v in self.result.verdicts if v.property == prop)

    def state(self, i: int):
        return self.result.exploration.graph.states[i]


def machine_for(variant: Variant | None) -> Machine:
    graph = build_graph()
    return Machine(variant.apply(graph) if variant else graph)


def check_scenario(scenario: Scenario, config: Config, variant: Variant | None = None,
                   max_states: int | None = None, progress: Progress | None = None,
                   decider: Decider | None = None,
                   isns: dict[str, tuple[int, ...]] | None = None) -> Outcome:
    decider = decider or Decider()
    system = TcpSystem(machine_for(variant), scenario, config, decider, isns)
    props, skipped = suite(decider, scenario, config)
    result = check(system, props, max_states=max_states, progress=progress)
    return Outcome(scenario, config, variant, result, skipped, system, system.lost)
