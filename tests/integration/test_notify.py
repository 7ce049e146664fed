"""Alert delivery end to end: a rule fires on a scraped metric the test controls; a signed webhook,
PagerDuty events (a fake Events API v2 on loopback) and a real prometheus-alertmanager receive it;
amtool lists it and silences it through Lookout's Alertmanager API; and the faults a receiver can
have (down, 500, 400, slow, Lookout killed with a notification in the outbox) are survived."""
import base64
import hashlib
import hmac
import json
import signal
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from conftest import free_port, http_get, wait_for

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


class Receiver:
    """An HTTP receiver on loopback that records every request and answers from a script."""

    def __init__(self, answers=(), port=None, delay=0):
        self.requests = []
        self.answers = list(answers)
        self.delay = delay
        self.port = port or free_port()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((dict(self.headers), body))
                if receiver.delay:
                    time.sleep(receiver.delay)
                    receiver.delay = 0
                status = receiver.answers.pop(0) if receiver.answers else 200
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"status":"success","message":"Event processed"}')

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self):
        return [json.loads(body) for _, body in self.requests]

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Gauge:
    """A /metrics endpoint serving `demo_errors`, whose value the test sets."""

    def __init__(self):
        self.value = 0
        gauge = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                body = f"# TYPE demo_errors gauge\ndemo_errors{{service=\"checkout\"}} {gauge.value}\n".encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


RULES = """
groups:
  - name: demo
    interval: 1s
    rules:
      - alert: DemoErrors
        expr: demo_errors > 0
        labels: {severity: page}
        annotations: {summary: "{{ $labels.service }} has {{ $value }} errors"}
"""


def config(gauge, receivers_yaml, route_extra=""):
    return f"""
global: {{scrape_interval: 1s, evaluation_interval: 1s}}
scrape_configs:
  - job_name: demo
    static_configs: [{{targets: ['127.0.0.1:{gauge.port}']}}]
rule_files: [rules.yaml]
alerting:
  route: {{receiver: oncall, group_by: [alertname], group_wait: 1s, group_interval: 2s, repeat_interval: 1h{route_extra}}}
  receivers:
    - name: oncall
{receivers_yaml}
"""


def start(lookout_factory, gauge, receivers_yaml, **kwargs):
    lookout = lookout_factory(config(gauge, receivers_yaml))
    (lookout.dir / "rules.yaml").write_text(RULES)
    (lookout.dir / "secret").write_text(SECRET + "\n")
    (lookout.dir / "pd_key").write_text("0123456789abcdef0123456789abcdef\n")
    return lookout.start()


def verify_signature(headers, body):
    key = base64.b64decode(SECRET[len("whsec_"):])
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert hmac.compare_digest(expected, headers["webhook-signature"]), (expected, headers["webhook-signature"])
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60


def metric(lookout, prefix):
    text = http_get(lookout.url + "/metrics")[1].decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(prefix))


