"""Falco's stable rules (falco_rules.yaml) run by vigil against real actions.

For each of the 25 rules: a real process in a runc container (busybox, plus a small static
helper for the syscalls busybox cannot make, see rules_tool.c) does what the rule is about, and
vigil must raise exactly the expected rules for that container, in Falco's alert format; then a
close variant that is not an attack must raise none. Absence is only judged once vigil has
written the benign action's own event and the exit of the container's init, which comes after
it in the stream: a slow agent fails the test instead of passing it.

The rule file is the oracle for priorities, tags and output templates; the triggers are built
from reading each rule's condition with vigil's field semantics (src/agent/rules_fields.h).
"""

import contextlib
import json
import os
import shutil
import socket
import subprocess
import uuid

import pytest

import rules_triggers as rt
from agent import Agent

if not os.path.exists(rt.RULES_FILE):
    pytest.skip(f"Falco's stable rules not found at {rt.RULES_FILE} (set VIGIL_STABLE_RULES)",
                allow_module_level=True)
RULES = rt.load_rules()
PORT_RE = "{port}"
MODULE_HOOK = "syscalls/sys_exit_finit_module"
TRACEFS = ("/sys/kernel/tracing", "/sys/kernel/debug/tracing")
K8S_API_NAME = "kubernetes.default.svc.cluster.local"


class Run:
    """One container: a `sh -c` script or an argv, and its settings (rt.configure: caps,
    uid, host_net, shm_exec, terminal; pod: one of the metadata pods)."""

    def __init__(self, script, pod=None, **cfg):
        self.args = ["/bin/sh", "-c", script] if isinstance(script, str) else list(script)
        self.pod, self.cfg = pod, cfg


def saw(etype, **want):
    """The evidence that an action happened: a vigil event of etype in the container, with
    the members given (file__path: e["file"]["path"])."""
    def make(cid):
        def pred(e):
            if rt.is_alert(e) or e["type"] != etype or e["container"]["id"] != cid:
                return False
            for k, v in want.items():
                x = e
                for part in k.split("__"):
                    x = x[part]
                if x != v:
                    return False
            return True
        return pred
    return make


class Case:
    """A rule's trigger and benign variant. fields: output_fields values one of the rule's
    alerts must have (a list: each dict matched by some alert; a callable value is a
    predicate). also: other rules the trigger rightly raises too. needs: a function giving a
    reason to skip, or None."""

    def __init__(self, rule, trigger, fields, evidence, benign, benign_evidence, also=(),
                 needs=None):
        assert rule in RULES, rule
        self.rule, self.trigger, self.evidence = rule, trigger, evidence
        self.fields = fields if isinstance(fields, list) else [fields]
        self.benign, self.benign_evidence = benign, benign_evidence
        self.expect = {rule, *also}
        self.needs = needs


def module_hook_missing():
    if any(os.path.exists(os.path.join(t, "events", MODULE_HOOK)) for t in TRACEFS):
        return None
    return ("no module syscalls on this kernel (CONFIG_MODULES=n: no sys_exit_finit_module "
            "tracepoint), so vigil cannot see init_module/finit_module")


def has_cap(name):
    return lambda v: isinstance(v, str) and name in v.upper().replace(",", " ").split()


TOOL = rt.TOOL
SHM_PAYLOAD = ("/bin/cp /opt/app/payload.sh {d}/p.sh && /bin/sh {d}/p.sh && "
               "/bin/cp /bin/busybox {d}/true && {d}/true")
SSH = ("/bin/ip link set lo up && /bin/ip addr add 198.51.100.7/32 dev lo && "
       "/usr/bin/ssh 198.51.100.7 {}")
TRAVERSAL = "/opt/app/../../etc/passwd"

