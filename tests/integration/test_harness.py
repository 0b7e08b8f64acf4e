"""Tests of the integration harness itself (runc containers, cgroups, the
Agent helper against a fake agent).  They do not need the vigil binary."""

import ctypes
import os
import posixpath
import signal
import textwrap
import time

import pytest

import runc_env
from agent import Agent, AgentError, all_of, by_binary, by_pid, is_type, with_args

def v2_line(proc_self_cgroup):
    lines = [ln for ln in proc_self_cgroup.splitlines() if ln.startswith("0::")]
    assert len(lines) == 1, proc_self_cgroup
    return lines[0][3:]


def assert_cgroups_gone(c):
    """The container's cgroup and its pod-level parent are gone everywhere."""
    for path in (c.cgroup_path, posixpath.dirname(c.cgroup_path)):
        assert runc_env.cgroup_exists_anywhere(path) == [], path


def wait_dead(pid, timeout=5):
    deadline = time.monotonic() + timeout
    while runc_env.pid_alive(pid):
        assert time.monotonic() < deadline, f"pid {pid} still alive"
        time.sleep(0.01)


# -- cgroup naming -----------------------------------------------------------

def test_kubelet_cgroup_path_names():
    uid, cid = "1b2c3d4e-0000-4111-8222-333344445555", "ab" * 32
    u_ = uid.replace("-", "_")
    k = runc_env.kubelet_cgroup_path
    assert k(uid, cid) == f"/kubepods/besteffort/pod{uid}/{cid}"
    assert k(uid, cid, qos="burstable") == f"/kubepods/burstable/pod{uid}/{cid}"
    assert k(uid, cid, qos="guaranteed") == f"/kubepods/pod{uid}/{cid}"
    assert k(uid, cid, driver="systemd") == (
        f"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod{u_}.slice/"
        f"cri-containerd-{cid}.scope")
    assert k(uid, cid, qos="burstable", driver="systemd", runtime="crio") == (
        f"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod{u_}.slice/"
        f"crio-{cid}.scope")
    assert k(uid, cid, qos="guaranteed", driver="systemd", runtime="docker") == (
        f"/kubepods.slice/kubepods-pod{u_}.slice/docker-{cid}.scope")
    with pytest.raises(ValueError):
        k(uid, cid, qos="platinum")
    uid2, cid2 = runc_env.new_ids()
    assert len(uid2) == 36 and len(cid2) == 64 and int(cid2, 16) >= 0


@pytest.mark.parametrize("driver,qos,runtime", [
    ("cgroupfs", "besteffort", "containerd"),
    ("cgroupfs", "burstable", "containerd"),
    ("cgroupfs", "guaranteed", "containerd"),
    ("systemd", "besteffort", "containerd"),
    ("systemd", "burstable", "crio"),
    ("systemd", "guaranteed", "docker"),
])
def test_container_lands_in_kubelet_cgroup(container_factory, driver, qos, runtime):
    c = container_factory(["cat", "/proc/self/cgroup"], driver=driver, qos=qos,
                          runtime=runtime)
    rc, out, err = c.run()
    assert rc == 0, err
    assert v2_line(out) == c.cgroup_path
    # every v1 hierarchy too (runc's cgroupfs driver uses the same path)
    assert all(ln.endswith(":" + c.cgroup_path) for ln in out.splitlines()), out
    assert_cgroups_gone(c)


# -- exit codes ----------------------------------------------------------------

def test_exit_code_and_output_propagate(container_factory):
    c = container_factory(["sh", "-c", "echo out; echo err >&2; exit 7"])
    assert c.run() == (7, "out\n", "err\n")


def test_sigkilled_container_reports_137(container_factory):
    c = container_factory(["sleep", "100"])
    c.spawn()
    c.wait_status("running")
    pid = c.pid()
    c.kill(signal.SIGKILL)
    rc, _, err = c.wait(timeout=10)
    assert rc in (137, -9), (rc, err)
    wait_dead(pid)
    assert_cgroups_gone(c)


