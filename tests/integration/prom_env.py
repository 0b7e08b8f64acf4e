"""A real Prometheus server for tests (Debian's /usr/bin/prometheus).

    with PromEnv("127.0.0.1:9464") as prom:      # the target to scrape, HOST:PORT
        prom.wait_ready()
        prom.wait_target_up()
        prom.query('vigil_events_received_total')  # -> [{"metric": {...}, "value": [t, "3"]}]

It runs on 127.0.0.1 on a free port, with a private TSDB directory, one job ("vigil" unless
told otherwise) scraping the target every second, and its log in <workdir>/prometheus.log
(shown in errors). Nothing here needs root.
"""

import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

PROMETHEUS = os.environ.get("PROMETHEUS_BIN", "/usr/bin/prometheus")


class PromError(RuntimeError):
    pass


def free_port():
    """A TCP port nothing listens on right now (another process may take it before us:
    PromEnv.start retries)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def config_text(target, job, interval, metrics_path):
    # YAML written by hand: JSON strings are valid YAML scalars, so every value is quoted
    # the same way whatever it contains.
    q = json.dumps
    return (
        "global:\n"
        f"  scrape_interval: {interval}\n"
        f"  scrape_timeout: {interval}\n"
        f"  evaluation_interval: {interval}\n"
        "scrape_configs:\n"
        f"  - job_name: {q(job)}\n"
        f"    metrics_path: {q(metrics_path)}\n"
        "    static_configs:\n"
        f"      - targets: [{q(target)}]\n"
    )


class PromEnv:
    def __init__(self, target, job="vigil", scrape_interval="1s", metrics_path="/metrics",
                 workdir=None, binary=PROMETHEUS):
        self.target = target
        self.job = job
        self.scrape_interval = scrape_interval
        self.metrics_path = metrics_path
        self.binary = binary
        self._own_dir = workdir is None
        self.workdir = workdir  # made by start() when None
        self.port = None
        self.proc = None
        self._log = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self):
        return os.path.join(self.workdir, "prometheus.log")

    def log_tail(self, n=30):
        try:
            with open(self.log_path, errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def _spawn(self):
        cfg = os.path.join(self.workdir, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(config_text(self.target, self.job, self.scrape_interval, self.metrics_path))
        self.port = free_port()
        self._log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [self.binary, f"--config.file={cfg}",
             f"--storage.tsdb.path={os.path.join(self.workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             "--log.level=info"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            cwd=self.workdir)

    def start(self, attempts=3):
        """Start Prometheus and wait until it is ready; retried on another port when the
        chosen one was taken. On failure everything is cleaned up (as by stop())."""
        if not os.access(self.binary, os.X_OK):
            raise PromError(f"{self.binary} not found: apt-get install prometheus")
        if self.workdir is None:
            self.workdir = tempfile.mkdtemp(prefix="vigil-prom-")
        try:
            for _ in range(attempts):
                self._spawn()
                try:
                    self.wait_ready()
                    return self
                except PromError:
                    in_use = "address already in use" in self.log_tail()
                    self._kill()
                    if not in_use:
                        raise
            raise PromError(f"prometheus could not listen after {attempts} attempts:\n"
                            + self.log_tail())
        except BaseException:
            log = self.log_tail()
            self.stop()
            if log:
                print(log)
            raise

    def _get(self, path, params=None, timeout=5):
        url = self.url + path
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.read()

    def wait_ready(self, timeout=30):
        """Until /-/ready answers 200 (the TSDB is open and the scrape loop runs)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise PromError(f"prometheus exited with {self.proc.returncode}:\n"
                                + self.log_tail())
            try:
                if self._get("/-/ready", timeout=1)[0] == 200:
                    return
            except (OSError, urllib.error.URLError):
                pass
            time.sleep(0.1)
        raise PromError(f"prometheus not ready after {timeout}s:\n" + self.log_tail())

    def _api(self, path, params=None):
        try:
            _, body = self._get(path, params)
        except urllib.error.HTTPError as e:
            body = e.read()
        doc = json.loads(body)
        if doc.get("status") != "success":
            raise PromError(f"{path} {params}: {doc.get('errorType')}: {doc.get('error')}")
        return doc["data"]

    def targets(self):
        """The job's active targets: [{"health": "up"|"down"|"unknown", "lastError": ...,
        "scrapeUrl": ..., "lastScrape": ...}]."""
        data = self._api("/api/v1/targets", {"state": "active"})
        return [t for t in data["activeTargets"] if t.get("labels", {}).get("job") == self.job]

    def wait_target(self, health="up", timeout=20):
        """Until the job's (only) target has this health; returns the target."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            ts = self.targets()
            last = ts
            if len(ts) == 1 and ts[0]["health"] == health:
                return ts[0]
            time.sleep(0.2)
        raise PromError(f"target of job {self.job!r} not {health} after {timeout}s: {last}")

    def wait_target_up(self, timeout=20):
        return self.wait_target("up", timeout)

    def query(self, expr):
        """An instant query: the result list of a vector, or [t, "v"] of a scalar."""
        data = self._api("/api/v1/query", {"query": expr})
        return data["result"]

    def value(self, expr):
        """The single value of expr as a float; None when the vector is empty."""
        res = self.query(expr)
        if not res:
            return None
        if isinstance(res[0], dict):
            if len(res) != 1:
                raise PromError(f"{expr}: {len(res)} series, expected one: {res}")
            return float(res[0]["value"][1])
        return float(res[1])

    def wait_value(self, expr, pred=lambda v: v is not None, timeout=20):
        """Until pred(value(expr)) holds; returns the value."""
        deadline = time.monotonic() + timeout
        v = None
        while time.monotonic() < deadline:
            v = self.value(expr)
            if pred(v):
                return v
            time.sleep(0.2)
        raise PromError(f"{expr}: still {v} after {timeout}s")

    def _kill(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None
        if self._log:
            self._log.close()
            self._log = None

    def stop(self):
        """Stop Prometheus and remove its directory (when PromEnv made it)."""
        self._kill()
        if self._own_dir and self.workdir:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
