"""The audit of the seed blog post: each departure breaks the property it should, in the
number of steps it should; each omission has a verified run of the RFC model."""

import re
from dataclasses import replace

import pytest

from tcpverify.checker.status import Status
from tcpverify.spec.cli import main
from tcpverify.spec.teaching.audit import AUDIT_CONFIGS, audit_md, run_audit
from tcpverify.spec.teaching.seed import DEPARTURES


@pytest.fixture(scope="module")
def audit():
    return run_audit()


# variant -> every property it breaks, with its shortest counterexample (steps)
EXPECTED = {
    "syn-in-third-segment": {"synchronization": 4, "graceful": 6},
    "fin-without-ack": {"close-completion": 7, "graceful": 11, "no-deadlock": 11, "no-half-open": 11},
    "random-sequence-in-close": {"fin-accounting": 4, "close-completion": 9, "graceful": 13,
                                 "no-deadlock": 13, "no-half-open": 13},
    "fin-on-ack-of-fin": {"synchronization": 7, "ack-validity": 7, "close-completion": 9, "graceful": 11},
    "fin-on-final-ack": {"fin-accounting": 9},
}


def test_every_departure_breaks_its_properties_with_counterexamples_of_known_length(audit):
    found = {d.variant: {k.property: k.length for k in row.shortest()} for d, row in audit.departures}
    assert found == EXPECTED
    assert all(not row.incomplete for _, row in audit.departures)


def test_all_departures_together(audit):
    assert {k.property: k.length for k in audit.together.shortest()} == {
        "synchronization": 4, "fin-accounting": 4, "graceful": 7, "close-completion": 7,
        "no-deadlock": 14, "no-half-open": 14}


def test_the_third_segment_with_syn_sends_the_server_back_to_listen(audit):
    row = dict((d.variant, r) for d, r in audit.departures)["syn-in-third-segment"]
    k = row.kills["synchronization"]
    assert k.outcome.config == AUDIT_CONFIGS[0]
    last = k.outcome.state(k.verdict.trace[-1][1])
    assert (last.a.state, last.b.state) == ("ESTABLISHED", "LISTEN")
    assert k.verdict.trace[-1][0].name == "RcvSynInSynReceived"


def test_the_audit_cites_the_proof_for_every_isn_pair(audit):
    proof = audit.proofs["syn-in-third-segment"]
    assert (proof.obligation.name, proof.status) == ("seed-third-segment-not-an-ack", Status.PROVED)
    for lang in ("en", "zh"):
        section = audit_md(audit, lang).split("### syn-in-third-segment")[1].split("###")[0]
        assert "`seed-third-segment-not-an-ack`" in section and "PROVED" in section
        assert r"\<SEQ=x+1>\<ACK=y+1>" in section  # Markdown, not HTML tags


@pytest.mark.parametrize("status, verdict", [(Status.REFUTED, Status.VIOLATED), (Status.UNKNOWN, Status.INCOMPLETE)])
def test_a_proof_that_fails_fails_the_audit(audit, status, verdict):
    proofs = {k: replace(p, status=status) for k, p in audit.proofs.items()}
    assert replace(audit, proofs=proofs).status == verdict


def test_a_random_fin_fails_the_acceptability_test(audit):
    row = dict((d.variant, r) for d, r in audit.departures)["random-sequence-in-close"]
    k = row.kills["graceful"]
    names = [label.name for label, _ in k.verdict.trace[1:]]
    assert {"AckUnacceptableInEstablished", "HoldFutureInEstablished"} & set(names)
    assert names[-1].startswith("GiveUpIn")


def test_each_omission_has_a_verified_run_of_the_rfc_model(audit):
    found = {w.omission.key: [(t.name, len(s.trace) - 1, s.outcome.status) for t, s in w.runs()]
             for w in audit.witnesses}
    assert found == {
        "fin-wait-2": [("normal-close", 10, Status.VERIFIED), ("why-fin-wait-2", 10, "VIOLATED")],
        "closing": [("simultaneous-close", 10, Status.VERIFIED)],
        "last-ack-lost": [("lost-final-ack", 14, Status.VERIFIED)],
        "time-wait": [("why-time-wait", 12, "VIOLATED")]}
    (fw,) = [w for w in audit.witnesses if w.omission.key == "fin-wait-2"]
    _, shown = fw.runs()[0]
    assert "FIN-WAIT-2" in [shown.outcome.state(i).a.state for _, i in shown.trace]
    assert audit.status == Status.VERIFIED


