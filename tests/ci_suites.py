"""A small suite for the CI-format tests: the real spec, fewer scenarios and configurations."""

from tcpverify.spec.suite import expect, run
from tcpverify.spec.world import config

SMALL_SCENARIOS = ("normal", "abort")
SMALL_CONFIGS = (config.Config(), config.Config(loss=1))


def use_small_suite(monkeypatch) -> None:
    scenarios = {n: config.SCENARIOS[n] for n in SMALL_SCENARIOS}
    for module in (run, expect):
        monkeypatch.setattr(module, "SCENARIOS", scenarios)
        monkeypatch.setattr(module, "DEFAULT_CONFIGS", SMALL_CONFIGS)


def change_spec(monkeypatch, variant: str) -> None:
    """Make the spec itself behave as a variant: every run's graph is the variant's."""
    graph = run.build_graph
    monkeypatch.setattr(run, "build_graph", lambda: expect.VARIANTS[variant].apply(graph()))
