"""The Z3 proof runner and the obligations of `tcpverify prove`."""

import json
import os
import time

import pytest
import z3

from tcpverify.checker.comm import WorkerFailed, beside
from tcpverify.checker.proofs import Obligation, dealt, overall, prove, prove_all, prove_beside
from tcpverify.checker.status import Expect, Status
from tcpverify.spec.cli import main, prove as cli_prove, verify as cli_verify
from tcpverify.spec.proofs import obligations as obl, proof_report
from tcpverify.spec.reports import build as report
from tcpverify.spec.tcp.seq import HALF, MOD, lt


def results() -> dict:
    """Each obligation's result by name, computed once per process (verify and the reports
    read the same) when a test first asks: not at collection, which every test worker does."""
    return {r.obligation.name: r for r in proof_report.proof_results()}


def hard(timeout_ms=1):
    """Factoring a 64-bit semiprime: Z3 cannot answer within a millisecond."""
    x, y = z3.BitVecs("x y", 64)
    f = lambda: z3.Or(x * y != 0xB6A4E1C7F0A1D2B3, x == 1, y == 1)  # noqa: E731
    return Obligation("hard", "a hard one", f, timeout_ms=timeout_ms)


def test_runner_proves_refutes_and_gives_up():
    a = z3.BitVec("a", 32)
    assert prove(Obligation("t", "", lambda: a + 0 == a)).status == Status.PROVED
    r = prove(Obligation("f", "", lambda: a != 7))
    assert r.status == Status.REFUTED and r.model == {"a": 7}
    u = prove(hard())
    assert u.status == Status.UNKNOWN and not u.as_expected
    assert overall([u]) == Status.UNKNOWN and overall([r]) == Status.REFUTED


def test_every_obligation_comes_out_as_expected():
    assert len(results()) == len(obl.BUILDERS) >= 14
    bad = [n for n, r in results().items() if not r.as_expected]
    assert bad == []
    assert {n for n, r in results().items() if r.obligation.expect == Expect.FAILS} == \
        {"seq-lt-not-transitive", "seq-trichotomy"}


def named(results) -> list:
    return [(r.obligation.name, r.status, r.model, r.reason) for r in results]


def test_obligations_proved_by_several_processes_come_out_as_by_one():
    a = z3.BitVec("a", 32)
    obs = [Obligation("p", "", lambda: a + 0 == a), Obligation("r", "", lambda: a != 7),
           Obligation("s1", "", lambda: a * 2 == a + a, shares="g"),
           Obligation("s2", "", lambda: a - a == 0, shares="g"), hard()]
    one = prove_all(obs)
    assert [r.status for r in one] == [Status.PROVED, Status.REFUTED, Status.PROVED, Status.PROVED,
                                       Status.UNKNOWN]
    for workers in (2, 3):
        many = prove_all(obs, workers=workers)
        assert named(many) == named(one) and [r.obligation for r in many] == obs


def test_obligations_that_share_a_setup_go_to_one_process_the_largest_groups_first():
    obs = [Obligation(name, "", lambda: None, shares=group)
           for name, group in [("a", ""), ("b", "x"), ("c", ""), ("d", "x"), ("e", "y"), ("f", "x"), ("g", "y")]]
    assert dealt(obs, 2) == [[1, 2, 3, 5], [0, 4, 6]]
    assert dealt(obs, 1) == [list(range(7))]
    assert dealt(obs, 9)[:4] == [[1, 3, 5], [4, 6], [0], [2]] and dealt(obs, 9)[4:] == [[]] * 5
    assert dealt(obl.obligations(), 2) == [  # the induction's and the cross-induction's apart
        [3, 5, 7, 9, 11, 13, 14, 15, 16, 17, 18, 19, 20], [0, 1, 2, 4, 6, 8, 10, 12, 21, 22, 23, 24]]


def test_beside_runs_one_function_here_and_the_other_in_a_forked_process():
    here, there = beside(os.getpid, os.getpid)
    assert here == os.getpid() != there