def test_each_conceptual_error_is_shown_on_computed_runs(audit):
    found = {w.omission.key: [(t.name, len(s.trace) - 1, s.outcome.status) for t, s in w.runs()]
             for w in audit.misconceptions}
    assert found == {
        "ack-flag": [("normal-close", 10, Status.VERIFIED)],
        "plus-one": [("normal-close", 10, Status.VERIFIED), ("plus-one", 3, "VIOLATED")],
        "half-close": [("half-close", 13, Status.VERIFIED)],
        "three-segments": [("old-syn-rejected", 14, Status.VERIFIED),
                           ("why-three-way-handshake", 2, "VIOLATED")]}
    by_key = {w.omission.key: w for w in audit.misconceptions}
    facts = {k: w.omission.fact(w.runs()[0][1], "en") for k, w in by_key.items() if w.omission.fact}
    # computed from the runs: the one segment without the ACK bit, the numbers the others carry
    assert "ACK bit is off only in <SEQ=ISS_A><CTL=SYN> and on in the other 6" in facts["ack-flag"]
    assert "take 4 values (ISS_A+1, ISS_B+1, ISS_A+2, ISS_B+2)" in facts["ack-flag"]
    assert "after which its SND.NXT is ISS_A+1, and B's first acknowledgment is ACK=ISS_A+1" \
        in facts["plus-one"]
    assert "B (in CLOSE-WAIT) sends <SEQ=ISS_B+1><ACK=ISS_A+2><CTL=ACK><DATA=1>, and A, in FIN-WAIT-2" \
        in facts["half-close"]
    # without the +1 the client rejects the SYN,ACK; with three segments the old SYN is reset
    _, plus = by_key["plus-one"].runs()[1]
    assert plus.trace[-1][0].name == "RcvBadAckInSynSent"
    _, old = by_key["three-segments"].runs()[0]
    assert "RcvRstInSynReceived" in [label.name for label, _ in old.trace[1:]]


def test_the_audit_counts_what_it_found(audit, capsys):
    assert [d.variant for d in DEPARTURES if d.reading] == ["fin-without-ack"]
    assert audit.summary() == ("the checker refutes 4 of the 4 segment notations the post states and "
                               "1 of 1 read literally; it shows 4 of 4 conceptual errors and 4 of 4 "
                               "omissions on computed runs")
    for lang, word in (("en", "fin-without-ack (a reading)"), ("zh", "fin-without-ack（一种读法）")):
        assert f"### {word}" in audit_md(audit, lang)


def test_a_conceptual_error_whose_run_is_missing_fails_the_audit(audit):
    w = audit.misconceptions[0]
    broken = replace(audit, misconceptions=[replace(w, shown=[(t, None) for t, _ in w.shown])]
                     + audit.misconceptions[1:])
    assert broken.status == Status.VIOLATED
    assert broken.summary().startswith("VIOLATED: ") and "3 of 4 conceptual errors" in broken.summary()


def test_the_reports_quote_only_the_notations_and_share_their_traces(audit):
    en, zh = audit_md(audit, "en"), audit_md(audit, "zh")
    blocks = lambda text: re.findall(r"```(?:mermaid)?\n(.*?)```", text, re.S)  # noqa: E731
    # the same runs, told in each language (same number of lines, same TCB lines)
    assert len(blocks(en)) == len(blocks(zh)) > 2 * len(DEPARTURES)
    assert [b.count("\n") for b in blocks(en)] == [b.count("\n") for b in blocks(zh)]
    for term in ("三次握手", "四次挥手", "序列号", "确认号", "FIN-WAIT-2", "TIME-WAIT"):
        assert term in zh
    for d in DEPARTURES:
        assert all(n in en for n in d.notation)
    for w in audit.misconceptions:
        assert all(f"「{q}」" in en and f"「{q}」" in zh for q in w.omission.quote)
    assert "A-xB" in en  # the lost final ACK, drawn in a sequence diagram
    assert "RAND_A_FIN" in en and "for example: ISS_A=0x00000000, RAND_A_FIN=0x00000002" in en


def test_the_audit_command_writes_both_reports(tmp_path, capsys):
    assert main(["audit", "--reports", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed-audit.md", "seed-audit.zh.md"]
    out = capsys.readouterr().out
    assert "syn-in-third-segment" in out
    assert out.splitlines()[-1].startswith("audit: the checker refutes 4 of the 4 segment notations")
