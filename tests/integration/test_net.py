"""Network events end to end: the real BPF programs, real sockets from real processes
(python scripts on the host, busybox in runc containers), every decoded field asserted.

Each test ends by checking the final stats: for every network type the kernel's seen count
is emitted + ring buffer drops + the filtered reasons, and user space received what the
kernel emitted.
"""

import errno
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading

import pytest

from agent import all_of, in_pod, is_type

PY = sys.executable
RFC3339_NS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")
NET_TYPES = ("socket", "connect", "accept", "bind", "listen", "udp_send", "tcp_state", "dns")


# -- helpers ---------------------------------------------------------------------------------

def start_agent(agent, *extra):
    """vigil with network and process events (process events give the full process object
    of a script started after the agent)."""
    return agent("--events", "network,process", "--stats-interval", "0", *extra)


def run_script(code, *args, timeout=20):
    """Run python code in a new process; returns (pid, parsed JSON of its last stdout line)."""
    p = subprocess.run([PY, "-c", code, *map(str, args)], capture_output=True, text=True,
                       timeout=timeout)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout.strip().splitlines()[-1])
    return out["pid"], out


def of(t, pid):
    return lambda e: e["type"] == t and e["process"]["pid"] == pid


def check_sys(ev, t, pid, name, ret=0, error=""):
    """The members every network event carries."""
    assert ev["schema"] == "vigil/v1"
    assert ev["type"] == t
    assert RFC3339_NS.match(ev["time"]), ev["time"]
    assert ev["node"] and ev["seq"] >= 1 and ev["cpu"] >= 0
    assert ev["process"]["pid"] == pid
    assert ev["process"]["binary"] == os.path.realpath(PY)
    assert ev["cgroup"]["id"] > 0
    assert ev["attribution"] == "host"
    if t == "tcp_state":  # not made by a syscall: no syscall object
        assert "syscall" not in ev
        return
    s = ev["syscall"]
    assert s["name"] == name
    assert isinstance(s["nr"], int)
    assert s["ret"] == ret
    assert s["error"] == error
    assert s["tid"] == pid
    assert (s["uid"], s["euid"]) == (0, 0)


def inet(family, address, port):
    d = {"family": family, "address": address, "port": port}
    if family == "AF_INET6":
        d["scope_id"] = 0
    return d


def sock(fd, family, stype, proto, **flags):
    return dict({"fd": fd, "family": family, "type": stype, "protocol": proto}, **flags)


def check_stats(final):
    """Accounting identity per network type, and the agent received every record. Zero
    counters are left out of the stats record."""
    assert final is not None, "no final stats record"
    k, drops = final["kernel"], final["drops"]["ringbuf_full"]
    for t in NET_TYPES:
        filtered = sum(k["filtered"][r].get(t, 0) for r in k["filtered"])
        emitted = k["emitted"].get(t, 0)
        assert k["seen"].get(t, 0) == emitted + drops.get(t, 0) + filtered, (t, k)
        if not drops.get(t):
            assert final["events"].get(t, 0) == emitted, t
    return k


# -- TCP -------------------------------------------------------------------------------------

TCP_PAIR = r"""
import json, os, socket, sys
fam = socket.AF_INET6 if sys.argv[1] == "6" else socket.AF_INET
host = "::1" if fam == socket.AF_INET6 else "127.0.0.1"
srv = socket.socket(fam, socket.SOCK_STREAM)
srv.bind((host, 0))
srv.listen(7)
c = socket.socket(fam, socket.SOCK_STREAM)
c.connect((host, srv.getsockname()[1]))
a, _ = srv.accept()
c.sendall(b"ping")
a.recv(4)
print(json.dumps({"pid": os.getpid(), "srv_fd": srv.fileno(), "cli_fd": c.fileno(),
                  "acc_fd": a.fileno(), "port": srv.getsockname()[1],
                  "cport": c.getsockname()[1]}))
"""


