"""File events end to end: real syscalls from real processes (on the host and in runc
containers), decoded field by field; fd-table resolution; in-kernel scoping, path filters
and sampling, with the kernel's counters checked against what arrived."""

import json
import os
import subprocess
import sys
import tempfile
import textwrap

import pytest

from agent import all_of, is_type

PY = "/usr/bin/python3"


def run_py(code, cwd=None):
    """Run python code in a child process; returns its pid (after it exited)."""
    p = subprocess.Popen([PY, "-c", textwrap.dedent(code)], cwd=cwd)
    assert p.wait(timeout=30) == 0, "helper script failed"
    return p.pid


def of(t, pid, path=None):
    preds = [is_type(t), lambda e: e["process"]["pid"] == pid]
    if path is not None:
        preds.append(lambda e: e["file"]["path"] == path)
    return all_of(*preds)


MY_CAPS = dict(line.split(":\t", 1) for line in open("/proc/self/status").read().splitlines()
               if line.startswith("Cap"))
MY_CAPS = {k: v.strip() for k, v in MY_CAPS.items()}


def check_sys(ev, name, ret=None, error=""):
    s = ev["syscall"]
    assert s["name"] == name
    assert s["nr"] > 0 or name == "read"
    if ret is not None:
        assert s["ret"] == ret
    assert s["error"] == error
    assert s["tid"] > 0
    assert s["uid"] == 0 and s["euid"] == 0
    # the test's children run as root with the test's own capabilities
    assert (s["cap_effective"], s["cap_permitted"]) == (MY_CAPS["CapEff"], MY_CAPS["CapPrm"])
    assert ev["schema"] == "vigil/v1"
    assert ev["process"]["binary"].endswith("python3.11")
    assert ev["cgroup"]["id"] > 0


def kernel_balance(stats, t):
    """seen == emitted + dropped + every filter reason, for type t."""
    k = stats["kernel"]
    seen = k["seen"].get(t, 0)
    emitted = k["emitted"].get(t, 0)
    dropped = stats["drops"]["ringbuf_full"].get(t, 0)
    filtered = sum(r.get(t, 0) for r in k["filtered"].values())
    assert seen == emitted + dropped + filtered, (t, seen, emitted, dropped, k["filtered"])
    assert stats["events"].get(t, 0) == emitted, (t, stats["events"], emitted)
    return seen, emitted, filtered


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="vgfile-", dir="/tmp")
    yield d
    subprocess.run(["rm", "-rf", d])


def test_open_create_write_head_and_errors(agent, workdir):
    a = agent("--events", "file")
    path = os.path.join(workdir, "dropper")
    pid = run_py(f"""
        import os
        try:
            os.open({workdir!r} + "/missing/none", os.O_RDONLY)
        except FileNotFoundError:
            pass
        fd = os.open({path!r}, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o750)
        os.write(fd, b"\\x7fELF\\x02\\x01\\x01" + b"\\0" * 9)
        os.write(fd, b"more bytes, not at offset 0")
        os.close(fd)
    """)
    miss = a.wait_for(of("open", pid, workdir + "/missing/none"))
    check_sys(miss, "openat", ret=-2, error="ENOENT")
    assert miss["file"]["requested"] == workdir + "/missing/none"
    assert "fd" not in miss["file"] and "type" not in miss["file"]
    assert miss["file"]["created"] is False

    op = a.wait_for(of("open", pid, path))
    check_sys(op, "openat")
    f = op["file"]
    assert op["syscall"]["ret"] == f["fd"] >= 3
    assert f["requested"] == path
    assert f["type"] == "file" and f["inode"] == os.stat(path).st_ino
    assert f["dev"] > 0
    assert f["created"] is True
    assert f["mode"] == "0750"
    assert f["flags"] & os.O_CREAT and f["flags"] & os.O_CLOEXEC and f["flags"] & os.O_WRONLY

    wh = a.wait_for(of("write_head", pid, path))
    check_sys(wh, "write", ret=16)
    assert wh["file"]["head_magic"] == "elf"
    assert wh["file"]["head_hex"] == "7f454c46020101" + "00" * 9
    assert wh["file"]["head_bytes"] == 16
    assert wh["file"]["fd"] == f["fd"]
    # the second write did not start at offset 0: not a head write
    rc, _, stats = a.stop()
    assert rc == 0
    assert len(a.events(of("write_head", pid))) == 1
    kernel_balance(stats, "open")
    seen, emitted, filtered = kernel_balance(stats, "write_head")
    assert stats["kernel"]["filtered"]["irrelevant"]["write_head"] >= 1


