"""Flood resilience: a bounded fork storm and open storms inside a container and on the host,
with a deliberately small ring buffer. vigil must stay up with bounded memory, count every
record it lost exactly (received + lost == what the kernel sent or tried to, per type), and
keep working, with no restart, once the storm is over."""

import os
import subprocess
import time

from agent import all_of, is_type

PY = "/usr/bin/python3"
STORM = ("i=0; while [ $i -lt 1500 ]; do /bin/true & i=$((i+1)); "
         "cat /etc/hostname >/dev/null; done; wait")


def test_storm_is_survived_and_every_loss_counted(agent, container_factory):
    a = agent("--ringbuf-size", "64K", "--stats-interval", "1")
    c = container_factory(["/bin/sh", "-c", STORM])
    c.spawn()
    host = [subprocess.Popen([PY, "-c", "import os\nfor i in range(60000):\n"
                              "    os.close(os.open('/etc/hostname', os.O_RDONLY))"])
            for _ in range(2)]
    for p in host:
        assert p.wait(timeout=120) == 0
    rc, _, _ = c.wait(timeout=120)
    assert rc == 0
    assert a.proc.poll() is None, "vigil died in the storm"

    # recovery: after the storm, a new event arrives promptly, with no restart
    marker = subprocess.run(["/bin/sh", "-c", "exec /bin/true vigil-after-storm"])
    assert marker.returncode == 0
    ev = a.wait_for(all_of(is_type("exec"),
                           lambda e: e["process"]["arguments"] == ["/bin/true", "vigil-after-storm"]),
                    timeout=20)
    assert ev["process"]["binary"] == "/usr/bin/true"

    rc, log, stats = a.stop()
    assert rc == 0
    k, drops = stats["kernel"], stats["drops"]["ringbuf_full"]
    lost = sum(drops.values())
    assert lost > 0, "the storm should overflow a 64K ring buffer; nothing was tested"
    for t, seen in k["seen"].items():
        emitted = k["emitted"].get(t, 0)
        filtered = sum(r.get(t, 0) for r in k["filtered"].values())
        assert seen == emitted + drops.get(t, 0) + filtered, (t, seen, emitted, drops, filtered)
        # every record the kernel wrote was received and decoded
        assert stats["events"].get(t, 0) == emitted, (t, stats["events"].get(t), emitted)
    assert stats["drops"]["decode_error"] == 0
    # a per-CPU sequence gap is a lost record; a loss at the very end shows no gap
    assert 0 < stats["drops"]["seq_gaps"] <= lost
    assert stats["agent"]["rss_peak_bytes"] < 96 << 20, stats["agent"]
    assert stats["caches"]["process"]["size"] <= stats["caches"]["process"]["capacity"]
    assert stats["caches"]["fd"]["size"] <= stats["caches"]["fd"]["capacity"]
    # periodic stats records kept coming during the storm
    assert len(a.events(is_type("stats"))) >= 2
    assert "ringbuf" in log or lost  # the summary on stderr carries the drop counters