def test_init_ignores_sigterm_but_trap_works(container_factory):
    # Documented runc/pid-namespace behaviour: PID 1 without a handler
    # ignores SIGTERM; a shell trap makes it exit.
    c = container_factory(["sh", "-c", "trap 'exit 143' TERM; echo up; "
                                       "while :; do sleep 0.05; done"])
    c.start_detached()
    deadline = time.monotonic() + 5
    while "up" not in c.stdout():
        assert time.monotonic() < deadline
        time.sleep(0.01)
    c.kill(signal.SIGTERM)
    assert c.wait_status(("stopped", None), timeout=5) in ("stopped", None)
    c.delete()
    assert_cgroups_gone(c)


# -- detached containers ---------------------------------------------------------

def test_detached_exec_and_delete(container_factory, runc_root):
    c = container_factory(["sh", "-c", "echo started; exec sleep 1000"],
                          env={"FOO": "bar"}, hostname="web-0")
    c.start_detached()
    assert c.status() == "running"
    pid = c.pid()
    assert runc_env.pid_alive(pid)
    with open(f"/proc/{pid}/cgroup") as f:
        assert v2_line(f.read()) == c.cgroup_path
    with open(os.path.join(c.cgroup_dir(), "cgroup.procs")) as f:
        assert str(pid) in f.read().split()

    assert c.exec(["sh", "-c", "echo hello; echo oops >&2; exit 3"]) == (3, "hello\n", "oops\n")
    rc, out, _ = c.exec(["cat", "/proc/self/cgroup"])
    assert rc == 0 and v2_line(out) == c.cgroup_path
    rc, out, _ = c.exec(["sh", "-c", 'echo "$FOO $BAR $(cat /proc/sys/kernel/hostname)"'],
                        env={"BAR": "baz"})
    assert (rc, out) == (0, "bar baz web-0\n")

    epid = c.exec_detached(["sleep", "1000"])
    assert runc_env.pid_alive(epid) and epid != pid

    c.delete()
    wait_dead(pid)
    wait_dead(epid)
    assert runc_env.runc_list(runc_root) == []
    assert_cgroups_gone(c)
    assert c.stdout() == "started\n"


def test_create_then_start(container_factory):
    c = container_factory(["sh", "-c", "echo go"])
    c.create()
    assert c.status() == "created"
    pid = c.pid()
    with open(f"/proc/{pid}/cgroup") as f:
        assert v2_line(f.read()) == c.cgroup_path
    c.start()
    assert c.wait_status(("stopped", None)) in ("stopped", None)
    assert c.stdout() == "go\n"
    c.delete()
    assert c.state() is None
    assert_cgroups_gone(c)


def test_short_lived_container(container_factory, runc_root):
    for _ in range(3):
        c = container_factory(["true"])
        assert c.run() == (0, "", "")
        assert c.state() is None
        assert_cgroups_gone(c)
    assert runc_env.runc_list(runc_root) == []


def test_context_manager_cleans_up_on_error(rootfs, runc_root, bundles_dir):
    with pytest.raises(ZeroDivisionError):
        with runc_env.Container(rootfs, runc_root, ["sleep", "1000"],
                                bundle_parent=bundles_dir) as c:
            c.start_detached()
            pid = c.pid()
            1 / 0
    wait_dead(pid)
    assert c.state() is None
    assert runc_env.runc_list(runc_root) == []
    assert_cgroups_gone(c)


def test_containers_sharing_a_pod(container_factory):
    uid, _ = runc_env.new_ids()
    a = container_factory(["sleep", "1000"], pod_uid=uid).start_detached()
    b = container_factory(["sleep", "1000"], pod_uid=uid).start_detached()
    pod = posixpath.dirname(a.cgroup_path)
    assert pod == posixpath.dirname(b.cgroup_path)
    a.delete()
    assert runc_env.cgroup_exists_anywhere(a.cgroup_path) == []
    assert runc_env.cgroup_exists_anywhere(pod) != []  # b still lives there
    b.delete()
    assert runc_env.cgroup_exists_anywhere(pod) == []


def test_failed_start_is_reported_and_cleaned(container_factory):
    c = container_factory(["/no/such/binary"])
    with pytest.raises(RuntimeError, match="no/such/binary"):
        c.start_detached()
    assert c.state() is None
    assert_cgroups_gone(c)


# -- cgroup ids -----------------------------------------------------------------

class _FileHandle(ctypes.Structure):
    _fields_ = [("handle_bytes", ctypes.c_uint), ("handle_type", ctypes.c_int),
                ("f_handle", ctypes.c_uint64)]