@pytest.mark.parametrize("v", ["4", "6"])
def test_tcp_bind_listen_connect_accept(agent, v):
    """One process: socket, bind to port 0, listen, connect, accept, every field."""
    a = start_agent(agent)
    pid, o = run_script(TCP_PAIR, v)
    fam, host = ("AF_INET6", "::1") if v == "6" else ("AF_INET", "127.0.0.1")
    tcp = dict(family=fam, stype="SOCK_STREAM", proto="tcp")
    srv_local, cli_local = inet(fam, host, o["port"]), inet(fam, host, o["cport"])

    socks = a.wait_all(of("socket", pid), 2)
    for ev, fd in zip(socks, (o["srv_fd"], o["cli_fd"])):
        check_sys(ev, "socket", pid, "socket", ret=fd)
        assert ev["socket"] == sock(fd, fam, "SOCK_STREAM", "tcp", nonblock=False,
                                    cloexec=True)  # python opens every fd O_CLOEXEC
        assert "local" not in ev and "remote" not in ev

    ev = a.wait_for(of("bind", pid))
    check_sys(ev, "bind", pid, "bind")
    assert ev["socket"] == sock(o["srv_fd"], **tcp)
    assert ev["local"] == srv_local  # port 0 was asked for: the one the kernel chose
    assert "remote" not in ev

    ev = a.wait_for(of("listen", pid))
    check_sys(ev, "listen", pid, "listen")
    assert ev["socket"] == sock(o["srv_fd"], **tcp)
    assert ev["local"] == srv_local
    assert ev["backlog"] == 7

    ev = a.wait_for(of("connect", pid))
    check_sys(ev, "connect", pid, "connect")
    assert ev["socket"] == sock(o["cli_fd"], **tcp)
    assert ev["remote"] == srv_local
    assert ev["local"] == cli_local

    ev = a.wait_for(of("accept", pid))
    check_sys(ev, "accept", pid, "accept4", ret=o["acc_fd"])
    assert ev["socket"] == sock(o["acc_fd"], fam, "SOCK_STREAM", "tcp", nonblock=False,
                                cloexec=True)
    assert ev["local"] == srv_local
    assert ev["remote"] == cli_local
    _, _, final = a.stop()
    check_stats(final)


REFUSED = r"""
import errno, json, os, socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()  # nobody listens on port now
c = socket.socket()
err = c.connect_ex(("127.0.0.1", port))
assert err == errno.ECONNREFUSED, err
print(json.dumps({"pid": os.getpid(), "port": port, "fd": c.fileno()}))
"""


def test_connect_refused(agent):
    """The kernel clears the sock's destination on failure; the remote comes from the
    syscall's argument and is still reported."""
    a = start_agent(agent)
    pid, o = run_script(REFUSED)
    ev = a.wait_for(of("connect", pid))
    check_sys(ev, "connect", pid, "connect", ret=-errno.ECONNREFUSED, error="ECONNREFUSED")
    assert ev["socket"] == sock(o["fd"], "AF_INET", "SOCK_STREAM", "tcp")
    assert ev["remote"] == inet("AF_INET", "127.0.0.1", o["port"])
    assert ev["local"] == inet("AF_INET", "0.0.0.0", 0)  # the failed connect unbound it
    # a refused sock never reaches a state that needs an owner: no tcp_state after CLOSE
    states = [(e["tcp"]["old_state"], e["tcp"]["new_state"])
              for e in a.events(of("tcp_state", pid))]
    assert states[:2] == [("CLOSE", "SYN_SENT"), ("SYN_SENT", "CLOSE")], states
    _, _, final = a.stop()
    check_stats(final)


TCP_SERVER = r"""
import json, os, socket, sys
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
print(json.dumps({"pid": os.getpid(), "port": srv.getsockname()[1]}), flush=True)
conn, _ = srv.accept()
conn.sendall(b"A")  # accepted: from now on the socket has an owner
while conn.recv(100):
    pass
conn.close()
srv.close()
"""

TCP_CLIENT = r"""
import json, os, socket, sys
c = socket.socket()
c.connect(("127.0.0.1", int(sys.argv[1])))
c.sendall(b"hello")
assert c.recv(1) == b"A"  # close only once the server owns its end
port = c.getsockname()[1]
c.close()
print(json.dumps({"pid": os.getpid(), "cport": port}))
"""