CASES = [
    Case("Directory traversal monitored file read",
         Run(f"/opt/app/nginx spawn /bin/cat {TRAVERSAL}"),
         {"proc.name": "cat", "proc.pname": "nginx", "fd.name": "/etc/passwd",
          "fd.nameraw": TRAVERSAL, "evt.type": "openat"},
         saw("open", process__comm="cat", file__requested=TRAVERSAL),
         Run("/opt/app/nginx spawn /bin/cat /opt/../etc/passwd"),  # one ../: not the glob
         saw("open", process__comm="cat", file__requested="/opt/../etc/passwd")),
    Case("Read sensitive file trusted after startup",
         Run("/opt/app/nginx read 6 /etc/shadow"),
         {"proc.name": "nginx", "fd.name": "/etc/shadow", "evt.type": "openat"},
         saw("open", process__comm="nginx", file__path="/etc/shadow"),
         Run("/opt/app/sshd read 6 /etc/shadow"),  # sshd: excluded by name, trusted reader
         saw("open", process__comm="sshd", file__path="/etc/shadow"),
         also={"Read sensitive file untrusted"}),  # nginx is in none of its trusted lists
    Case("Read sensitive file untrusted",
         Run("/bin/cat /etc/shadow"),
         {"proc.name": "cat", "fd.name": "/etc/shadow", "user.name": "root", "user.uid": 0},
         saw("open", process__comm="cat", file__path="/etc/shadow"),
         Run("read -r line < /etc/shadow"),  # a shell: shell_binaries are trusted
         saw("open", process__comm="sh", file__path="/etc/shadow")),
    Case("Run shell untrusted",
         Run("/opt/app/nginx spawn /bin/sh -c 'echo compromised'"),
         {"proc.name": "sh", "proc.pname": "nginx", "proc.cmdline": "sh -c echo compromised"},
         saw("exec", process__arguments=["/bin/sh", "-c", "echo compromised"]),
         Run("/opt/app/myapp spawn /bin/sh -c 'echo fine'"),
         saw("exec", process__arguments=["/bin/sh", "-c", "echo fine"])),
    Case("System user interactive",
         Run("/opt/app/sshd spawn /bin/id", uid=65534),
         {"proc.name": "id", "proc.pname": "sshd", "user.name": "nobody", "user.uid": 65534},
         saw("exec", process__comm="id", process__uid=65534),
         Run("/opt/app/sshd spawn /bin/id"),  # the same session as root: not a system user
         saw("exec", process__comm="id", process__uid=0)),
    Case("Terminal shell in container",
         Run(["/bin/sh", "-c", "exit 0"], terminal=True),
         {"proc.name": "sh", "proc.pname": "runc:[0:PARENT]", "proc.tty": 34816},
         saw("exec", process__comm="sh", process__tty=34816),  # /dev/pts/0
         Run(["/bin/sh", "-c", "exit 0"]),
         saw("exec", process__comm="sh", process__tty=0)),
    Case("Netcat Remote Code Execution in Container",
         Run("/bin/nc 127.0.0.1 4444 -e /bin/sh"),
         {"proc.name": "nc", "proc.cmdline": "nc 127.0.0.1 4444 -e /bin/sh"},
         saw("exec", process__comm="nc"),
         Run("/bin/nc -w 1 127.0.0.1 4444"),
         saw("exec", process__comm="nc")),
    Case("Search Private Keys or Passwords",
         Run("/bin/grep -rl 'BEGIN RSA PRIVATE' /root"),
         {"proc.name": "grep", "proc.cmdline": "grep -rl BEGIN RSA PRIVATE /root"},
         saw("exec", process__comm="grep"),
         Run("/bin/grep -rl 'BEGIN CERTIFICATE' /root"),
         saw("exec", process__comm="grep")),
    Case("Clear Log Activities",
         Run(": > /var/log/auth.log"),
         {"proc.name": "sh", "fd.name": "/var/log/auth.log"},
         saw("open", file__path="/var/log/auth.log"),
         Run("echo line >> /var/log/auth.log"),  # appending, not truncating
         saw("open", file__path="/var/log/auth.log")),
    Case("Remove Bulk Data from Disk",
         Run("echo data > /tmp/data && /bin/shred -u /tmp/data"),
         {"proc.name": "shred", "proc.cmdline": "shred -u /tmp/data"},
         saw("exec", process__comm="shred"),
         Run("echo data > /tmp/data && /bin/rm /tmp/data"),
         saw("exec", process__comm="rm")),
    Case("Create Symlink Over Sensitive Files",
         Run("/bin/ln -s /etc/shadow /tmp/shadow-link"),
         {"proc.name": "ln", "evt.arg.target": "/etc/shadow",
          "evt.arg.linkpath": "/tmp/shadow-link"},
         saw("symlink", file__target="/etc/shadow"),
         Run("/bin/ln -s /etc/passwd /tmp/passwd-link"),
         saw("symlink", file__target="/etc/passwd")),
    Case("Create Hardlink Over Sensitive Files",
         Run("/bin/ln /etc/shadow /root/shadow-link && /bin/rm /root/shadow-link"),
         {"proc.name": "ln", "evt.arg.oldpath": "/etc/shadow",
          "evt.arg.newpath": "/root/shadow-link"},
         saw("link", file__requested="/etc/shadow", syscall__ret=0),
         Run("/bin/ln /etc/passwd /root/passwd-link && /bin/rm /root/passwd-link"),
         saw("link", file__requested="/etc/passwd", syscall__ret=0)),
    Case("Packet socket created in container",
         Run([TOOL, "packet"], caps=["CAP_NET_RAW"]),
         {"proc.name": "vtool", "evt.type": "socket"},
         saw("socket", socket__family="AF_PACKET", syscall__ret=3),
         Run([TOOL, "udp"], caps=["CAP_NET_RAW"]),
         saw("socket", socket__family="AF_INET", syscall__ret=3)),
    Case("Redirect STDOUT/STDIN to Network Connection in Container",
         Run([TOOL, "connect", "127.0.0.1", PORT_RE, "0", "1", "2"], host_net=True),
         {"proc.name": "vtool", "evt.type": "dup2", "fd.type": "ipv4"},
         saw("dup", dup__newfd=2, dup__old_is_socket=True),
         Run([TOOL, "connect", "127.0.0.1", PORT_RE, "10"], host_net=True),  # not onto 0-2
         saw("dup", dup__newfd=10, dup__old_is_socket=True)),
    Case("Linux Kernel Module Injection Detected",
         Run([TOOL, "finit", "/etc/passwd"], caps=["CAP_SYS_MODULE"]),
         {"proc.name": "vtool", "evt.type": "finit_module"},
         saw("module_load", syscall__name="finit_module"),
         Run([TOOL, "finit", "/etc/passwd"]),  # without CAP_SYS_MODULE
         saw("module_load", syscall__name="finit_module"),
         needs=module_hook_missing),
    Case("Debugfs Launched in Privileged Container",
         Run("/bin/debugfs -w /dev/sda1", pod="privileged"),
         {"proc.name": "debugfs", "proc.cmdline": "debugfs -w /dev/sda1"},
         saw("exec", process__comm="debugfs"),
         Run("/bin/debugfs -w /dev/sda1", pod="unprivileged"),
         saw("exec", process__comm="debugfs")),
    Case("Detect release_agent File Container Escapes",
         Run("/bin/mkdir /tmp/cg && echo /x > /tmp/cg/release_agent", caps=["CAP_SYS_ADMIN"]),
         {"proc.name": "sh", "fd.name": "/tmp/cg/release_agent",
          "thread.cap_effective": has_cap("CAP_SYS_ADMIN")},
         saw("open", file__path="/tmp/cg/release_agent"),
         Run("/bin/mkdir /tmp/cg && echo /x > /tmp/cg/release_agent"),  # no CAP_SYS_ADMIN
         saw("open", file__path="/tmp/cg/release_agent")),
    Case("PTRACE attached to process",
         Run([TOOL, "attach"]),
         {"proc.name": "vtool", "evt.type": "ptrace"},
         saw("ptrace", ptrace__request="PTRACE_ATTACH", syscall__ret=0),
         Run([TOOL, "peek"]),  # a request that neither attaches nor writes
         saw("ptrace", ptrace__request="PTRACE_PEEKDATA")),
    Case("PTRACE anti-debug attempt",
         Run([TOOL, "traceme"]),
         {"proc.name": "vtool", "evt.type": "ptrace"},
         saw("ptrace", ptrace__request="PTRACE_TRACEME", syscall__ret=0),
         Run([TOOL, "peek"]),
         saw("ptrace", ptrace__request="PTRACE_PEEKDATA")),
    Case("Find AWS Credentials",
         Run("/bin/grep -ri aws_secret_access_key /root"),
         {"proc.name": "grep", "proc.cmdline": "grep -ri aws_secret_access_key /root"},
         saw("exec", process__comm="grep"),
         Run("/bin/grep -ri region /root"),
         saw("exec", process__comm="grep")),
    Case("Execution from /dev/shm",
         Run(SHM_PAYLOAD.format(d="/dev/shm"), shm_exec=True),
         [{"proc.name": "sh", "proc.cmdline": "sh /dev/shm/p.sh"},
          {"proc.name": "true", "proc.exepath": "/dev/shm/true"}],
         saw("exec", process__binary="/dev/shm/true"),
         Run(SHM_PAYLOAD.format(d="/tmp"), shm_exec=True),
         saw("exec", process__binary="/tmp/true")),
    Case("Disallowed SSH Connection Non Standard Port",
         Run(SSH.format(443), caps=["CAP_NET_ADMIN"]),
         {"proc.name": "ssh", "fd.rport": 443, "fd.l4proto": "tcp", "fd.type": "ipv4",
          "evt.type": "connect"},
         saw("connect", remote__port=443, syscall__ret=0),
         Run(SSH.format(22), caps=["CAP_NET_ADMIN"]),  # the standard port
         saw("connect", remote__port=22, syscall__ret=0)),
    Case("Fileless execution via memfd_create",
         Run([TOOL, "memexec", "/bin/busybox", "true"]),
         {"proc.exepath": "memfd:payload", "proc.name": "memfd:payload"},
         saw("exec", process__memfd=True),
         Run([TOOL, "fileexec", "/bin/busybox", "/tmp/payload", "true"]),  # a file's fd
         saw("exec", process__exec_fd=True, process__memfd=False)),
]


