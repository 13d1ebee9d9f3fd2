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
from tcpverify.spec.conformance import replay as replay_module
from tcpverify.spec.conformance.replay import ALLOWED, NOT_ALLOWED, Replayer, departures, unobserved
from tcpverify.spec.suite.run import machine_for
from tcpverify.spec.world.environment import ENVIRONMENT, LOSE, RETRANSMIT_TIMEOUT

CAPTURES = Path(__file__).parents[1] / "data" / "captures"
# The profile each real capture needs, and the Linux departures its explanation names
# (none yet: the reset with an ACK and the reset on CLOSE with unread data are RFC 9293's).
NEEDS: dict = {}
REAL = sorted(p.stem for p in CAPTURES.glob("*.pcap"))
HOST = "10.77.0.1"  # make_captures.py runs tcpdump there: nothing it sends is lost before it
REPLAYS = {p: Replay(p, captured_on=HOST) for p in ("rfc", "linux")}


def _script(name: str):
    spec = importlib.util.spec_from_file_location(name, CAPTURES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doctor():
    return _script("doctor")


def test_every_case_was_captured():
    assert REAL == sorted(_script("make_captures").CASES)


# What each new capture must show: an edge its explanation takes.
SHOWS = {"keep-alive": "sent by A: KeepAliveInEstablished; received by B: AckUnacceptableInEstablished",
         "bulk-half-close": "sent by A: SendInEstablished + CloseInEstablished; received by B: "
                            "RcvFinInEstablished",
         "defer-accept": "sent by B: RetransmitInSynReceived; received by A: "
                         "AckUnacceptableInEstablished",
         "lost-syn": "sent by A: RetransmitInSynSent",
         "simultaneous-close": "received by A: RcvFinInFinWait1"}


@pytest.mark.parametrize("case", sorted(SHOWS))
def test_a_capture_conforms_through_the_edge_it_was_made_for(case, capsys):
    assert main(["replay", str(CAPTURES / f"{case}.pcap"), "--captured-on", HOST]) == 0
    assert SHOWS[case] in capsys.readouterr().out


def test_a_bulk_transfer_acknowledged_in_bursts_conforms_quickly():
    """72 data segments, B's ACKs each covering up to 21 of them (RFC 9293 3.10.7.4)."""
    (conn,), _ = read(str(CAPTURES / "bulk-half-close.pcap"))
    assert sum(o.segment.data for o in conn.segments if o.sender == "A") == 100 * 1024
    v = Replayer(machine_for(None), captured_on=HOST, max_states=50_000).replay(conn)
    assert v.conforms and v.visited < 50_000


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


@pytest.mark.parametrize("case, edge", [("abort-linger0", "AbortInEstablished"),
                                        ("close-unread-data", "CloseWithUnreadDataInEstablished")])
def test_resets_with_an_ack_conform_to_the_rfc(case, edge, capsys):
    """RFC 9293 3.1, 3.6.1: the RST,ACK Linux sends for SO_LINGER 0 and for close with unread data."""
    assert main(["replay", str(CAPTURES / f"{case}.pcap")]) == 0
    out = capsys.readouterr().out
    assert f"sent by A: {edge}" in out or f"sent by B: {edge}" in out
    assert "Linux departure" not in out


def test_a_reset_without_its_ack_is_the_same_reset(tmp_path):
    """3.10.5's <SEQ=SND.NXT><CTL=RST> form of the abort reset conforms too."""
    (conn,), _ = read(str(CAPTURES / "abort-linger0.pcap"))
    rst = next(k for k, o in enumerate(conn.segments) if o.segment.rst)
    o = conn.segments[rst]
    conn.segments[rst] = o._replace(segment=o.segment._replace(ack=None))
    assert Replay("rfc").check(conn)[0].conforms


def test_cli_names_each_segments_transitions_and_what_it_ignored(capsys):
    assert main(["replay", str(CAPTURES / "normal-close.pcap")]) == 0
    out = capsys.readouterr().out
    assert "CONFORMS" in out
    assert "sent by A: ActiveOpenInClosed; received by B: RcvSynInListen" in out
    assert "sent by A: CloseInEstablished; received by B: RcvFinInEstablished" in out
    assert "ignored (not modelled): PSH flag" in out and "TCP option timestamps" in out
    assert "its ACK also acknowledges what a delayed ACK would have: <SEQ=" in out  # B's, of the FIN


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
    """A reset whose ACK is not RCV.NXT is A's deviation; B, which ignores that field, conforms."""
    (conn,), _ = read(str(CAPTURES / "abort-linger0.pcap"))
    rst = next(k for k, o in enumerate(conn.segments) if o.segment.rst)
    o = conn.segments[rst]
    assert o.sender == "A"
    conn.segments[rst] = o._replace(segment=o.segment._replace(ack=o.segment.ack + 5))
    assert not Replay("rfc", "A").check(conn)[0].conforms
    assert Replay("rfc", "B").check(conn)[0].conforms


# Doctored copies that replay quickly; tests/data/captures/doctored holds all of them.
COMMITTED = json.loads((CAPTURES / "doctored" / "manifest.json").read_text(encoding="utf-8"))
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
        assert conn.isns["A"] == ((1 << 32) - 3,)
    else:
        assert not v.conforms
        assert v.index + 1 in changed


def test_not_a_capture_and_no_tcp(tmp_path, capsys):
    junk = tmp_path / "junk.pcap"
    junk.write_text("hello", encoding="utf-8")
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
    from tcpverify.spec.conformance.linux import EDGE_DEPARTURE, FIN_WAIT_2_TIMEOUT, LINUX, departing_edges
    from tcpverify.spec.tcp.machine import SEGMENT, Machine, build_graph
    from tcpverify.spec.tcp.rules import Params
    from tcpverify.spec.tcp.segment import Segment
    from tcpverify.spec.tcp.seq import concrete
    from tcpverify.spec.tcp.symbolic import Ctx, Decider
    from tcpverify.spec.tcp.tcb import Tcb

    linux = LINUX.apply(build_graph())
    # a label only on the edges that really depart: every one, and no other
    assert set(EDGE_DEPARTURE) == departing_edges(LINUX)
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
    # Captured on B, B's ACK of A's FIN goes unsent: Linux delayed it into B's FIN, which
    # carries it (RFC 1122 4.2.3.2); nothing else of B's may be missing.
    assert main(["replay", path, "--captured-on", "10.77.0.2"]) == 0
    out = capsys.readouterr().out
    assert "not captured, so lost before the capture point" not in out
    assert "(sent by CloseInCloseWait); its ACK also acknowledges what a delayed ACK would have" in out


def test_on_the_capturing_host_only_a_carried_ack_goes_unsent():
    from tcpverify.spec.conformance.capture import Observed
    from tcpverify.spec.conformance.replay import State
    from tcpverify.spec.tcp.segment import Segment
    from tcpverify.spec.tcp.seq import concrete
    from tcpverify.spec.tcp.tcb import Tcb

    ack = Segment(seq=concrete(11), ack=concrete(20))
    data = Segment(seq=concrete(11), ack=concrete(21), data=5)
    fin = Segment(seq=concrete(16), ack=concrete(21), fin=True)
    replayer = Replayer(machine_for(None))
    s = State(0, Tcb(), Tcb(), (((ack, "RcvSegment"), (data, "Send"), (fin, "Close")), ()), ((), ()))

    def capture(seg, host):
        return replayer._capture(s, Observed("A", seg, 0.0), host)

    assert capture(data, "A") is not None  # the ACK before it is carried by it
    assert capture(fin, "A") is None  # the data before it cannot have gone unsent
    step, after = capture(fin, None)  # elsewhere, it was lost before the capture point
    assert step.sent == ("Close", ack, data) and after.pre == ((), ())
    step, _ = capture(data._replace(fin=True), "A")  # data and FIN in one segment (3.10.4)
    assert step.sent == ("Send + Close", ack)


def test_arrivals_are_not_counted_as_unobserved_steps(doctored, capsys):
    # Before #2 B must listen (one call) and take A's SYN (an arrival, not counted).
    assert main(["replay", str(CAPTURES / "normal-close.pcap"), "--max-unseen", "1"]) == 0
    folder, _ = doctored
    assert main(["replay", str(folder / "normal-close--ack-off-by-one.pcap"), "--max-unseen", "1"]) == 1
    assert "within 1 unobserved calls, timers and losses" in capsys.readouterr().out


def test_a_search_past_its_budget_is_incomplete_and_says_how_far_it_got(capsys):
    path = str(CAPTURES / "bulk-half-close.pcap")
    assert main(["replay", path, "--max-states", "300"]) == 3
    out = capsys.readouterr().out
    assert "INCOMPLETE: the search budget (300 states) was spent" in out
    assert "overall: INCOMPLETE (0 conform, 0 deviate, 1 incomplete)" in out
    assert main(["replay", path, "--max-states", "300", "--json"]) == 3
    (conn,) = json.loads(capsys.readouterr().out)["connections"]
    assert conn["verdict"] == "INCOMPLETE" and 0 < conn["incomplete"]["explained"] < 101


@pytest.mark.parametrize("flag", ["--max-states", "--max-seconds"])
def test_a_budget_must_be_positive(flag, capsys):
    assert main(["replay", str(CAPTURES / "normal-close.pcap"), flag, "0"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and flag in err[0]


# ------------------------------------------------ input: malformed packets and checksums

def _raw_packets(*fields) -> list[bytes]:
    """Ethernet frames of TCP segments between 10.0.0.1:1000 and 10.0.0.2:80, checksums right.
    Each field tuple: (from A?, seq, ack or None, flags, data octets)."""
    out = []
    for from_a, seq, ack, flags, data in fields:
        tcp = dpkt.tcp.TCP(sport=1000 if from_a else 80, dport=80 if from_a else 1000, seq=seq,
                           ack=ack or 0, flags=flags | (dpkt.tcp.TH_ACK if ack is not None else 0),
                           win=1000, data=b"x" * data)
        src, dst = (b"\x0a\0\0\1", b"\x0a\0\0\2")[::1 if from_a else -1]
        ip = dpkt.ip.IP(src=src, dst=dst, p=6, data=tcp)
        ip.len = 20 + len(bytes(tcp))
        out.append(bytes(dpkt.ethernet.Ethernet(src=b"\0" * 6, dst=b"\0" * 6, data=ip)))
    return out


def _write(path, frames) -> str:
    with open(path, "wb") as f:
        w = dpkt.pcap.Writer(f)
        for k, frame in enumerate(frames):
            w.writepkt(frame, k)
    return str(path)


REFUSED = ((True, 100, None, dpkt.tcp.TH_SYN, 0), (False, 0, 101, dpkt.tcp.TH_RST, 0))


def _patched(frame: bytes, at: int, value: bytes) -> bytes:
    return frame[:at] + value + frame[at + len(value):]


IP, TCP = 14, 34  # where the IP and TCP headers start in these frames


def test_checksums_are_verified_and_a_bad_one_is_a_lost_segment(tmp_path, capsys):
    frames = _raw_packets(*REFUSED, (True, 100, None, dpkt.tcp.TH_SYN, 0))
    assert main(["replay", _write(tmp_path / "good.pcap", frames)]) == 0
    out = capsys.readouterr().out
    assert "ignored (not modelled): window values (3)\n" in out  # every checksum verified
    # The retransmitted SYN's checksum is wrong: the receiver discards it (MUST-3).
    bad = _patched(frames[2], TCP + 16, b"\x12\x34")
    path = _write(tmp_path / "bad.pcap", frames[:2] + [bad])
    assert main(["replay", path, "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["ignored"] == {**doc["ignored"], "packet 3: bad TCP checksum, taken as lost": 1}
    assert doc["connections"][0]["segments_captured"] == 2


@pytest.mark.parametrize("damage, message", [
    (lambda f: _patched(f, IP + 2, b"\0\0"), "packet 2: IP total length 0 with a 20-byte IPv4 header"),
    (lambda f: _patched(f, TCP + 12, b"\xf0"), "packet 2: TCP data offset 15 (60 bytes) in a 20-byte segment"),
    (lambda f: _patched(f, IP + 2, b"\0\x28") + b"", None),  # a well-formed control
    (lambda f: f[:IP + 10], "packet 2: IPv4 header cut short (10 of 20 bytes captured)"),
    (lambda f: f[:TCP + 8], "packet 2: TCP header cut short (8 of 20 bytes captured)"),
])
def test_a_malformed_packet_is_an_input_error_naming_it(tmp_path, capsys, damage, message):
    frames = _raw_packets(*REFUSED)
    code = main(["replay", _write(tmp_path / "x.pcap", [frames[0], damage(frames[1])])])
    err = capsys.readouterr().err.strip().splitlines()
    if message is None:
        assert code == 0 and err == []
    else:
        assert code == 2 and len(err) == 1 and err[0].endswith(message)


def test_an_option_kind_without_its_length_is_an_input_error(tmp_path, capsys):
    tcp = dpkt.tcp.TCP(sport=1000, dport=80, seq=100, flags=dpkt.tcp.TH_SYN, off=6,
                       opts=b"\x01\x01\x01\x02")  # three NOPs, then MSS's kind and no length
    ip = dpkt.ip.IP(src=b"\x0a\0\0\1", dst=b"\x0a\0\0\2", p=6, data=tcp)
    ip.len = 20 + 24
    frame = bytes(dpkt.ethernet.Ethernet(src=b"\0" * 6, dst=b"\0" * 6, data=ip))
    assert main(["replay", _write(tmp_path / "x.pcap", [frame])]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert err.endswith("packet 1: TCP option kind 2 ends the header without its length byte")


def test_a_capture_whose_last_packet_is_cut_short_is_an_input_error(tmp_path, capsys):
    path = tmp_path / "cut.pcap"
    _write(path, _raw_packets(*REFUSED))
    path.write_bytes(path.read_bytes()[:-7])
    assert main(["replay", str(path)]) == 2
    (err,) = capsys.readouterr().err.strip().splitlines()
    assert "packet 2 is cut short" in err


def test_connections_on_one_four_tuple_are_incarnations_of_one_endpoint_pair(tmp_path, capsys):
    syn, ack, fin, rst = dpkt.tcp.TH_SYN, dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_RST
    first = ((True, 100, None, syn, 0), (False, 700, 101, syn, 0), (True, 101, 701, 0, 0),
             (True, 101, 701, fin, 0), (False, 701, 102, fin, 0), (True, 102, 702, 0, 0))
    again = ((True, 5000, None, syn, 0), (False, 0, 5001, rst, 0))  # refused: B no longer listens
    path = _write(tmp_path / "two.pcap", _raw_packets(*first, *again))
    (conn,), _ = read(path)
    assert conn.isns == {"A": (100, 5000), "B": (700,)} and conn.incarnations == 2
    assert main(["replay", path, "--json"]) == 0
    (doc,) = json.loads(capsys.readouterr().out)["connections"]
    assert doc["incarnations"] == 2
    # The second SYN reached B's first incarnation: A's second OPEN came after its first ended.
    assert [s["action"] for s in doc["explanation"]].count("ActiveOpenInClosed") == 2
    # A new SYN while the first connection is still open is not a second OPEN: it deviates.
    path = _write(tmp_path / "reuse.pcap", _raw_packets(*first[:3], *again))
    assert main(["replay", path, "--captured-on", "10.0.0.1"]) == 1


def _action(step) -> str | None:
    """The environment action a step of an explanation is (None: the capture point's own)."""
    if step.actor in ("capture", "net"):
        return {"capture": None, "net": LOSE}[step.actor]
    return next(a.name for a in ENVIRONMENT if step.event in a.events)


def _explained(path: str, captured_on: str | None) -> list:
    conns, _ = read(path)
    replayer = Replayer(machine_for(None), captured_on=captured_on)
    out = []
    for conn in conns:
        v = replayer.replay(conn)
        assert v.conforms, path
        out += [step for step, _ in v.steps]
    return out


def test_replay_explains_with_exactly_the_environment_actions_it_declares(tmp_path):
    """Each step of an explanation is one of replay.ALLOWED, and each timer and call is
    needed: RFC 9293 3.10.8's 2MSL before a second incarnation, a retransmitted SYN."""
    syn, fin, rst = dpkt.tcp.TH_SYN, dpkt.tcp.TH_FIN, dpkt.tcp.TH_RST
    first = ((True, 100, None, syn, 0), (False, 700, 101, syn, 0), (True, 101, 701, 0, 0),
             (True, 101, 701, fin, 0), (False, 701, 102, fin, 0), (True, 102, 702, 0, 0))
    again = ((True, 5000, None, syn, 0), (False, 0, 5001, rst, 0))
    twice = _write(tmp_path / "twice.pcap", _raw_packets(*first, *again))
    steps = [s for case in REAL for s in _explained(str(CAPTURES / f"{case}.pcap"), HOST)]
    used = {_action(s) for s in steps + _explained(twice, None)} - {None}
    assert used == set(ALLOWED) - {LOSE} and not used & set(NOT_ALLOWED)


def test_a_captured_segment_is_lost_after_the_capture_point_only_while_replay_allows_lose(
        monkeypatch):
    from tcpverify.spec.conformance.replay import State
    from tcpverify.spec.tcp.segment import Segment
    from tcpverify.spec.tcp.seq import concrete
    from tcpverify.spec.tcp.tcb import Tcb

    replayer = Replayer(machine_for(None))
    s = State(1, Tcb(), Tcb(), ((), ()), (((Segment(seq=concrete(100), syn=True), 0),), ()))
    params = replayer.params(read(str(CAPTURES / "lost-syn.pcap"))[0][0])
    assert ("net", "lost") in [st[:2] for st, _ in replayer._successors(s, [], params, True)]
    monkeypatch.setattr(replay_module, "ALLOWED", tuple(a for a in ALLOWED if a != LOSE))
    assert "net" not in [st.actor for st, _ in replayer._successors(s, [], params, True)]


def test_a_capture_deviates_when_replay_may_not_take_the_action_it_needs(monkeypatch):
    fewer = tuple(a for a in ALLOWED if a != RETRANSMIT_TIMEOUT)
    monkeypatch.setattr(replay_module, "UNOBSERVED", unobserved(fewer))
    (conn,), _ = read(str(CAPTURES / "lost-syn.pcap"))
    assert not Replayer(machine_for(None), captured_on=HOST).replay(conn).conforms
