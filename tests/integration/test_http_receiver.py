"""Self-test of the HTTP test receiver (http_receiver.py), with Python's own
http.client as the client and no vigil: if these pass, a failure of vigil's
HTTP outputs against the receiver is vigil's."""

import http.client
import json
import socket
import ssl
import threading
import time

import pytest

from http_receiver import HttpReceiver, check_alert, check_bulk

ALERT = {
    "hostname": "node-1",
    "output": "11:10:07.831610007: Warning Sensitive file opened | file=/etc/shadow",
    "output_fields": {"evt.time": 1795259407831610007, "fd.name": "/etc/shadow"},
    "priority": "Warning",
    "rule": "Read sensitive file untrusted",
    "source": "syscall",
    "tags": ["filesystem", "mitre_credential_access"],
    "time": "2026-11-21T11:10:07.831610007Z",
    "vigil": {"schema": "vigil/v1", "type": "open", "node": "node-1",
              "pod": {"namespace": "shop", "name": "cart-1", "uid": "u-1"},
              "container": {"id": "abc123", "name": "web"}},
}
EVENT = {"schema": "vigil/v1", "type": "exec", "time": "2026-11-21T11:10:07.831610007Z",
         "node": "node-1", "process": {"pid": 7, "comm": "sh"}}


@pytest.fixture
def rx():
    before = set(threading.enumerate())
    r = HttpReceiver().start()
    yield r
    r.stop()
    time.sleep(0.1)
    left = [t for t in set(threading.enumerate()) - before
            if t.is_alive() and not t.daemon]
    assert not left, f"threads left running: {left}"


def post(rx, path, body, ctype="application/json", conn=None, timeout=5):
    c = conn or http.client.HTTPConnection("127.0.0.1", rx.port, timeout=timeout)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    c.request("POST", path, body=data, headers={"Content-Type": ctype})
    r = c.getresponse()
    return r.status, r.read()


def bulk_body(docs, index="vigil-events", ids=None):
    lines = []
    for i, d in enumerate(docs):
        meta = {"_index": index}
        if ids:
            meta["_id"] = ids[i]
        d = dict(d, **{"@timestamp": d["time"]})
        lines += [json.dumps({"create": meta}), json.dumps(d)]
    return ("\n".join(lines) + "\n").encode()


def otlp_body(lines, node="node-1"):
    def attr(k, v):
        return {"key": k, "value": {"stringValue": v}}
    recs = [{"timeUnixNano": "1795259407831610007", "observedTimeUnixNano": "1795259407900000000",
             "severityNumber": 13 if "rule" in ln else 9,
             "severityText": "Warning" if "rule" in ln else "INFO",
             "body": {"stringValue": json.dumps(ln)},
             "attributes": [attr("vigil.kind", "alert" if "rule" in ln else "event")]
             + ([attr("vigil.rule", ln["rule"])] if "rule" in ln else [])}
            for ln in lines]
    return {"resourceLogs": [{
        "resource": {"attributes": [attr("service.name", "vigil"), attr("k8s.node.name", node)]},
        "scopeLogs": [{"scope": {"name": "vigil", "version": "0.1.0"}, "logRecords": recs}]}]}


def test_falco_alerts_accepted_and_checked(rx):
    assert post(rx, "/", ALERT)[0] == 200
    assert post(rx, "/falco", ALERT)[0] == 200
    assert post(rx, "/", EVENT)[0] == 200  # events posted as-is are taken too
    assert rx.alerts() == [ALERT, ALERT]
    assert rx.events() == [EVENT]
    assert rx.errors() == []
    bad = {k: v for k, v in ALERT.items() if k != "rule"}
    bad["priority"] = "Loud"
    post(rx, "/", bad)
    errs = rx.errors()
    assert any("no rule" in e for e in errs) and any("priority 'Loud'" in e for e in errs)
    post(rx, "/", b"not json")
    assert any("not JSON" in e for e in rx.errors())
    post(rx, "/", ALERT, ctype="text/plain")
    assert any("Content-Type 'text/plain'" in e for e in rx.errors())
    assert check_alert(ALERT) == []


def test_bulk_pairs_ids_and_conflicts(rx):
    body = bulk_body([EVENT, ALERT], ids=["a" * 32, "b" * 32])
    st, reply = post(rx, "/_bulk?filter_path=errors", body, "application/x-ndjson")
    assert st == 200
    reply = json.loads(reply)
    assert reply["errors"] is False
    assert [i["create"]["status"] for i in reply["items"]] == [201, 201]
    assert len(rx.bulk_docs()) == 2 and rx.bulk_docs()[1]["rule"] == ALERT["rule"]
    # the same ids again: 409 on create, stored once, as Elasticsearch does
    st, reply = post(rx, "/prefix/_bulk", body, "application/x-ndjson")
    reply = json.loads(reply)
    assert reply["errors"] is True
    assert [i["create"]["status"] for i in reply["items"]] == [409, 409]
    assert len(rx.bulk_docs()) == 2
    assert rx.errors() == []