# -- fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def rootfs(tmp_path_factory):
    """This module's own rootfs (overrides conftest's): busybox plus the triggers' files."""
    if not shutil.which("gcc"):
        pytest.skip("gcc is needed to build rules_tool.c static (apt-get install gcc libc6-dev)")
    d = tmp_path_factory.mktemp("rules-rootfs")
    return rt.build_rootfs(str(d / "rootfs"), rt.build_tool(str(d)))


@pytest.fixture(scope="module")
def pods(tmp_path_factory):
    """Two pods for static metadata: one privileged, one not; (ids by name, metadata file)."""
    ids = {name: (str(uuid.uuid4()), uuid.uuid4().hex + uuid.uuid4().hex)
           for name in ("privileged", "unprivileged")}
    lines = ["pods:"]
    for name, (uid, cid) in ids.items():
        lines += [f"  - uid: {uid}", f"    name: rules-{name}", "    namespace: default",
                  "    containers:", f"      - id: {cid}", "        name: main",
                  "        image: busybox:1.35", f"        privileged: {name == 'privileged'}"]
    path = tmp_path_factory.mktemp("meta") / "metadata.yaml"
    path.write_text("\n".join(lines) + "\n")
    return ids, str(path)


@pytest.fixture(scope="module")
def listener():
    """A TCP listener on the host's loopback; connections complete in its backlog."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    yield s.getsockname()[1]
    s.close()


def start_agent(vigil_binary, *extra, events="all"):
    return Agent(["--rules", rt.RULES_FILE, "--events", events, "--no-kubernetes",
                  "--stats-interval", "0", *extra], binary=vigil_binary).start()


@pytest.fixture(scope="module")
def shared(vigil_binary, pods):
    """One agent for the module: the stable rules, every event (the evidence), the pods."""
    a = start_agent(vigil_binary, "--metadata", pods[1])
    yield a
    a.stop()


@pytest.fixture
def make(container_factory, pods, listener):
    def mk(run):
        kw = {}
        if run.pod:
            kw["pod_uid"], kw["container_id"] = pods[0][run.pod]
        args = [x.replace(PORT_RE, str(listener)) for x in run.args]
        return rt.configure(container_factory(args, **kw), **run.cfg)
    return mk


# -- running a case -----------------------------------------------------------------------------

def launch(c, run):
    """Start container c (a terminal one in the foreground); returns its init pid or None."""
    if run.cfg.get("terminal"):
        return rt.run_tty(c)[0]
    return rt.start(c)


def settle(a, c, pid, evidence):
    """Wait for the action's own event and for the exit of the container's init, after which
    every alert of the container has been written. Returns the action's event."""
    action = a.wait_for(evidence(c.id), timeout=15)
    if pid is None:  # the init ended before runc could be asked: its exec is the first
        pid = a.wait_for(saw("exec")(c.id))["process"]["pid"]
    a.wait_for(lambda e: not rt.is_alert(e) and e["type"] == "exit"
               and e["process"]["pid"] == pid, timeout=15)
    return action


