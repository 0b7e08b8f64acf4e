"""A real rsyslogd (Debian's, /usr/sbin/rsyslogd) as the peer of vigil's syslog
output in integration tests.

    env = RsyslogEnv()            # a temp dir, free loopback ports, certificates
    env.start(); env.wait_ready()
    ... point vigil at env.address("udp") / "tcp" / "tls" (CA: env.ca_file) ...
    msgs = env.wait_for(3, timeout=10)   # parsed, oldest first
    env.stop()                    # SIGTERM; env.kill() is SIGKILL
    env.restart()                 # the same ports again

It listens on 127.0.0.1 only: UDP with imudp, TCP with imptcp, TLS with imtcp
and the ossl stream driver (server certificate for 127.0.0.1 and localhost,
signed by a CA the harness makes; ``client_auth=True`` makes it require a
client certificate, env.client_cert/env.client_key, signed by the same CA).
Both stream inputs accept RFC 6587 octet-counted frames as well as LF-ended
ones, and messages up to 64 KiB (maxMessageSize).

Every message received is written, one JSON object a line, to messages.jsonl
with what rsyslog parsed out of it: pri, facility, severity, timestamp,
hostname, app_name, procid, msgid, sd (structured data as received), msg,
rawmsg (the message as it came, without the octet count), received (when rsyslog got it,
RFC 3339 with microseconds) and input ("imudp",
"imptcp", "imtcp"). Nothing else goes there: rsyslog's own messages go to
rsyslogd.log, and the readiness probes (app-name rsyslog-env-probe) to
probe.log. rsyslogd's stdout/stderr are in rsyslogd.out.

Standard library plus python3-cryptography (for the certificates); no root
needed.
"""

import datetime
import ipaddress
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time

RSYSLOGD = os.environ.get("RSYSLOGD") or "/usr/sbin/rsyslogd"
PROBE_APP = "rsyslog-env-probe"
MAX_MESSAGE = "64k"

# What rsyslog writes per message: JSON, every value escaped by the property
# replacer's "json" option.  Keys are the MessageRecord fields.
_FIELDS = (
    ("pri", "pri"),
    ("facility", "syslogfacility"),
    ("severity", "syslogseverity"),
    ("timestamp", "timereported:::date-rfc3339"),
    ("hostname", "hostname"),
    ("app_name", "app-name"),
    ("procid", "procid"),
    ("msgid", "msgid"),
    ("sd", "structured-data"),
    ("msg", "msg"),
    ("rawmsg", "rawmsg"),
    ("input", "inputname"),
    ("received", "timegenerated:::date-rfc3339"),
)


def _template():
    parts = []
    for key, prop in _FIELDS:
        name, _, opts = prop.partition(":::")
        opts = ",".join(o for o in (opts, "json") if o)
        parts.append('\\"%s\\":\\"%%%s:::%s%%\\"' % (key, name, opts))
    return "{" + ",".join(parts) + "}\\n"


