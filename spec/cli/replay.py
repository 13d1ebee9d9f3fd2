"""tcpverify replay CAPTURE [--endpoint A|B|both] [--profile rfc|linux] [--json]

Exit codes: 0 every connection conforms, 1 one deviates, 2 not a capture, a malformed
packet, or no TCP, 3 a search spent its budget (--max-states, --max-seconds) undecided.
"""

from __future__ import annotations

import argparse
import ipaddress
import json
from collections import Counter

from tcpverify.checker.status import Status

from ..conformance.capture import CaptureError, Connection, read
from ..conformance.linux import DEPARTURES, PROFILES
from ..conformance.replay import (MAX_SECONDS, MAX_STATES, QUIET, WINDOW, Conformance, Replayer, departures,
                                  reaction)
from ..suite.run import machine_for
from ..teaching.narrator import narrate_replay
from ..views.steps import TraceStep
from .options import UsageError, input_file, positive


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"'{text}' must be a number of seconds above 0")
    return value

SCHEMA = "tcpverify/replay/1"
def assumed(quiet: int) -> str:
    return (f"a segment the spec sends that the capture lacks was lost before the capture point "
            f"(or, as a delayed ACK, never sent), unless its sender is the host given by --captured-on; "
            f"application calls and timers are inferred; at most "
            f"{quiet} unobserved calls, timers and losses between two captured segments (arrivals "
            f"not counted); FIFO channels; RCV.WND {WINDOW}")


def add_parser(sub) -> None:
    p = sub.add_parser("replay", help="check that the spec allows every TCP connection in a capture")
    p.add_argument("capture", type=input_file, help="a pcap or pcapng file")
    p.add_argument("--endpoint", choices=("A", "B", "both"), default="both",
                   help="whose segments the spec must explain (A sent the connection's first "
                        "segment); the other's are taken as given")
    p.add_argument("--profile", choices=tuple(PROFILES), default="rfc",
                   help="rfc: RFC 9293 as modelled; linux: also Linux's named departures")
    p.add_argument("--captured-on", metavar="ADDRESS", type=address, default=None,
                   help="the address of the host the capture was taken on: nothing that host "
                        "sends can then be lost before the capture point")
    p.add_argument("--max-unseen", type=positive, default=QUIET, metavar="N",
                   help=f"unobserved calls, timers and losses allowed between two captured segments "
                        f"(default {QUIET})")
    p.add_argument("--max-states", type=positive, default=MAX_STATES, metavar="N",
                   help=f"states one connection's search may visit, then INCOMPLETE (default {MAX_STATES})")
    p.add_argument("--max-seconds", type=positive_seconds, default=MAX_SECONDS, metavar="S",
                   help=f"seconds one connection's search may take, then INCOMPLETE (default {MAX_SECONDS:g})")
    p.add_argument("--json", action="store_true")
    p.set_defaults(run=cmd_replay)


def address(text: str) -> str:
    """An IPv4 or IPv6 address, written as the capture reader writes it."""
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not an IPv4 or IPv6 address") from None


class Replay:
    """Replays connections under a profile: the RFC graph first, then the profile's, if any."""

    def __init__(self, profile: str = "rfc", endpoints: str = "both", captured_on: str | None = None,
                 quiet: int = QUIET, max_states: int = MAX_STATES, max_seconds: float = MAX_SECONDS):
        self.profile = profile
        budget = (quiet, max_states, max_seconds)
        self.rfc = Replayer(machine_for(None), endpoints, captured_on, *budget)
        variant = PROFILES[profile]
        linux = Replayer(machine_for(PROFILES["linux"]), endpoints, captured_on, *budget)
        self.variant = None if variant is None else linux
        self.linux = linux

    def check(self, conn: Connection) -> tuple[Conformance, Replayer, list[str]]:
        """The verdict, the replayer that gave it, and for an RFC deviation the Linux departures that explain it."""
        v = self.rfc.replay(conn)
        if v.conforms or v.incomplete:
            return v, self.rfc, []
        linux = self.linux.replay(conn)
        if self.variant is not None and linux.conforms:
            return linux, self.variant, []
        return v, self.rfc, departures(linux) if linux.conforms else []


def cmd_replay(args) -> int:
    try:
        conns, ignored = read(args.capture)
    except CaptureError as e:
        raise UsageError(str(e)) from None
    hosts = {end.rsplit(":", 1)[0] for c in conns for end in (c.a, c.b)}
    if args.captured_on is not None and args.captured_on not in hosts:
        raise UsageError(f"--captured-on {args.captured_on}: no connection in {args.capture} has "
                         "this address")
    replay = Replay(args.profile, args.endpoint, args.captured_on, args.max_unseen,
                    args.max_states, args.max_seconds)
    results = [(c, *replay.check(c)) for c in conns]
    status = overall(v for _, v, _, _ in results)
    if args.json:
        doc = {"schema": SCHEMA, "capture": args.capture, "profile": args.profile,
               "endpoints": args.endpoint, "status": status,
               "ignored": dict(sorted(ignored.items())), "assumed": assumed(args.max_unseen),
               "connections": [connection_dict(n, *r) for n, r in enumerate(results, 1)]}
        print(json.dumps(doc, indent=2))
    else:
        print(describe(args, conns, ignored, results))
    return {"CONFORMS": 0, "DEVIATES": 1, Status.INCOMPLETE: 3}[status]


def overall(verdicts) -> str:
    """DEVIATES if one connection does, else INCOMPLETE if one is undecided, else CONFORMS."""
    found = {v.status for v in verdicts}
    for status in ("DEVIATES", Status.INCOMPLETE):
        if status in found:
            return status
    return "CONFORMS"


