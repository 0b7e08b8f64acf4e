"""The agent's threads: named for `top -H`, and the event thread (the one that reads the ring
buffer and kills what a user-space rule decides) on a short scheduler slice, so it runs as soon
as a record wakes it (docs/config.md, event_slice). Read back from the kernel per thread.
"""

import ctypes
import os
import platform
import time

from prom_env import free_port

SYS_sched_getattr = 315  # x86_64


class SchedAttr(ctypes.Structure):
    _fields_ = [("size", ctypes.c_uint32), ("policy", ctypes.c_uint32),
                ("flags", ctypes.c_uint64), ("nice", ctypes.c_int32),
                ("priority", ctypes.c_uint32), ("runtime", ctypes.c_uint64),
                ("deadline", ctypes.c_uint64), ("period", ctypes.c_uint64),
                ("util_min", ctypes.c_uint32), ("util_max", ctypes.c_uint32)]


def slice_us(tid):
    libc = ctypes.CDLL(None, use_errno=True)
    attr = SchedAttr()
    rc = libc.syscall(SYS_sched_getattr, tid, ctypes.byref(attr), ctypes.sizeof(attr), 0)
    assert rc == 0, os.strerror(ctypes.get_errno())
    return attr.runtime // 1000


def threads(pid):
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            out[int(tid)] = f.read().strip()
    return out


def kernel_has_slice():
    major, minor = (int(x) for x in platform.release().split(".")[:2])
    return (major, minor) >= (6, 12)


def wait_threads(pid, names, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        th = threads(pid)
        if names <= set(th.values()):
            return th
        time.sleep(0.05)
    raise AssertionError(f"threads {sorted(th.values())}, wanted {sorted(names)}")


def test_event_thread_has_the_short_slice_and_the_others_keep_the_default(agent, tmp_path):
    ag = agent("--no-kubernetes", "--stats-interval", "0", "--no-stdout-events",
               "--store", str(tmp_path / "v.db"), "--metrics-listen", f"127.0.0.1:{free_port()}")
    th = wait_threads(ag.pid, {"vigil", "vigil-store", "vigil-ckpt", "vigil-metrics"})
    assert th[ag.pid] == "vigil"
    if not kernel_has_slice():
        assert "degraded: this kernel has no per-thread time slice" in ag.stderr_text()
        return
    assert "event thread: scheduler slice 100 us" in ag.stderr_text()
    assert slice_us(ag.pid) == 100
    base = slice_us(os.getpid())  # this test's own thread: the kernel's default
    assert base > 100
    for tid, name in th.items():
        if tid != ag.pid:
            assert name.startswith("vigil-"), th
            assert slice_us(tid) == base, (name, slice_us(tid), base)


def test_event_slice_zero_leaves_the_kernels_default(agent, tmp_path):
    ag = agent("--no-kubernetes", "--stats-interval", "0", "--no-stdout-events", "--no-store",
               "--metrics-listen", "none", "--event-slice", "0")
    assert "scheduler slice" not in ag.stderr_text()
    if kernel_has_slice():
        assert slice_us(ag.pid) == slice_us(os.getpid()) > 100


def test_a_thread_started_by_a_reload_keeps_the_default(agent, tmp_path):
    """Threads inherit their creator's slice: an output a SIGHUP adds is started by the event
    thread, and must reset its own."""
    if not kernel_has_slice():
        return
    cfg = tmp_path / "vigil.yaml"
    cfg.write_text("outputs: []\n")
    ag = agent("--config", str(cfg), "--no-kubernetes", "--stats-interval", "0",
               "--no-stdout-events", "--no-store", "--metrics-listen", "none")
    cfg.write_text(f"outputs:\n  - name: extra\n    type: file\n    path: {tmp_path}/out.json\n")
    ag.proc.send_signal(1)
    th = wait_threads(ag.pid, {"vigil-extra"})
    tid = next(t for t, n in th.items() if n == "vigil-extra")
    assert slice_us(tid) == slice_us(os.getpid())
    assert slice_us(ag.pid) == 100
