"""vigil's syslog output (build/syslog-sendtool: sink_syslog without the sink's
queue) against a real rsyslogd (rsyslog_env.py): what rsyslog parses out of
vigil's RFC 5424 and CEF messages over UDP, TCP and TLS, and how the output
behaves when rsyslog restarts, dies or refuses it."""

import errno
import json
import os
import subprocess

import pytest

import rsyslog_env as R

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SENDTOOL = os.path.join(ROOT, "build", "syslog-sendtool")
FIXTURES = os.path.join(ROOT, "tests", "unit", "fixtures", "syslog")
SAMPLE_NS = 1795287992566706547  # the alert fixture's time
NODE = "vigil-test-node"

pytestmark = [
    pytest.mark.skipif(not os.access(R.RSYSLOGD, os.X_OK),
                       reason="rsyslog missing: apt-get install rsyslog rsyslog-openssl"),
    pytest.mark.skipif(not os.access(SENDTOOL, os.X_OK),
                       reason=f"{SENDTOOL} missing: make build/syslog-sendtool"),
]


def fixture(name):
    with open(os.path.join(FIXTURES, name)) as f:
        return f.readline().rstrip("\n")


ALERT, EVENT, STATS = fixture("alert.json"), fixture("event_open.json"), fixture("stats.json")