def fields_of(case, port):
    return [{k: (port if v == PORT_RE else v) for k, v in f.items()} for f in case.fields]


def check_fields(alerts, want):
    for f in want:
        def ok(a):
            got = a["output_fields"]
            return all((v(got.get(k)) if callable(v) else got.get(k) == v)
                       for k, v in f.items())
        assert any(ok(a) for a in alerts), json.dumps([f, [a["output_fields"] for a in alerts]],
                                                      default=str)


def check_case(a, case, make, port):
    trig, ben = make(case.trigger), make(case.benign)
    bpid = launch(ben, case.benign)
    tpid = launch(trig, case.trigger)
    for c in (ben, trig):
        if c.status() is not None:
            rt.finish(c)
    action = settle(a, trig, tpid, case.evidence)
    a.wait_for(lambda e: rt.is_alert(e) and e["rule"] == case.rule
               and rt.vigil_of(e, "container", "id") == trig.id, timeout=10)
    got = rt.alerts_in(a, trig.id)
    assert {x["rule"] for x in got} == case.expect, [x["output"] for x in got]
    main = [x for x in got if x["rule"] == case.rule]
    for x in main:
        rt.check_alert(x, RULES[case.rule])
    # raised for the process that acted, by the event that shows the action
    assert action["process"]["pid"] in {rt.vigil_of(x, "process", "pid") for x in main}
    check_fields(main, fields_of(case, port))
    settle(a, ben, bpid, case.benign_evidence)
    assert rt.alerts_in(a, ben.id) == [], [x["output"] for x in rt.alerts_in(a, ben.id)]