def free_port(kind=socket.SOCK_STREAM):
    """A port nothing is bound to on 127.0.0.1 right now (racy, like every
    such helper; rsyslog binds it a moment later)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_key_cert(path_key, path_cert, key, cert):
    from cryptography.hazmat.primitives import serialization
    with open(path_key, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.TraditionalOpenSSL,
                                  serialization.NoEncryption()))
    os.chmod(path_key, 0o600)
    with open(path_cert, "wb") as f:
        f.write(cert.public_bytes(serialization.Encoding.PEM))


def _cert(subject_cn, issuer_name, issuer_key, key, ca=False, san=None, client=False):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.utcnow()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject_cn)])
    b = (x509.CertificateBuilder()
         .subject_name(name)
         .issuer_name(issuer_name or name)
         .public_key(key.public_key())
         .serial_number(x509.random_serial_number())
         .not_valid_before(now - datetime.timedelta(hours=1))
         .not_valid_after(now + datetime.timedelta(days=2))
         .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if san:
        b = b.add_extension(x509.SubjectAlternativeName(san), critical=False)
    if not ca:
        usage = ExtendedKeyUsageOID.CLIENT_AUTH if client else ExtendedKeyUsageOID.SERVER_AUTH
        b = b.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
    return b.sign(issuer_key or key, hashes.SHA256())


def make_certs(directory):
    """ca.pem (+ ca.key), server.pem/server.key for 127.0.0.1 and localhost,
    client.pem/client.key; all P-256, signed by the CA. Returns the paths."""
    from cryptography import x509
    from cryptography.hazmat.primitives.asymmetric import ec

    paths = {n: os.path.join(directory, n) for n in (
        "ca.pem", "ca.key", "server.pem", "server.key", "client.pem", "client.key")}
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("vigil test CA", None, None, ca_key, ca=True)
    _write_key_cert(paths["ca.key"], paths["ca.pem"], ca_key, ca)
    srv_key = ec.generate_private_key(ec.SECP256R1())
    san = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    srv = _cert("localhost", ca.subject, ca_key, srv_key, san=san)
    _write_key_cert(paths["server.key"], paths["server.pem"], srv_key, srv)
    cli_key = ec.generate_private_key(ec.SECP256R1())
    cli = _cert("vigil test client", ca.subject, ca_key, cli_key, client=True)
    _write_key_cert(paths["client.key"], paths["client.pem"], cli_key, cli)
    return paths


class RsyslogError(RuntimeError):
    pass


class RsyslogEnv:
    """One rsyslogd in its own temp dir; see the module docstring."""

    def __init__(self, directory=None, client_auth=False):
        if not os.access(RSYSLOGD, os.X_OK):
            raise RsyslogError(f"{RSYSLOGD} not found: apt-get install rsyslog rsyslog-openssl")
        self._own_dir = directory is None
        self.dir = directory or tempfile.mkdtemp(prefix="vigil-rsyslog-")
        self.client_auth = client_auth
        self.udp_port = free_port(socket.SOCK_DGRAM)
        self.tcp_port = free_port()
        self.tls_port = free_port()
        self.messages_path = os.path.join(self.dir, "messages.jsonl")
        self.probe_path = os.path.join(self.dir, "probe.log")
        self.internal_log = os.path.join(self.dir, "rsyslogd.log")
        self.out_path = os.path.join(self.dir, "rsyslogd.out")
        self.pidfile = os.path.join(self.dir, "rsyslogd.pid")
        self.workdir = os.path.join(self.dir, "work")
        self.conf = os.path.join(self.dir, "rsyslog.conf")
        os.makedirs(self.workdir, exist_ok=True)
        certs = make_certs(self.dir)
        self.ca_file = certs["ca.pem"]
        self.server_cert, self.server_key = certs["server.pem"], certs["server.key"]
        self.client_cert, self.client_key = certs["client.pem"], certs["client.key"]
        self.proc = None
        self._probes = 0
        self._write_conf()

    # ---- configuration

    def _write_conf(self):
        auth = "x509/certvalid" if self.client_auth else "anon"
        conf = f"""
global(workDirectory="{self.workdir}" maxMessageSize="{MAX_MESSAGE}"
       defaultNetstreamDriverCAFile="{self.ca_file}"
       defaultNetstreamDriverCertFile="{self.server_cert}"
       defaultNetstreamDriverKeyFile="{self.server_key}")
module(load="imudp")
module(load="imptcp")
module(load="imtcp" streamDriver.name="ossl" streamDriver.mode="1"
       streamDriver.authMode="{auth}")
