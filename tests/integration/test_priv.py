"""Privilege and integrity events end to end: the real BPF programs, real syscalls.

Every test starts `vigil run`, makes the syscalls from a real process (this one, a forked
child that may drop privileges or change namespaces without touching the host, or busybox
in a runc container) and asserts the decoded members of the events, errors included.  Each
test ends by checking the kernel's accounting of every privilege event type:
seen == emitted + ring buffer drops + filtered (all reasons), and received == emitted.
"""

import ctypes
import errno
import json
import os
import signal
import socket
import subprocess
import time

import pytest

from agent import vigil_bin

LIBC = ctypes.CDLL(None, use_errno=True)
LIBC.syscall.restype = ctypes.c_long

# x86_64 syscall numbers, for the calls Python has no wrapper for
NR = {"dup": 32, "ptrace": 101, "setfsuid": 122, "capget": 125, "capset": 126,
      "personality": 135, "pivot_root": 155, "prctl": 157, "chroot": 161, "mount": 165,
      "umount2": 166, "init_module": 175, "delete_module": 176, "tkill": 200,
      "tgkill": 234, "unshare": 272, "dup3": 292, "setns": 308, "finit_module": 313,
      "memfd_create": 319, "bpf": 321}

PRIV_TYPES = ("setuid", "setgid", "capset", "ptrace", "module_load", "module_unload", "mount",
              "umount", "unshare", "setns", "chroot", "pivot_root", "memfd_create", "bpf",
              "dup", "kill", "prctl", "personality")

CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
MS_NOSUID, MS_NODEV, MS_REC, MS_PRIVATE = 0x2, 0x4, 0x4000, 0x40000
MNT_DETACH = 0x2
PTRACE_TRACEME, PTRACE_ATTACH, PTRACE_DETACH = 0, 16, 17
PR_SET_NAME, PR_GET_NAME, PR_SET_NO_NEW_PRIVS = 15, 16, 38
ADDR_NO_RANDOMIZE = 0x0040000
CAP_NET_RAW = 13
MODULE_HOOK = "syscalls/sys_exit_finit_module"
TRACEFS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")


def sc(name, *args):
    """Raw syscall by name: the result, or -errno."""
    cargs = [ctypes.c_long(a) if isinstance(a, int) else a for a in args]
    r = LIBC.syscall(ctypes.c_long(NR[name]), *cargs)
    return r if r >= 0 else -ctypes.get_errno()