def test_bulk_injected_item_failures_and_bad_bodies(rx):
    rx.set_bulk_items([201, 429, 400])
    st, reply = post(rx, "/_bulk", bulk_body([EVENT, EVENT, EVENT], ids=["1", "2", "3"]),
                     "application/x-ndjson")
    items = [i["create"] for i in json.loads(reply)["items"]]
    assert [i["status"] for i in items] == [201, 429, 400]
    assert items[1]["error"]["type"] == "test_injected"
    assert len(rx.bulk_docs()) == 1
    assert rx.errors() == []
    post(rx, "/_bulk", b'{"create":{"_index":"x"}}\n{"schema":"vigil/v1"}', "application/x-ndjson")
    errs = rx.errors()
    assert any("does not end with a newline" in e for e in errs)
    assert any("no type" in e for e in errs)
    docs, errs = check_bulk(b'{"delete":{"_index":"x"}}\n{}\n')
    assert docs == [] and "not a create/index action" in errs[0]


def test_otlp_structure(rx):
    st, reply = post(rx, "/v1/logs", otlp_body([EVENT, ALERT]))
    assert st == 200 and json.loads(reply) == {}
    recs = rx.otlp_records()
    assert len(recs) == 2
    assert recs[1]["line"] == ALERT and recs[1]["attributes"]["vigil.rule"] == ALERT["rule"]
    assert recs[0]["resource"]["k8s.node.name"] == "node-1"
    assert rx.errors() == []
    rx.set_otlp_partial(1)
    st, reply = post(rx, "/v1/logs", otlp_body([EVENT]))
    assert json.loads(reply)["partialSuccess"]["rejectedLogRecords"] == "1"
    bad = otlp_body([EVENT])
    bad["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["timeUnixNano"] = 5
    bad["resourceLogs"][0]["resource"]["attributes"] = []
    post(rx, "/v1/logs", bad)
    errs = rx.errors()
    assert any("timeUnixNano 5" in e for e in errs)
    assert any("service.name None" in e for e in errs)
    post(rx, "/v2/other", {})
    assert any("not an endpoint" in e for e in rx.errors())


def test_modes_fail_reject_stall(rx):
    rx.set_mode("fail")
    assert post(rx, "/", ALERT)[0] == 500
    rx.set_mode("reject")
    assert post(rx, "/", ALERT)[0] == 400
    assert rx.alerts() == []  # not accepted, but still checked and recorded
    assert [r["status"] for r in rx.requests()] == [500, 400]
    rx.set_mode("stall", seconds=0.6)
    t0 = time.monotonic()
    assert post(rx, "/", ALERT)[0] == 200
    assert time.monotonic() - t0 >= 0.55
    with pytest.raises(socket.timeout):
        post(rx, "/", ALERT, timeout=0.2)
    rx.set_mode("ok")
    assert post(rx, "/", ALERT)[0] == 200
    with pytest.raises(ValueError):
        rx.set_mode("sideways")


def test_down_and_back_on_the_same_port(rx):
    conn = http.client.HTTPConnection("127.0.0.1", rx.port, timeout=5)
    assert post(rx, "/", ALERT, conn=conn)[0] == 200
    assert post(rx, "/", ALERT, conn=conn)[0] == 200  # the same connection, kept alive
    port = rx.port
    rx.down()
    with pytest.raises(ConnectionRefusedError):
        post(rx, "/", ALERT)
    with pytest.raises((ConnectionError, http.client.HTTPException, OSError)):
        post(rx, "/", ALERT, conn=conn)  # the open connection was cut too
    rx.up()
    assert rx.port == port
    assert post(rx, "/", ALERT)[0] == 200
    assert len(rx.alerts()) == 3


def test_wait_for(rx):
    threading.Timer(0.2, lambda: post(rx, "/", ALERT)).start()
    assert rx.wait_for(lambda: len(rx.alerts()) == 1, timeout=5)
    with pytest.raises(AssertionError):
        rx.wait_for(lambda: False, timeout=0.2)


def _tls_post(rx, cert=None):
    ctx = ssl.create_default_context(cafile=rx.ca_cert)
    if cert:
        ctx.load_cert_chain(*cert)
    c = http.client.HTTPSConnection("127.0.0.1", rx.port, context=ctx, timeout=5)
    return post(rx, "/falco", ALERT, conn=c)


def test_https_and_client_certificates(tmp_path):
    with HttpReceiver(tls=True, cert_dir=str(tmp_path / "tls")) as rx:
        assert rx.url.startswith("https://127.0.0.1:")
        assert _tls_post(rx)[0] == 200
        with pytest.raises(ssl.SSLCertVerificationError):
            c = http.client.HTTPSConnection("127.0.0.1", rx.port, timeout=5,
                                            context=ssl.create_default_context())
            post(rx, "/", ALERT, conn=c)
        assert rx.alerts() == [ALERT]
    with HttpReceiver(tls=True, cert_dir=str(tmp_path / "mtls"), client_auth=True) as rx:
        assert _tls_post(rx, (rx.client_cert, rx.client_key))[0] == 200
        with pytest.raises((ssl.SSLError, ConnectionError, http.client.HTTPException)):
            _tls_post(rx)
        assert len(rx.alerts()) == 1
        assert rx.errors() == []
