"""Capture real Linux TCP connections between two network namespaces, one pcap per case.

Run as root: ``python3 tests/data/captures/make_captures.py [CASE ...]``. It needs
ip (iproute2), nft (nftables) and tcpdump. Namespaces tvr-a (client, 10.77.0.1)
and tvr-b (server, 10.77.0.2) are joined by a veth pair on a private /30; traffic
never leaves them. tcpdump listens in tvr-a, so every segment is captured on A's side
of the wire; a drop is made by nftables in the receiver's input hook, after the capture
point, and drops exactly the first (or first two) matching segments. keep-alive sets
SO_KEEPALIVE with a one-second idle time and interval, bulk-half-close sends 100 KB and then
shuts its side down, defer-accept listens with TCP_DEFER_ACCEPT.
"""

from __future__ import annotations

import socket
import struct
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
NS = {"A": "tvr-a", "B": "tvr-b"}
DEV = {"A": "veth-tvr-a", "B": "veth-tvr-b"}
ADDR = {"A": "10.77.0.1", "B": "10.77.0.2"}
PORT = 5000
SIM_PORTS = (5001, 5002)

# What each case drops: (namespace whose input hook drops, match, how many times).
FIRST_SYN = "tcp flags == syn"
SYN_ACK = "tcp flags & (syn | ack) == syn | ack"
PURE_ACK = "tcp flags == ack"
FIN = "tcp flags & fin == fin"
FINAL_ACK = "ip saddr @finsent " + PURE_ACK
# The simultaneous cases: both applications act at one agreed moment, and each side's
# first SYN (or FIN) is dropped on arrival, so that both are sent before either arrives
# (this kernel has no netem to delay them instead); the retransmissions then cross.
DROPS = {
    "simultaneous-open": (("A", FIRST_SYN, 1), ("B", FIRST_SYN, 1)),
    "simultaneous-close": (("A", FIN, 1), ("B", FIN, 1)),
    "lost-syn": (("B", FIRST_SYN, 1),),
    "lost-syn-ack": (("A", SYN_ACK, 1),),
    "lost-third-ack": (("B", PURE_ACK, 1),),
    "lost-fin": (("B", FIN, 1),),
    "lost-final-ack": (("B", FINAL_ACK, 1),),
    "lost-final-ack-twice": (("B", FINAL_ACK, 2),),
}
CASES = ("normal-close", "server-closes-first", "half-close", *DROPS, "rst-closed-port", "abort-linger0",
         "close-unread-data", "keep-alive", "bulk-half-close", "defer-accept")
BULK = 100 * 1024  # octets A sends in bulk-half-close
KEEPALIVE_IDLE = 1  # seconds: TCP_KEEPIDLE and TCP_KEEPINTVL in keep-alive


def sh(*cmd: str, ns: str | None = None, check: bool = True, **kw):
    full = (["ip", "netns", "exec", NS[ns]] if ns else []) + list(cmd)
    return subprocess.run(full, check=check, **kw)


