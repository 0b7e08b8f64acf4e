"""Process lifecycle end to end: the real BPF programs, real processes, real runc containers.

Every test starts `vigil run`, makes real syscalls from real processes and asserts the
decoded fields of the exec, fork and exit events.
"""

import os
import re
import signal
import subprocess
import time

import pytest

from agent import all_of, is_type

RFC3339_NS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
HOST_CGROUP_OK = ("host",)


def exec_of(*args):
    """Predicate: an exec event whose argv is exactly args."""
    return all_of(is_type("exec"), lambda e: e["process"]["arguments"] == list(args))


def of_type_pid(t, pid):
    return lambda e: e["type"] == t and e["process"]["pid"] == pid


def check_common(ev):
    assert ev["schema"] == "vigil/v1"
    assert RFC3339_NS.match(ev["time"]), ev["time"]
    assert ev["node"]
    assert ev["seq"] >= 1
    assert RFC3339_NS.match(ev["process"]["start_time"])
    assert ev["cgroup"]["hierarchy"] == "v2"
    assert ev["cgroup"]["id"] > 0


def check_pod(ev, c, runtime="unknown", qos="besteffort"):
    """Attribution of an event to runc container c, field by field."""
    assert ev["container"] == {"id": c.id, "runtime": runtime}
    assert ev["pod"] == {"uid": c.pod_uid, "qos": qos}
    assert ev["attribution"] == "cgroup"
    assert ev["cgroup"]["path"] == c.cgroup_path


def test_container_exec_fork_exit_fields(agent, container_factory):
    """sh in a kubelet-style pod cgroup runs cat then exits 7: every field asserted."""
    a = agent()
    c = container_factory(["/bin/sh", "-c", "/bin/cat /etc/passwd > /dev/null; exit 7"])
    c.create()
    cgid = c.cgroup_id()
    init_pid = c.pid()
    c.start()
    assert c.wait_status(("stopped",), timeout=10)

    sh = a.wait_for(exec_of("/bin/sh", "-c", "/bin/cat /etc/passwd > /dev/null; exit 7"))
    check_common(sh)
    p = sh["process"]
    assert p["pid"] == init_pid
    assert p["tid"] == init_pid
    assert p["binary"] == "/bin/busybox"  # the file actually run, not argv[0]
    assert p["filename"] == "/bin/sh"
    assert p["argc"] == 3 and p["arguments_truncated"] is False
    assert p["cwd"] == "/"
    assert (p["uid"], p["gid"], p["euid"], p["egid"]) == (0, 0, 0, 0)
    assert p["fileless"] is False and p["memfd"] is False and p["setuid"] is False
    assert p["from_procfs"] is False
    assert sh["cgroup"]["id"] == cgid
    check_pod(sh, c)
    # runc's init is the parent and is itself in the container's cgroup
    assert sh["parent"]["pid"] == p["ppid"]
    assert sh["parent"]["comm"].startswith("runc")

    cat = a.wait_for(exec_of("/bin/cat", "/etc/passwd"))
    check_common(cat)
    assert cat["process"]["binary"] == "/bin/busybox"
    assert cat["process"]["filename"] == "/bin/cat"
    assert cat["process"]["ppid"] == init_pid
    assert cat["parent"]["pid"] == init_pid
    assert cat["parent"]["exec_id"] == sh["process"]["exec_id"]
    assert cat["parent"]["arguments"] == sh["process"]["arguments"]
    check_pod(cat, c)

    fork = a.wait_for(of_type_pid("fork", cat["process"]["pid"]))
    assert fork["parent"]["pid"] == init_pid
    assert fork["process"]["ppid"] == init_pid
    assert fork["process"]["parent_tid"] == init_pid
    # before its exec the child runs the parent's image
    assert fork["process"]["arguments"] == sh["process"]["arguments"]
    check_pod(fork, c)

    cat_exit = a.wait_for(of_type_pid("exit", cat["process"]["pid"]))
    assert cat_exit["exit"] == {"code": 0, "signal": 0, "signal_name": "",
                                "core_dumped": False,
                                "lifetime_ns": cat_exit["exit"]["lifetime_ns"]}
    sh_exit = a.wait_for(of_type_pid("exit", init_pid))
    assert sh_exit["exit"]["code"] == 7
    assert sh_exit["exit"]["signal"] == 0
    assert sh_exit["process"]["exec_id"] == sh["process"]["exec_id"]
    assert sh_exit["process"]["binary"] == "/bin/busybox"
    assert 0 < sh_exit["exit"]["lifetime_ns"] < 10 * 10**9
    check_pod(sh_exit, c)