def in_child(fn):
    """Run fn() in a forked child, which exits after it.  Returns (child pid, fn's result,
    JSON-encoded through a pipe).  The child can drop privileges or change namespaces
    without touching this process."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            out = json.dumps(fn())
        except BaseException as e:  # report, never return into pytest
            out, code = json.dumps({"exception": repr(e)}), 1
        os.write(w, out.encode())
        os._exit(code)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    result = json.loads(data)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, result
    return pid, result


_HELP = None


def priv_agent(agent):
    """Start vigil with the privilege events (only those when the CLI can select them)."""
    global _HELP
    if _HELP is None:
        _HELP = subprocess.run([vigil_bin(), "run", "--help"], capture_output=True,
                               text=True).stdout
    if "--events" in _HELP:
        # no rules: they would attach the socket hooks too, and the fd table would know sockets
        # these tests expect it not to (fd_target null)
        extra = ("--no-rules",) if "--no-rules" in _HELP else ()
        return agent("--events", "privilege", "--stats-interval", "0", *extra)
    return agent("--stats-interval", "0")


def ev(t, pid, name=None, **sys):
    """Predicate: an event of type t by process pid, from syscall `name`, whose syscall
    object has the given members."""
    def pred(e):
        return (e["type"] == t and e["process"]["pid"] == pid and
                (name is None or e["syscall"]["name"] == name) and
                all(e["syscall"][k] == v for k, v in sys.items()))
    return pred


def check_sys(e, name, ret, error=""):
    s = e["syscall"]
    assert s["name"] == name
    assert s["nr"] == (NR[name] if name in NR else s["nr"])
    assert s["ret"] == ret
    assert s["error"] == error
    assert s["tid"] > 0


def check_accounting(a):
    """Stop the agent; every privilege event the kernel saw is accounted for once."""
    rc, log, final = a.stop()
    assert rc == 0, log
    assert final is not None, log
    k, drops = final["kernel"], final["drops"]
    for t in PRIV_TYPES:  # the per-type maps leave out zero counts
        filtered = sum(k["filtered"][reason].get(t, 0) for reason in k["filtered"])
        assert k["seen"].get(t, 0) == (k["emitted"].get(t, 0) +
                                       drops["ringbuf_full"].get(t, 0) + filtered), t
        assert final["events"].get(t, 0) == k["emitted"].get(t, 0), t
    assert drops["decode_error"] == 0 and drops["output_error"] == 0
    return final


def filtered_count(final, reason, t):
    return final["kernel"]["filtered"].get(reason, {}).get(t, 0)


# --- credentials -------------------------------------------------------------------------

def test_setuid_family_old_and_new_ids(agent):
    a = priv_agent(agent)

    def drop():
        out = {"fsuid_prev": sc("setfsuid", 4321)}
        sc("setfsuid", 0)
        os.setresgid(65534, 65534, 65534)
        os.setreuid(0, 65534)
        os.setresuid(65534, 65534, 65534)
        try:
            os.setuid(0)
            out["setuid0"] = 0
        except PermissionError as e:
            out["setuid0"] = -e.errno
        return out

    pid, out = in_child(drop)
    assert out == {"fsuid_prev": 0, "setuid0": -errno.EPERM}

    e = a.wait_for(ev("setuid", pid, "setfsuid", ret=0))
    assert e["setuid"]["old"] == {"uid": 0, "euid": 0, "suid": 0, "fsuid": 0}
    assert e["setuid"]["new"] == {"uid": 0, "euid": 0, "suid": 0, "fsuid": 4321}
    assert e["setuid"]["requested"] == [4321]

    e = a.wait_for(ev("setgid", pid, "setresgid"))
    check_sys(e, "setresgid", 0)
    assert e["setgid"]["old"] == {"gid": 0, "egid": 0, "sgid": 0, "fsgid": 0}
    assert e["setgid"]["new"] == {"gid": 65534, "egid": 65534, "sgid": 65534, "fsgid": 65534}
    assert e["setgid"]["requested"] == [65534, 65534, 65534]

    e = a.wait_for(ev("setuid", pid, "setreuid"))
    check_sys(e, "setreuid", 0)
    assert e["setuid"]["old"] == {"uid": 0, "euid": 0, "suid": 0, "fsuid": 0}
    # a real uid left alone and a new effective one: the saved uid follows the effective
    assert e["setuid"]["new"] == {"uid": 0, "euid": 65534, "suid": 65534, "fsuid": 65534}
    assert e["setuid"]["requested"] == [0, 65534]
    assert (e["syscall"]["uid"], e["syscall"]["euid"]) == (0, 65534)

    e = a.wait_for(ev("setuid", pid, "setresuid"))
    check_sys(e, "setresuid", 0)
    assert e["setuid"]["old"]["uid"] == 0 and e["setuid"]["old"]["euid"] == 65534
    assert e["setuid"]["new"] == {"uid": 65534, "euid": 65534, "suid": 65534, "fsuid": 65534}

    e = a.wait_for(ev("setuid", pid, "setuid"))
    check_sys(e, "setuid", -errno.EPERM, "EPERM")
    assert e["setuid"]["old"] == e["setuid"]["new"]
    assert e["setuid"]["new"]["uid"] == 65534
    assert e["setuid"]["requested"] == [0]
    assert e["process"]["pid"] == pid and e["attribution"] == "host"
    check_accounting(a)


def _capsets(drop_cap, readd):
    """capget, then capset without drop_cap; then (readd) try to get it back."""
    class Hdr(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                    ("inheritable", ctypes.c_uint32)]

    hdr, data = Hdr(0x20080522, 0), (Data * 2)()
    assert sc("capget", ctypes.byref(hdr), data) == 0
    data[0].effective &= ~(1 << drop_cap)
    data[0].permitted &= ~(1 << drop_cap)
    out = [sc("capset", ctypes.byref(hdr), data)]
    if readd:
        data[0].permitted |= 1 << drop_cap
        out.append(sc("capset", ctypes.byref(hdr), data))
    return out


def test_capset_old_and_new_sets(agent):
    a = priv_agent(agent)
    pid, out = in_child(lambda: _capsets(CAP_NET_RAW, True))
    assert out == [0, -errno.EPERM]
    ok, failed = a.wait_all(ev("capset", pid, "capset"), 2)
    check_sys(ok, "capset", 0)
    old, new = ok["capset"]["old"], ok["capset"]["new"]
    for s in ("effective", "permitted"):
        assert "CAP_NET_RAW" in old[s] and "CAP_SYS_ADMIN" in old[s]
        assert "CAP_NET_RAW" not in new[s] and "CAP_SYS_ADMIN" in new[s]
        assert sorted(set(old[s]) - set(new[s])) == ["CAP_NET_RAW"]
    assert old["inheritable"] == new["inheritable"] == []
    check_sys(failed, "capset", -errno.EPERM, "EPERM")
    assert failed["capset"]["old"] == failed["capset"]["new"] == new
    # every syscall event carries the caller's sets as they were when the call returned
    for e in (ok, failed):
        for s in ("cap_effective", "cap_permitted"):
            bits = int(e["syscall"][s], 16)
            assert len(e["syscall"][s]) == 16
            assert not bits & (1 << 13) and bits & (1 << 21)  # CAP_NET_RAW gone, SYS_ADMIN kept
    check_accounting(a)


# --- ptrace, kill ------------------------------------------------------------------------

def _sleeper():
    pid = os.fork()
    if pid == 0:
        time.sleep(30)
        os._exit(0)
    return pid


def test_ptrace_attach_detach_and_errors(agent):
    a = priv_agent(agent)
    me = os.getpid()
    child = _sleeper()
    try:
        assert sc("ptrace", PTRACE_ATTACH, child, 0, 0) == 0
        os.waitpid(child, 0)  # the attach stop
        assert sc("ptrace", PTRACE_DETACH, child, 0, 0) == 0
        assert sc("ptrace", PTRACE_ATTACH, me, 0, 0) == -errno.EPERM  # own thread group
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)

    att = a.wait_for(lambda e: ev("ptrace", me, "ptrace", ret=0)(e) and
                     e["ptrace"]["request"] == "PTRACE_ATTACH")
    assert att["ptrace"] == {"request": "PTRACE_ATTACH", "pid": child, "target_pid": child}
    det = a.wait_for(lambda e: ev("ptrace", me)(e) and
                     e["ptrace"]["request"] == "PTRACE_DETACH")
    check_sys(det, "ptrace", 0)
    assert det["ptrace"] == {"request": "PTRACE_DETACH", "pid": child, "target_pid": child}
    bad = a.wait_for(ev("ptrace", me, "ptrace", ret=-errno.EPERM))
    check_sys(bad, "ptrace", -errno.EPERM, "EPERM")
    assert bad["ptrace"] == {"request": "PTRACE_ATTACH", "pid": me, "target_pid": me}

    # PTRACE_TRACEME names no pid: its tracer-to-be is the parent
    tracee, res = in_child(lambda: sc("ptrace", PTRACE_TRACEME, 0, 0, 0))
    assert res == 0
    tm = a.wait_for(ev("ptrace", tracee, "ptrace"))
    check_sys(tm, "ptrace", 0)
    assert tm["ptrace"] == {"request": "PTRACE_TRACEME", "pid": 0, "target_pid": me}
    check_accounting(a)


def test_kill_other_processes_not_self(agent):
    a = priv_agent(agent)
    me = os.getpid()
    os.kill(me, 0)  # own process: irrelevant
    child = _sleeper()
    assert sc("tgkill", child, child, signal.SIGCONT) == 0
    assert sc("tkill", child, signal.SIGCONT) == 0
    os.kill(child, signal.SIGTERM)
    os.waitpid(child, 0)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)  # reaped: ESRCH

    term = a.wait_for(lambda e: ev("kill", me, "kill")(e) and e["kill"]["signal"] == "SIGTERM")
    check_sys(term, "kill", 0)
    assert term["kill"] == {"pid": child, "signal": "SIGTERM", "target_pid": child}
    tg = a.wait_for(ev("kill", me, "tgkill"))
    check_sys(tg, "tgkill", 0)
    assert tg["kill"] == {"pid": child, "tid": child, "signal": "SIGCONT", "target_pid": child}
    tk = a.wait_for(ev("kill", me, "tkill"))
    check_sys(tk, "tkill", 0)
    # a tid is not resolved to its process
    assert tk["kill"] == {"pid": None, "tid": child, "signal": "SIGCONT", "target_pid": None}
    gone = a.wait_for(ev("kill", me, "kill", ret=-errno.ESRCH))
    check_sys(gone, "kill", -errno.ESRCH, "ESRCH")
    assert gone["kill"] == {"pid": child, "signal": "0", "target_pid": child}
    assert not a.events(lambda e: ev("kill", me)(e) and e["kill"]["pid"] == me)
    final = check_accounting(a)
    assert filtered_count(final, "irrelevant", "kill") >= 1


# --- modules -----------------------------------------------------------------------------

def _has_hook(hook):
    return any(os.path.exists(os.path.join(t, "events", hook)) for t in TRACEFS)


def test_module_syscalls_fail_and_are_reported(agent, tmp_path):
    a = priv_agent(agent)
    if not _has_hook(MODULE_HOOK):
        # a kernel without CONFIG_MODULES has neither the syscalls nor their tracepoints
        assert "sys_exit_finit_module is missing on this kernel" in a.stderr_text()
        check_accounting(a)
        pytest.skip("no module syscalls on this kernel (CONFIG_MODULES=n)")
    me = os.getpid()
    notmod = tmp_path / "not-a-module.ko"
    notmod.write_bytes(b"this is not an ELF module\n" * 8)
    fd = os.open(notmod, os.O_RDONLY)
    try:
        r_finit = sc("finit_module", fd, b"vigil_param=1", 0)
    finally:
        os.close(fd)
    r_del = sc("delete_module", b"vigil_no_such_module", os.O_NONBLOCK)
    image = b"\x7fELFnot really"
    r_init = sc("init_module", image, len(image), b"a=1 b=2")
    assert r_finit < 0 and r_del == -errno.ENOENT and r_init < 0

    fin = a.wait_for(ev("module_load", me, "finit_module"))
    check_sys(fin, "finit_module", r_finit, errno.errorcode[-r_finit])
    assert fin["module"] == {"fd": fd, "path": str(notmod), "params": "vigil_param=1",
                             "flags": 0}
    dele = a.wait_for(ev("module_unload", me, "delete_module"))
    check_sys(dele, "delete_module", -errno.ENOENT, "ENOENT")
    assert dele["module"] == {"name": "vigil_no_such_module", "flags": os.O_NONBLOCK}
    ini = a.wait_for(ev("module_load", me, "init_module"))
    check_sys(ini, "init_module", r_init, errno.errorcode[-r_init])
    assert ini["module"] == {"size": len(image), "params": "a=1 b=2"}
    check_accounting(a)


# --- mounts and namespaces ---------------------------------------------------------------

def test_unshare_mount_umount_in_private_namespace(agent, tmp_path):
    a = priv_agent(agent)
    target = str(tmp_path)

    def mounts():
        return [sc("unshare", CLONE_NEWNS),
                sc("mount", b"none", b"/", None, MS_REC | MS_PRIVATE, None),
                sc("mount", b"vigil-tmpfs", target.encode(), b"tmpfs", MS_NOSUID | MS_NODEV,
                   b"size=1m"),
                sc("umount2", target.encode(), MNT_DETACH),
                sc("mount", b"none", b"/nonexistent-vigil-dir", b"tmpfs", 0, None)]

    pid, out = in_child(mounts)
    assert out == [0, 0, 0, 0, -errno.ENOENT]

    u = a.wait_for(ev("unshare", pid))
    check_sys(u, "unshare", 0)
    assert u["unshare"] == {"flags": ["CLONE_NEWNS"]}
    prop, tmpfs, bad = a.wait_all(ev("mount", pid, "mount"), 3)
    check_sys(prop, "mount", 0)
    assert prop["mount"]["source"] == "none" and prop["mount"]["target"] == "/"
    assert prop["mount"]["fstype"] is None
    assert sorted(prop["mount"]["flags"]) == ["MS_PRIVATE", "MS_REC"]
    check_sys(tmpfs, "mount", 0)
    assert tmpfs["mount"] == {"source": "vigil-tmpfs", "target": target, "fstype": "tmpfs",
                              "flags": ["MS_NOSUID", "MS_NODEV"]}
    check_sys(bad, "mount", -errno.ENOENT, "ENOENT")
    assert bad["mount"]["target"] == "/nonexistent-vigil-dir"
    um = a.wait_for(ev("umount", pid))
    check_sys(um, "umount2", 0)
    assert um["umount"] == {"target": target, "flags": ["MNT_DETACH"]}
    check_accounting(a)


def test_setns_names_the_namespace(agent, tmp_path):
    a = priv_agent(agent)
    net_ino = os.stat("/proc/self/ns/net").st_ino
    uts_ino = os.stat("/proc/self/ns/uts").st_ino
    plain = tmp_path / "plain-file"
    plain.write_text("x")

    def setns():
        fds = [os.open(p, os.O_RDONLY) for p in ("/proc/self/ns/net", "/proc/self/ns/uts",
                                                   str(plain))]
        return fds, [sc("setns", fds[0], CLONE_NEWNET), sc("setns", fds[1], 0),
                     sc("setns", fds[2], 0)]

    pid, (fds, rets) = in_child(setns)
    assert rets == [0, 0, -errno.EINVAL]
    net, uts, bad = a.wait_all(ev("setns", pid), 3)
    check_sys(net, "setns", 0)
    assert net["setns"] == {"fd": fds[0], "namespace": f"net:[{net_ino}]",
                            "nstype": ["CLONE_NEWNET"]}
    check_sys(uts, "setns", 0)
    assert uts["setns"] == {"fd": fds[1], "namespace": f"uts:[{uts_ino}]", "nstype": []}
    check_sys(bad, "setns", -errno.EINVAL, "EINVAL")
    assert bad["setns"] == {"fd": fds[2], "namespace": str(plain), "nstype": []}
    check_accounting(a)


def test_chroot_and_pivot_root(agent, tmp_path):
    a = priv_agent(agent)
    new_root = tmp_path / "newroot"
    new_root.mkdir()
    cage = tmp_path / "cage"
    cage.mkdir()

    def chroot():
        r = [sc("chroot", b"/nonexistent-vigil-root")]
        os.chroot(str(cage))
        return r

    def pivot():
        nr, old = str(new_root).encode(), str(new_root / "old").encode()
        os.mkdir(old)
        out = [sc("unshare", CLONE_NEWNS),
               sc("mount", b"none", b"/", None, MS_REC | MS_PRIVATE, None),
               sc("pivot_root", nr, old),  # on the root's mount: EBUSY, else EINVAL
               sc("mount", b"tmpfs", nr, b"tmpfs", 0, None)]
        os.mkdir(old)  # on the new tmpfs
        out.append(sc("pivot_root", nr, old))
        return out

    cpid, cout = in_child(chroot)
    assert cout == [-errno.ENOENT]
    ppid, pout = in_child(pivot)
    assert pout[:2] == [0, 0] and pout[2] in (-errno.EBUSY, -errno.EINVAL)
    assert pout[3:] == [0, 0]

    bad, ok = a.wait_all(ev("chroot", cpid), 2)
    check_sys(bad, "chroot", -errno.ENOENT, "ENOENT")
    assert bad["chroot"] == {"path": "/nonexistent-vigil-root"}
    check_sys(ok, "chroot", 0)
    assert ok["chroot"] == {"path": str(cage)}

    fail, done = a.wait_all(ev("pivot_root", ppid), 2)
    want = {"new_root": str(new_root), "put_old": str(new_root / "old")}
    check_sys(fail, "pivot_root", pout[2], errno.errorcode[-pout[2]])
    assert fail["pivot_root"] == want
    check_sys(done, "pivot_root", 0)
    assert done["pivot_root"] == want
    check_accounting(a)


# --- memfd, bpf, dup ---------------------------------------------------------------------

def test_memfd_create(agent):
    a = priv_agent(agent)
    me = os.getpid()
    fd = os.memfd_create("vigil-memfd-name", os.MFD_CLOEXEC | os.MFD_ALLOW_SEALING)
    os.close(fd)
    assert sc("memfd_create", b"vigil-bad-flags", 0x7ff00000) == -errno.EINVAL

    m = a.wait_for(lambda e: ev("memfd_create", me)(e) and
                   e["memfd"]["name"] == "vigil-memfd-name")
    check_sys(m, "memfd_create", fd)
    assert m["memfd"] == {"name": "vigil-memfd-name", "fd": fd,
                          "flags": ["MFD_CLOEXEC", "MFD_ALLOW_SEALING"]}
    bad = a.wait_for(lambda e: ev("memfd_create", me)(e) and
                     e["memfd"]["name"] == "vigil-bad-flags")
    check_sys(bad, "memfd_create", -errno.EINVAL, "EINVAL")
    assert bad["memfd"]["fd"] == -1
    check_accounting(a)


def test_bpf_commands(agent):
    a = priv_agent(agent)
    me = os.getpid()
    attr = (ctypes.c_uint32 * 32)()  # union bpf_attr, zero padded
    attr[0], attr[1], attr[2], attr[3] = 2, 4, 8, 1  # BPF_MAP_TYPE_ARRAY, 4, 8, 1 entry
    fd = sc("bpf", 0, attr, ctypes.sizeof(attr))
    assert fd >= 0
    os.close(fd)
    empty = (ctypes.c_uint32 * 32)()
    assert sc("bpf", 5, empty, ctypes.sizeof(empty)) == -errno.E2BIG  # PROG_LOAD, no insns

    mc = a.wait_for(ev("bpf", me, "bpf", ret=fd))
    check_sys(mc, "bpf", fd)
    assert mc["bpf"] == {"cmd": "BPF_MAP_CREATE"}
    pl = a.wait_for(ev("bpf", me, "bpf", ret=-errno.E2BIG))
    check_sys(pl, "bpf", -errno.E2BIG, "E2BIG")
    assert pl["bpf"] == {"cmd": "BPF_PROG_LOAD"}
    check_accounting(a)


def test_dup_reverse_shell_pattern(agent, tmp_path):
    """A connected socket dup2'd onto 0, 1 and 2 is reported; a file dup'd elsewhere is not."""
    a = priv_agent(agent)
    lst = socket.socket()
    lst.bind(("127.0.0.1", 0))
    lst.listen(1)
    plain = tmp_path / "plain"
    plain.write_text("x")

    def shell():
        s = socket.create_connection(lst.getsockname())
        f = os.open(plain, os.O_RDONLY)
        out = {"sock": s.fileno(), "file": f,
               "filedup": os.dup2(f, 50), "sockdup": sc("dup", s.fileno()),
               "cloexec": os.dup2(s.fileno(), 60, inheritable=False)}  # dup3(O_CLOEXEC)
        for n in (0, 1, 2):
            os.dup2(s.fileno(), n)
        out["memfd"] = os.memfd_create("vigil-fdt", 0)
        os.dup2(out["memfd"], 1)  # replaces the socket on stdout
        return out

    pid, out = in_child(shell)
    lst.close()
    sock = out["sock"]
    std = a.wait_all(lambda e: ev("dup", pid, "dup2")(e) and e["dup"]["oldfd"] == sock, 3)
    for n, e in enumerate(std):
        check_sys(e, "dup2", n)
        assert e["dup"] == {"oldfd": sock, "newfd": n, "old_is_socket": True,
                            "old_type": "socket", "cloexec": False, "fd_target": None}
    d = a.wait_for(ev("dup", pid, "dup"))
    check_sys(d, "dup", out["sockdup"])
    assert d["dup"]["old_is_socket"] is True and d["dup"]["newfd"] == out["sockdup"]
    d3 = a.wait_for(ev("dup", pid, "dup3"))
    check_sys(d3, "dup3", 60)
    assert d3["dup"] == {"oldfd": sock, "newfd": 60, "old_is_socket": True,
                         "old_type": "socket", "cloexec": True, "fd_target": None}
    # the fd table learnt the memfd from memfd_create, and the dup from the dup2
    mfd = a.wait_for(lambda e: ev("dup", pid, "dup2")(e) and e["dup"]["oldfd"] == out["memfd"])
    check_sys(mfd, "dup2", 1)
    assert mfd["dup"] == {"oldfd": out["memfd"], "newfd": 1, "old_is_socket": False,
                          "old_type": "file", "cloexec": False,
                          "fd_target": {"kind": "memfd", "name": "memfd:vigil-fdt",
                                        "cloexec": False}}
    # a file onto fd 50 is ordinary redirection
    assert not a.events(lambda e: ev("dup", pid)(e) and e["dup"]["newfd"] == 50)
    final = check_accounting(a)
    assert filtered_count(final, "irrelevant", "dup") >= 1


# --- prctl, personality ------------------------------------------------------------------

def test_prctl_and_personality(agent):
    a = priv_agent(agent)

    def calls():
        name = ctypes.create_string_buffer(16)
        return [sc("prctl", PR_SET_NAME, b"vigil-prname", 0, 0, 0),
                sc("prctl", PR_GET_NAME, name, 0, 0, 0),
                sc("prctl", PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0),
                sc("prctl", PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0),
                sc("personality", 0xffffffff),
                sc("personality", ADDR_NO_RANDOMIZE),
                sc("personality", 0xffffffff)]

    pid, out = in_child(calls)
    assert out[:4] == [0, 0, 0, -errno.EINVAL] and out[5] == out[4]
    name = a.wait_for(lambda e: ev("prctl", pid)(e) and e["prctl"]["option"] == "PR_SET_NAME")
    check_sys(name, "prctl", 0)
    assert name["prctl"]["name"] == "vigil-prname"
    assert name["prctl"]["arg2"] > 0  # the name's address
    nnp_ok, nnp_bad = a.wait_all(lambda e: ev("prctl", pid)(e) and
                                 e["prctl"]["option"] == "PR_SET_NO_NEW_PRIVS", 2)
    check_sys(nnp_ok, "prctl", 0)
    assert nnp_ok["prctl"] == {"option": "PR_SET_NO_NEW_PRIVS", "arg2": 1}
    check_sys(nnp_bad, "prctl", -errno.EINVAL, "EINVAL")
    assert nnp_bad["prctl"]["arg2"] == 2
    assert not a.events(lambda e: ev("prctl", pid)(e) and e["prctl"]["option"] == "PR_GET_NAME")

    pers = a.wait_all(ev("personality", pid), 1)
    assert len(a.events(ev("personality", pid))) == 1  # the queries are not reported
    check_sys(pers[0], "personality", out[4])
    assert pers[0]["personality"] == {"persona": ADDR_NO_RANDOMIZE,
                                      "flags": ["PER_LINUX", "ADDR_NO_RANDOMIZE"]}
    final = check_accounting(a)
    assert filtered_count(final, "irrelevant", "personality") >= 2
    assert filtered_count(final, "irrelevant", "prctl") >= 1


# --- containers --------------------------------------------------------------------------

def check_pod(e, c):
    assert e["container"] == {"id": c.id, "runtime": "unknown"}
    assert e["pod"] == {"uid": c.pod_uid, "qos": "besteffort"}
    assert e["attribution"] == "cgroup"
    assert e["cgroup"]["path"] == c.cgroup_path


def test_container_kill_and_unshare_attributed_to_pod(agent, container_factory):
    """busybox in a runc container signals a sibling and tries to unshare without
    CAP_SYS_ADMIN; runc's own setup (pivot_root into the rootfs) is attributed too."""
    a = priv_agent(agent)
    script = ("/bin/sleep 30 & /bin/busybox kill -USR1 $!; wait; "
              "/bin/busybox unshare -m /bin/true; exit 0")
    c = container_factory(["/bin/sh", "-c", script])
    rc, _, err = c.run(timeout=30)
    assert rc == 0, err

    k = a.wait_for(lambda e: e["type"] == "kill" and e.get("container", {}).get("id") == c.id
                   and e["kill"]["signal"] == "SIGUSR1", timeout=15)
    check_sys(k, "kill", 0)
    check_pod(k, c)
    assert k["process"]["comm"] == "busybox"
    # the pid as the container names it; a host pid is not resolved from inside a pid ns
    assert 1 < k["kill"]["pid"] < k["process"]["pid"]
    assert k["kill"]["target_pid"] is None

    u = a.wait_for(lambda e: e["type"] == "unshare" and
                   e.get("container", {}).get("id") == c.id and
                   e["syscall"]["ret"] == -errno.EPERM)
    check_sys(u, "unshare", -errno.EPERM, "EPERM")
    assert u["unshare"] == {"flags": ["CLONE_NEWNS"]}
    check_pod(u, c)

    pr = a.wait_for(lambda e: e["type"] == "pivot_root" and
                    e.get("container", {}).get("id") == c.id and e["syscall"]["ret"] == 0)
    check_pod(pr, c)
    assert pr["process"]["comm"].startswith("runc")
    check_accounting(a)


def test_scope_containers_leaves_host_calls_out(agent, container_factory):
    """--scope containers: a host setuid is counted as out of scope, a container's kill is
    reported."""
    a = agent("--events", "privilege", "--scope", "containers", "--stats-interval", "0")
    pid, _ = in_child(lambda: os.setuid(65534))
    c = container_factory(["/bin/sh", "-c", "/bin/sleep 30 & /bin/busybox kill -USR2 $!; wait"])
    rc, _, err = c.run(timeout=30)
    assert rc == 0, err
    k = a.wait_for(lambda e: e["type"] == "kill" and e.get("container", {}).get("id") == c.id
                   and e["kill"]["signal"] == "SIGUSR2", timeout=15)
    check_pod(k, c)
    assert not a.events(lambda e: e["process"]["pid"] == pid)
    final = check_accounting(a)
    assert filtered_count(final, "scope", "setuid") >= 1
