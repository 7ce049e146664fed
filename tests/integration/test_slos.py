"""SLOs: `lookout slo generate` expands a Sloth prometheus/v1 spec into rules that Debian's promtool
accepts, whose burn-rate alerts pass promtool unit tests; `lookout serve` evaluates them directly."""
import subprocess

from conftest import LOOKOUT_BIN, HERE, wait_for

SLOS = HERE / "slos"


def test_generated_rules_pass_promtool_check_and_unit_tests():
    generated = subprocess.run([LOOKOUT_BIN, "slo", "generate", str(SLOS / "checkout.yaml")], capture_output=True, text=True)
    assert generated.returncode == 0, generated.stderr
    # The committed rule file the unit tests load is what the generator prints today.
    assert generated.stdout == (SLOS / "checkout.rules.yaml").read_text()
    for tool in (["promtool", "check", "rules"], [LOOKOUT_BIN, "check", "rules"]):
        result = subprocess.run([*tool, str(SLOS / "checkout.rules.yaml")], capture_output=True, text=True)
        assert result.returncode == 0 and "SUCCESS: 37 rules found" in result.stdout, result.stdout + result.stderr
    unit = subprocess.run(["promtool", "test", "rules", "checkout_test.yaml"], cwd=SLOS, capture_output=True, text=True)
    assert unit.returncode == 0, unit.stdout + unit.stderr


def test_bad_specs_are_refused_with_their_line(tmp_path):
    spec = tmp_path / "bad.yaml"
    spec.write_text((SLOS / "checkout.yaml").read_text().replace("threshold: 256ms", "threshold: 300ms"))
    result = subprocess.run([LOOKOUT_BIN, "slo", "generate", str(spec)], capture_output=True, text=True)
    assert result.returncode == 1
    assert f"{spec}:22:" in result.stderr and "nearest are 256ms and 512ms" in result.stderr, result.stderr


def test_serve_evaluates_slo_files(lookout_factory):
    lookout = lookout_factory("""
global: {evaluation_interval: 1s}
slo_files: [slos/*.yaml]
""")
    (lookout.dir / "slos").mkdir(parents=True, exist_ok=True)
    (lookout.dir / "slos" / "checkout.yaml").write_text((SLOS / "checkout.yaml").read_text())
    lookout.start()
    wait_for(lambda: lookout.query('slo:objective:ratio{sloth_slo="requests-availability"}')["result"], what="SLO meta recordings")
    assert lookout.query('slo:objective:ratio{sloth_slo="requests-availability"}')["result"][0]["value"][1] == "0.999"
    assert lookout.query('slo:time_period:days{sloth_slo="spans-latency"}')["result"][0]["value"][1] == "7"
    groups = [g["name"] for g in lookout.api("/api/v1/rules")[1]["data"]["groups"]]
    assert "sloth-slo-alerts-checkout-requests-availability" in groups
    assert "sloth-slo-alerts-checkout-spans-latency" in groups
    status, body = lookout.api("/api/v1/slos")
    assert status == 200
    slos = {s["id"]: s for s in body["data"]["slos"]}
    availability = slos["checkout-requests-availability"]
    assert availability["objective"] == 0.999 and availability["period"] == "30d"
    assert availability["sli"] is None  # no traffic yet
    assert list(availability["burnRates"]) == ["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"]
    assert [(a["severity"], a["state"]) for a in availability["alerts"]] == [("page", "inactive"), ("ticket", "inactive")]
    latency = slos["checkout-spans-latency"]
    assert latency["period"] == "7d" and [a["severity"] for a in latency["alerts"]] == ["page"]
    assert lookout.stop() == 0


def test_lookout_test_rules_agrees_with_promtool(tmp_path):
    for tool in (["promtool"], [LOOKOUT_BIN]):
        passing = subprocess.run([*tool, "test", "rules", "checkout_test.yaml"], cwd=SLOS, capture_output=True, text=True)
        assert passing.returncode == 0 and "SUCCESS" in passing.stdout, (tool, passing.stdout + passing.stderr)
    # The same tests with a wrong expectation fail in both.
    broken = tmp_path / "broken_test.yaml"
    broken.write_text((SLOS / "checkout_test.yaml").read_text()
                      .replace("rule_files: [checkout.rules.yaml]", f"rule_files: [{SLOS / 'checkout.rules.yaml'}]")
                      .replace("value: 4.997501249375312E-04", "value: 0.5"))
    for tool in (["promtool"], [LOOKOUT_BIN]):
        failing = subprocess.run([*tool, "test", "rules", str(broken)], capture_output=True, text=True)
        assert failing.returncode == 1, (tool, failing.stdout + failing.stderr)
    ours = subprocess.run([LOOKOUT_BIN, "test", "rules", str(broken)], capture_output=True, text=True)
    assert "FAILED" in ours.stdout and "slo:sli_error:ratio_rate1h" in ours.stdout, ours.stdout
