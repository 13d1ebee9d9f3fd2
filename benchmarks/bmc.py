"""Benchmark: bounded model checking depth by depth (states are not counted).

python3 benchmarks/bmc.py [DEPTH]   (default 6)

Prints, for a few runs, the depth, the seconds Z3 spent at each depth and the formula size.
"""

from __future__ import annotations

import sys
import time

from tcpverify.spec.proofs.bmc import bmc
from tcpverify.spec.suite.run import machine_for
from tcpverify.spec.tcp.variants import VARIANTS
from tcpverify.spec.world.config import SCENARIOS, Config

RUNS = [("normal", Config(loss=1), None), ("normal", Config(stale=1), None),
        ("normal", Config(), "syn-ack-acks-too-far")]


def main(depth: int) -> None:
    for scenario, config, variant in RUNS:
        start = time.perf_counter()
        _, result = bmc(machine_for(VARIANTS[variant] if variant else None), SCENARIOS[scenario],
                        config, depth, measure=True)
        name = f"{scenario}, {config.name}" + (f", variant {variant}" if variant else "")
        print(f"{name}: depth {result.depth}, {time.perf_counter() - start:.1f} s, "
              f"formula {result.size} nodes; seconds per depth "
              + " ".join(f"{s:.2f}" for s in result.per_depth))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 6)