def test_tcp_state_owner(agent):
    """Transitions of both ends of a connection, each attributed to the process that owns
    the socket, although the peer's softirq work often runs them in the other process."""
    a = start_agent(agent)
    server = subprocess.Popen([PY, "-c", TCP_SERVER], stdout=subprocess.PIPE, text=True)
    first = json.loads(server.stdout.readline())
    spid, port = first["pid"], first["port"]
    cpid, o = run_script(TCP_CLIENT, port)
    server.communicate(timeout=10)
    assert server.returncode == 0

    def states(pid, n):
        evs = a.wait_all(of("tcp_state", pid), n)
        return evs, [(e["tcp"]["old_state"], e["tcp"]["new_state"]) for e in evs]

    cevs, cst = states(cpid, 5)
    assert cst == [("CLOSE", "SYN_SENT"), ("SYN_SENT", "ESTABLISHED"),
                   ("ESTABLISHED", "FIN_WAIT1"), ("FIN_WAIT1", "FIN_WAIT2"),
                   ("FIN_WAIT2", "CLOSE")], cst
    for ev in cevs:
        check_sys(ev, "tcp_state", cpid, "unknown")  # no syscall: the owner's identity
        assert ev["socket"] == sock(-1, "AF_INET", "SOCK_STREAM", "tcp")
        assert ev["remote"] == inet("AF_INET", "127.0.0.1", port)
        assert ev["local"]["address"] == "127.0.0.1"
    assert [e["local"]["port"] for e in cevs[1:]] == [o["cport"]] * 4

    sevs, sst = states(spid, 5)
    assert sst == [("CLOSE", "LISTEN"), ("ESTABLISHED", "CLOSE_WAIT"),
                   ("CLOSE_WAIT", "LAST_ACK"), ("LAST_ACK", "CLOSE"),
                   ("LISTEN", "CLOSE")], sst
    for ev in sevs[1:4]:  # the accepted socket, owned from accept() on
        check_sys(ev, "tcp_state", spid, "unknown")
        assert ev["local"] == inet("AF_INET", "127.0.0.1", port)
        assert ev["remote"] == inet("AF_INET", "127.0.0.1", o["cport"])
    assert sevs[0]["local"] == sevs[4]["local"] == inet("AF_INET", "127.0.0.1", port)
    _, _, final = a.stop()
    check_stats(final)


# -- unix, packet and raw sockets ------------------------------------------------------------

UNIX = r"""
import json, os, socket, sys
path = sys.argv[1]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(3)
c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
c.connect(path)
acc, _ = srv.accept()
abs_srv = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
abs_srv.bind(b"\0vigil-abstract\0x")  # abstract names are bytes and may hold NULs
abs_cli = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
abs_cli.connect(b"\0vigil-abstract\0x")
print(json.dumps({"pid": os.getpid(), "srv": srv.fileno(), "cli": c.fileno(),
                  "acc": acc.fileno(), "abs_srv": abs_srv.fileno(),
                  "abs_cli": abs_cli.fileno()}))
"""


def test_unix_path_and_abstract(agent, tmp_path):
    a = start_agent(agent)
    path = str(tmp_path / "vigil.sock")
    pid, o = run_script(UNIX, path)
    named = {"family": "AF_UNIX", "path": path, "abstract": False}
    unnamed = {"family": "AF_UNIX", "path": "", "abstract": False}
    abstract = {"family": "AF_UNIX", "path": "vigil-abstract\u0000x", "abstract": True}
    stream = dict(family="AF_UNIX", stype="SOCK_STREAM", proto="0")
    dgram = dict(family="AF_UNIX", stype="SOCK_DGRAM", proto="0")

    binds = a.wait_all(of("bind", pid), 2)
    check_sys(binds[0], "bind", pid, "bind")
    assert binds[0]["socket"] == sock(o["srv"], **stream)
    assert binds[0]["local"] == named
    assert binds[1]["socket"] == sock(o["abs_srv"], **dgram)
    assert binds[1]["local"] == abstract

    ev = a.wait_for(of("listen", pid))
    check_sys(ev, "listen", pid, "listen")
    assert ev["local"] == named and ev["backlog"] == 3

    conns = a.wait_all(of("connect", pid), 2)
    check_sys(conns[0], "connect", pid, "connect")
    assert conns[0]["socket"] == sock(o["cli"], **stream)
    assert conns[0]["remote"] == named
    assert conns[0]["local"] == unnamed
    check_sys(conns[1], "connect", pid, "connect")
    assert conns[1]["socket"] == sock(o["abs_cli"], **dgram)
    assert conns[1]["remote"] == abstract

    ev = a.wait_for(of("accept", pid))
    check_sys(ev, "accept", pid, "accept4", ret=o["acc"])
    assert ev["socket"] == sock(o["acc"], "AF_UNIX", "SOCK_STREAM", "0", nonblock=False,
                                cloexec=True)
    assert ev["local"] == named  # the listener's name
    assert ev["remote"] == unnamed
    _, _, final = a.stop()
    check_stats(final)