def amtool(lookout, *args):
    result = subprocess.run(["amtool", f"--alertmanager.url={lookout.url}", *args], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_page_reaches_webhook_pagerduty_and_alertmanager_and_amtool_silences_it(lookout_factory, tmp_path):
    gauge, hook, pagerduty = Gauge(), Receiver(), Receiver()
    am_port = free_port()
    am_config = tmp_path / "alertmanager.yml"
    am_config.write_text("route: {receiver: 'null'}\nreceivers: [{name: 'null'}]\n")
    alertmanager = subprocess.Popen(
        ["prometheus-alertmanager", f"--config.file={am_config}", f"--storage.path={tmp_path / 'am'}",
         f"--web.listen-address=127.0.0.1:{am_port}", "--cluster.listen-address="],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: http_get(f"http://127.0.0.1:{am_port}/-/ready")[0] == 200, what="alertmanager ready")
        lookout = start(lookout_factory, gauge, f"""
      webhook_configs: [{{url: 'http://127.0.0.1:{hook.port}/hook', hmac_secret_file: secret}}]
      pagerduty_configs: [{{url: 'http://127.0.0.1:{pagerduty.port}/v2/enqueue', routing_key_file: pd_key, severity: critical}}]
      alertmanager_configs: [{{url: 'http://127.0.0.1:{am_port}'}}]
""")
        gauge.value = 3
        wait_for(lambda: hook.requests and pagerduty.requests, timeout=30, what="firing notifications")
        headers, body = hook.requests[0]
        verify_signature(headers, body)
        firing = json.loads(body)
        assert firing["status"] == "firing" and firing["version"] == "4" and firing["receiver"] == "oncall"
        assert firing["groupKey"] == '{}:{alertname="DemoErrors"}'
        alert = firing["alerts"][0]
        assert alert["labels"]["alertname"] == "DemoErrors" and alert["labels"]["service"] == "checkout"
        assert alert["annotations"]["summary"] == "checkout has 3 errors"
        assert len(alert["fingerprint"]) == 16 and firing["truncatedAlerts"] == 0

        trigger = pagerduty.bodies()[0]
        assert trigger["event_action"] == "trigger" and trigger["routing_key"] == "0123456789abcdef0123456789abcdef"
        assert len(trigger["dedup_key"]) == 64
        assert {"summary", "source", "severity"} <= set(trigger["payload"]) and trigger["payload"]["severity"] == "critical"
        assert len(trigger["payload"]["summary"]) <= 1024

        def alertmanager_alerts():
            return json.loads(http_get(f"http://127.0.0.1:{am_port}/api/v2/alerts")[1])
        wait_for(lambda: any(a["labels"].get("alertname") == "DemoErrors" for a in alertmanager_alerts()),
                 what="the alert in the real Alertmanager")

        listed = amtool(lookout, "alert", "query")
        assert "DemoErrors" in listed, listed
        assert "DemoErrors" in amtool(lookout, "alert", "query", "severity=page")

        # The errors stop: resolved reaches the webhook, and PagerDuty gets resolve with the same key.
        gauge.value = 0
        wait_for(lambda: any(b["status"] == "resolved" for b in hook.bodies()), timeout=30, what="resolved webhook")
        wait_for(lambda: any(b["event_action"] == "resolve" for b in pagerduty.bodies()), timeout=30, what="PagerDuty resolve")
        resolve = [b for b in pagerduty.bodies() if b["event_action"] == "resolve"][0]
        assert resolve["dedup_key"] == trigger["dedup_key"]
        assert len({h["webhook-id"] for h, _ in hook.requests}) == len(hook.requests)

        # A silence added with amtool mutes the next page; expiring it lets the page through.
        silence_id = amtool(lookout, "silence", "add", "alertname=DemoErrors", "-d", "10m", "-c", "maintenance",
                            "-a", "tester").strip()
        assert silence_id in amtool(lookout, "silence", "query")
        sent = len(hook.requests)
        gauge.value = 5
        wait_for(lambda: any(a["labels"]["alertname"] == "DemoErrors" for a in
                             json.loads(http_get(lookout.url + "/api/v2/alerts?silenced=true&active=false")[1])),
                 timeout=30, what="the silenced alert")
        time.sleep(4)
        assert len(hook.requests) == sent
        amtool(lookout, "silence", "expire", silence_id)
        assert silence_id not in amtool(lookout, "silence", "query")
        wait_for(lambda: len(hook.requests) > sent and hook.bodies()[-1]["status"] == "firing", timeout=30,
                 what="the page after the silence expired")
        assert metric(lookout, 'lookout_notifications_total{integration="webhook"}') >= 3
        assert lookout.stop() == 0
    finally:
        alertmanager.terminate()
        alertmanager.wait()
        for server in (gauge, hook, pagerduty):
            server.close()


def test_receiver_faults_retry_once_delivered_with_one_id(lookout_factory):
    gauge = Gauge()
    flaky = Receiver(answers=[500, 503])
    refusing = Receiver(answers=[400] * 10)
    slow = Receiver(delay=3)
    lookout = start(lookout_factory, gauge, f"""
      webhook_configs:
        - {{url: 'http://127.0.0.1:{flaky.port}/hook'}}
        - {{url: 'http://127.0.0.1:{refusing.port}/hook'}}
        - {{url: 'http://127.0.0.1:{slow.port}/hook', timeout: 1s}}
""")
    try:
        gauge.value = 1
        wait_for(lambda: len(flaky.requests) >= 3, timeout=30, what="500, 503, then 200")
        assert len({h["webhook-id"] for h, _ in flaky.requests}) == 1
        wait_for(lambda: len(slow.requests) >= 2, timeout=30, what="a retry after the slow receiver's timeout")
        assert len({h["webhook-id"] for h, _ in slow.requests}) == 1
        time.sleep(3)
        assert len(refusing.requests) == 1, "a 400 is not retried"
        assert metric(lookout, 'lookout_notifications_failed_total{integration="webhook",reason="rejected"}') == 1
        assert lookout.stop() == 0
    finally:
        for server in (gauge, flaky, refusing, slow):
            server.close()


def test_notification_in_the_outbox_survives_sigkill(lookout_factory):
    gauge = Gauge()
    port = free_port()  # nothing listens yet: the receiver is down
    lookout = start(lookout_factory, gauge, f"""
      webhook_configs: [{{url: 'http://127.0.0.1:{port}/hook'}}]
""")
    receiver = None
    try:
        gauge.value = 1
        wait_for(lambda: metric(lookout, "lookout_notification_retries_total") >= 1, timeout=30, what="a failed attempt")
        assert metric(lookout, "lookout_notification_outbox_depth") >= 1
        lookout.stop(sig=signal.SIGKILL)
        gauge.value = 0  # the alert resolves while Lookout is down; the firing page is still owed
        receiver = Receiver(port=port)
        lookout.start()
        wait_for(lambda: receiver.requests, timeout=60, what="the page from before the crash")
        first = receiver.bodies()[0]
        assert first["status"] == "firing" and first["alerts"][0]["labels"]["alertname"] == "DemoErrors"
        assert lookout.stop() == 0
    finally:
        gauge.close()
        if receiver:
            receiver.close()