def test_container_lives_under_50ms(agent, container_factory):
    """A container whose only process exits at once is still attributed after it is gone."""
    a = agent()
    c = container_factory(["/bin/true", "short-lived"])
    rc, _, err = c.run(timeout=20)
    assert rc == 0, err
    c.delete()  # the cgroup is gone before we even look at the events
    ex = a.wait_for(exec_of("/bin/true", "short-lived"))
    check_pod(ex, c)
    pid = ex["process"]["pid"]
    exit_ev = a.wait_for(of_type_pid("exit", pid))
    check_pod(exit_ev, c)
    assert exit_ev["exit"]["code"] == 0
    assert exit_ev["exit"]["lifetime_ns"] < 50 * 10**6
    # lineage through runc's hops: the parent is runc's init, the grandparent runc itself
    assert ex["parent"]["comm"].startswith("runc")
    assert any(anc["comm"].startswith("runc") for anc in ex.get("ancestors", [])) or \
        ex["parent"]["pid"] == ex["process"]["ppid"]


@pytest.mark.parametrize("driver,runtime,qos,expect_rt", [
    ("systemd", "containerd", "burstable", "containerd"),
    ("systemd", "crio", "guaranteed", "cri-o"),
    ("cgroupfs", "containerd", "guaranteed", "unknown"),
])
def test_cgroup_layouts(agent, container_factory, driver, runtime, qos, expect_rt):
    a = agent()
    c = container_factory(["/bin/true", f"layout-{driver}-{runtime}-{qos}"], driver=driver,
                          runtime=runtime, qos=qos)
    rc, _, err = c.run(timeout=20)
    assert rc == 0, err
    ev = a.wait_for(exec_of("/bin/true", f"layout-{driver}-{runtime}-{qos}"))
    check_pod(ev, c, runtime=expect_rt, qos=qos)


def test_pipeline_lineage_in_container(agent, container_factory):
    a = agent()
    c = container_factory(["/bin/sh", "-c", "/bin/echo pipe-a | /bin/cat | /bin/wc -c"])
    rc, out, err = c.run(timeout=20)
    assert rc == 0, err
    assert out.strip() == "7"
    sh = a.wait_for(exec_of("/bin/sh", "-c", "/bin/echo pipe-a | /bin/cat | /bin/wc -c"))
    cat = a.wait_for(exec_of("/bin/cat"))
    wc = a.wait_for(exec_of("/bin/wc", "-c"))
    for ev in (cat, wc):
        assert ev["parent"]["pid"] == sh["process"]["pid"]
        assert ev["parent"]["exec_id"] == sh["process"]["exec_id"]
        assert ev["process"]["ppid"] == sh["process"]["pid"]
        check_pod(ev, c)
    assert cat["process"]["pid"] != wc["process"]["pid"]


def test_host_lineage_survives_short_lived_parent(agent):
    """The middle shell exits at once; its child is reparented but keeps its real lineage."""
    a = agent()
    marker = f"marker-{os.getpid()}"
    outer = subprocess.Popen(["/bin/sh", "-c", f"/bin/sh -c 'sleep 0.3; /bin/echo {marker}' &"],
                             stdout=subprocess.DEVNULL)
    outer.wait(timeout=10)
    echo = a.wait_for(exec_of("/bin/echo", marker), timeout=10)
    inner = a.wait_for(exec_of("/bin/sh", "-c", f"sleep 0.3; /bin/echo {marker}"))
    assert inner["process"]["ppid"] == outer.pid  # the creator, not the subreaper/init
    lineage = [echo["parent"]] + echo.get("ancestors", [])
    pids = [p["pid"] for p in lineage]
    assert inner["process"]["pid"] in pids
    assert outer.pid in pids, pids
    assert pids.index(outer.pid) == pids.index(inner["process"]["pid"]) + 1
    # ...and the test process itself is further up, from the /proc seed
    assert os.getpid() in pids
    assert echo["attribution"] == "host"
    assert "container" not in echo and "pod" not in echo
    outer_entry = lineage[pids.index(outer.pid)]
    assert outer_entry["comm"] == "sh"
    assert outer_entry["binary"] == os.path.realpath("/bin/sh")


