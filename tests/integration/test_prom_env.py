"""Tests of the Prometheus harness alone (prom_env.py): a real Prometheus scraping a tiny
Python HTTP server that exposes fixed metrics. They need neither vigil nor root."""

import http.server
import os
import threading

import pytest

from prom_env import PROMETHEUS, PromEnv, PromError

pytestmark = pytest.mark.skipif(not os.access(PROMETHEUS, os.X_OK),
                                reason=f"{PROMETHEUS} not found: apt-get install prometheus")


class FixedMetrics:
    """An HTTP server on 127.0.0.1 serving a fixed gauge and a scrape counter on /metrics;
    status=500 makes every scrape fail."""

    def __init__(self):
        self.scrapes = 0
        self.status = 200
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.scrapes += 1
                body = ("# HELP harness_value A fixed value.\n"
                        "# TYPE harness_value gauge\n"
                        'harness_value{kind="fixed"} 42\n'
                        "# HELP harness_scrapes_total Scrapes served.\n"
                        "# TYPE harness_scrapes_total counter\n"
                        f"harness_scrapes_total {owner.scrapes}\n").encode()
                if self.path != "/metrics":
                    self.send_error(404)
                    return
                self.send_response(owner.status)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.target = f"127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def fixed():
    f = FixedMetrics()
    yield f
    f.close()


def test_scrapes_fixed_metric(fixed):
    with PromEnv(fixed.target) as prom:
        target = prom.wait_target_up()
        assert target["scrapeUrl"] == f"http://{fixed.target}/metrics"
        assert target["lastError"] == ""
        assert prom.wait_value('harness_value{kind="fixed"}') == 42
        # scraped every second: the counter keeps going up
        first = prom.wait_value("harness_scrapes_total")
        assert prom.wait_value("harness_scrapes_total", lambda v: v >= first + 2, timeout=10)
        assert prom.value("up") == 1
        assert prom.value('harness_value{kind="other"}') is None
        assert [r["metric"]["job"] for r in prom.query("up")] == ["vigil"]


def test_target_down(fixed):
    fixed.status = 500
    with PromEnv(fixed.target, job="broken") as prom:
        t = prom.wait_target("down")
        assert "500" in t["lastError"]
        assert prom.wait_value("up", lambda v: v == 0) == 0


def test_bad_query_raises(fixed):
    with PromEnv(fixed.target) as prom:
        with pytest.raises(PromError, match="bad_data"):
            prom.query("sum(")


def test_stop_cleans_up(fixed):
    prom = PromEnv(fixed.target).start()
    proc, workdir = prom.proc, prom.workdir
    assert os.path.isdir(os.path.join(workdir, "tsdb"))
    prom.stop()
    assert proc.poll() is not None
    assert not os.path.exists(workdir)
    prom.stop()  # idempotent


def test_start_failures_clean_up(fixed, tmp_path):
    with pytest.raises(PromError, match="not found"):
        PromEnv(fixed.target, binary=str(tmp_path / "nope")).start()
    # a configuration Prometheus refuses: it exits, and start() says why
    prom = PromEnv(fixed.target, scrape_interval="not-a-duration")
    with pytest.raises(PromError, match="exited with"):
        prom.start()
    assert prom.proc is None and prom.workdir is None