def test_namespace_ops_with_relative_paths(agent, workdir):
    """rename, link, symlink, chmod, chown, truncate, mkdir, rmdir, unlink; relative paths
    are resolved against the cwd or the dirfd."""
    a = agent("--events", "file")
    pid = run_py("""
        import os
        open("a", "w").close()
        os.rename("a", "b")
        os.link("b", "c")
        os.symlink("/etc/hostname", "ln")
        os.chmod("b", 0o604)
        os.chown("b", 123, 456)
        os.truncate("b", 42)
        os.mkdir("sub", 0o711)
        d = os.open("sub", os.O_RDONLY | os.O_DIRECTORY)
        fd = os.open("inner", os.O_CREAT | os.O_WRONLY, 0o600, dir_fd=d)
        os.close(fd)
        os.unlink("inner", dir_fd=d)
        os.rmdir("sub")
        os.unlink("c")
    """, cwd=workdir)
    w = workdir
    ren = a.wait_for(of("rename", pid, w + "/a"))
    check_sys(ren, "rename", ret=0)
    assert ren["file"]["requested"] == "a"
    assert ren["file"]["target"] == w + "/b" and ren["file"]["target_requested"] == "b"

    ln = a.wait_for(of("link", pid, w + "/b"))
    check_sys(ln, "link", ret=0)
    assert ln["file"]["target"] == w + "/c"

    sl = a.wait_for(of("symlink", pid, w + "/ln"))
    check_sys(sl, "symlink", ret=0)
    assert sl["file"]["target"] == "/etc/hostname"

    ch = a.wait_for(of("chmod", pid, w + "/b"))
    check_sys(ch, "chmod", ret=0)
    assert ch["file"]["mode"] == "0604"

    co = a.wait_for(of("chown", pid, w + "/b"))
    check_sys(co, "chown", ret=0)
    assert (co["file"]["uid"], co["file"]["gid"]) == (123, 456)

    tr = a.wait_for(of("truncate", pid, w + "/b"))
    check_sys(tr, "truncate", ret=0)
    assert tr["file"]["length"] == 42

    mk = a.wait_for(of("mkdir", pid, w + "/sub"))
    check_sys(mk, "mkdir", ret=0)
    assert mk["file"]["mode"] == "0711"

    inner = a.wait_for(of("open", pid, w + "/sub/inner"))
    assert inner["file"]["requested"] == "inner"
    assert inner["file"]["created"] is True

    ul = a.wait_for(of("unlink", pid, w + "/sub/inner"))
    check_sys(ul, "unlinkat", ret=0)
    assert ul["file"]["requested"] == "inner"

    rd = a.wait_for(of("rmdir", pid, w + "/sub"))
    check_sys(rd, "rmdir", ret=0)

    ul2 = a.wait_for(of("unlink", pid, w + "/c"))
    check_sys(ul2, "unlink", ret=0)
    rc, _, stats = a.stop()
    for t in ("rename", "link", "symlink", "chmod", "chown", "truncate", "mkdir", "rmdir",
              "unlink", "open"):
        kernel_balance(stats, t)


def test_close_is_resolved_through_the_fd_table(agent, workdir):
    """close() names only an fd: the event says which file it was, from the fd table fed by
    the open event; fds the agent never saw open are not reported at all."""
    a = agent("--events", "file,close")
    path = os.path.join(workdir, "held")
    pid = run_py(f"""
        import os
        fd = os.open({path!r}, os.O_CREAT | os.O_RDWR, 0o600)
        os.dup2(fd, 57)
        os.close(fd)
    """)
    op = a.wait_for(of("open", pid, path))
    cl = a.wait_for(all_of(is_type("close"), lambda e: e["process"]["pid"] == pid,
                           lambda e: e["file"]["fd"] == op["file"]["fd"],
                           lambda e: e["time"] > op["time"]))
    check_sys(cl, "close", ret=0)
    assert cl["file"]["path"] == path
    rc, _, stats = a.stop()
    kernel_balance(stats, "close")
    assert stats["caches"]["fd"]["capacity"] == 16384
    assert stats["caches"]["fd"]["hits"] >= 1


