"""Reading a pcap or pcapng file into TCP connections the spec can replay.

A connection is the segments of one 4-tuple in capture order; A is the endpoint that
sent its first segment. A SYN (without ACK) carrying a new ISN from a side that has
already opened starts a new incarnation on the same 4-tuple: the connection keeps
every incarnation's ISN per side, in order, and is replayed as one endpoint pair.
What the connection-management spec does not model is counted, so that the output can
list it once. The IP and TCP headers are parsed here, not trusted to a library: a packet
cut short or malformed is an input error naming its number (1 = the file's first).
"""

from __future__ import annotations

import socket
import struct
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

import dpkt

from ..tcp.segment import Segment
from ..tcp.seq import concrete


class CaptureError(Exception):
    """Not a capture, a malformed packet in it, or no TCP in it."""


class Observed(NamedTuple):
    """One captured segment: who sent it (A or B), what the spec compares, the packet number."""

    sender: str
    segment: Segment
    time: float
    packet: int = 0


@dataclass
class Connection:
    a: str  # "address:port" of A, the sender of the first segment
    b: str
    segments: list[Observed] = field(default_factory=list)
    isns: dict[str, tuple[int, ...]] = field(default_factory=dict)  # each side's ISNs, in order

    @property
    def incarnations(self) -> int:
        return max((len(v) for v in self.isns.values()), default=1)


OPTION_NAMES = {2: "MSS", 3: "window scale", 4: "SACK permitted", 5: "SACK", 8: "timestamps",
                19: "MD5 signature", 29: "TCP-AO", 30: "MPTCP", 34: "TCP Fast Open cookie"}
# Link type -> bytes before the IP header (Ethernet: see _ethernet).
LINK_HEADER = {dpkt.pcap.DLT_LINUX_SLL: 16, dpkt.pcap.DLT_LINUX_SLL2: 20, dpkt.pcap.DLT_NULL: 4,
               dpkt.pcap.DLT_LOOP: 4, dpkt.pcap.DLT_RAW: 0, 12: 0, 14: 0, 228: 0, 229: 0}
PCAP_MAGIC = {b"\xd4\xc3\xb2\xa1": ("<", 1e6), b"\xa1\xb2\xc3\xd4": (">", 1e6),
              b"\x4d\x3c\xb2\xa1": ("<", 1e9), b"\xa1\xb2\x3c\x4d": (">", 1e9)}
TCP_PROTO = 6


class Packet(NamedTuple):
    number: int
    time: float
    link: int
    data: bytes
    wire: int  # the packet's length on the wire (caplen may be less: the snaplen)


class Tcp(NamedTuple):
    """One TCP segment as parsed: the addresses, the header fields, and its checksum's fate."""

    src: tuple[str, int]
    dst: tuple[str, int]
    segment: Segment
    checksum: str  # "good", "bad", "offloaded" or "cut" (not all of it captured)


