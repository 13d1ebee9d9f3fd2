"""tcpverify replay on real Linux captures (tests/data/captures) and doctored copies of them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import dpkt
import pytest

from tcpverify.spec.cli import main
from tcpverify.spec.cli.replay import Replay
from tcpverify.spec.conformance.capture import read
from tcpverify.spec.conformance.replay import departures

CAPTURES = Path(__file__).parents[1] / "data" / "captures"
# The profile each real capture needs, and the Linux departures its explanation names.
NEEDS = {"abort-linger0": ("linux", ["rst-carries-ack"]),
         "close-unread-data": ("linux", ["rst-on-close-with-unread-data"])}
REAL = sorted(p.stem for p in CAPTURES.glob("*.pcap"))
HOST = "10.77.0.1"  # make_captures.py runs tcpdump there: nothing it sends is lost before it
REPLAYS = {p: Replay(p, captured_on=HOST) for p in ("rfc", "linux")}


def _doctor():
    spec = importlib.util.spec_from_file_location("doctor", CAPTURES / "doctor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_case_was_captured():
    assert len(REAL) == 14


@pytest.mark.parametrize("case", REAL)
def test_real_capture_conforms_with_the_profile_it_needs(case):
    profile, used = NEEDS.get(case, ("rfc", []))
    (conn,), _ = read(str(CAPTURES / f"{case}.pcap"))
    v, _, _ = REPLAYS[profile].check(conn)
    assert v.conforms
    assert departures(v) == used
    captured = [st for st, _ in v.steps if st.actor == "capture"]
    assert [st.n for st in captured] == list(range(len(conn.segments)))
    assert all(st.sent[0] for st in captured)  # each matched to the edge that sent it


@pytest.mark.parametrize("case", sorted(NEEDS))
def test_linux_departures_deviate_under_the_rfc_and_are_named(case, capsys):
    assert main(["replay", str(CAPTURES / f"{case}.pcap")]) == 1
    out = capsys.readouterr().out
    assert "DEVIATES at segment" in out
    assert f"it conforms with --profile linux, which names the Linux departure {NEEDS[case][1][0]}" in out
    assert main(["replay", str(CAPTURES / f"{case}.pcap"), "--profile", "linux"]) == 0


def test_cli_names_each_segments_transitions_and_what_it_ignored(capsys):
    assert main(["replay", str(CAPTURES / "normal-close.pcap")]) == 0
    out = capsys.readouterr().out
    assert "CONFORMS" in out
    assert "sent by A: ActiveOpenInClosed; received by B: RcvSynInListen" in out
    assert "sent by A: CloseInEstablished; received by B: RcvFinInEstablished" in out
    assert "ignored (not modelled): PSH flag" in out and "TCP option timestamps" in out
    assert "lost before the capture point: <SEQ=" in out  # B's delayed ACK of the FIN


def test_json_output(capsys):
    assert main(["replay", str(CAPTURES / "lost-final-ack-twice.pcap"), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["status"] == "CONFORMS"
    (conn,) = doc["connections"]
    fates = [s["received_by"] for s in conn["segments"]]
    # the final ACK and both answers to the retransmitted FIN: B's timer fires before they arrive
    assert fates.count("still in flight when the capture ends") == 3
    assert [s["action"] for s in conn["explanation"]].count("RetransmitInLastAck") == 2


def test_one_endpoint_only():
    (conn,), _ = read(str(CAPTURES / "abort-linger0.pcap"))
    assert not Replay("rfc", "A").check(conn)[0].conforms  # A's RST,ACK is A's departure
    assert Replay("rfc", "B").check(conn)[0].conforms


# Doctored copies that replay quickly; tests/data/captures/doctored holds all of them.
COMMITTED = json.loads((CAPTURES / "doctored" / "manifest.json").read_text())
DOCTORED = [tuple(name[:-5].split("--")) for name in sorted(COMMITTED)
            if name.split("--")[0] in ("normal-close", "abort-linger0", "rst-closed-port")
            and "fin-takes-no" not in name] + [("server-closes-first", "fin-takes-no-sequence-number")]


@pytest.fixture(scope="module")
def doctored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("doctored")
    return folder, _doctor().doctor(folder)


def test_committed_doctored_copies_are_current(doctored):
    folder, manifest = doctored
    assert COMMITTED == manifest
    for name in manifest:
        assert (folder / name).read_bytes() == (CAPTURES / "doctored" / name).read_bytes()


@pytest.mark.parametrize("case,change", DOCTORED)
def test_doctored_copy_deviates_at_the_changed_segment(doctored, case, change):
    folder, manifest = doctored
    name = f"{case}--{change}.pcap"
    (conn,), _ = read(str(folder / name))
    v, _, _ = REPLAYS[NEEDS.get(case, ("rfc",))[0]].check(conn)
    changed = manifest[name]
    if not changed:  # the control: shifted across 2^32, it still conforms
        assert v.conforms
        assert conn.isns["A"] == (1 << 32) - 3
    else:
        assert not v.conforms
        assert v.index + 1 in changed


def test_not_a_capture_and_no_tcp(tmp_path, capsys):
    junk = tmp_path / "junk.pcap"
    junk.write_text("hello")
    assert main(["replay", str(junk)]) == 2
    udp = tmp_path / "udp.pcap"
    with open(udp, "wb") as f:
        w = dpkt.pcap.Writer(f)
        ip = dpkt.ip.IP(src=b"\x0a\0\0\1", dst=b"\x0a\0\0\2", p=17, data=dpkt.udp.UDP(data=b"x"))
        w.writepkt(bytes(dpkt.ethernet.Ethernet(data=ip)), 0)
    assert main(["replay", str(udp)]) == 2
    assert main(["replay", str(tmp_path / "missing.pcap")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and "holds no TCP" in err[1]


def test_a_connection_of_the_same_shape_follows_the_earlier_explanation(doctored):
    folder, _ = doctored
    (first,), _ = read(str(CAPTURES / "normal-close.pcap"))
    (moved,), _ = read(str(folder / "normal-close--shift.pcap"))
    replayer = Replay("rfc").rfc
    searched = replayer.replay(first)
    followed = replayer.replay(moved)
    assert searched.visited > 0 and followed.visited == 0  # no search the second time
    assert followed.conforms
    assert [st.what for st, _ in followed.steps] == [st.what for st, _ in searched.steps]
    assert followed.steps[0][0].sent[0].seq.off == (1 << 32) - 3  # on its own numbers


def test_an_explanation_that_does_not_fit_is_not_trusted():
    from tcpverify.spec.conformance.replay import shape

    (conn,), _ = read(str(CAPTURES / "normal-close.pcap"))
    replayer = Replay("rfc").rfc
    wrong = replayer.replay(conn).steps[1:]  # drops ActiveOpenInClosed: the SYN is never sent
    replayer.explained[(None, shape(conn))] = [st for st, _ in wrong]
    v = replayer.replay(conn)
    assert v.conforms and v.visited > 0


def test_linux_profile_edges_fire_and_the_rfc_graph_has_none_of_them():
    from tcpverify.spec.conformance.linux import DEPARTURES, FIN_WAIT_2_TIMEOUT, LINUX
    from tcpverify.spec.tcp.machine import SEGMENT, Machine, build_graph
    from tcpverify.spec.tcp.rules import Params
    from tcpverify.spec.tcp.segment import Segment
    from tcpverify.spec.tcp.seq import concrete
    from tcpverify.spec.tcp.symbolic import Ctx, Decider
    from tcpverify.spec.tcp.tcb import Tcb

    rfc, linux = build_graph(), LINUX.apply(build_graph())
    added = {e for d, (edges, _) in DEPARTURES.items() for e in edges if d != "rst-carries-ack"}
    assert not added & {k for _, _, k in rfc.edges(keys=True)}
    assert added <= {k for _, _, k in linux.edges(keys=True)}
    assert rfc["ESTABLISHED"]["CLOSED"]["AbortInEstablished"]["action"] is not \
        linux["ESTABLISHED"]["CLOSED"]["AbortInEstablished"]["action"]
    m, ctx = Machine(linux), Ctx(Decider(), frozenset(), ())
    tcb = Tcb(state="SYN-RECEIVED", origin="passive", iss=concrete(100), irs=concrete(7),
              snd_una=concrete(100), snd_nxt=concrete(101), rcv_nxt=concrete(8), rcv_wnd=100)
    name, new, sent = m.fire("B", tcb, SEGMENT, Segment(seq=concrete(7), syn=True), ctx, Params())
    assert name == "RcvSynRetransmissionInSynReceived" and new.state == "SYN-RECEIVED"
    assert sent == (Segment(seq=concrete(100), ack=concrete(8), syn=True),)
    name, new, _ = m.fire("A", tcb._replace(state="FIN-WAIT-2"), FIN_WAIT_2_TIMEOUT, None, ctx,
                          Params())
    assert (name, new.state) == ("FinWait2TimeoutInFinWait2", "CLOSED")


def test_pcapng_is_read_too(tmp_path, capsys):
    ng = tmp_path / "normal-close.pcapng"
    with open(CAPTURES / "normal-close.pcap", "rb") as f, open(ng, "wb") as out:
        w = dpkt.pcapng.Writer(out)
        for ts, buf in dpkt.pcap.Reader(f):
            w.writepkt(buf, ts)
    assert main(["replay", str(ng), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["connections"][0]["segments_captured"] == 8


def test_captured_on_forbids_losses_before_the_capture_on_that_host(capsys):
    path = str(CAPTURES / "normal-close.pcap")
    assert main(["replay", path, "--captured-on", HOST]) == 0
    # Had it been captured on B, B's ACK of the FIN (Linux delays it into B's FIN) would be missing.
    assert main(["replay", path, "--captured-on", "10.77.0.2"]) == 1
    assert "DEVIATES at segment #7 B->A" in capsys.readouterr().out


def test_a_deviation_within_a_smaller_bound_says_so(capsys):
    # Before #2 B must listen and take A's SYN: two unobserved steps.
    assert main(["replay", str(CAPTURES / "normal-close.pcap"), "--max-unseen", "1"]) == 1
    out = capsys.readouterr().out
    assert "DEVIATES at segment #2" in out and "within 1 unobserved steps" in out
    assert main(["replay", str(CAPTURES / "normal-close.pcap"), "--max-unseen", "2"]) == 0


def test_every_rfc_abort_with_rst_carries_an_ack_in_the_linux_profile():
    from tcpverify.spec.conformance.linux import CHANGES, DEPARTURES
    from tcpverify.spec.tcp import rules as r
    from tcpverify.spec.tcp.machine import ABORT, build_graph
    from tcpverify.spec.tcp.states import CLOSED, CLOSING
    from tcpverify.spec.tcp.variants import add_edge
    assert DEPARTURES["rst-carries-ack"][0] == ("AbortInSynReceived", "AbortInEstablished", "AbortInFinWait1",
                                                "AbortInFinWait2", "AbortInCloseWait")
    g = build_graph()  # a graph that grew one more abort with RST
    add_edge(g, "AbortLoudlyInClosing", CLOSING, CLOSED, event=ABORT, guard="", action=r.abort_with_reset,
             rfc="-")
    assert "AbortLoudlyInClosing" in CHANGES["rst-carries-ack"][0](g)