HOLDER = """
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
os.dup2(fd, 57)
os.close(fd)
print(os.getpid(), flush=True)
sys.stdin.readline()             # vigil is running now
os.close(57)                     # a seeded fd: its close must be reported
r, w = os.pipe()
os.dup2(r, 57)                   # the number again, for something vigil never saw open
os.close(57)                     # ... whose close is not reported
fd = os.open(sys.argv[2], os.O_RDONLY)   # seen: the open event tracks it
pid = os.fork()
if pid == 0:
    import time
    time.sleep(0.2)              # past vigil's handling of the fork (a close within
    os.close(fd)                 # microseconds of it goes unseen); then it must be reported
    os._exit(0)
os.waitpid(pid, 0)
print(pid, fd, flush=True)
sys.stdin.readline()
"""


def test_close_of_seeded_and_inherited_fds(agent, workdir):
    """The kernel reports a close only for fds user space tracks: an fd seeded from /proc (its
    process predates vigil) and an fd a child inherited are tracked too, so their closes are
    reported, and a later fd with the same number is not taken for the closed one."""
    seeded, inherited = os.path.join(workdir, "seeded"), os.path.join(workdir, "inherited")
    for p in (seeded, inherited):
        with open(p, "w") as f:
            f.write("x")
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, seeded, inherited],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pid = int(holder.stdout.readline())
        a = agent("--events", "file,close")
        holder.stdin.write("go\n")
        holder.stdin.flush()
        child, cfd = (int(x) for x in holder.stdout.readline().split())
        cl = a.wait_for(all_of(is_type("close"), lambda e: e["process"]["pid"] == pid,
                               lambda e: e["file"]["fd"] == 57))
        check_sys(cl, "close", ret=0)
        assert cl["file"]["path"] == seeded
        ch = a.wait_for(all_of(is_type("close"), lambda e: e["process"]["pid"] == child,
                               lambda e: e["file"]["fd"] == cfd))
        check_sys(ch, "close", ret=0)
        assert ch["file"]["path"] == inherited
        holder.stdin.write("done\n")
        holder.stdin.flush()
        holder.wait(timeout=10)
        rc, _, stats = a.stop()
    finally:
        holder.kill()
        holder.wait()
    # the pipe dup'd onto 57 was never seen: its close is not reported
    closes57 = a.events(all_of(is_type("close"), lambda e: e["process"]["pid"] == pid,
                               lambda e: e["file"]["fd"] == 57))
    assert len(closes57) == 1, closes57
    fd = stats["caches"]["fd"]
    assert fd["kernel_registered"] >= 2 and fd["kernel_register_errors"] == 0, fd
    kernel_balance(stats, "close")


def agent_map(agent_pid, name):
    """The keys of the agent's BPF map `name` (read with bpftool)."""
    held = set()  # the ids of the maps the agent holds an fd of
    for fd in os.listdir(f"/proc/{agent_pid}/fd"):
        try:
            info = open(f"/proc/{agent_pid}/fdinfo/{fd}").read()
        except FileNotFoundError:
            continue
        held.update(int(line.split()[1]) for line in info.splitlines()
                    if line.startswith("map_id:"))
    maps = json.loads(subprocess.check_output(["bpftool", "-j", "map", "show"]))
    ids = [m["id"] for m in maps if m.get("name") == name and m["id"] in held]
    assert len(ids) == 1, f"{name} maps of pid {agent_pid}: {ids}"
    dump = json.loads(subprocess.check_output(["bpftool", "-j", "map", "dump", "id",
                                               str(ids[0])]))
    return [e["formatted"]["key"] if "formatted" in e else e["key"] for e in dump]


def tracked_fds(agent_pid, tgid):
    """The fds of tgid in the agent's fd_tracked map: (tgid << 32 | fd) keys."""
    return sorted(k & 0xffffffff for k in agent_map(agent_pid, "fd_tracked") if k >> 32 == tgid)


EXECER = """
import os, sys
a = os.open(sys.argv[1], os.O_RDONLY)           # close-on-exec (Python's default)
b = os.open(sys.argv[2], os.O_RDONLY)
os.set_inheritable(b, True)                    # survives the exec
print(a, b, flush=True)
sys.stdin.readline()
os.execv(sys.executable, [sys.executable, "-c",
         "import sys; print('execd', flush=True); sys.stdin.readline()"])
"""