def test_process_started_before_vigil(agent):
    """A process that predates the agent has full identity and ancestry from /proc."""
    arg = f"{1000 + os.getpid() % 1000}.25"
    old = subprocess.Popen(["/bin/sh", "-c", f"read x; exec /bin/sleep {arg}"],
                           stdin=subprocess.PIPE, cwd="/tmp")
    time.sleep(0.3)
    a = agent()
    old.stdin.write(b"go\n")
    old.stdin.flush()
    ev = a.wait_for(exec_of("/bin/sleep", arg))
    p = ev["process"]
    assert p["pid"] == old.pid
    assert p["cwd"] == "/tmp"
    # the pre-existing image (the shell, read from /proc) is the parent of nothing here:
    # exec replaced it in place, so the parent is this test process, seeded from /proc
    assert ev["parent"]["pid"] == os.getpid()
    assert ev["parent"]["from_procfs"] is True
    assert ev["parent"]["binary"] == os.path.realpath("/proc/self/exe")
    old.send_signal(signal.SIGKILL)
    old.wait(timeout=5)
    x = a.wait_for(of_type_pid("exit", old.pid))
    assert x["exit"]["signal"] == signal.SIGKILL
    assert x["exit"]["signal_name"] == "SIGKILL"
    assert x["process"]["arguments"] == ["/bin/sleep", arg]


def test_exit_of_process_seeded_from_proc(agent):
    old = subprocess.Popen(["/bin/sleep", "77.5"], cwd="/")
    time.sleep(0.2)
    a = agent()
    old.terminate()
    old.wait(timeout=5)
    x = a.wait_for(of_type_pid("exit", old.pid))
    p = x["process"]
    assert p["from_procfs"] is True
    assert p["binary"] == os.path.realpath("/bin/sleep")
    assert p["arguments"] == ["/bin/sleep", "77.5"]
    assert p["cwd"] == "/"
    assert p["ppid"] == os.getpid()
    assert x["parent"]["pid"] == os.getpid()
    assert x["exit"]["signal_name"] == "SIGTERM"


def test_fileless_memfd_exec(agent):
    """execveat(memfd, "", AT_EMPTY_PATH) is flagged fileless, memfd and exec_fd."""
    a = agent()
    code = ("import os\n"
            "fd = os.memfd_create('payload', 0)\n"
            "os.write(fd, open('/bin/true', 'rb').read())\n"
            "os.execve(fd, ['payload', 'fileless-run'], {})\n")
    subprocess.run(["/usr/bin/python3", "-c", code], check=True, timeout=10)
    ev = a.wait_for(exec_of("payload", "fileless-run"))
    p = ev["process"]
    assert p["fileless"] is True
    assert p["memfd"] is True
    assert p["exec_fd"] is True
    assert p["deleted"] is True
    assert p["binary"].startswith("memfd:payload"), p["binary"]
    assert p["filename"].startswith("/dev/fd/")


def test_odd_bytes_in_argv_are_escaped(agent, tmp_path):
    a = agent()
    weird = [b"nl\nin", b"esc\x1b[31m", b"bad\xff\xfeutf8", "é€😀".encode(), b"",
             b"quote\"back\\slash"]
    subprocess.run([b"/bin/true", b"odd-argv"] + weird, check=True)
    ev = a.wait_for(lambda e: e["type"] == "exec" and
                    e["process"]["arguments"][:2] == ["/bin/true", "odd-argv"])
    args = ev["process"]["arguments"][2:]
    assert args == ["nl\nin", "esc\x1b[31m", "bad\ufffd\ufffdutf8", "é€😀", "",
                    "quote\"back\\slash"]
    # a path with a newline and invalid UTF-8 in a directory name
    d = tmp_path / "dir\nwith\xffbyte".encode("latin-1").decode("utf-8", "surrogateescape")
    os.makedirs(os.fsencode(str(d)), exist_ok=True)
    subprocess.run(["/bin/true", "odd-cwd"], cwd=os.fsencode(str(d)), check=True)
    ev = a.wait_for(exec_of("/bin/true", "odd-cwd"))
    assert ev["process"]["cwd"].endswith("/dir\nwith\ufffdbyte")


