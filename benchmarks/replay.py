"""Benchmark: `tcpverify replay` on a synthetic capture of many connections.

python3 benchmarks/replay.py [N]   (default 10,000)

The capture is made from the real tests/data/captures/normal-close.pcap: each copy
gets its own client port and its ISNs shifted by a different amount (some across
2^32), so that every connection is replayed on its own numbers. Prints the figures.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAPTURES = ROOT / "tests" / "data" / "captures"


def synthesize(path: Path, n: int) -> int:
    spec = importlib.util.spec_from_file_location("doctor", CAPTURES / "doctor.py")
    doctor = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(doctor)
    segments = 0
    packets = []
    for k in range(n):
        copy = doctor.load(CAPTURES / "normal-close.pcap")
        a = copy[0][1].data.src
        for ts, eth in copy:
            t = eth.data.data
            mine = eth.data.src == a
            shift = (k * 2654435761) % doctor.MOD
            if mine:
                t.sport = 10000 + k % 50000
                t.seq = (t.seq + shift) % doctor.MOD
            else:
                t.dport = 10000 + k % 50000
                t.ack = (t.ack + shift) % doctor.MOD if t.flags & doctor.ACK else t.ack
            eth.data.dst = eth.data.dst if mine else bytes([10, 77, k // 50000, 1])
            eth.data.src = eth.data.src if not mine else bytes([10, 77, k // 50000, 1])
            packets.append((ts + k * 1e-3, eth))
            segments += 1
    doctor.save(path, packets)
    return segments


def main() -> None:
    n = int(sys.argv[1]) if sys.argv[1:] else 10_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "many.pcap"
        segments = synthesize(path, n)
        start = time.perf_counter()
        # the command line in a fresh interpreter, as the console script runs it
        cli = "import sys; from tcpverify.spec.cli import main; sys.exit(main())"
        rc = subprocess.run([sys.executable, "-c", cli, "replay", str(path)],
                            stdout=subprocess.PIPE, text=True).returncode
        seconds = time.perf_counter() - start
    if rc != 0:
        sys.exit(f"replay exited {rc}: every synthetic connection should conform")
    print(f"replay of {n} connections ({segments} segments): {seconds:.1f} s, "
          f"{n / seconds:,.0f} connections/s, {segments / seconds:,.0f} segments/s")


if __name__ == "__main__":
    main()