RAW = r"""
import json, os, socket
p = socket.socket(socket.AF_PACKET, socket.SOCK_RAW | socket.SOCK_NONBLOCK,
                  socket.htons(0x0003))  # ETH_P_ALL: a sniffer
r = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
print(json.dumps({"pid": os.getpid(), "packet": p.fileno(), "raw": r.fileno()}))
"""


def test_packet_and_raw_sockets(agent):
    a = start_agent(agent)
    pid, o = run_script(RAW)
    evs = a.wait_all(of("socket", pid), 2)
    check_sys(evs[0], "socket", pid, "socket", ret=o["packet"])
    assert evs[0]["socket"] == sock(o["packet"], "AF_PACKET", "SOCK_RAW", "3", nonblock=True,
                                    cloexec=True)
    check_sys(evs[1], "socket", pid, "socket", ret=o["raw"])
    assert evs[1]["socket"] == sock(o["raw"], "AF_INET", "SOCK_RAW", "icmp", nonblock=False,
                                    cloexec=True)
    _, _, final = a.stop()
    check_stats(final)


# -- UDP -------------------------------------------------------------------------------------

UDP = r"""
import json, os, socket
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sink.bind(("127.0.0.1", 0))
port = sink.getsockname()[1]
for _ in range(10):
    u.sendto(b"x" * 10, ("127.0.0.1", port))
for _ in range(5):
    u.sendmsg([b"y" * 20], [], 0, ("127.0.0.1", port + 1 if port < 65535 else port - 1))
print(json.dumps({"pid": os.getpid(), "fd": u.fileno(), "port": port,
                  "port2": port + 1 if port < 65535 else port - 1,
                  "lport": u.getsockname()[1]}))
"""


def test_udp_send_aggregated(agent):
    """Ten sendto and five sendmsg to two destinations within a second: one udp_send each,
    the rest counted as dedup in the kernel."""
    a = start_agent(agent)
    pid, o = run_script(UDP)
    evs = a.wait_all(of("udp_send", pid), 2)
    udp = sock(o["fd"], "AF_INET", "SOCK_DGRAM", "udp")
    check_sys(evs[0], "udp_send", pid, "sendto", ret=10)
    check_sys(evs[1], "udp_send", pid, "sendmsg", ret=20)
    for ev, port in zip(evs, (o["port"], o["port2"])):
        assert ev["socket"] == udp
        assert ev["remote"] == inet("AF_INET", "127.0.0.1", port)
        assert ev["local"] == inet("AF_INET", "0.0.0.0", o["lport"])
        assert "dns" not in ev
    _, _, final = a.stop()
    assert len(a.events(of("udp_send", pid))) == 2
    k = check_stats(final)
    assert k["filtered"]["dedup"]["udp_send"] >= 13


# -- DNS -------------------------------------------------------------------------------------

ANSWER_ADDR = "10.1.2.3"


def dns_reply(query):
    """Answer an A question with ANSWER_ADDR, TTL 300; anything else with no answers.
    None for a message that is not a query."""
    if len(query) < 12:
        return None
    qid, flags, qd = struct.unpack(">HHH", query[:6])
    if flags & 0x8000 or qd != 1:
        return None
    end = 12
    while end < len(query) and query[end]:
        end += query[end] + 1
    qend = end + 5
    if qend > len(query):
        return None
    qtype = struct.unpack(">H", query[end + 1:end + 3])[0]
    an = 1 if qtype == 1 else 0
    out = struct.pack(">HHHHHH", qid, 0x8180, 1, an, 0, 0) + query[12:qend]
    if an:
        out += struct.pack(">HHHIH", 0xC00C, 1, 1, 300, 4) + socket.inet_aton(ANSWER_ADDR)
    return out


