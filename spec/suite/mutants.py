"""The mutation matrix: every variant against every property (reports/mutants.md).

A variant is a mutant of the protocol; a property kills it when some run of it
violates the property. A mutant no property kills is a finding: the report says
whether its explored behaviour is that of the protocol (equivalent) or differs in
a way no property observes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tcpverify.checker.comm import shared_out

from ..tcp.symbolic import Decider
from ..tcp.variants import SEED_DEPARTURES, VARIANTS, Variant
from ..world.config import DEFAULT_CONFIGS, LOSSY_CONFIGS, SCENARIOS, Config
from ..world.properties import PROPERTY_NAMES
from .run import Outcome, check_scenario
from tcpverify.checker.status import Status

MAX_STATES = 60_000  # per run; a run that reaches it is INCOMPLETE, and says so
# The seed post describes one client-server open and close, with no duplicated, reordered
# or old segments: its variants run on "normal" under the configurations without them.
SEED_VARIANTS = tuple(name for name, _, _ in SEED_DEPARTURES) + ("seed-literal",)
SCENARIOS_FOR = {name: ("normal",) for name in SEED_VARIANTS}
# Left out for every mutant: the scenarios of CLOSE with unread data (RFC 9293 3.6.1) and of
# keep-alive (3.8.4), whose reordering runs pass the state limit under a mutant; no mutant
# changes the edges they add.
BEYOND_MUTANTS = ("close-unread", "keep-alive")
MUTANT_SCENARIOS = tuple(s for s in SCENARIOS if s not in BEYOND_MUTANTS)
# Under early rto the RFC model itself breaks graceful (spec/suite/departures.tsv): a violation
# there kills no mutant, so the matrix leaves that configuration out.
MUTANT_CONFIGS = tuple(c for c in DEFAULT_CONFIGS if not c.early_rto)
CONFIGS_FOR = {name: LOSSY_CONFIGS for name in SEED_VARIANTS}
# RFC 5961's challenge ACK answers a blind attacker, whom only --forge models: the mutant
# that drops it runs under the default configurations and one with a forged RST or SYN.
FORGE = Config(forge=1)
CONFIGS_FOR["no-challenge-ack"] = MUTANT_CONFIGS + (FORGE,)
FORGE_NOTE = (
    "Under the default configurations alone no property kills no-challenge-ack, and it is not "
    "equivalent: the only RSTs that fall in the window without being at RCV.NXT are a CLOSED "
    "peer's <SEQ=0><CTL=RST,ACK> replies to a duplicated or old SYN when an ISN lies within "
    "RCV.WND below 2^32, and resetting on them (RFC 793) ends a connection the challenge ACK "
    "(RFC 5961 3.2) would end one exchange later: no property separates the two. Old "
    "duplicates lie at least 2^16 from the ISNs, so none lands in the window. The challenge ACK "
    "is there against a blind attacker, whom --forge adds: a RST or SYN with an arbitrary SEQ, "
    "in the window or not as Z3 decides. Under it blind-reset-resistance (a forged segment ends "
    "a connection only as a RST at RCV.NXT exactly) holds for the protocol and kills the mutant.")
# Why a mutant that no property kills survives (checked by the exploration, stated here).
SURVIVORS: dict[str, str] = {}


@dataclass
class Kill:
    """The shortest violation of one property by one variant, with the run that shows it (None
    where another process checked it: matrix's workers send what the matrix shows) and where
    that run was ("scenario, configuration")."""

    property: str
    length: int
    outcome: Outcome | None = None
    where: str = ""

    def __post_init__(self) -> None:
        if self.outcome is not None:
            self.where = f"{self.outcome.scenario.name}, {self.outcome.config.name}"

    @property
    def verdict(self):
        return self.outcome.verdict(self.property)


@dataclass
class Row:
    variant: Variant
    kills: dict[str, Kill] = field(default_factory=dict)
    incomplete: dict[str, str] = field(default_factory=dict)  # property -> a run that hit a limit
    runs: int = 0
    differs: list[str] = field(default_factory=list)  # runs whose explored graph is not the protocol's

    def shortest(self) -> list[Kill]:
        return sorted(self.kills.values(), key=lambda k: (k.length, PROPERTY_NAMES.index(k.property)))


def kills(variant: Variant, scenarios, configs, decider: Decider,
          baseline: dict | None = None, max_states: int = MAX_STATES) -> Row:
    """Run variant on every scenario and configuration; keep each property's shortest violation."""
    row = Row(variant)
    for scenario in scenarios:
        for config in configs:
            o = check_scenario(SCENARIOS[scenario], config, variant, max_states=max_states,
                               decider=decider)
            row.runs += 1
            for v in o.result.verdicts:
                best = row.kills.get(v.property)
                if v.status == Status.VIOLATED and (best is None or v.length < best.length):
                    row.kills[v.property] = Kill(v.property, v.length, o)
                elif v.status == Status.INCOMPLETE:
                    row.incomplete.setdefault(v.property, f"{scenario}, {config.name}")
            if baseline is not None and _graph(o) != baseline[scenario, config]:
                row.differs.append(f"{scenario}, {config.name}")
    for p in row.kills:
        row.incomplete.pop(p, None)
    return row


def _graph(o: Outcome) -> tuple[frozenset, int]:
    g = o.result.exploration.graph
    return frozenset(g.states), o.result.exploration.stats.transitions


def matrix(decider: Decider | None = None, names=None, configs: tuple[Config, ...] = MUTANT_CONFIGS,
           progress=None, workers: int = 1) -> list[Row]:
    """A row per variant (names: all of them by default); with workers, the variants dealt to
    that many processes in turn (progress is told of this process's only)."""
    names = list(VARIANTS) if names is None else list(names)
    if workers > 1:
        return _dealt(names, configs, progress, workers)
    decider = decider or Decider()
    rows = []
    baseline = None
    for name in names:
        scenarios = SCENARIOS_FOR.get(name, MUTANT_SCENARIOS)
        chosen = CONFIGS_FOR.get(name, configs)
        if progress:
            progress(name)
        row = kills(VARIANTS[name], scenarios, chosen, decider)
        if not row.kills:
            if baseline is None:
                baseline = {(s, c): _graph(check_scenario(SCENARIOS[s], c, decider=decider))
                            for s in MUTANT_SCENARIOS for c in configs}
            row = kills(VARIANTS[name], scenarios, chosen, decider, baseline)
        rows.append(row)
    return rows


def _dealt(names: list[str], configs: tuple[Config, ...], progress, workers: int) -> list[Row]:
    """matrix over forked processes, each with every workers-th variant; each sends its rows
    as names and numbers (a run's Outcome stays in the process that checked it)."""
    def share(rank: int, ranks: int) -> list:
        rows = matrix(names=names[rank::ranks], configs=configs, progress=progress if rank == 0 else None)
        return [(r.variant.name, ({p: (k.length, k.where) for p, k in r.kills.items()}, r.incomplete, r.runs,
                                  r.differs)) for r in rows]
    got = shared_out(workers, share)
    rows = []
    for name in names:
        kills, incomplete, runs, differs = got[name]
        rows.append(Row(VARIANTS[name], {p: Kill(p, length, where=where) for p, (length, where) in kills.items()},
                        incomplete, runs, differs))
    return rows


_MATRIX: list[tuple[Row, ...]] = []  # this process's default matrix, once computed


def default_matrix(workers: int = 1) -> tuple[Row, ...]:
    """The matrix reports/mutants.md shows, computed once per process (over workers processes)."""
    if not _MATRIX:
        _MATRIX.append(tuple(matrix(workers=workers)))
    return _MATRIX[0]


def cell(row: Row, prop: str) -> str:
    k = row.kills.get(prop)
    if k is not None:
        return str(k.length)
    return "?" if prop in row.incomplete else "-"


def mutants_md(rows: list[Row], configs: tuple[Config, ...] = MUTANT_CONFIGS) -> str:
    out = ["# tcpverify: the mutation matrix", "",
           "Generated by `tcpverify mutants`; do not edit by hand. Each variant of the protocol "
           "(`tcpverify list`) is checked against every property under every default "
           "configuration but early rto, where the RFC model breaks graceful itself ("
           + "; ".join(c.name for c in configs) + "), on every scenario but "
           + " and ".join(BEYOND_MUTANTS) + " (whose reordering runs pass the state limit under a "
           "mutant, and whose edges no mutant changes), except the seed post's variants (" + ", ".join(SEED_VARIANTS) + "), which run on "
           "`normal` under the configurations without duplicated, reordered or old segments ("
           + "; ".join(c.name for c in LOSSY_CONFIGS) + "): the post describes one client-server "
           "open and close over a network that at most loses segments; and except no-challenge-ack, "
           f"which also runs under {FORGE.name} (a blind attacker, the threat RFC 5961's "
           "challenge ACK answers). A number is the length of the shortest "
           "counterexample by which the property kills the mutant; - : it does not; ? : a run "
           f"hit the state limit ({MAX_STATES}) before deciding.", "",
           "| mutant | " + " | ".join(PROPERTY_NAMES) + " | killed |",
           "|---|" + "---:|" * len(PROPERTY_NAMES) + "---|"]
    for row in rows:
        status = "yes" if row.kills else "**survives**"
        out.append(f"| {row.variant.name} | " + " | ".join(cell(row, p) for p in PROPERTY_NAMES)
                   + f" | {status} |")
    out += ["", "## The shortest kill of each mutant", "",
            "| mutant | what it changes | property | steps | scenario, configuration |",
            "|---|---|---|---:|---|"]
    for row in rows:
        first = row.shortest()
        if first:
            k = first[0]
            out.append(f"| {row.variant.name} | {row.variant.description} | {k.property} | "
                       f"{k.length} | {k.where} |")
        else:
            out.append(f"| {row.variant.name} | {row.variant.description} | none | | |")
    only = _sole_killers(rows)
    killed = {p: {r.variant.name for r in rows if p in r.kills} for p in PROPERTY_NAMES}
    out += ["", "## Every property earns its place", "",
            "A property earns its place when it is the first to kill some mutant (the shortest "
            "counterexample) or the only one. The last column lists the properties that kill "
            "every mutant this one kills: there it adds a sharper diagnosis, not a kill.", "",
            "| property | kills | first to kill | sole killer of | its kills are also killed by |",
            "|---|---:|---|---|---|"]
    for p in PROPERTY_NAMES:
        first = [r.variant.name for r in rows if r.shortest() and r.shortest()[0].property == p]
        covers = [q for q in PROPERTY_NAMES if q != p and killed[p] and killed[p] <= killed[q]]
        out.append(f"| {p} | {len(killed[p])} | {', '.join(first) or '-'} | "
                   f"{', '.join(only.get(p, [])) or '-'} | {', '.join(covers) or '-'} |")
    if any(r.variant.name == "no-challenge-ack" for r in rows):
        out += ["", "## Blind injection", "", FORGE_NOTE]
    survivors = [r for r in rows if not r.kills]
    if survivors:
        out += ["", "## Survivors", ""]
        for row in survivors:
            seen = "explored graph identical to the protocol's in every run: equivalent" \
                if not row.differs else \
                f"explored graph differs from the protocol's in {len(row.differs)} of {row.runs} runs " \
                f"(e.g. {row.differs[0]}), and every property holds in all {row.runs}"
            out += [f"- **{row.variant.name}** ({row.variant.description}): {seen}"
                    + ("; some runs hit a limit" if row.incomplete else "") + ".",
                    f"  {SURVIVORS.get(row.variant.name, 'Unexplained: a property is missing.')}"]
    return "\n".join(out) + "\n"


def _sole_killers(rows: list[Row]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in rows:
        if len(row.kills) == 1:
            (p,) = row.kills
            out.setdefault(p, []).append(row.variant.name)
    return out