def setup() -> None:
    teardown()
    for x in "AB":
        sh("ip", "netns", "add", NS[x])
    sh("ip", "link", "add", DEV["A"], "netns", NS["A"], "type", "veth", "peer", "name", DEV["B"],
       "netns", NS["B"])
    for x in "AB":
        sh("ip", "addr", "add", f"{ADDR[x]}/30", "dev", DEV[x], ns=x)
        sh("ip", "link", "set", DEV[x], "up", ns=x)
        sh("ip", "link", "set", "lo", "up", ns=x)
        # No offloads: the capture then shows the segments as TCP sent them.
        sh("ethtool", "-K", DEV[x], "tso", "off", "gso", "off", "gro", "off", ns=x, check=False,
           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def teardown() -> None:
    for x in "AB":
        sh("ip", "netns", "del", NS[x], check=False, stderr=subprocess.DEVNULL)


def drop_rules(match: str, times: int) -> str:
    """nft rules dropping the first `times` segments that match, then letting the rest through."""
    sets = "".join(f"  set drop{k} {{ type ipv4_addr; flags dynamic; }}\n" for k in range(times))
    rules = [f"    {match} ip saddr @drop{times - 1} accept"]
    for k in reversed(range(times)):
        seen = f"ip saddr @drop{k - 1} " if k else ""
        rules.append(f"    {match} {seen}add @drop{k} {{ ip saddr }} drop")
    return (f"table inet tvr {{\n  set finsent {{ type ipv4_addr; flags dynamic; }}\n{sets}"
            "  chain out { type filter hook output priority 0;\n"
            "    tcp flags & fin == fin add @finsent { ip daddr }\n  }\n"
            "  chain in { type filter hook input priority 0;\n" + "\n".join(rules) + "\n  }\n}\n")


def capture(case: str) -> None:
    for x in "AB":
        sh("nft", "flush", "ruleset", ns=x)
    for x, match, times in DROPS.get(case, ()):
        sh("nft", "-f", "-", ns=x, input=drop_rules(match, times).encode())
    out = HERE / f"{case}.pcap"
    dump = subprocess.Popen(["ip", "netns", "exec", NS["A"], "tcpdump", "-i", DEV["A"], "-U", "-s",
                             "96", "-w", str(out), "tcp"], stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    start = time.time() + 1.0  # both sides act at this moment, for the simultaneous cases
    me = str(Path(__file__).resolve())
    server = subprocess.Popen(["ip", "netns", "exec", NS["B"], sys.executable, me, "--role", "B",
                               case, str(start)])
    time.sleep(0.3)
    sh("ip", "netns", "exec", NS["A"], sys.executable, me, "--role", "A", case, str(start))
    server.wait(timeout=30)
    time.sleep(2.0)  # retransmissions after the applications are done
    dump.terminate()
    dump.wait()
    print(f"{out.name}: {out.stat().st_size} bytes")


# ------------------------------------------------------------------ the applications

def wait_until(t: float) -> None:
    time.sleep(max(0.0, t - time.time()))


def drain(s: socket.socket) -> None:
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass


def connect_from_fixed_port(me: str, start: float) -> socket.socket:
    """Simultaneous open: each side connects from its fixed port to the other's, at `start`."""
    ports = dict(zip("AB", SIM_PORTS))
    peer = "B" if me == "A" else "A"
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((ADDR[me], ports[me]))
    wait_until(start)
    s.connect((ADDR[peer], ports[peer]))
    return s


def role_a(case: str, start: float) -> None:
    if case == "simultaneous-open":
        s = connect_from_fixed_port("A", start)
        time.sleep(0.5)
        s.close()
        return
    s = socket.socket()
    s.settimeout(20)
    port = PORT + 1 if case == "rst-closed-port" else PORT
    try:
        s.connect((ADDR["B"], port))
    except ConnectionRefusedError:
        return
    time.sleep(0.3)
    if case == "server-closes-first":
        drain(s)
        time.sleep(0.2)
        s.close()
    elif case == "half-close":
        s.sendall(b"request")
        time.sleep(0.2)
        s.shutdown(socket.SHUT_WR)
        drain(s)
        s.close()
    elif case == "simultaneous-close":
        wait_until(start + 1.0)
        s.close()
    elif case == "abort-linger0":
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        s.close()
    elif case == "close-unread-data":
        s.sendall(b"never read")
        time.sleep(0.3)
        s.close()
    elif case == "keep-alive":  # two probes while idle, each answered, then a normal close
        s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE, KEEPALIVE_IDLE)
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL, KEEPALIVE_IDLE)
        time.sleep(2.5 * KEEPALIVE_IDLE)
        s.close()
    elif case == "bulk-half-close":  # 100 KB, then SHUT_WR; B answers after reading it all
        s.sendall(b"x" * BULK)
        s.shutdown(socket.SHUT_WR)
        drain(s)
        s.close()
    elif case == "defer-accept":  # A's data comes after B's TCP_DEFER_ACCEPT has resent its SYN-ACK
        time.sleep(1.5)
        s.sendall(b"late request")
        drain(s)
        s.close()
    else:
        s.sendall(b"hello")
        time.sleep(0.2)
        s.close()


def role_b(case: str, start: float) -> None:
    if case == "rst-closed-port":
        return
    if case == "simultaneous-open":
        s = connect_from_fixed_port("B", start)
        drain(s)
        s.close()
        return
    lst = socket.socket()
    lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lst.bind((ADDR["B"], PORT))
    if case == "defer-accept":  # accept() only once data has come (Linux TCP_DEFER_ACCEPT)
        lst.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
    lst.listen(1)
    lst.settimeout(20)
    c, _ = lst.accept()
    lst.close()
    if case == "server-closes-first":
        time.sleep(0.5)
        c.close()
    elif case == "half-close":
        drain(c)
        time.sleep(0.2)
        c.sendall(b"reply")
        time.sleep(0.2)
        c.close()
    elif case == "simultaneous-close":
        wait_until(start + 1.0)
        c.close()
    elif case == "close-unread-data":
        time.sleep(0.5)
        c.close()
    elif case == "abort-linger0":
        time.sleep(0.5)
        drain(c)
        c.close()
    elif case == "bulk-half-close":
        got = 0
        while chunk := c.recv(65536):
            got += len(chunk)
        c.sendall(f"got {got}".encode())
        c.close()
    elif case == "defer-accept":
        c.recv(100)
        c.sendall(b"reply")
        c.close()
    else:
        drain(c)
        c.close()


def main(argv: list[str]) -> None:
    if argv[:1] == ["--role"]:
        (role_a if argv[1] == "A" else role_b)(argv[2], float(argv[3]))
        return
    cases = argv or CASES
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        sys.exit(f"unknown case(s): {', '.join(unknown)}; cases: {', '.join(CASES)}")
    setup()
    try:
        for case in cases:
            capture(case)
    finally:
        teardown()


if __name__ == "__main__":
    main(sys.argv[1:])