def test_a_failure_in_the_forked_process_fails_beside():
    with pytest.raises(WorkerFailed):
        beside(lambda: 1, lambda: 1 // 0)


def test_a_failure_here_stops_the_forked_process_without_waiting_for_it(tmp_path):
    started = tmp_path / "pid"

    def there():
        (tmp_path / "tmp").write_text(str(os.getpid()), encoding="utf-8")
        (tmp_path / "tmp").rename(started)
        time.sleep(300)

    def here():
        while not started.exists():
            time.sleep(0.01)
        raise ValueError("here")
    with pytest.raises(ValueError, match="here"):
        beside(here, there)
    with pytest.raises(ProcessLookupError):  # killed and waited for
        os.kill(int(started.read_text(encoding="utf-8")), 0)


def without_seconds(doc):
    if isinstance(doc, dict):
        return {k: without_seconds(v) for k, v in doc.items() if k != "seconds"}
    return [without_seconds(v) for v in doc] if isinstance(doc, list) else doc


def test_prove_and_verify_with_workers_print_what_one_process_prints(capsys, monkeypatch):
    """verify proves the obligations in a process of their own beside the runs."""
    from tcpverify.spec.world.config import SCENARIOS, Config
    monkeypatch.setattr(proof_report, "obligations", lambda: FEW)
    monkeypatch.setattr(cli_verify, "default_runs", lambda: [(SCENARIOS["normal"], Config(), None)])
    beside_calls = []
    monkeypatch.setattr(proof_report, "prove_beside", lambda *a: beside_calls.append(a) or prove_beside(*a))
    for command in (["prove", "--json"], ["verify", "--json", "--quiet"]):
        outs = []
        for workers in ("1", "2"):
            monkeypatch.setattr(proof_report, "_PROVED", [])  # (verify's proofs, once a process)
            assert main(command + ["--workers", workers]) == 0
            outs.append(without_seconds(json.loads(capsys.readouterr().out)))
        assert outs[0] == outs[1]
    assert len(beside_calls) == 1  # verify --workers 2's


def test_verify_with_fingerprints_and_workers_runs_each_on_one_and_prints_what_one_process_prints(
        capsys, monkeypatch):
    """verify's runs take one worker each, its other processes prove: hash compaction goes with --workers."""
    from tcpverify.spec.world.config import SCENARIOS, Config
    monkeypatch.setattr(proof_report, "obligations", lambda: FEW)
    monkeypatch.setattr(cli_verify, "default_runs", lambda: [(SCENARIOS["normal"], Config(), None)])
    outs = []
    for workers in ("1", "2"):
        monkeypatch.setattr(proof_report, "_PROVED", [])
        code = main(["verify", "--json", "--quiet", "--fingerprint", "64", "--workers", workers])
        outs.append((code, without_seconds(json.loads(capsys.readouterr().out))))
    assert outs[0] == outs[1]
    assert outs[0][0] != 0 and "INCOMPLETE" in json.dumps(outs[0][1])  # (fingerprints never say VERIFIED)


@pytest.mark.slow
def test_every_obligation_dealt_to_two_processes_comes_out_as_in_one():
    assert named(proof_report.run_proofs(workers=2)) == named(results().values())


def test_non_transitivity_counterexample_is_three_values_that_really_break_it():
    m = results()["seq-lt-not-transitive"].model
    a, b, c = m["a"], m["b"], m["c"]
    assert lt(a, b) and lt(b, c) and not lt(a, c)


def test_trichotomy_counterexample_is_two_values_half_apart():
    m = results()["seq-trichotomy"].model
    assert (m["a"] - m["b"]) % MOD == HALF


@pytest.mark.slow
@pytest.mark.parametrize("mutant", obl.mutants(), ids=lambda o: o.name)
def test_every_mutant_is_refuted(mutant):
    assert prove(mutant, timeout_ms=60_000).status == Status.REFUTED  # 5 s ran out under load


def test_off_by_one_offsets_break_the_lemma():
    m = prove(obl.offset_order_general(1)).model
    i, j = (z3.BitVecVal(m[v], 64).as_signed_long() for v in ("i", "j"))
    assert abs(i - j) == HALF


def test_handshake_obligations_run_the_spec_edges():
    system = obl.normal_system()
    walked = obl.follow(system, obl.HANDSHAKE + obl.CLOSE)
    assert [(s.actor, s.name) for s, _ in walked[:-1]] == list(obl.HANDSHAKE + obl.CLOSE)
    last = walked[-1][1]
    assert (last.a.state, last.b.state) == ("TIME-WAIT", "CLOSED")


def test_the_acceptability_formula_depends_on_the_isns():
    f = obl.handshake_accepted().formula()
    names = {str(d) for d in z3.z3util.get_vars(f)}
    assert {"ISS_A", "ISS_B"} <= names


@pytest.mark.parametrize("isn_a,isn_b", [(MOD - 1, MOD - 2), (MOD - 2, MOD - 1), (0, MOD - 1)])
def test_concrete_corner_isns_fire_the_same_edges(isn_a, isn_b):
    system = obl.TcpSystem(obl.machine_for(None), obl.SCENARIOS["normal"], obl.Config(),
                           obl.Decider(), {"A": (isn_a,), "B": (isn_b,)})
    walked = obl.follow(system, obl.HANDSHAKE + obl.CLOSE)
    assert len(walked) == len(obl.HANDSHAKE + obl.CLOSE) + 1
    last = walked[-1][1]
    assert (last.a.state, last.b.state) == ("TIME-WAIT", "CLOSED")
    assert last.a.snd_nxt.off == (isn_a + 2) % MOD and last.a.rcv_nxt.off == (isn_b + 2) % MOD


def test_fin_variant_ack_is_not_an_ack_of_the_fin():
    ack, fin_seq, acked, _ = obl._ack_of_fin(obl.FIN_VARIANT)
    assert ack == fin_seq and not acked
    ack, fin_seq, acked, _ = obl._ack_of_fin(None)
    assert ack == fin_seq + 1 and acked


@pytest.mark.slow
def test_prove_command_prints_each_obligation_and_models_in_hex(capsys):
    assert main(["prove"]) == 0
    out = capsys.readouterr().out
    for name in results():
        assert name in out
    assert "REFUTED (expected)" in out and "model: a=0x" in out
    assert "overall: PROVED (" in out


FEW = [obl.not_transitive(), obl.fin_ack()]


def test_prove_json(capsys, monkeypatch):
    monkeypatch.setattr(proof_report, "obligations", lambda: FEW)
    assert main(["prove", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == Status.PROVED
    assert [o["name"] for o in doc["obligations"]] == [o.name for o in FEW]
    assert all(o["seconds"] >= 0 for o in doc["obligations"])
    trans = next(o for o in doc["obligations"] if o["name"] == "seq-lt-not-transitive")
    assert trans["status"] == Status.REFUTED and all(v.startswith("0x") for v in trans["model"].values())


def test_prove_exit_codes(monkeypatch, capsys):
    monkeypatch.setattr(proof_report, "obligations", lambda: [obl.fin_ack(1)])
    assert main(["prove"]) == 1
    monkeypatch.setattr(proof_report, "obligations", lambda: [hard()])
    assert main(["prove"]) == 3
    assert "UNKNOWN" in capsys.readouterr().out


def test_prove_bad_timeout(capsys):
    assert main(["prove", "--timeout", "0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--timeout" in err


def test_verify_report_includes_the_proofs(tmp_path, monkeypatch):
    def only(results):
        for module in (cli_verify, report):
            monkeypatch.setattr(module, "proof_results", lambda: tuple(results))

    from tcpverify.spec.world.config import SCENARIOS, Config
    monkeypatch.setattr(cli_verify, "default_runs", lambda: [(SCENARIOS["normal"], Config(), None)])
    only([prove(o) for o in FEW])
    assert main(["verify", "--quiet", "--reports", str(tmp_path)]) == 0
    md = (tmp_path / "verification.md").read_text(encoding="utf-8")
    assert "## Proofs" in md and "seq-lt-not-transitive" in md and "REFUTED (expected)" in md
    doc = json.loads((tmp_path / "verification.json").read_text(encoding="utf-8"))
    assert [p["name"] for p in doc["proofs"]] == [o.name for o in FEW]
    assert "seconds" not in doc["proofs"][0]
    only([prove(obl.fin_ack(1))])
    assert main(["verify", "--quiet", "--reports", str(tmp_path)]) == 1
    assert "Overall: **VIOLATED**" in (tmp_path / "verification.md").read_text(encoding="utf-8")


def test_a_refuted_inductive_obligation_names_the_breaking_step(monkeypatch, capsys):
    fin = next(b for b in obl.INDUCTIVE if b.__name__ == "inductive-fin-accounting")
    monkeypatch.setattr(proof_report, "obligations", lambda: [fin(1)])
    assert main(["prove"]) == 1
    out = capsys.readouterr().out
    assert "REFUTED" in out and "breaks at: Close" in out and "to FIN-WAIT-1" in out