@pytest.fixture
def dns_server():
    """A DNS server on 127.0.0.1:53 in a thread of the test process."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 53))
    except OSError as e:
        s.close()
        pytest.skip(f"127.0.0.1:53 is taken ({e}): the DNS tests need it")
    s.settimeout(0.2)
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                q, peer = s.recvfrom(512)
            except socket.timeout:
                continue
            r = dns_reply(q)
            if r:
                s.sendto(r, peer)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    yield
    stop.set()
    t.join(5)
    s.close()


DNS_CLIENT = r"""
import json, os, socket, struct
def query(name, qid, qtype=1):
    q = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0"
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + struct.pack(">HH", qtype, 1)
srv = ("127.0.0.1", 53)
a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.settimeout(5)
a.sendto(query("a.vigil.test", 0x1111), srv)
ra = a.recvfrom(512)[0]
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)  # connected: no address per call
b.settimeout(5)
b.connect(srv)
b.send(query("b.vigil.test", 0x2222, 28))
rb = b.recv(512)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
c.settimeout(5)
c.sendmsg([query("c.vigil.test", 0x3333)], [], 0, srv)
rc = c.recvmsg(512)[0]
a.sendto(b"not dns", srv)  # no answer comes
print(json.dumps({"pid": os.getpid(), "fds": [a.fileno(), b.fileno(), c.fileno()],
                  "ports": [x.getsockname()[1] for x in (a, b, c)],
                  "lens": [len(ra), len(rb), len(rc)]}))
"""


def test_dns_query_and_answer(agent, dns_server):
    """sendto/recvfrom, send/recv on a connected socket, sendmsg/recvmsg: each query and
    each answer decoded, plus a message that is not DNS."""
    a = start_agent(agent)
    pid, o = run_script(DNS_CLIENT)
    queries = a.wait_all(all_of(of("dns", pid), lambda e: e["dns"]["direction"] == "query"), 4)
    answers = a.wait_all(all_of(of("dns", pid), lambda e: e["dns"]["direction"] == "answer"),
                         3)
    names = ("a.vigil.test", "b.vigil.test", "c.vigil.test")
    ids, qtypes = (0x1111, 0x2222, 0x3333), ("A", "AAAA", "A")
    srv = inet("AF_INET", "127.0.0.1", 53)
    for i, (q, an) in enumerate(zip(queries, answers)):
        udp = sock(o["fds"][i], "AF_INET", "SOCK_DGRAM", "udp")
        qlen = 12 + len(names[i]) + 2 + 4
        check_sys(q, "dns", pid, ("sendto", "sendto", "sendmsg")[i], ret=qlen)
        check_sys(an, "dns", pid, ("recvfrom", "recvfrom", "recvmsg")[i], ret=o["lens"][i])
        for ev in (q, an):
            assert ev["socket"] == udp
            assert ev["remote"] == srv
            assert ev["local"]["port"] == o["ports"][i]
        assert q["dns"] == {"direction": "query", "id": ids[i], "rcode": "NOERROR",
                            "name": names[i], "qtype": qtypes[i], "answers": [],
                            "truncated": False}
        want = [{"name": names[i], "type": "A", "ttl": 300, "data": ANSWER_ADDR}]
        assert an["dns"] == {"direction": "answer", "id": ids[i], "rcode": "NOERROR",
                             "name": names[i], "qtype": qtypes[i],
                             "answers": want if qtypes[i] == "A" else [],
                             "truncated": False}
    bad = queries[3]
    check_sys(bad, "dns", pid, "sendto", ret=7)
    assert set(bad["dns"]) == {"direction", "error"}
    assert bad["dns"]["direction"] == "query" and bad["dns"]["error"]
    _, _, final = a.stop()
    assert not a.events(of("udp_send", pid))  # port 53 goes as dns, never as udp_send
    check_stats(final)


# -- containers ------------------------------------------------------------------------------

def host_network(c):
    """Let runc container c share the host's network namespace (runc's default spec makes a
    new one with loopback down), so it can reach a server of the test."""
    path = os.path.join(c.bundle, "config.json")
    with open(path) as f:
        cfg = json.load(f)
    cfg["linux"]["namespaces"] = [n for n in cfg["linux"]["namespaces"]
                                  if n["type"] != "network"]
    with open(path, "w") as f:
        json.dump(cfg, f)


def check_pod(ev, c):
    assert ev["container"] == {"id": c.id, "runtime": "unknown"}
    assert ev["pod"] == {"uid": c.pod_uid, "qos": "besteffort"}
    assert ev["attribution"] == "cgroup"
    assert ev["cgroup"]["path"] == c.cgroup_path


def test_container_connect_attribution(agent, container_factory):
    """busybox nc in a kubelet-style pod cgroup connects to a server of the test: socket,
    connect and its tcp_state transitions carry the pod and the container."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]

    def serve():
        conn, _ = srv.accept()
        conn.sendall(b"hi\n")
        conn.close()

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    a = start_agent(agent)
    c = container_factory(["/bin/busybox", "nc", "127.0.0.1", str(port)])
    host_network(c)
    c.create()
    pid = c.pid()
    c.start()
    assert c.wait_status(("stopped",), timeout=10)
    t.join(5)
    srv.close()

    ev = a.wait_for(of("connect", pid))
    check_pod(ev, c)
    assert ev["process"]["binary"] == "/bin/busybox"
    assert ev["syscall"]["name"] == "connect" and ev["syscall"]["ret"] == 0
    assert ev["remote"] == inet("AF_INET", "127.0.0.1", port)
    assert ev["socket"]["family"] == "AF_INET" and ev["socket"]["protocol"] == "tcp"
    check_pod(a.wait_for(of("socket", pid)), c)
    states = a.wait_all(of("tcp_state", pid), 2)
    assert (states[0]["tcp"], states[1]["tcp"]) == (
        {"old_state": "CLOSE", "new_state": "SYN_SENT"},
        {"old_state": "SYN_SENT", "new_state": "ESTABLISHED"})
    for ev in states:
        check_pod(ev, c)
    _, _, final = a.stop()
    check_stats(final)