def describe(args, conns, ignored: Counter, results) -> str:
    counts = Counter(v.status for _, v, _, _ in results)
    lines = [f"capture {args.capture}: {len(conns)} connection(s), "
             f"{sum(len(c.segments) for c in conns)} segments; profile {args.profile}; "
             f"endpoints checked: {args.endpoint}",
             "ignored (not modelled): " + ", ".join(f"{k} ({n})" for k, n in sorted(ignored.items())),
             f"assumed: {assumed(args.max_unseen)}", ""]
    for n, (conn, v, rep, hint) in enumerate(results, 1):
        d = connection_dict(n, conn, v, rep, hint)
        incarnations = f", {conn.incarnations} incarnations" if conn.incarnations > 1 else ""
        head = (f"connection {n}: A {conn.a} -> B {conn.b} ({len(conn.segments)} segments"
                f"{incarnations}): {d['verdict']}")
        if v.incomplete:
            lines.append(f"{head}: {v.incomplete} after {v.visited} states; segments "
                         f"#1..#{v.index} have an explanation, #{v.index + 1} is undecided")
        elif v.conforms:
            lines.append(head)
            for dep in d["departures"]:
                lines.append(f"  Linux departure used: {dep}: {DEPARTURES[dep][1]}")
            for st in d["explanation"]:
                lines.append(f"  {st['text']:78} A {st['a']:12} B {st['b']}")
            lines.append("  segments:")
            for s in d["segments"]:
                lines.append(f"   #{s['n']} {s['dir']} {s['segment']}: sent by {s['sent_by']}; "
                             f"{s['received_by']}")
        else:
            dv = d["deviation"]
            lines.append(f"{head} at segment #{dv['segment_number']} {dv['dir']} {dv['segment']}")
            lines.append(f"  segments #1..#{dv['segment_number'] - 1} have an explanation; none "
                         f"(within {args.max_unseen} unobserved calls, timers and losses between segments) lets "
                         f"{dv['sender']} send #{dv['segment_number']}.")
            lines.append(f"  {dv['sender']} could be in {len(dv['sender_states'])} state(s), "
                         "and would have sent instead:")
            for st in dv["sender_states"]:
                lines.append(f"    {st['sender']}: " + "; ".join(st["would_send"]))
            lines.append(f"  {dv['receiver']} would have taken #{dv['segment_number']} with:")
            for state, what in dv["receiver_would"].items():
                lines.append(f"    in {state}: {what}")
            for dep in d["hint"]:
                lines.append(f"  it conforms with --profile linux, which names the Linux departure "
                             f"{dep}: {DEPARTURES[dep][1]}")
        lines.append("")
    lines.append(f"overall: {overall(v for _, v, _, _ in results)} ({counts['CONFORMS']} conform, "
                 f"{counts['DEVIATES']} deviate, {counts[Status.INCOMPLETE]} incomplete)")
    return "\n".join(lines)


def _direction(sender: str) -> str:
    return "A->B" if sender == "A" else "B->A"


def _tcb(t) -> str:
    return "-" if t is None else t.state


def connection_dict(n: int, conn: Connection, v: Conformance, rep: Replayer, hint: list[str]) -> dict:
    d = {"connection": n, "a": conn.a, "b": conn.b, "segments_captured": len(conn.segments),
         "incarnations": conn.incarnations, "verdict": v.status, "states_searched": v.visited}
    if v.incomplete:
        d["incomplete"] = {"reason": v.incomplete, "explained": v.index}
        return d
    if v.conforms:
        d["departures"] = departures(v)
        d["explanation"] = [_step(s) for s in narrate_replay(conn.segments, v.steps)]
        d["segments"] = _segments(conn, v)
        return d
    o = conn.segments[v.index]
    receiver = "B" if o.sender == "A" else "A"
    params = rep.params(conn)
    senders, receivers = {}, {}
    for s in v.frontier:
        t, pending = s.tcb(o.sender), s.pre[o.sender == "B"]
        key = "not checked" if t is None else t.describe()
        sends = senders.setdefault(key, set())
        sends.update(f"{g} ({name})" for g, name in pending)
        rtcb = s.tcb(receiver)
        if rtcb is not None:
            receivers[rtcb.state] = reaction(rep.machine, receiver, rtcb, o.segment, params)
    states = [{"sender": k, "would_send": sorted(w) or ["nothing"]} for k, w in sorted(senders.items())]
    d["deviation"] = {"segment_number": v.index + 1, "dir": _direction(o.sender),
                      "segment": str(o.segment), "sender": o.sender, "sender_states": states,
                      "receiver": receiver, "receiver_would": dict(sorted(receivers.items()))}
    d["hint"] = hint
    return d


def _step(s: TraceStep) -> dict:
    return {"actor": s.actor, "action": s.action, "event": s.event,
            "segment_number": None if s.number is None else s.number + 1, "text": s.head,
            "a": _tcb(s.a), "b": _tcb(s.b)}


def _segments(conn: Connection, v: Conformance) -> list[dict]:
    fate = {}
    sent = {}
    for st, _ in v.steps:
        if st.n is None:
            continue
        if st.actor == "capture":
            sent[st.n] = st.sent[0] or "not checked"
        elif st.actor == "net":
            fate[st.n] = "lost after the capture point"
        else:
            fate[st.n] = f"received by {st.actor}: {st.what}"
    return [{"n": k + 1, "dir": _direction(o.sender), "segment": str(o.segment),
             "sent_by": f"{o.sender}: {sent[k]}",
             "received_by": fate.get(k, "still in flight when the capture ends")}
            for k, o in enumerate(conn.segments)]
