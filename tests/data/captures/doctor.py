"""Doctored copies of the real captures: each change must make `tcpverify replay` deviate.

``python3 tests/data/captures/doctor.py`` writes tests/data/captures/doctored/CASE--CHANGE.pcap
and manifest.json, which names, for each, the segment numbers (1-based) the change
touched: the replay must deviate at one of them. ``shift`` (every number moved so
that A's ISN sits 3 below 2^32) is the control: it must still conform.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import dpkt

HERE = Path(__file__).resolve().parent
MOD = 1 << 32
ACK, FIN, SYN, RST = dpkt.tcp.TH_ACK, dpkt.tcp.TH_FIN, dpkt.tcp.TH_SYN, dpkt.tcp.TH_RST


def load(path: Path) -> list[tuple[float, dpkt.ethernet.Ethernet]]:
    with open(path, "rb") as f:
        return [(ts, dpkt.ethernet.Ethernet(buf)) for ts, buf in dpkt.pcap.Reader(f)]


def save(path: Path, packets) -> None:
    with open(path, "wb") as f:
        w = dpkt.pcap.Writer(f, snaplen=96)
        for ts, eth in packets:
            eth.data.data.sum = 0
            eth.data.sum = 0
            w.writepkt(bytes(eth), ts)


def _tcp(eth):
    return eth.data.data


def _a(packets):
    return packets[0][1].data.src  # A sent the first segment


def ack_off_by_one(packets, other):
    """The first segment with an acknowledgment acknowledges one more."""
    for k, (_, eth) in enumerate(packets):
        if _tcp(eth).flags & ACK:
            _tcp(eth).ack = (_tcp(eth).ack + 1) % MOD
            return [k]
    return None


def third_ack_without_ack(packets, other):
    """The third handshake segment (the first ACK that is no SYN or RST) loses its ACK flag."""
    for k, (_, eth) in enumerate(packets):
        t = _tcp(eth)
        if t.flags & ACK and not t.flags & (SYN | RST):
            t.flags &= ~ACK
            return [k]
    return None


def fin_takes_no_sequence_number(packets, other):
    """After the first FIN its sender's numbers and the peer's acknowledgments are one lower."""
    fin = next(((k, eth) for k, (_, eth) in enumerate(packets) if _tcp(eth).flags & FIN), None)
    if fin is None:
        return None
    k0, eth0 = fin
    sender, fin_seq = eth0.data.src, _tcp(eth0).seq
    changed = []
    for k, (_, eth) in enumerate(packets[k0 + 1:], k0 + 1):
        t = _tcp(eth)
        if eth.data.src == sender and _after(t.seq, fin_seq):
            t.seq = (t.seq - 1) % MOD
            changed.append(k)
        elif eth.data.src != sender and t.flags & ACK and _after(t.ack, fin_seq):
            t.ack = (t.ack - 1) % MOD
            changed.append(k)
    return changed or None


def other_connections_isn(packets, other):
    """A's first segment after its SYN carries the sequence number of another connection."""
    isn = next(_tcp(e).seq for _, e in other if _tcp(e).flags & SYN and e.data.src == _a(other))
    for k, (_, eth) in enumerate(packets):
        t = _tcp(eth)
        if eth.data.src == _a(packets) and not t.flags & SYN:
            t.seq = (isn + 1) % MOD
            return [k]
    return None


def drop_needed_segment(packets, other):
    """B's first segment that is never sent again is dropped; A's next acknowledgment of it deviates."""
    b = [k for k, (_, e) in enumerate(packets) if e.data.src != _a(packets)]
    for k in b:
        t = _tcp(packets[k][1])
        same = [j for j in b if (_tcp(packets[j][1]).seq, _tcp(packets[j][1]).flags) == (t.seq, t.flags)]
        end = (t.seq + len(t.data) + bool(t.flags & SYN) + bool(t.flags & FIN)) % MOD
        if len(same) > 1 or end == t.seq:
            continue
        for j in range(k + 1, len(packets)):
            u = _tcp(packets[j][1])
            if packets[j][1].data.src == _a(packets) and u.flags & ACK and not _after(end, u.ack):
                del packets[k]
                return [j - 1]
    return None


def shift(packets, other):
    """Control: every sequence number moved so that A's ISN is 2^32 - 3 (wrap-around)."""
    delta = {}
    for _, eth in packets:
        t = _tcp(eth)
        if t.flags & SYN and eth.data.src not in delta:
            delta[eth.data.src] = (MOD - 3 - t.seq) % MOD if not delta else 0x7FFFFFF0
    for _, eth in packets:
        t = _tcp(eth)
        src = eth.data.src
        peer = next((p for p in delta if p != src), None)
        if src in delta:
            t.seq = (t.seq + delta[src]) % MOD
        if t.flags & ACK and peer is not None:
            t.ack = (t.ack + delta[peer]) % MOD
    return []


def _after(a: int, b: int) -> bool:
    """a > b in sequence space."""
    return 0 < (a - b) % MOD < (1 << 31)


CHANGES = {f.__name__.replace("_", "-"): f for f in (
    ack_off_by_one, third_ack_without_ack, fin_takes_no_sequence_number, other_connections_isn,
    drop_needed_segment, shift)}


# lost-fin gives the other connection's ISN; in simultaneous-open every segment that
# could be dropped is sent again or answered again, so no later one depends on it alone.
SKIP = {("other-connections-isn", "lost-fin"), ("drop-needed-segment", "simultaneous-open")}
BULKY = 2048  # bytes: a bulk transfer's copies would only repeat, larger, what the small ones show


def doctor(folder: Path) -> dict:
    """Write every applicable doctored copy into folder; return {file name: changed segment numbers}."""
    folder.mkdir(parents=True, exist_ok=True)
    other = load(HERE / "lost-fin.pcap")
    manifest = {}
    for path in sorted(HERE.glob("*.pcap")):
        if path.stat().st_size > BULKY:
            continue
        for name, change in CHANGES.items():
            if (name, path.stem) in SKIP:
                continue
            packets = load(path)
            changed = change(packets, other)
            if changed is None:
                continue
            out = f"{path.stem}--{name}.pcap"
            save(folder / out, packets)
            manifest[out] = [k + 1 for k in changed]
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return manifest


if __name__ == "__main__":
    print(f"{len(doctor(Path(sys.argv[1]) if sys.argv[1:] else HERE / 'doctored'))} doctored captures")
