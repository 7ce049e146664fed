"""`lookout check config`, `lookout import`, auth, body limits and the listen-address guard."""
import json
import subprocess
import urllib.parse

from conftest import LOOKOUT_BIN, free_port, http_get, http_post


def run(*args):
    return subprocess.run([LOOKOUT_BIN, *args], capture_output=True, text=True, timeout=60)


def test_check_config_reports_file_line_and_column(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("scrape_configs:\n  - job_name: a\n    static_configs: [{targets: ['127.0.0.1:9']}]\n")
    result = run("check", "config", str(good))
    assert result.returncode == 0, result.stderr
    assert "SUCCESS" in result.stdout

    bad = tmp_path / "bad.yaml"
    bad.write_text("scrape_configs:\n  - job_name: a\n    scrape_intervall: 5s\n")
    result = run("check", "config", str(bad))
    assert result.returncode == 1
    assert f"{bad}:3:5: unknown key \"scrape_intervall\"" in result.stderr


OPENMETRICS = """# TYPE backfill_total counter
# HELP backfill_total Imported counter.
backfill_total{job="imp"} 1 1700000000
backfill_total{job="imp"} 5 1700000060
backfill_total{job="imp"} 9 1700000120
# TYPE backfill_gauge gauge
backfill_gauge{job="imp",kind="a"} 0.5 1700000000.5
# EOF
"""


def test_import_then_serve(tmp_path, lookout_factory):
    source = tmp_path / "data.om"
    source.write_text(OPENMETRICS)
    lookout = lookout_factory("scrape_configs: []\n")
    result = run("import", str(source), "--data", str(lookout.data))
    assert result.returncode == 0, result.stderr
    assert "imported 2 series, 4 samples" in result.stdout

    lookout.start()
    data = lookout.query("backfill_total[10m]", time="1700000120")
    assert [v for _, v in data["result"][0]["values"]] == ["1", "5", "9"]
    data = lookout.query("backfill_gauge", time="1700000060")
    assert data["result"][0]["value"] == [1700000060, "0.5"]
    status, body = lookout.api("/api/v1/query_range", query="backfill_total", start="1700000000",
                               end="1700000120", step="60")
    assert status == 200
    assert [v for _, v in body["data"]["result"][0]["values"]] == ["1", "5", "9"]

    # `lookout query` prints a table, or the API's JSON.
    result = run("query", "backfill_total", "--time", "1700000120", "--url", lookout.url)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["SERIES", "TIME", "VALUE"]
    assert lines[1].split() == ['backfill_total{job="imp"}', "1700000120.000", "9"]
    result = run("query", "backfill_total", "--start", "1700000000", "--end", "1700000120", "--step", "60",
                 "--output", "json", "--url", lookout.url)
    assert json.loads(result.stdout)["data"]["resultType"] == "matrix"
    result = run("query", "sum(", "--url", lookout.url)
    assert result.returncode == 1 and "bad_data" in result.stderr
    assert lookout.stop() == 0


def test_import_refuses_samples_without_timestamps(tmp_path):
    source = tmp_path / "nots.om"
    source.write_text("# TYPE x gauge\nx 1\n# EOF\n")
    result = run("import", str(source), "--data", str(tmp_path / "d"))
    assert result.returncode != 0
    assert "no timestamp" in result.stderr


def test_import_reports_parse_errors_with_position(tmp_path):
    source = tmp_path / "broken.om"
    source.write_text("# TYPE x gauge\nx{a=\"1\" 1 1700000000\n# EOF\n")
    result = run("import", str(source), "--data", str(tmp_path / "d"))
    assert result.returncode != 0
    assert f"{source}:2:" in result.stderr


def test_bearer_tokens_and_roles(tmp_path, lookout_factory):
    (tmp_path / "query.token").write_text("q-secret\n")
    (tmp_path / "ingest.token").write_text("i-secret\n")
    config = f"""
server:
  auth:
    tokens:
      - {{token_file: {tmp_path}/query.token, role: query}}
      - {{token_file: {tmp_path}/ingest.token, role: ingest}}
scrape_configs: []
"""
    lookout = lookout_factory(config).start()
    url = lookout.url + "/api/v1/query?query=1%2B1"
    assert http_get(url)[0] == 401
    assert http_get(url, {"Authorization": "Bearer wrong"})[0] == 401
    assert http_get(url, {"Authorization": "Bearer i-secret"})[0] == 403
    status, body = http_get(url, {"Authorization": "Bearer q-secret"})
    assert status == 200, body
    assert http_get(lookout.url + "/-/healthy")[0] == 200
    assert lookout.stop() == 0


def test_body_limit_is_413(tmp_path, lookout_factory):
    lookout = lookout_factory("server: {max_body_bytes: 1KiB}\nscrape_configs: []\n").start()
    body = ("query=" + urllib.parse.quote("1+1") + "&pad=" + "x" * 4096).encode()
    status, _ = http_post(lookout.url + "/api/v1/query", body,
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413
    status, _ = http_post(lookout.url + "/api/v1/query", b"query=1%2B1",
                          {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert lookout.stop() == 0


def test_refuses_public_listen_without_tokens(tmp_path):
    result = subprocess.run([LOOKOUT_BIN, "serve", "--listen", f"0.0.0.0:{free_port()}", "--data", str(tmp_path / "d")],
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert result.returncode != 0
    assert "--insecure-no-auth" in result.stderr
