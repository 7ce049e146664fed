"""What README promises a newcomer: `lookout serve` with the shipped config/lookout.yaml answers
`up` on 127.0.0.1:4318 within one scrape interval, because it scrapes its own /metrics."""
import json
import subprocess
import time

from conftest import LOOKOUT_BIN, REPO, http_get, wait_for


def test_shipped_config_answers_up_within_one_scrape_interval(tmp_path):
    log = open(tmp_path / "lookout.log", "wb")
    process = subprocess.Popen([LOOKOUT_BIN, "serve", "--config", str(REPO / "config" / "lookout.yaml"),
                                "--data", str(tmp_path / "data")],
                               cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=log)
    try:
        started = time.time()

        def up():
            status, body = http_get("http://127.0.0.1:4318/api/v1/query?query=up")
            result = json.loads(body)["data"]["result"] if status == 200 else []
            return result and result[0]["metric"] == {"__name__": "up", "job": "lookout", "instance": "127.0.0.1:4318"} \
                and result[0]["value"][1] == "1"

        wait_for(up, timeout=25, what="up from the self-scrape")
        assert time.time() - started < 25
    finally:
        process.terminate()
        code = process.wait(timeout=30)
        log.close()
        assert code == 0, (tmp_path / "lookout.log").read_text()[-2000:]
