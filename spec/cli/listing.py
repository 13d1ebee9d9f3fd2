"""`tcpverify list` and `tcpverify graph`: what the spec holds, and its state machine."""

from __future__ import annotations

from tcpverify.checker.verdict import EXIT_CODES, MEANING

from ..tcp.machine import build_graph
from ..tcp.symbolic import Decider
from ..tcp.variants import VARIANTS
from ..views.graph import graph_dot, graph_json, graph_mermaid, graph_view
from ..world.config import DEFAULT_CONFIGS, GAP_SCENARIOS, SCENARIOS
from ..world.environment import ENVIRONMENT
from ..world.properties import every_property
from .options import input_file, variant_from


def add_parser(sub) -> None:
    sub.add_parser("list", help="list scenarios, variants, properties and configurations"
                   ).set_defaults(run=cmd_list)

    g = sub.add_parser("graph", help="print the endpoint state machine")
    g.add_argument("--format", choices=("dot", "mermaid", "json"), default="dot")
    g.add_argument("--variant", default=None)
    g.add_argument("--variant-file", type=input_file, default=None)
    g.set_defaults(run=cmd_graph)


def cmd_list(args) -> int:
    print("scenarios:")
    for s in SCENARIOS.values():
        print(f"  {s.name:28} {s.description}")
    print("gap scenarios (outside the default suite):")
    for s in GAP_SCENARIOS.values():
        print(f"  {s.name:28} {s.description}")
    print("variants:")
    for v in VARIANTS.values():
        print(f"  {v.name:28} {v.description}")
    print("properties:")
    for p in every_property(Decider()):
        print(f"  {p.name:28} {p.description}")
    print("verdicts (exit code of a run that has it as its worst):")
    for status, meaning in MEANING.items():
        print(f"  {status:28} {EXIT_CODES[status]}: {meaning}")
    print("configurations (the default suite):")
    for c in DEFAULT_CONFIGS:
        print(f"  {c.name:28} {c.assumptions()}")
    print("environment actions (applications and timers and the network):")
    for a in ENVIRONMENT:
        print(f"  {a.name:28} {a.meaning}" + (f" (--{a.budget})" if a.budget else ""))
    return 0



def cmd_graph(args) -> int:
    g = build_graph()
    variant = variant_from(args)
    if variant:
        g = variant.apply(g)
    print({"dot": graph_dot, "mermaid": graph_mermaid, "json": graph_json}[args.format](graph_view(g)))
    return 0
