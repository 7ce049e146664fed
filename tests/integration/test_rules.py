"""Rules end to end: `lookout check rules` agrees with Debian's `promtool check rules`, and
`lookout serve` evaluates recording and alerting rules, serves /api/v1/rules and /api/v1/alerts,
reloads on SIGHUP and POST /-/reload, and restores a pending alert after SIGKILL."""
import signal
import subprocess
import time
import urllib.request

from conftest import LOOKOUT_BIN, HERE, http_get, wait_for

RULES = HERE / "rules"


def test_check_rules_agrees_with_promtool():
    files = sorted(RULES.glob("*.yaml"))
    assert len(files) >= 10
    for path in files:
        promtool = subprocess.run(["promtool", "check", "rules", str(path)], capture_output=True, text=True)
        ours = subprocess.run([LOOKOUT_BIN, "check", "rules", str(path)], capture_output=True, text=True)
        assert (ours.returncode == 0) == (promtool.returncode == 0), (path.name, ours.stdout + ours.stderr, promtool.stderr)
        if ours.returncode != 0:
            # Every refusal is located: file:line:col.
            assert ours.stderr.startswith(f"{path}:"), ours.stderr
    ok = subprocess.run([LOOKOUT_BIN, "check", "rules", str(RULES / "good.yaml")], capture_output=True, text=True)
    assert "SUCCESS: 2 rules found" in ok.stdout


CONFIG = """
global: {scrape_interval: 1s, evaluation_interval: 1s, external_labels: {cluster: test}}
scrape_configs:
  - job_name: self
    static_configs: [{targets: ['127.0.0.1:$PORT']}]
rule_files: [rules/*.yaml]
"""

RULE_FILE = """
groups:
  - name: self
    labels: {team: sre}
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: SelfIsUp
        expr: up{job="self"} == 1
        for: 2s
        labels: {severity: ticket}
        annotations:
          summary: "{{ $labels.instance }} is up ({{ $value }}) in {{ $externalLabels.cluster }}"
"""


def post(url, data=b""):
    request = urllib.request.Request(url, data=data, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def alerts(lookout):
    status, body = lookout.api("/api/v1/alerts")
    assert status == 200
    return body["data"]["alerts"]


def metric(lookout, name):
    text = http_get(lookout.url + "/metrics")[1].decode()
    return [line for line in text.splitlines() if line.startswith(name)]


def test_serve_evaluates_rules_and_reloads(lookout_factory):
    lookout = lookout_factory(CONFIG)
    (lookout.dir / "rules").mkdir(parents=True, exist_ok=True)
    rule_file = lookout.dir / "rules" / "self.yaml"
    rule_file.write_text(RULE_FILE)
    lookout.start()

    wait_for(lambda: lookout.query("job:up:sum")["result"], what="recorded series")
    recorded = lookout.query("job:up:sum")["result"][0]
    assert recorded["metric"] == {"__name__": "job:up:sum", "job": "self", "team": "sre"}

    wait_for(lambda: any(a["state"] == "firing" for a in alerts(lookout)), what="alert firing")
    alert = alerts(lookout)[0]
    assert alert["labels"]["alertname"] == "SelfIsUp" and alert["labels"]["severity"] == "ticket"
    assert alert["annotations"]["summary"] == f"127.0.0.1:{lookout.port} is up (1) in test"
    assert lookout.query('ALERTS{alertname="SelfIsUp",alertstate="firing"}')["result"]

    status, body = lookout.api("/api/v1/rules")
    group = body["data"]["groups"][0]
    assert group["name"] == "self" and group["interval"] == 1
    assert [r["type"] for r in group["rules"]] == ["recording", "alerting"]
    assert group["rules"][1]["state"] == "firing" and group["rules"][1]["health"] == "ok"
    assert group["rules"][1]["duration"] == 2
    status, body = lookout.api("/api/v1/rules", type="record")
    assert [r["name"] for r in body["data"]["groups"][0]["rules"]] == ["job:up:sum"]
    status, body = lookout.api("/api/v1/rules", **{"rule_name[]": "nope"})
    assert body["data"]["groups"] == []
    assert any(line.startswith("lookout_rule_evaluations_total") and not line.endswith(" 0")
               for line in metric(lookout, "lookout_rule_evaluations_total"))

    # A broken file: the reload is refused, the old rules keep running, and it shows.
    rule_file.write_text(RULE_FILE.replace("sum by (job) (up)", "sum by (job) (up"))
    status, body = post(lookout.url + "/-/reload")
    assert status == 500 and "self.yaml:7" in body and "could not parse expression" in body, body
    assert metric(lookout, "lookout_config_last_reload_successful") == ["lookout_config_last_reload_successful 0"]
    assert lookout.api("/api/v1/rules")[1]["data"]["groups"][0]["name"] == "self"

    # A good file again, by SIGHUP this time: the new group replaces the old one.
    rule_file.write_text(RULE_FILE.replace("name: self", "name: renamed"))
    lookout.process.send_signal(signal.SIGHUP)
    wait_for(lambda: lookout.api("/api/v1/rules")[1]["data"]["groups"][0]["name"] == "renamed", what="reloaded group")
    assert metric(lookout, "lookout_config_last_reload_successful") == ["lookout_config_last_reload_successful 1"]
    assert lookout.stop() == 0


def test_pending_alert_is_restored_after_sigkill(lookout_factory):
    lookout = lookout_factory(CONFIG)
    (lookout.dir / "rules").mkdir(parents=True, exist_ok=True)
    (lookout.dir / "rules" / "self.yaml").write_text(RULE_FILE.replace("for: 2s", "for: 12s"))
    lookout.start()
    wait_for(lambda: alerts(lookout), what="alert pending")
    time.sleep(8)
    assert alerts(lookout)[0]["state"] == "pending"
    lookout.stop(sig=signal.SIGKILL)
    lookout.start()
    restarted = time.monotonic()
    # About 4 s of the 12 s wait were left; without the restore it would take 12 s more.
    wait_for(lambda: any(a["state"] == "firing" for a in alerts(lookout)), timeout=20, what="restored alert firing")
    assert time.monotonic() - restarted < 9
    assert lookout.stop() == 0
