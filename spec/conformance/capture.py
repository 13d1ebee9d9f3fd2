"""Reading a pcap or pcapng file (with dpkt) into TCP connections the spec can replay.

A connection is the segments of one 4-tuple in capture order; A is the endpoint that
sent its first segment. A SYN (without ACK) carrying a new ISN from a side that has
already opened starts a new connection on the same 4-tuple. What the connection-
management spec does not model is counted, so that the output can list it once.
"""

from __future__ import annotations

import socket
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import dpkt

from ..tcp.segment import Segment
from ..tcp.seq import concrete


class CaptureError(Exception):
    """Not a capture, or no TCP in it."""


class Observed(NamedTuple):
    """One captured segment: who sent it (A or B) and what the spec compares."""

    sender: str
    segment: Segment
    time: float


@dataclass
class Connection:
    a: str  # "address:port" of A, the sender of the first segment
    b: str
    segments: list[Observed] = field(default_factory=list)
    isns: dict[str, int] = field(default_factory=dict)  # the ISN each side's SYN carried


OPTION_NAMES = {2: "MSS", 3: "window scale", 4: "SACK permitted", 5: "SACK", 8: "timestamps",
                19: "MD5 signature", 29: "TCP-AO", 30: "MPTCP", 34: "TCP Fast Open cookie"}
LINKS = {dpkt.pcap.DLT_EN10MB: dpkt.ethernet.Ethernet, dpkt.pcap.DLT_LINUX_SLL: dpkt.sll.SLL,
         dpkt.pcap.DLT_LINUX_SLL2: dpkt.sll2.SLL2, dpkt.pcap.DLT_NULL: dpkt.loopback.Loopback,
         dpkt.pcap.DLT_LOOP: dpkt.loopback.Loopback}
RAW_LINKS = {dpkt.pcap.DLT_RAW, 12, 14, 228, 229}  # raw IP, as the several platforms number it


def read(path: str) -> tuple[list[Connection], Counter]:
    """The TCP connections in a capture, and a count of what the spec ignores in them."""
    try:
        with open(path, "rb") as f:
            packets = list(_packets(f))
    except OSError as e:
        raise CaptureError(f"cannot read {path}: {e.strerror}") from None
    except (ValueError, dpkt.dpkt.UnpackError) as e:
        raise CaptureError(f"{path} is not a pcap or pcapng capture ({e})") from None
    ignored: Counter = Counter()
    conns: dict[tuple, Connection] = {}
    out: list[Connection] = []
    for ts, ip in packets:
        tcp = ip.data
        if not isinstance(tcp, dpkt.tcp.TCP):
            continue
        src, dst = (_addr(ip.src), tcp.sport), (_addr(ip.dst), tcp.dport)
        seg = _segment(ip, tcp, ignored)
        key = tuple(sorted((src, dst)))
        conn = conns.get(key)
        side = None if conn is None else ("A" if f"{src[0]}:{src[1]}" == conn.a else "B")
        if conn is not None and seg.syn and seg.ack is None and side in conn.isns \
                and conn.isns[side] != seg.seq.off:
            conn = None  # a new incarnation on the same 4-tuple
        if conn is None:
            conn = Connection(a=f"{src[0]}:{src[1]}", b=f"{dst[0]}:{dst[1]}")
            conns[key] = conn
            out.append(conn)
            side = "A"
        if seg.syn and side not in conn.isns:
            conn.isns[side] = seg.seq.off
        conn.segments.append(Observed(side, seg, ts))
    if not out:
        raise CaptureError(f"{path} holds no TCP segment")
    return out, ignored


def _packets(f):
    head = f.read(4)
    f.seek(0)
    reader = dpkt.pcapng.Reader(f) if head == b"\x0a\x0d\x0d\x0a" else dpkt.pcap.Reader(f)
    link = reader.datalink()
    for ts, buf in reader:
        ip = _ip(link, buf)
        if ip is not None:
            yield ts, ip


def _ip(link: int, buf: bytes):
    try:
        if link in RAW_LINKS:
            pkt = dpkt.ip6.IP6(buf) if buf[:1] and buf[0] >> 4 == 6 else dpkt.ip.IP(buf)
        elif link in LINKS:
            pkt = LINKS[link](buf).data
        else:
            raise CaptureError(f"unsupported link type {link}")
    except (dpkt.dpkt.UnpackError, IndexError):
        return None
    return pkt if isinstance(pkt, (dpkt.ip.IP, dpkt.ip6.IP6)) else None


def _addr(raw: bytes) -> str:
    return socket.inet_ntop(socket.AF_INET6 if len(raw) == 16 else socket.AF_INET, raw)


def _segment(ip, tcp, ignored: Counter) -> Segment:
    """The fields the spec checks; the length from the IP header, so a short snaplen does not matter."""
    header = ip.plen if isinstance(ip, dpkt.ip6.IP6) else ip.len - ip.hl * 4
    data = header - tcp.off * 4
    for kind, _ in dpkt.tcp.parse_opts(tcp.opts):
        if kind > 1:
            ignored[f"TCP option {OPTION_NAMES.get(kind, kind)}"] += 1
    flags = tcp.flags
    for bit, name in ((dpkt.tcp.TH_PUSH, "PSH flag"), (dpkt.tcp.TH_URG, "URG flag and pointer"),
                      (dpkt.tcp.TH_ECE, "ECN (ECE)"), (dpkt.tcp.TH_CWR, "ECN (CWR)")):
        if flags & bit:
            ignored[name] += 1
    ecn = (ip.fc if isinstance(ip, dpkt.ip6.IP6) else ip.tos) & 3
    if ecn:
        ignored["ECN (IP codepoint)"] += 1
    ignored["window values"] += 1
    if data:
        ignored["data contents"] += 1
    ack = concrete(tcp.ack) if flags & dpkt.tcp.TH_ACK else None
    return Segment(seq=concrete(tcp.seq), ack=ack, syn=bool(flags & dpkt.tcp.TH_SYN),
                   fin=bool(flags & dpkt.tcp.TH_FIN), rst=bool(flags & dpkt.tcp.TH_RST), data=data)