def test_exec_and_exit_forget_tracked_fds(agent, workdir):
    """The kernel reports a close only for the fds in its fd_tracked map. An fd that
    close-on-exec closed leaves the map at the exec, and the process's remaining fds at its
    exit; an fd that survives the exec stays, so its close would still be reported."""
    cx, kept = os.path.join(workdir, "cloexec"), os.path.join(workdir, "kept")
    for p in (cx, kept):
        with open(p, "w") as f:
            f.write("x")
    a = agent("--events", "process,file,close")
    p = subprocess.Popen([PY, "-c", EXECER, cx, kept], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    try:
        fa, fb = (int(x) for x in p.stdout.readline().split())
        for path in (cx, kept):
            a.wait_for(of("open", p.pid, path))
        assert {fa, fb} <= set(tracked_fds(a.proc.pid, p.pid))
        p.stdin.write("go\n")
        p.stdin.flush()
        # the exec's tracepoint ran before the new image could print
        assert p.stdout.readline() == "execd\n"
        after_exec = tracked_fds(a.proc.pid, p.pid)
        assert fa not in after_exec and fb in after_exec, (fa, fb, after_exec)
        # the fds the child inherited from this (seeded) test process, entered by user space
        assert p.pid in agent_map(a.proc.pid, "fd_umask")
        p.stdin.write("\n")
        p.stdin.flush()
        assert p.wait(timeout=10) == 0  # after the exit's tracepoint
        assert tracked_fds(a.proc.pid, p.pid) == []
        assert p.pid not in agent_map(a.proc.pid, "fd_umask")
    finally:
        p.kill()
        p.wait()


def test_container_open_is_attributed(agent, container_factory):
    a = agent("--events", "file")
    c = container_factory(["/bin/sh", "-c", "cat /etc/passwd > /dev/null; cat /nope 2>/dev/null; exit 0"])
    c.run()
    ok = a.wait_for(all_of(is_type("open"), lambda e: e.get("container", {}).get("id") == c.id,
                           lambda e: e["file"]["path"] == "/etc/passwd",
                           lambda e: e["process"]["binary"] == "/bin/busybox"))
    assert ok["pod"]["uid"] == c.pod_uid
    assert ok["attribution"] == "cgroup"
    assert ok["cgroup"]["path"] == c.cgroup_path
    # busybox's sh runs applets by exec'ing /proc/self/exe: comm "exe", argv[0] "cat"
    assert ok["process"]["comm"] == "exe"
    assert ok["process"]["arguments"] == ["cat", "/etc/passwd"]
    assert ok["syscall"]["ret"] >= 0 and ok["file"]["type"] == "file"
    bad = a.wait_for(all_of(is_type("open"), lambda e: e.get("container", {}).get("id") == c.id,
                            lambda e: e["file"]["path"] == "/nope"))
    assert bad["syscall"]["error"] == "ENOENT"


def test_scope_pod_filters_other_pods_in_the_kernel(agent, container_factory):
    """--scope pod:UID: a pod outside the scope produces no events, and the kernel counts
    what it left out as scope-filtered."""
    inside = container_factory(["/bin/sh", "-c", "cat /etc/hostname > /dev/null"])
    outside = container_factory(["/bin/sh", "-c", "cat /etc/hostname > /dev/null"])
    # as with kubelet, the pod's cgroup exists before its containers run
    inside.create()
    outside.create()
    a = agent("--events", "file,process", "--scope", "pod:" + inside.pod_uid)
    assert "scope: 1 cgroups in scope" in a.stderr_text()
    outside.start()
    inside.start()
    assert outside.wait_status(("stopped",), timeout=10)
    assert inside.wait_status(("stopped",), timeout=10)
    a.wait_for(all_of(is_type("open"), lambda e: e.get("pod", {}).get("uid") == inside.pod_uid,
                      lambda e: e["file"]["path"] == "/etc/hostname"))
    # a host process is out of scope too
    run_py("open('/etc/hostname').close()")
    rc, _, stats = a.stop()
    assert rc == 0
    assert not a.events(lambda e: e.get("pod", {}).get("uid") == outside.pod_uid)
    assert not a.events(lambda e: e["type"] != "stats" and "pod" not in e)
    assert stats["kernel"]["filtered"]["scope"]["open"] > 0
    assert stats["kernel"]["filtered"]["scope"]["exec"] > 0
    kernel_balance(stats, "open")


def test_scope_containers_leaves_host_out(agent, container_factory):
    a = agent("--events", "file", "--scope", "containers")
    c = container_factory(["/bin/sh", "-c", "cat /etc/hostname > /dev/null"])
    c.run()
    a.wait_for(all_of(is_type("open"), lambda e: e.get("container", {}).get("id") == c.id))
    pid = run_py("open('/etc/hostname').close()")
    rc, _, stats = a.stop()
    assert not a.events(lambda e: e["type"] == "open" and e["process"]["pid"] == pid)
    assert stats["kernel"]["filtered"]["scope"]["open"] > 0


def test_path_filters_in_kernel_and_user_space(agent, workdir):
    """--ignore-path drops opens below a prefix in the kernel; --report-path keeps one file;
    a relative path into the ignored prefix is filtered after resolution, in user space."""
    ign = os.path.join(workdir, "ignored") + "/"
    os.mkdir(ign)
    keep = ign + "keep"
    a = agent("--events", "file", "--ignore-path", ign, "--report-path", keep)
    pid = run_py(f"""
        import os
        for i in range(50):
            open({ign!r} + "f%d" % i, "w").close()
        open({keep!r}, "w").close()
        os.chdir({ign!r})
        open("relative", "w").close()
        open({workdir!r} + "/visible", "w").close()
    """)
    a.wait_for(of("open", pid, workdir + "/visible"))
    a.wait_for(of("open", pid, keep))
    rc, _, stats = a.stop()
    opens = [e["file"]["path"] for e in a.events(of("open", pid))]
    assert not [p for p in opens if p.startswith(ign) and p != keep], opens
    assert stats["kernel"]["filtered"]["path"]["open"] >= 50
    assert stats["filtered_user"]["open"] >= 1
    kernel_balance(stats, "open")


def test_sampling_is_counted(agent, workdir):
    a = agent("--events", "file", "--sample", "mkdir=4")
    pid = run_py(f"""
        import os
        for i in range(400):
            try:
                os.mkdir({workdir!r})
            except FileExistsError:
                pass
    """)
    rc, _, stats = a.stop()
    got = len(a.events(of("mkdir", pid)))
    assert 40 <= got <= 200, got
    assert stats["kernel"]["filtered"]["sampled"]["mkdir"] >= 200
    kernel_balance(stats, "mkdir")


def test_bad_filter_options_name_the_problem(vigil_binary):
    for args, msg in ((["--ignore-path", "relative/x"], "--ignore-path"),
                      (["--scope", "pod:xyz!"], "--scope"),
                      (["--sample", "nosuch=3"], "unknown event type"),
                      (["--events", "file,bogus"], "bogus")):
        p = subprocess.run([vigil_binary, "run"] + args, capture_output=True, text=True,
                           timeout=10)
        assert p.returncode == 2
        assert msg in p.stderr, p.stderr


def test_container_namespace_ops_are_attributed(agent, container_factory):
    """mkdir, rename, symlink, chmod, rmdir, unlink and a script dropped in /tmp of a pod's
    container: paths as the container sees them, every event attributed to the pod."""
    a = agent("--events", "file")
    d = "/tmp/x" + os.urandom(4).hex()
    script = (f"cd /tmp && busybox mkdir {d} && busybox mv {d} {d}.m && "
              f"busybox ln -s /etc/passwd {d}.l && busybox chmod 700 {d}.m && "
              f"busybox rmdir {d}.m && busybox rm {d}.l && printf '#!/bin/sh\\n' > {d}.sh")
    c = container_factory(["/bin/sh", "-c", script])
    rc, out, err = c.run()
    assert rc == 0, err

    def ev(t, path):
        return a.wait_for(all_of(is_type(t), lambda e: e.get("container", {}).get("id") == c.id,
                                 lambda e: e["file"]["path"] == path))

    for e in (ev("mkdir", d), ev("rename", d), ev("symlink", d + ".l"), ev("chmod", d + ".m"),
              ev("rmdir", d + ".m"), ev("unlink", d + ".l"), ev("write_head", d + ".sh")):
        assert e["pod"]["uid"] == c.pod_uid and e["attribution"] == "cgroup"
        assert e["cgroup"]["path"] == c.cgroup_path
        assert e["syscall"]["ret"] >= 0 and e["syscall"]["error"] == ""
        assert e["process"]["binary"] == "/bin/busybox"
    assert ev("rename", d)["file"]["target"] == d + ".m"
    assert ev("symlink", d + ".l")["file"]["target"] == "/etc/passwd"
    assert ev("chmod", d + ".m")["file"]["mode"] == "0700"
    head = ev("write_head", d + ".sh")["file"]
    assert head["head_magic"] == "script" and head["head_hex"] == "23212f62696e2f73680a"