def test_long_argv_truncated(agent):
    a = agent()
    args = ["/bin/true", "long-argv"] + [f"arg{i:04d}-" + "x" * 90 for i in range(80)]
    subprocess.run(args, check=True)
    ev = a.wait_for(lambda e: e["type"] == "exec" and
                    e["process"]["arguments"][:2] == ["/bin/true", "long-argv"])
    p = ev["process"]
    assert p["argc"] == 82
    assert p["arguments_truncated"] is True
    assert len(p["arguments"]) >= 32
    # exactly 4 KiB captured: NUL after each argument but the cut last one
    assert sum(len(x) + 1 for x in p["arguments"]) - 1 == 4096
    assert p["arguments"][:34] == args[:34]


def test_final_stats_account_for_everything(agent):
    a = agent("--stats-interval", "1")
    for i in range(50):
        subprocess.run(["/bin/true", f"count-{i}"], check=True)
    a.wait_for(exec_of("/bin/true", "count-49"))
    periodic = a.wait_for(lambda e: e["type"] == "stats" and e["final"] is False, timeout=5)
    assert periodic["agent"]["rss_bytes"] > 0
    rc, log, final = a.stop()
    assert rc == 0, log
    assert final is not None and final["final"] is True
    k, ev, drops = final["kernel"], final["events"], final["drops"]
    # per-type maps leave zero counts out; every type seen must balance
    for t, seen in k["seen"].items():
        filtered = sum(r.get(t, 0) for r in k["filtered"].values())
        assert seen == k["emitted"].get(t, 0) + drops["ringbuf_full"].get(t, 0) + filtered, t
        assert ev.get(t, 0) == k["emitted"].get(t, 0), t
    assert ev["exec"] >= 50
    assert drops["seq_gaps"] <= sum(drops["ringbuf_full"].values())
    assert drops["decode_error"] == 0 and drops["output_error"] == 0
    pc = final["caches"]["process"]
    assert 0 < pc["size"] <= pc["capacity"]
    assert pc["bytes"] <= pc["max_bytes"]
    assert "counters:" in log and re.search(r"exec +seen \d+ .* received \d+", log)
    # every line in the stream was an object with the schema
    assert all(e["schema"] == "vigil/v1" for e in a.events())


def test_process_cache_is_bounded(agent):
    a = agent("--proc-cache-size", "64", "--exit-grace", "0")
    procs = [subprocess.Popen(["/bin/sleep", "5"]) for _ in range(100)]
    for p in procs:
        a.wait_for(of_type_pid("fork", p.pid))
    for p in procs:
        p.kill()
        p.wait()
    rc, log, final = a.stop()
    pc = final["caches"]["process"]
    assert pc["capacity"] == 64
    assert pc["size"] <= 64
    assert pc["evictions"] >= 36


def test_exec_reports_the_controlling_terminal(agent):
    """A process under a pseudo-terminal (script(1) gives its child one) reports it, encoded
    as /proc/PID/stat's tty_nr; a process without one reports 0."""
    a = agent("--events", "process")
    p = subprocess.Popen(["script", "-qec", "/bin/sleep 3", "/dev/null"],
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         start_new_session=True)
    try:
        ev = a.wait_for(exec_of("/bin/sleep", "3"))
        with open(f"/proc/{ev['process']['pid']}/stat") as f:
            tty_nr = int(f.read().rsplit(")", 1)[1].split()[4])
        assert ev["process"]["tty"] == tty_nr
        assert (tty_nr >> 8) & 0xfff == 136  # a /dev/pts/N pseudo-terminal
    finally:
        p.wait(timeout=10)
    subprocess.run(["/bin/true", "no-tty"], check=True, start_new_session=True,
                   stdin=subprocess.DEVNULL)
    assert a.wait_for(exec_of("/bin/true", "no-tty"))["process"]["tty"] == 0
