"""Edge coverage: which edges of the state graph the explored runs fired, how often, and
why an edge that never fires cannot (the reasons live with the graph, machine.NEVER_FIRES).

An edge no run fires is an edge no property checks: the default suite must fire every
edge of the RFC model but those whose reason says why no configuration reaches them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..tcp.machine import NEVER_FIRES


@dataclass(frozen=True)
class Coverage:
    edges: tuple[str, ...]  # every edge of the graph, sorted
    fired: Counter  # transitions explored per edge

    @property
    def unfired(self) -> list[dict]:
        """[{"edge", "reason"}] for each edge no run fired; reason "" when the spec gives none."""
        return [{"edge": e, "reason": NEVER_FIRES.get(e, "")} for e in self.edges if not self.fired[e]]

    @property
    def unexplained(self) -> list[str]:
        """Edges that never fired and whose reason the spec does not give: a gap in the suite."""
        return [u["edge"] for u in self.unfired if not u["reason"]]

    def as_dict(self) -> dict:
        return {"edges_total": len(self.edges),
                "edges_fired": sum(1 for e in self.edges if self.fired[e]),
                "unfired": self.unfired}

    def lines(self, gap: str = "NO REASON GIVEN: a gap in the suite") -> list[str]:
        """The summary, then each unfired edge with its reason, or ``gap`` when it has none."""
        d = self.as_dict()
        out = [f"edge coverage: {d['edges_fired']} of {d['edges_total']} edges fired"]
        out += [f"  never fired: {u['edge']}: {u['reason'] or gap}" for u in d["unfired"]]
        return out


def coverage(outcomes) -> Coverage | None:
    """The coverage of the graph by the runs of the unmodified model (variants edit the graph:
    their runs say nothing of the RFC model's edges); None when there are none."""
    runs = [o for o in outcomes if o.variant is None]
    if not runs:
        return None
    fired = Counter()
    for o in runs:
        fired.update(o.system.fired)
    return _of(runs[0].system.machine.graph, fired)


def run_coverage(o) -> Coverage:
    """The coverage of one run's own graph (its variant's, if any)."""
    return _of(o.system.machine.graph, o.system.fired)


def _of(graph, fired: Counter) -> Coverage:
    edges = tuple(sorted(name for _, _, name in graph.edges(keys=True)))
    return Coverage(edges, Counter({e: fired[e] for e in edges}))