def read(path: str) -> tuple[list[Connection], Counter]:
    """The TCP connections in a capture, and a count of what the spec ignores in them."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise CaptureError(f"cannot read {path}: {e.strerror}") from None
    ignored: Counter = Counter()
    conns: dict[tuple, Connection] = {}
    out: list[Connection] = []
    for pkt in packets(path, raw):
        tcp = parse(path, pkt, ignored)
        if tcp is None:
            continue
        if tcp.checksum == "bad":  # RFC 9293 3.10.7 MUST-3: the receiver discards it
            ignored[f"packet {pkt.number}: bad TCP checksum, taken as lost"] += 1
            continue
        if tcp.checksum != "good":
            ignored[f"checksums not verifiable ({tcp.checksum})"] += 1
        src, dst, seg = tcp.src, tcp.dst, tcp.segment
        key = tuple(sorted((src, dst)))
        conn = conns.get(key)
        if conn is None:
            conn = conns[key] = Connection(a=f"{src[0]}:{src[1]}", b=f"{dst[0]}:{dst[1]}")
            out.append(conn)
        side = "A" if f"{src[0]}:{src[1]}" == conn.a else "B"
        if seg.syn and seg.ack is None:
            mine = conn.isns.get(side, ())
            if not mine or mine[-1] != seg.seq.off:
                conn.isns[side] = mine + (seg.seq.off,)  # a new incarnation on this 4-tuple
        elif seg.syn and side not in conn.isns:
            conn.isns[side] = (seg.seq.off,)
        conn.segments.append(Observed(side, seg, pkt.time, pkt.number))
    if not out:
        raise CaptureError(f"{path} holds no TCP segment")
    return out, ignored


def packets(path: str, raw: bytes):
    """Every packet of a pcap or pcapng file, numbered from 1; a record cut short is an error."""
    if raw[:4] == b"\x0a\x0d\x0d\x0a":
        yield from _pcapng(path, raw)
        return
    if raw[:4] not in PCAP_MAGIC or len(raw) < 24:
        raise CaptureError(f"{path} is not a pcap or pcapng capture")
    order, per_second = PCAP_MAGIC[raw[:4]]
    link = struct.unpack(order + "I", raw[20:24])[0] & 0x0FFFFFFF
    pos, n = 24, 0
    while pos < len(raw):
        n += 1
        if len(raw) - pos < 16:
            raise CaptureError(f"{path}: packet {n} is cut short: the file ends inside its header")
        sec, frac, caplen, wire = struct.unpack(order + "IIII", raw[pos:pos + 16])
        pos += 16
        if len(raw) - pos < caplen:
            raise CaptureError(f"{path}: packet {n} is cut short: {caplen} bytes recorded, "
                               f"{len(raw) - pos} in the file")
        yield Packet(n, sec + frac / per_second, link, raw[pos:pos + caplen], wire)
        pos += caplen


def _pcapng(path: str, raw: bytes):
    import io
    try:
        reader = dpkt.pcapng.Reader(io.BytesIO(raw))
        link = reader.datalink()
        for n, (ts, buf) in enumerate(reader, 1):
            yield Packet(n, ts, link, bytes(buf), len(buf))
    except (ValueError, struct.error, dpkt.dpkt.UnpackError) as e:
        raise CaptureError(f"{path} is not a readable pcapng capture ({e})") from None


def _ip_offset(path: str, pkt: Packet) -> int | None:
    """Where the IP header starts, or None for a frame that carries no IP."""
    if pkt.link == dpkt.pcap.DLT_EN10MB:
        pos = 12
        while len(pkt.data) >= pos + 2:
            kind = struct.unpack("!H", pkt.data[pos:pos + 2])[0]
            if kind in (0x8100, 0x88A8):  # VLAN tags
                pos += 4
                continue
            return pos + 2 if kind in (0x0800, 0x86DD) else None
        return None
    if pkt.link not in LINK_HEADER:
        raise CaptureError(f"{path}: unsupported link type {pkt.link}")
    return LINK_HEADER[pkt.link]


def parse(path: str, pkt: Packet, ignored: Counter) -> Tcp | None:
    """The TCP segment of one packet, None if it carries none; an input error if malformed."""
    at = _ip_offset(path, pkt)
    if at is None or len(pkt.data) <= at:
        return None
    ip = pkt.data[at:]
    cut = len(pkt.data) - at  # what was captured of the IP packet; the rest is past the snaplen

    def bad(what: str) -> CaptureError:
        return CaptureError(f"{path}: packet {pkt.number}: {what}")

    version = ip[0] >> 4
    if version == 4:
        if cut < 20:
            raise bad(f"IPv4 header cut short ({cut} of 20 bytes captured)")
        ihl, total, proto = (ip[0] & 15) * 4, struct.unpack("!H", ip[2:4])[0], ip[9]
        if proto != TCP_PROTO:
            return None
        if ihl < 20 or total < ihl:
            raise bad(f"IP total length {total} with a {ihl}-byte IPv4 header")
        src, dst, family, ecn = ip[12:16], ip[16:20], socket.AF_INET, ip[1] & 3
        pseudo_len = total - ihl
    elif version == 6:
        if cut < 40:
            raise bad(f"IPv6 header cut short ({cut} of 40 bytes captured)")
        if ip[6] != TCP_PROTO:
            if ip[6] in (0, 43, 44, 60):
                ignored["IPv6 extension headers (packets skipped)"] += 1
            return None
        ihl, total = 40, 40 + struct.unpack("!H", ip[4:6])[0]
        src, dst, family = ip[8:24], ip[24:40], socket.AF_INET6
        ecn = (struct.unpack("!I", ip[0:4])[0] >> 20) & 3
        pseudo_len = total - 40
    else:
        return None
    if pseudo_len < 20:
        raise bad(f"IP length {total} leaves {pseudo_len} bytes for a 20-byte TCP header")
    if cut < ihl + 20:
        raise bad(f"TCP header cut short ({cut - ihl} of 20 bytes captured)")
    sport, dport, seq, ack, off, flags = struct.unpack("!HHIIBB", ip[ihl:ihl + 14])
    off = (off >> 4) * 4
    if off < 20 or off > pseudo_len:
        raise bad(f"TCP data offset {off // 4} ({off} bytes) in a {pseudo_len}-byte segment")
    if cut < ihl + off:
        raise bad(f"TCP options cut short ({cut - ihl} of {off} header bytes captured)")
    for kind in _options(ip[ihl + 20:ihl + off], bad):
        ignored[f"TCP option {OPTION_NAMES.get(kind, kind)}"] += 1
    for bit, name in ((0x08, "PSH flag"), (0x20, "URG flag and pointer"), (0x40, "ECN (ECE)"),
                      (0x80, "ECN (CWR)")):
        if flags & bit:
            ignored[name] += 1
    if ecn:
        ignored["ECN (IP codepoint)"] += 1
    ignored["window values"] += 1
    data = pseudo_len - off
    if data:
        ignored["data contents"] += 1
    seg = Segment(seq=concrete(seq), ack=concrete(ack) if flags & 0x10 else None,
                  syn=bool(flags & 2), fin=bool(flags & 1), rst=bool(flags & 4), data=data)
    addr = (socket.inet_ntop(family, src), sport), (socket.inet_ntop(family, dst), dport)
    return Tcp(*addr, seg, _checksum(ip[ihl:ihl + pseudo_len] if cut >= ihl + pseudo_len else None,
                                     src, dst, pseudo_len))


def _options(opts: bytes, bad):
    """The option kinds, RFC 9293 3.1: kinds 0 and 1 are one byte, the others kind, length, data."""
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            return
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts):
            raise bad(f"TCP option kind {kind} ends the header without its length byte")
        length = opts[i + 1]
        if length < 2 or i + length > len(opts):
            raise bad(f"TCP option kind {kind} has length {length}, "
                      f"{len(opts) - i} bytes of options left")
        yield kind
        i += length


def _checksum(segment: bytes | None, src: bytes, dst: bytes, length: int) -> str:
    """RFC 9293 3.1: the one's complement sum over the pseudo-header and the segment is 0.

    A checksum left to the network card (tcpdump on the sending host, or a veth pair) holds
    the pseudo-header's sum alone: it cannot be checked, and is counted as such."""
    if segment is None:
        return "cut"
    pseudo = src + dst + struct.pack("!BBH", 0, TCP_PROTO, length)
    if dpkt.in_cksum(pseudo + segment) == 0:
        return "good"
    partial = 0xFFFF - dpkt.in_cksum(pseudo)  # the folded sum of the pseudo-header
    if struct.unpack("!H", segment[16:18])[0] in (partial, partial or 0xFFFF):
        return "offloaded"
    return "bad"