def _kernfs_id(path):
    """cgroup id via name_to_handle_at (what the kernel itself calls the id)."""
    libc = ctypes.CDLL(None, use_errno=True)
    fh = _FileHandle(handle_bytes=8)
    mount_id = ctypes.c_int()
    if libc.name_to_handle_at(-100, path.encode(), ctypes.byref(fh),
                              ctypes.byref(mount_id), 0) != 0:
        pytest.skip(f"name_to_handle_at: errno {ctypes.get_errno()}")
    return fh.f_handle


def test_cgroup_id_of(container_factory):
    mount = runc_env.cgroup2_mount()
    assert os.path.ismount(mount)
    assert runc_env.cgroup_id_of("/") == os.stat(mount).st_ino
    c = container_factory(["sleep", "1000"]).start_detached()
    d = c.cgroup_dir()
    cid = runc_env.cgroup_id_of(c.cgroup_path)
    assert cid == os.stat(d).st_ino == runc_env.cgroup_id_of(d) == c.cgroup_id()
    assert cid == _kernfs_id(d)
    assert cid != runc_env.cgroup_id_of(posixpath.dirname(c.cgroup_path))


# -- Agent helper against a fake agent ---------------------------------------------

FAKE_AGENT = textwrap.dedent("""\
    #!/usr/bin/python3
    import json, os, signal, sys, time
    mode = os.environ.get("FAKE_MODE", "ok")
    assert sys.argv[1] == "run", sys.argv
    print("loading programs", file=sys.stderr, flush=True)
    if mode == "die":
        print("boom: cannot load", file=sys.stderr, flush=True)
        sys.exit(3)
    stop = []
    if mode == "hang":
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGINT, lambda *a: stop.append(1))
    print("vigil ready", file=sys.stderr, flush=True)
    for i in range(3):
        print(json.dumps({"type": "exec", "process": {"pid": 100 + i, "binary": "/bin/sh",
                          "arguments": ["sh", "-c", str(i)]}}), flush=True)
    print(json.dumps({"type": "stats", "final": False}), flush=True)
    if mode == "badjson":
        print("this is not json", flush=True)
    while not stop:
        time.sleep(0.01)
    print(json.dumps({"type": "stats", "final": True, "args": sys.argv[2:]}), flush=True)
    """)


@pytest.fixture
def fake_agent(tmp_path):
    path = tmp_path / "fake-vigil"
    path.write_text(FAKE_AGENT)
    path.chmod(0o755)
    started = []

    def start(mode="ok", args=(), **kw):
        a = Agent(args, binary=str(path), env={"FAKE_MODE": mode}, **kw)
        started.append(a)
        return a.start()

    yield start
    for a in started:
        try:
            a.stop(timeout=1)
        except AssertionError:
            pass


def test_agent_helper_collects_events(fake_agent):
    a = fake_agent(args=["--x", "1"])
    ev = a.wait_for(all_of(is_type("exec"), by_pid(101)), timeout=5)
    assert ev["process"]["arguments"] == ["sh", "-c", "1"]
    assert len(a.wait_all(by_binary("sh"), 3, timeout=5)) == 3
    assert a.wait_for(with_args("sh", "-c", "2"))["process"]["pid"] == 102
    with pytest.raises(AssertionError, match=r"0/1 matching events among \d+ seen"):
        a.wait_for(by_pid(999), timeout=0.3)
    rc, log, final = a.stop()
    assert rc == 0 and "vigil ready" in log
    assert final == {"type": "stats", "final": True, "args": ["--x", "1"]}
    assert a.stop() == (rc, log, final)  # idempotent


def test_agent_helper_rejects_non_json(fake_agent):
    a = fake_agent("badjson")
    a.wait_for(is_type("stats"), timeout=5)
    with pytest.raises(AgentError, match="this is not json"):
        a.stop()


def test_agent_helper_reports_early_exit(fake_agent):
    with pytest.raises(AgentError, match="(?s)exited with 3.*boom: cannot load"):
        fake_agent("die")


def test_agent_helper_kills_on_stop_timeout(fake_agent):
    a = fake_agent("hang")
    t0 = time.monotonic()
    rc, _, final = a.stop(timeout=0.5)
    assert rc == -signal.SIGKILL and a.killed and final is None
    assert time.monotonic() - t0 < 5
