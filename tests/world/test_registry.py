"""The property registry: every list of properties is read from it, and the Z3 forms it names
exist, with nothing left unnamed."""

import re

import pytest

from tcpverify.checker.properties import EndState, Eventually, Invariant
from tcpverify.spec.proofs.bmc import BAD_STATES
from tcpverify.spec.proofs.obligations import obligations
from tcpverify.spec.tcp.symbolic import Decider
from tcpverify.spec.tcp.tcb import Tcb
from tcpverify.spec.world.config import DEFAULT_CONFIGS, SCENARIOS, Config
from tcpverify.spec.world.properties import BY_NAME, PROPERTY_NAMES, REGISTRY, suite, unencoded


def test_names_are_unique_and_in_registry_order():
    assert len(BY_NAME) == len(REGISTRY)
    assert PROPERTY_NAMES == tuple(r.name for r in REGISTRY)


def test_the_explicit_property_carries_the_record():
    for r in REGISTRY:
        p = r.property(Decider())
        assert isinstance(p, (Invariant, EndState, Eventually))
        assert (p.name, p.description, p.witness, p.witness_text) == \
            (r.name, r.meaning, r.witness, r.witness_text)


def test_every_bad_state_predicate_is_registered_and_every_registered_one_exists():
    assert set(BAD_STATES) == {r.name for r in REGISTRY if r.bmc}


def test_every_property_has_a_z3_form_or_says_why_not():
    for r in REGISTRY:
        assert bool(r.bmc or r.inductive) != bool(r.no_z3), r.name


def test_a_property_read_from_ghosts_names_them_from_one_text_and_each_is_a_field_of_the_tcb():
    said = {r.name: re.search(r"the ghosts? (.+) of spec/world/observers.py", r.no_z3) for r in REGISTRY}
    ghosts = {name: m[1].split(", ") for name, m in said.items() if m}
    assert ghosts == {"blind-reset-resistance": ["reset_by"], "old-duplicates-harmless": ["reset_by"],
                      "no-rst-for-rst": ["answered_rst"], "bounded-retransmission": ["resent"],
                      "handshake-without-timer": ["resent"], "no-silent-end": ["ended_unsaid"],
                      "challenge-ack": ["misanswered"], "abort-reset": ["misaborted"]}
    assert {g for names in ghosts.values() for g in names} <= set(Tcb._fields)
    assert all(BY_NAME[name].no_z3.endswith(unencoded(*names)) for name, names in ghosts.items())


def _inductive_obligations():
    return {ob.name: ob for ob in obligations() if ob.name.startswith(("inductive-", "cross-"))}


def test_every_inductive_obligation_a_property_names_exists_and_states_that_property():
    found = _inductive_obligations()
    for r in REGISTRY:
        for name in r.inductive:
            assert name in found, f"{r.name} names {name}, which is no obligation"
            assert found[name].statement.startswith(r.name), name


def test_every_inductive_obligation_is_an_auxiliary_or_linked_from_one_property():
    linked = [name for r in REGISTRY for name in r.inductive]
    assert len(linked) == len(set(linked))
    unlinked = {n for n, ob in _inductive_obligations().items()
                if n not in linked and not ob.statement.startswith("auxiliary")}
    assert unlinked == set()


@pytest.mark.parametrize("config", [*DEFAULT_CONFIGS, Config(forge=1), Config(loss=2, retries=2)],
                         ids=lambda c: c.name)
def test_suite_checks_every_applicable_property_and_says_why_the_others_are_not(config):
    for scenario in SCENARIOS.values():
        props, skipped = suite(Decider(), scenario, config)
        assert [p.name for p in props] == [n for n in PROPERTY_NAMES if n not in skipped]
        assert set(skipped) <= set(PROPERTY_NAMES) and all(skipped.values())
        assert all(p.assumptions.startswith(config.assumptions()) for p in props)


def test_n_a_rules():
    normal, abort = SCENARIOS["normal"], SCENARIOS["abort"]
    assert suite(Decider(), normal, Config())[1] == {
        "blind-reset-resistance": "no forged segments (--forge 0)",
        "bounded-retransmission": "no segment is lost and the timers wait for a quiet network: the "
                                  "bound is met through losses",
        "challenge-ack": "no forged segments (--forge 0)",
        "abort-reset": "no application aborts",
        "old-duplicates-harmless": "no old duplicates (--stale 0)",
        "no-rst-for-rst": "no old or forged segments (--stale 0, --forge 0)"}
    assert suite(Decider(), abort, Config())[1]["graceful"] == "the scenario aborts"
    forged = suite(Decider(), abort, Config(forge=1))[1]
    assert forged.pop("bounded-retransmission").startswith("no segment is lost")
    assert forged.pop("old-duplicates-harmless") == "no old duplicates (--stale 0)"
    assert sorted(forged) == ["close-completion", "graceful", "no-deadlock", "no-half-open"]
    assert len(set(forged.values())) == 1  # forging outranks the abort for graceful