@pytest.mark.parametrize("case", CASES, ids=[c.rule for c in CASES])
def test_stable_rule(case, shared, make, listener):
    reason = case.needs() if case.needs else None
    if reason:
        pytest.skip(reason)
    check_case(shared, case, make, listener)


def test_redirect_alert_describes_the_socket(shared, make, listener):
    """The reverse-shell alert names the connection as Falco does (the fd table knows it)."""
    case = next(c for c in CASES if c.rule.startswith("Redirect STDOUT"))
    c = make(case.trigger)
    settle(shared, c, rt.run(c)[0], case.evidence)
    lport = shared.wait_for(saw("connect")(c.id))["local"]["port"]
    alerts = rt.alerts_in(shared, c.id)
    assert len(alerts) == 3
    check_fields(alerts, [{"fd.name": f"127.0.0.1:{lport}->127.0.0.1:{listener}",
                           "fd.l4proto": "tcp", "fd.lport": lport, "fd.rport": listener,
                           "fd.sip": "127.0.0.1"}])


# -- rules that need more than one agent ------------------------------------------------------

K8S_CASE = Case(
    "Contact K8S API Server From Container",
    Run([TOOL, "connect", "127.0.0.2", PORT_RE], host_net=True),
    {"proc.name": "vtool", "evt.type": "connect", "fd.rport": PORT_RE, "fd.type": "ipv4",
     "fd.l4proto": "tcp"},
    saw("connect", remote__address="127.0.0.2", syscall__ret=0),
    Run([TOOL, "connect", "127.0.0.3", PORT_RE], host_net=True),  # another service
    saw("connect", remote__address="127.0.0.3", syscall__ret=0))


@contextlib.contextmanager
def hosts_entry(line):
    """/etc/hosts with one more line, restored afterwards (written in place: it may be a bind
    mount)."""
    with open("/etc/hosts") as f:
        saved = f.read()
    try:
        with open("/etc/hosts", "a") as f:
            f.write(("" if saved.endswith("\n") else "\n") + line + "\n")
        yield
    finally:
        with open("/etc/hosts", "w") as f:
            f.write(saved)


