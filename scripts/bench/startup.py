#!/usr/bin/env python3
"""Time from starting the release `server` binary to its first `/healthz` 200, over several runs.

Usage: scripts/bench/startup.py [path/to/server] [runs]
Reports first starts (fresh data directory: database, signing key and demo accounts are
created) and restarts (existing data directory), each on a free port.
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def one_run(server: str, data: str) -> float:
    port = free_port()
    if True:
        env = dict(os.environ, EXPEDITE_ADDR=f"127.0.0.1:{port}", EXPEDITE_DATA_DIR=data, RUST_LOG="warn")
        started = time.perf_counter()
        process = subprocess.Popen([server], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = started + 30
            while time.perf_counter() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                        if response.status == 200:
                            return (time.perf_counter() - started) * 1000
                except OSError:
                    time.sleep(0.002)
            raise RuntimeError("server did not answer /healthz within 30 s")
        finally:
            process.terminate()
            process.wait(timeout=10)


def main() -> None:
    target = os.environ.get("CARGO_TARGET_DIR", "target")
    server = sys.argv[1] if len(sys.argv) > 1 else os.path.join(target, "release", "server")
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    # First start: creates the database, the signing key and the demo accounts.
    fresh = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data:
            fresh.append(one_run(server, data))
    # Later starts: everything exists already.
    with tempfile.TemporaryDirectory() as data:
        one_run(server, data)
        warm = [one_run(server, data) for _ in range(runs)]
    for label, times in (("first start", sorted(fresh)), ("restart", sorted(warm))):
        print(f"{label}: start → first /healthz 200 over {runs} runs: "
              f"median {statistics.median(times):.1f} ms, min {times[0]:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