class Sendtool:
    """The output, driven line by line (see tests/syslog/sendtool.c)."""

    def __init__(self, address, *args):
        self.proc = subprocess.Popen([SENDTOOL, address, "--hostname", NODE, *args],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True)

    def _ask(self, cmd):
        self.proc.stdin.write(cmd + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        assert line, f"sendtool exited ({self.proc.poll()}) on {cmd!r}"
        return json.loads(line)

    def queue(self, kind, prio, line, time_ns=SAMPLE_NS):
        self.proc.stdin.write(f"{kind} {prio} {time_ns} {line}\n")

    def connect(self):
        return self._ask("connect")["connect"]

    def send(self):
        return self._ask("send")

    def close(self):
        self.proc.stdin.close()
        assert self.proc.wait(10) == 0


@pytest.fixture
def rsyslog():
    env = R.RsyslogEnv()
    try:
        env.start().wait_ready()
        yield env
    finally:
        env.cleanup()


@pytest.mark.parametrize("proto", ["udp", "tcp", "tls"])
def test_rfc5424_as_rsyslog_parses_it(rsyslog, proto):
    tool = Sendtool(rsyslog.address(proto), "--ca-file", rsyslog.ca_file) if proto == "tls" \
        else Sendtool(rsyslog.address(proto))
    assert tool.connect() == 0
    tool.queue("alert", 4, ALERT)
    tool.queue("event", 6, EVENT)
    tool.queue("stats", 6, STATS)
    assert tool.send()["send"] == 3
    alert, event, stats = rsyslog.wait_for(3)
    tool.close()
    assert (alert["facility"], alert["severity"]) == ("1", "4")  # user, warning
    assert alert["timestamp"] == "2026-11-21T19:06:32.566706Z"
    assert (alert["hostname"], alert["app_name"]) == (NODE, "vigil")
    assert alert["procid"] == str(tool.proc.pid)
    assert alert["sd"] == ('[vigil@32473 rule="Credential file read by an unexpected '
                           'program" priority="Warning"]')
    assert [m["msgid"] for m in (alert, event, stats)] == ["alert", "event", "stats"]
    assert (event["severity"], event["sd"], stats["sd"]) == ("6", "-", "-")
    # MSG is the line itself, no BOM, nothing added
    assert [m["msg"] for m in (alert, event, stats)] == [ALERT, EVENT, STATS]
    assert json.loads(alert["msg"])["rule"] == "Credential file read by an unexpected program"


def test_sd_escaping_survives_rsyslog(rsyslog):
    line = json.dumps({"rule": 'Odd "rule" \\ with ] and [', "priority": "Critical",
                       "output": "x", "vigil": {"pod": {"namespace": "ns", "name": "p]"},
                                                "container": {"id": "c1"}}})
    tool = Sendtool(rsyslog.address("tcp"))
    assert tool.connect() == 0
    tool.queue("alert", 2, line)
    assert tool.send()["send"] == 1
    (m,) = rsyslog.wait_for(1)
    tool.close()
    assert m["severity"] == "2"
    assert m["sd"] == ('[vigil@32473 rule="Odd \\"rule\\" \\\\ with \\] and [" '
                       'priority="Critical" namespace="ns" pod="p\\]" container="c1"]')
    assert m["msg"] == line


def test_cef_over_tls_with_client_certificate():
    env = R.RsyslogEnv(client_auth=True)
    try:
        env.start().wait_ready()
        tool = Sendtool(env.address("tls"), "--format", "cef", "--ca-file", env.ca_file,
                        "--cert-file", env.client_cert, "--key-file", env.client_key)
        assert tool.connect() == 0
        tool.queue("alert", 4, ALERT)
        assert tool.send()["send"] == 1
        (m,) = env.wait_for(1)
        tool.close()
        assert m["msg"].startswith(
            "CEF:0|vigil|vigil|0.1.0|credential-file-read-by-an-unexpected-program|"
            "Credential file read by an unexpected program|6|rt=1795287992566 "
            f"dhost={NODE} duser=root suid=0 sproc=cat fname=/etc/shadow msg=")
        # without a client certificate nothing gets through
        tool = Sendtool(env.address("tls"), "--ca-file", env.ca_file)
        rc = tool.connect()
        if rc == 0:  # TLS 1.3: the server refuses after the client finished
            tool.queue("alert", 4, ALERT)
            assert tool.send()["send"] < 0
        tool.close()
        assert len(env.messages()) == 1
    finally:
        env.cleanup()


def test_tls_verification_failures(rsyslog):
    # the system store does not know the harness's CA
    tool = Sendtool(rsyslog.address("tls"))
    assert tool.connect() == -errno.EPROTO
    tool.close()
    # the certificate names 127.0.0.1 and localhost
    tool = Sendtool(rsyslog.address("tls").replace("127.0.0.1", "localhost"),
                    "--ca-file", rsyslog.ca_file)
    assert tool.connect() == 0
    tool.close()


@pytest.mark.parametrize("proto", ["tcp", "tls"])
@pytest.mark.parametrize("how", ["restart", "kill"])
def test_peer_gone_is_seen_before_writing(rsyslog, proto, how):
    tool = Sendtool(rsyslog.address(proto), "--ca-file", rsyslog.ca_file) if proto == "tls" \
        else Sendtool(rsyslog.address(proto))
    assert tool.connect() == 0
    tool.queue("event", 6, '{"n":1}')
    assert tool.send()["send"] == 1
    rsyslog.wait_for(1)
    if how == "restart":
        rsyslog.restart()
    else:
        rsyslog.kill()
    tool.queue("event", 6, '{"n":2}')
    # nothing is written into the dead connection: the record stays queued
    assert tool.send()["send"] == -errno.ECONNRESET
    if how == "kill":
        assert tool.connect() == -errno.ECONNREFUSED
        rsyslog.start().wait_ready()
    assert tool.connect() == 0
    assert tool.send()["send"] == 1
    assert [m["msg"] for m in rsyslog.wait_for(2)] == ['{"n":1}', '{"n":2}']
    tool.close()


def test_udp_cuts_long_messages_tcp_does_not(rsyslog):
    line = json.dumps({"x": "y" * 20000})
    for proto in ("udp", "tcp"):
        tool = Sendtool(rsyslog.address(proto))
        assert tool.connect() == 0
        tool.queue("event", 6, line)
        r = tool.send()
        assert r["send"] == 1
        assert r["truncated"] == (1 if proto == "udp" else 0)
        tool.close()
    udp, tcp = rsyslog.wait_for(2)
    assert len(udp["rawmsg"]) == 8192 and line.startswith(udp["msg"])
    assert tcp["msg"] == line