def test_contact_k8s_api_server(vigil_binary, make, listener):
    """fd.sip.name is resolved by the node: kubernetes.default.svc.cluster.local is made to
    name 127.0.0.2 in /etc/hosts before the agent starts, and a service listens there."""
    servers = []
    for ip in ("127.0.0.2", "127.0.0.3"):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((ip, listener))
        s.listen(4)
        servers.append(s)
    try:
        with hosts_entry(f"127.0.0.2 {K8S_API_NAME}"):
            a = start_agent(vigil_binary)
            try:
                check_case(a, K8S_CASE, make, listener)
            finally:
                a.stop()
    finally:
        for s in servers:
            s.close()


def test_rules_stable_covered():
    """Every rule of the file has a case here (or is the skipped one)."""
    covered = {c.rule for c in CASES} | {K8S_CASE.rule, DROP_EXEC}
    assert covered == set(RULES)


DROP_EXEC = "Drop and execute new binary in container"


@contextlib.contextmanager
def overlay_rootfs(lower, tmp):
    """An overlay mount of the module's rootfs, as container runtimes build a container's root
    from its image: lower is the image, writes land in the upper layer."""
    upper, work, merged = (os.path.join(tmp, d) for d in ("upper", "work", "merged"))
    for d in (upper, work, merged):
        os.makedirs(d)
    subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                    f"lowerdir={lower},upperdir={upper},workdir={work}", merged],
                   check=True, capture_output=True)
    try:
        yield merged
    finally:
        subprocess.run(["umount", "-l", merged], capture_output=True)


def test_drop_and_execute_new_binary(shared, vigil_binary, rootfs, runc_root, tmp_path):
    """proc.is_exe_upper_layer: a binary written into a container whose root is an overlay
    (the upper layer) and run raises the rule; the image's own binary (the lower layer), run
    the same way, does not. Both load: the stable file loads whole."""
    import runc_env
    p = subprocess.run([vigil_binary, "rules", "validate", rt.RULES_FILE],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    assert "25 rules: 25 loaded (0 disabled), 0 skipped, 0 failed" in p.stdout + p.stderr
    with overlay_rootfs(rootfs, str(tmp_path)) as merged:
        made = []
        try:
            def container(script):
                c = runc_env.Container(merged, runc_root, ["/bin/sh", "-c", script],
                                       private_tmp=False, bundle_parent=str(tmp_path))
                made.append(c)
                return c
            ben = container("/bin/busybox true")
            trig = container("/bin/busybox cp /bin/busybox /bin/dropped && /bin/dropped true")
            bpid, tpid = rt.start(ben), rt.start(trig)
            for c in (ben, trig):
                rt.finish(c)
            run = settle(shared, trig, tpid, saw("exec", process__binary="/bin/dropped"))
            assert run["process"]["exe_upper_layer"] is True
            alert = shared.wait_for(lambda e: rt.is_alert(e) and e["rule"] == DROP_EXEC
                                    and rt.vigil_of(e, "container", "id") == trig.id)
            rt.check_alert(alert, RULES[DROP_EXEC])
            assert alert["output_fields"]["proc.name"] == "dropped"
            assert alert["output_fields"]["proc.exepath"] == "/bin/dropped"
            assert {x["rule"] for x in rt.alerts_in(shared, trig.id)} == {DROP_EXEC}
            own = settle(shared, ben, bpid, saw("exec", process__binary="/bin/busybox"))
            assert own["process"]["exe_upper_layer"] is False
            assert rt.alerts_in(shared, ben.id) == []
        finally:
            for c in made:
                c.delete()


def test_alerts_without_events(vigil_binary, make, listener):
    """--events none: no event lines, yet the rules still get every kind of event they need
    (exec, open, symlink, socket, connect and dup through the fd table, ptrace)."""
    picked = ("Read sensitive file untrusted", "Netcat Remote Code Execution in Container",
              "Create Symlink Over Sensitive Files", "Packet socket created in container",
              "Redirect STDOUT/STDIN to Network Connection in Container",
              "PTRACE anti-debug attempt")
    cases = [c for c in CASES if c.rule in picked]
    a = start_agent(vigil_binary, events="none")
    try:
        for case in cases:
            c = make(case.trigger)
            rt.run(c)
            for rule in case.expect:
                a.wait_for(lambda e: e.get("rule") == rule
                           and rt.vigil_of(e, "container", "id") == c.id, timeout=15)
            assert {x["rule"] for x in rt.alerts_in(a, c.id)} == case.expect
        assert all(rt.is_alert(e) for e in a.events())
    finally:
        a.stop()
