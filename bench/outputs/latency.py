#!/usr/bin/python3
"""Alert end-to-end latency, from the syscall to syslog receipt (bench/outputs/README.md).

A real rsyslogd (tests/integration/rsyslog_env.py) listens on UDP, TCP and TLS; vigil runs
with one rule and one syslog output per transport. A process opens a marker file N times,
INTERVAL apart; each open raises one alert. Latency of one alert = rsyslog's receive time
(timegenerated, microseconds) - the alert's "time" (when the kernel saw the open, the same
CLOCK_REALTIME). Printed: p50, p99 and max per transport, with the store on (the default) and
off, side by side.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
from agent import Agent  # noqa: E402
from rsyslog_env import RsyslogEnv  # noqa: E402

N = int(os.environ.get("ALERTS", "300"))
INTERVAL = float(os.environ.get("INTERVAL_MS", "10")) / 1000


def ns_of(rfc3339):
    """RFC 3339 with up to 9 fraction digits -> ns since the epoch."""
    if rfc3339.endswith("Z"):
        rfc3339 = rfc3339[:-1] + "+00:00"
    head, _, rest = rfc3339.partition(".")
    frac, tz = rest[:rest.index("+") if "+" in rest else rest.index("-")], ""
    tz = rest[len(frac):]
    base = datetime.fromisoformat(head + tz).timestamp()
    return int(base) * 1_000_000_000 + int(frac.ljust(9, "0")[:9])


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def run(store, work, rs):
    marks = tempfile.mkdtemp(prefix="vigil-lat-", dir="/tmp")
    rules = os.path.join(work, "rules.yaml")
    with open(rules, "w") as f:
        f.write(f"""
- rule: Latency marker
  desc: bench
  condition: evt.type in (open, openat) and proc.name = cat and fd.name startswith "{marks}/"
  output: marker %fd.name
  priority: WARNING
""")
    cfg = os.path.join(work, "vigil.yaml")
    with open(cfg, "w") as f:
        f.write("outputs:\n")
        for proto in ("udp", "tcp", "tls"):
            f.write(f"  - type: syslog\n    name: {proto}\n    address: {rs.address(proto)}\n")
            if proto == "tls":
                f.write(f"    ca_file: {rs.ca_file}\n")
    args = ["--config", cfg, "--rules", rules, "--no-kubernetes", "--metrics-listen", "none"]
    args += os.environ.get("VIGIL_EXTRA_ARGS", "").split()
    args += ["--store", os.path.join(work, f"store-{store}.db")] if store else ["--no-store"]
    before = len(rs.messages())
    with Agent(args, ready_timeout=60) as ag:
        for i in range(N):
            p = f"{marks}/m{i}"
            with open(p, "w") as f:
                f.write("x")
            subprocess.run(["/bin/cat", p], stdout=subprocess.DEVNULL)
            time.sleep(INTERVAL)
        ag.wait_all(lambda e: e.get("rule") == "Latency marker", N, timeout=60)
        rs.wait_for(before + 3 * N, timeout=60)
        ag.stop()
    subprocess.run(["rm", "-rf", marks])
    lat = {"udp": [], "tcp": [], "tls": []}
    names = {"imudp": "udp", "imptcp": "tcp", "imtcp": "tls"}
    for m in rs.messages()[before:]:
        alert = json.loads(m["msg"].strip())
        lat[names[m["input"]]].append(ns_of(m["received"]) - ns_of(alert["time"]))
    return lat


def main():
    work = tempfile.mkdtemp(prefix="vigil-lat-work-")
    rs = RsyslogEnv()
    rs.start()
    rs.wait_ready()
    try:
        results = {s: run(s, work, rs) for s in (True, False)}
    finally:
        rs.cleanup()
        subprocess.run(["rm", "-rf", work])
    print(f"alert end-to-end latency, syscall -> rsyslog receipt ({N} alerts, "
          f"{INTERVAL * 1000:.0f} ms apart; microseconds)")
    print(f"{'transport':<10}{'store':<7}{'n':>5}{'p50':>9}{'p99':>9}{'max':>9}")
    for store, lat in results.items():
        for proto, xs in lat.items():
            if not xs:
                print(f"{proto:<10}{'on' if store else 'off':<7}{0:>5}   (none received)")
                continue
            print(f"{proto:<10}{'on' if store else 'off':<7}{len(xs):>5}"
                  f"{pct(xs, 50) / 1000:>9.0f}{pct(xs, 99) / 1000:>9.0f}{max(xs) / 1000:>9.0f}")


if __name__ == "__main__":
    main()