template(name="vigil_test" type="string" string="{_template()}")
ruleset(name="remote") {{
  if $app-name == "{PROBE_APP}" then {{
    action(type="omfile" file="{self.probe_path}" template="vigil_test")
    stop
  }}
  action(type="omfile" file="{self.messages_path}" template="vigil_test")
}}
input(type="imudp" address="127.0.0.1" port="{self.udp_port}" ruleset="remote")
input(type="imptcp" address="127.0.0.1" port="{self.tcp_port}" ruleset="remote")
input(type="imtcp" address="127.0.0.1" port="{self.tls_port}" ruleset="remote")
*.* action(type="omfile" file="{self.internal_log}")
"""
        with open(self.conf, "w") as f:
            f.write(conf)

    def address(self, proto):
        """vigil's output address for "udp", "tcp" or "tls"."""
        port = {"udp": self.udp_port, "tcp": self.tcp_port, "tls": self.tls_port}[proto]
        return f"{proto}://127.0.0.1:{port}"

    # ---- process

    def start(self):
        if self.running():
            raise RsyslogError("rsyslogd is already running")
        if os.path.exists(self.pidfile):
            os.unlink(self.pidfile)
        out = open(self.out_path, "ab")
        try:
            self.proc = subprocess.Popen(
                [RSYSLOGD, "-n", "-C", "-f", self.conf, "-i", self.pidfile],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                cwd=self.dir, start_new_session=True)
        finally:
            out.close()
        return self

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _port_open(self, port):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return False

    def _tls_probe(self):
        # a whole TLS session, not a bare connect, which rsyslog logs as an error
        try:
            send_stream(self.tls_port, [rfc5424("tls probe", app=PROBE_APP)],
                        tls_ca=self.ca_file, client_cert=self.client_cert,
                        client_key=self.client_key, timeout=0.5)
            return True
        except (OSError, ssl.SSLError):
            return False

    def _probe_count(self):
        try:
            with open(self.probe_path, "rb") as f:
                return f.read().count(b"\n")
        except FileNotFoundError:
            return 0

    def wait_ready(self, timeout=10.0):
        """Until both stream ports accept connections and a UDP probe went
        through the ruleset into a file (so every input and the output
        action are up)."""
        deadline = time.monotonic() + timeout
        for port, up in ((self.tcp_port, self._port_open), (self.tls_port, None)):
            while not (up(port) if up else self._tls_probe()):
                self._check_alive()
                if time.monotonic() > deadline:
                    raise RsyslogError(f"port {port} not listening after {timeout}s"
                                       + self.diagnostics())
                time.sleep(0.05)
        seen = self._probe_count()
        while self._probe_count() <= seen:
            self._check_alive()
            if time.monotonic() > deadline:
                raise RsyslogError(f"UDP probe not received after {timeout}s" + self.diagnostics())
            self._probes += 1
            send_udp(self.udp_port, rfc5424("probe %d" % self._probes, app=PROBE_APP))
            time.sleep(0.1)
        return self

    def _check_alive(self):
        if not self.running():
            raise RsyslogError("rsyslogd exited (%s)" % (self.proc and self.proc.returncode)
                               + self.diagnostics())

    def stop(self, timeout=10.0):
        """SIGTERM and wait: rsyslog writes out what it has queued."""
        self._signal(signal.SIGTERM, timeout)

    def kill(self):
        """SIGKILL: a peer that vanishes without closing anything cleanly."""
        self._signal(signal.SIGKILL, 10.0)

    def _signal(self, sig, timeout):
        if not self.running():
            return
        self.proc.send_signal(sig)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RsyslogError(f"rsyslogd did not exit on signal {sig} in {timeout}s")

    def restart(self, timeout=10.0):
        """Stop (SIGTERM) if running, then start again on the same ports."""
        self.stop()
        self.start()
        return self.wait_ready(timeout)

    def cleanup(self):
        """Kill it and remove the temp dir (when the harness made it)."""
        if self.running():
            self.kill()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start().wait_ready()

    def __exit__(self, *exc):
        self.cleanup()

    # ---- what was received

    def messages(self):
        """Every message received so far, as dicts (see the module docstring);
        a line still being written is left for the next call."""
        try:
            with open(self.messages_path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return []
        out = []
        for line in data.split(b"\n")[:-1]:
            out.append(json.loads(line.decode("utf-8", "replace")))
        return out

    def wait_for(self, n, timeout=10.0):
        """At least n messages (all of them returned), or RsyslogError."""
        deadline = time.monotonic() + timeout
        while True:
            msgs = self.messages()
            if len(msgs) >= n:
                return msgs
            if time.monotonic() > deadline:
                raise RsyslogError(f"{len(msgs)} of {n} messages after {timeout}s"
                                   + self.diagnostics())
            time.sleep(0.05)

    def diagnostics(self):
        """The tails of rsyslog's own log and output, for an error message."""
        parts = []
        for path in (self.internal_log, self.out_path):
            try:
                with open(path, errors="replace") as f:
                    tail = f.read()[-3000:]
            except FileNotFoundError:
                continue
            if tail.strip():
                parts.append(f"\n--- {os.path.basename(path)}:\n{tail}")
        return "".join(parts)


# ---- senders, for tests of the harness itself and of other clients

def rfc5424(msg, app="test", pri=14, hostname="testhost", msgid="-", sd="-"):
    """A minimal RFC 5424 message with the current time."""
    ts = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"<{pri}>1 {ts} {hostname} {app} {os.getpid()} {msgid} {sd} {msg}"


def send_udp(port, msg):
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(msg.encode(), ("127.0.0.1", port))


def frame(msg):
    """RFC 6587 octet counting."""
    data = msg.encode()
    return str(len(data)).encode() + b" " + data


def send_stream(port, msgs, tls_ca=None, client_cert=None, client_key=None,
                server_hostname="127.0.0.1", octet_count=True, timeout=5.0):
    """Send msgs over one TCP (or, with tls_ca, TLS) connection, octet-counted
    or LF-terminated, and close it."""
    data = b"".join(frame(m) if octet_count else m.encode() + b"\n" for m in msgs)
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        if tls_ca:
            ctx = ssl.create_default_context(cafile=tls_ca)
            if client_cert:
                ctx.load_cert_chain(client_cert, client_key)
            sock = ctx.wrap_socket(sock, server_hostname=server_hostname)
        sock.sendall(data)
        if tls_ca:
            _tls_close(sock)
    finally:
        sock.close()


def _tls_close(sock):
    # a close_notify first: rsyslog logs a bare close as "unexpected eof"
    try:
        sock.unwrap()
    except (OSError, ssl.SSLError):
        pass