def test_scope_is_the_owners(agent, container_factory):
    """With the scope set to one pod, the host's server is not reported, while every state
    change of the pod's connection is, including those the kernel runs in the host server's
    context (its FIN reaches the pod's socket from the server's close)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    port = srv.getsockname()[1]
    done = threading.Event()

    def serve():
        conn, _ = srv.accept()
        conn.sendall(b"hi\n")
        conn.close()  # the server closes first: the pod's end sees CLOSE_WAIT here
        done.set()

    # nc's stdin stays open (it would shut its end down at EOF): the server closes first
    c = container_factory(["/bin/sh", "-c", f"sleep 2 | /bin/busybox nc 127.0.0.1 {port}"])
    host_network(c)
    c.create()  # as with kubelet, the pod's cgroup exists before its containers run
    a = start_agent(agent, "--scope", f"pod:{c.pod_uid}")
    assert "scope: 1 cgroups in scope" in a.stderr_text()
    other = socket.socket()  # a host listener while the agent runs: out of scope
    other.bind(("127.0.0.1", 0))
    other.listen(1)
    other.close()
    t = threading.Thread(target=serve, daemon=True)
    t.start()
    c.start()
    assert c.wait_status(("stopped",), timeout=10)
    assert done.wait(5)
    srv.close()

    nc = a.wait_for(all_of(is_type("connect"), in_pod(c.pod_uid)))
    pid = nc["process"]["pid"]
    check_pod(nc, c)
    evs = a.wait_all(of("tcp_state", pid), 5)
    assert [(e["tcp"]["old_state"], e["tcp"]["new_state"]) for e in evs] == [
        ("CLOSE", "SYN_SENT"), ("SYN_SENT", "ESTABLISHED"), ("ESTABLISHED", "CLOSE_WAIT"),
        ("CLOSE_WAIT", "LAST_ACK"), ("LAST_ACK", "CLOSE")]
    for ev in evs:
        check_pod(ev, c)
        assert ev["remote"] == inet("AF_INET", "127.0.0.1", port)
    _, _, final = a.stop()
    assert not a.events(lambda e: e["type"] != "stats" and "pod" not in e)
    k = check_stats(final)
    for t in ("listen", "accept", "tcp_state"):
        assert k["filtered"]["scope"].get(t, 0) >= 1, t
