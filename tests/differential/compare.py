#!/usr/bin/env python3
"""Differential test of Lookout's PromQL against Prometheus 2.42.

Generates data (generate.py), backfills it into both, starts both servers on free
loopback ports, runs every query of queries.py against both over HTTP and compares:
resultType, the set of series (by label set; ordered only for top-level sort/sort_desc
in instant queries), timestamps, and values (relative tolerance 1e-5, absolute 1e-9 near
zero; NaN == NaN; infinities by sign). Two errors with the same errorType count as a pass.

Prints every failing query with a short diff, then the summary line `N passed, N failed`.
The full report is written to a temp file whose path is printed.

Usage: compare.py [--filter SUBSTRING] [--keep] [--report PATH] [--show N]
"""
import argparse
import json
import math
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from queries import queries  # noqa: E402
from servers import Pair  # noqa: E402
from httpsupport import http_request  # noqa: E402 - servers.py puts tests/ on the path

REL_TOL = 1e-5
ABS_TOL = 1e-9


def params_of(q):
    if q["kind"] == "instant":
        return "/api/v1/query", {"query": q["expr"], "time": str(q["time"])}
    return "/api/v1/query_range", {"query": q["expr"], "start": str(q["start"]), "end": str(q["end"]),
                                   "step": str(q["step"])}


def run_query(base_url, q, timeout=60):
    path, params = params_of(q)
    if q.get("method") == "POST":
        request = urllib.request.Request(base_url + path, data=urllib.parse.urlencode(params).encode(),
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    else:
        request = base_url + path + "?" + urllib.parse.urlencode(params)
    try:
        status, body = http_request(request, timeout)
    except Exception as e:  # noqa: BLE001 - a dead server or timeout is a result too
        return {"status": "error", "errorType": "transport", "error": repr(e), "_http": None}
    try:
        doc = json.loads(body)
    except ValueError:
        return {"status": "error", "errorType": "invalid_json", "error": body[:300].decode("utf-8", "replace"),
                "_http": status}
    if not isinstance(doc, dict):
        return {"status": "error", "errorType": "invalid_json", "error": repr(doc)[:300], "_http": status}
    doc["_http"] = status
    return doc


def parse_value(s):
    if isinstance(s, (int, float)):
        return float(s)
    return float(s)  # Python accepts "NaN", "+Inf", "-Inf", "Inf"


def values_equal(a, b):
    try:
        x, y = parse_value(a), parse_value(b)
    except (TypeError, ValueError):
        return a == b
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    if abs(x - y) <= ABS_TOL:
        return True
    return abs(x - y) <= REL_TOL * max(abs(x), abs(y))


def labels_key(metric):
    return tuple(sorted(metric.items()))


def fmt_labels(metric):
    name = metric.get("__name__", "")
    rest = ",".join(f'{k}="{v}"' for k, v in sorted(metric.items()) if k != "__name__")
    return f"{name}{{{rest}}}"


def ts_equal(a, b):
    return abs(float(a) - float(b)) < 1e-6


def compare_points(pa, pb):
    """pa, pb: [t, "v"] lists. Returns a diff string or None."""
    if len(pa) != len(pb):
        ta = [p[0] for p in pa]
        tb = [p[0] for p in pb]
        only_a = sorted(set(ta) - set(tb))
        only_b = sorted(set(tb) - set(ta))
        return (f"{len(pa)} vs {len(pb)} points; only in prometheus at {only_a[:4]}{'…' if len(only_a) > 4 else ''}"
                f", only in lookout at {only_b[:4]}{'…' if len(only_b) > 4 else ''}")
    for x, y in zip(pa, pb):
        if not ts_equal(x[0], y[0]):
            return f"timestamp {x[0]} vs {y[0]}"
        if not values_equal(x[1], y[1]):
            return f"at {x[0]}: prometheus {x[1]} vs lookout {y[1]}"
    return None


def is_ordered(q):
    e = q["expr"].replace(" ", "")
    return q["kind"] == "instant" and (e.startswith("sort(") or e.startswith("sort_desc("))


def shape_error(result, rt):
    """Prometheus's JSON shape: points are [number, "string"], metric is an object of strings."""
    for s in result:
        if not isinstance(s, dict) or not isinstance(s.get("metric"), dict):
            return f"series without a metric object: {json.dumps(s)[:120]}"
        if not all(isinstance(v, str) for v in s["metric"].values()):
            return f"non-string label value in {s['metric']}"
        pts = [s.get("value")] if rt == "vector" else s.get("values")
        if not isinstance(pts, list):
            return f"missing {'value' if rt == 'vector' else 'values'}"
        for p in pts:
            if (not isinstance(p, list) or len(p) != 2 or isinstance(p[0], bool)
                    or not isinstance(p[0], (int, float)) or not isinstance(p[1], str)):
                return f"point {json.dumps(p)[:80]} is not [number, \"string\"]"
    return None


def selects_among_ties(q):
    return any(f in q["expr"] for f in ("topk", "bottomk"))


def points_by_time(result, rt):
    """{timestamp: sorted list of values} over all series."""
    out = {}
    for s in result:
        pts = [s.get("value")] if rt == "vector" else (s.get("values") or [])
        for t, v in pts:
            out.setdefault(round(float(t), 3), []).append(parse_value(v))
    return {t: sorted(vs, key=lambda x: (math.isnan(x), x)) for t, vs in out.items()}


def same_values_per_time(ra, rb, rt):
    """topk/bottomk pick arbitrarily among equal values: accept results whose per-timestamp
    multisets of values agree even when the chosen series differ."""
    try:
        pa, pb = points_by_time(ra, rt), points_by_time(rb, rt)
    except (TypeError, ValueError):
        return False
    if pa.keys() != pb.keys():
        return False
    return all(len(pa[t]) == len(pb[t]) and all(values_equal(x, y) for x, y in zip(pa[t], pb[t])) for t in pa)


def compare(q, a, b):
    """a: Prometheus response, b: Lookout response. Returns None if they agree, else a diff text."""
    d = compare_strict(q, a, b)
    if d is not None and selects_among_ties(q) and a.get("status") == "success" and b.get("status") == "success":
        da, db = a.get("data") or {}, b.get("data") or {}
        rt = da.get("resultType")
        if rt == db.get("resultType") and rt in ("vector", "matrix") and same_values_per_time(
                da.get("result") or [], db.get("result") or [], rt):
            return None
    return d


def compare_strict(q, a, b):
    if a.get("status") != "success" or b.get("status") != "success":
        if a.get("status") == "error" and b.get("status") == "error":
            if a.get("errorType") == b.get("errorType"):
                if a.get("_http") != b.get("_http"):
                    return (f"same errorType {a.get('errorType')} but HTTP status prometheus {a.get('_http')} vs "
                            f"lookout {b.get('_http')}")
                return None
            return (f"both error, errorType differs: prometheus {a.get('errorType')} ({a.get('error')}) vs "
                    f"lookout {b.get('errorType')} ({b.get('error')})")
        if a.get("status") == "error":
            return f"prometheus errors ({a.get('errorType')}: {a.get('error')}) but lookout succeeds: {short(b)}"
        return f"lookout errors ({b.get('errorType')}: {b.get('error')}, HTTP {b.get('_http')}) but prometheus succeeds: {short(a)}"
    da, db = a.get("data") or {}, b.get("data") or {}
    if da.get("resultType") != db.get("resultType"):
        return f"resultType prometheus {da.get('resultType')} vs lookout {db.get('resultType')}"
    rt = da["resultType"]
    ra, rb = da.get("result"), db.get("result")
    if rt in ("scalar", "string"):
        if not isinstance(rb, list) or len(rb) != 2:
            return f"malformed {rt} from lookout: {rb!r}"
        if not ts_equal(ra[0], rb[0]):
            return f"timestamp {ra[0]} vs {rb[0]}"
        if rt == "string":
            return None if ra[1] == rb[1] else f"string {ra[1]!r} vs {rb[1]!r}"
        return None if values_equal(ra[1], rb[1]) else f"scalar prometheus {ra[1]} vs lookout {rb[1]}"
    if not isinstance(rb, list):
        return f"malformed result from lookout: {rb!r}"[:300]
    bad = shape_error(rb, rt)
    if bad:
        return f"malformed {rt} from lookout: {bad}"
    key = "value" if rt == "vector" else "values"
    if is_ordered(q):
        # Order matters, but series with equal values may come in any order (Go's sort is not stable).
        va = [s["value"][1] for s in ra]
        vb = [(s.get("value") or [None, None])[1] for s in rb]
        if len(va) == len(vb) and not all(values_equal(x, y) for x, y in zip(va, vb)):
            return ("order differs: prometheus " + ", ".join(f"{fmt_labels(s['metric'])}={s['value'][1]}" for s in ra[:4])
                    + " | lookout " + ", ".join(f"{fmt_labels(s.get('metric', {}))}={(s.get('value') or [0, None])[1]}"
                                                for s in rb[:4]))
    ma = {labels_key(s["metric"]): s for s in ra}
    mb = {}
    for s in rb:
        k = labels_key(s.get("metric", {}))
        if k in mb:
            return f"lookout returns duplicate series {fmt_labels(dict(k))}"
        mb[k] = s
    only_a = [k for k in ma if k not in mb]
    only_b = [k for k in mb if k not in ma]
    if only_a or only_b:
        parts = [f"series count prometheus {len(ma)} vs lookout {len(mb)}"]
        if only_a:
            parts.append("only in prometheus: " + "; ".join(fmt_labels(dict(k)) for k in only_a[:3])
                         + (f" (+{len(only_a) - 3})" if len(only_a) > 3 else ""))
        if only_b:
            parts.append("only in lookout: " + "; ".join(fmt_labels(dict(k)) for k in only_b[:3])
                         + (f" (+{len(only_b) - 3})" if len(only_b) > 3 else ""))
        return "; ".join(parts)
    diffs = []
    for k, sa in ma.items():
        sb = mb[k]
        if rt == "vector":
            pa, pb = [sa["value"]], [sb.get("value")]
            if pb[0] is None:
                return f"{fmt_labels(dict(k))}: lookout has no 'value'"
        else:
            pa, pb = sa["values"], sb.get("values") or []
        d = compare_points(pa, pb)
        if d:
            diffs.append(f"{fmt_labels(dict(k))}: {d}")
    if diffs:
        return f"{len(diffs)} of {len(ma)} series differ; e.g. " + " || ".join(diffs[:2])
    return None


def short(doc, n=300):
    d = doc.get("data") or {}
    res = d.get("result")
    text = json.dumps(res)
    return f"{d.get('resultType')} {text[:n]}{'…' if len(text) > n else ''}"


def describe(q):
    if q.get("method") == "POST":
        return "POST " + describe({k: v for k, v in q.items() if k != "method"})
    if q["kind"] == "instant":
        return f"[instant t={q['time']}] {q['expr']}"
    return f"[range {q['start']}..{q['end']} step {q['step']}s] {q['expr']}"


def run_all(prom_url, lookout_url, qs, workers=2):
    """Runs every query against both; returns a list of (query, prom_doc, lookout_doc, diff)."""
    def one(q):
        a = run_query(prom_url, q)
        b = run_query(lookout_url, q)
        return q, a, b, compare(q, a, b)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, qs))


def notation_notes(results):
    """Among passing queries, values equal as numbers but spelled differently in exponent
    notation (Prometheus writes 1e-07 and 1e+21 style below 1e-6 and from 1e21). Not failures."""
    count, examples = 0, []
    for q, a, b, d in results:
        if d is not None or a.get("status") != "success":
            continue
        da, db = a["data"], b["data"]
        if da["resultType"] in ("scalar", "string"):
            pairs = [(da["result"], db["result"])]
        else:
            mb = {labels_key(s["metric"]): s for s in db["result"]}
            pairs = []
            for s in da["result"]:
                t = mb.get(labels_key(s["metric"]))
                if t is None:
                    continue
                pa = [s["value"]] if "value" in s else s["values"]
                pb = [t["value"]] if "value" in t else t["values"]
                pairs += list(zip(pa, pb))
        for x, y in pairs:
            if x[1] != y[1] and ("e" in x[1].lower()) != ("e" in str(y[1]).lower()) and "inf" not in x[1].lower():
                count += 1
                if len(examples) < 3 and all(e[0] != q["expr"] for e in examples):
                    examples.append((q["expr"], x[1], str(y[1])[:40] + ("…" if len(str(y[1])) > 40 else "")))
    return count, examples


def report(results, out):
    passed = sum(1 for r in results if r[3] is None)
    failed = len(results) - passed
    lines = []
    for q, a, b, d in results:
        if d is not None:
            lines.append(f"FAIL #{q['id']} {describe(q)}\n    {d}")
    count, examples = notation_notes(results)
    if count:
        lines.append(f"NOTE: {count} values equal as numbers but written differently (exponent notation), e.g. "
                     + "; ".join(f"{e}: prometheus {x} vs lookout {y}" for e, x, y in examples))
    lines.append("")
    lines.append(f"{passed} passed, {failed} failed")
    text = "\n".join(lines) + "\n"
    out.write(text)
    return passed, failed


def write_full_report(results, path):
    with open(path, "w") as f:
        for q, a, b, d in results:
            f.write(json.dumps({"id": q["id"], "query": q, "pass": d is None, "diff": d,
                                "prometheus": a, "lookout": b}) + "\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--filter", help="only queries whose expression contains this")
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (data, logs)")
    ap.add_argument("--report", help="where to write the full JSON-lines report (default: a temp file)")
    ap.add_argument("--prometheus-url", help="use an already running Prometheus (with the generated data)")
    ap.add_argument("--lookout-url", help="use an already running Lookout (with the generated data)")
    args = ap.parse_args(argv)
    qs = queries()
    if args.filter:
        qs = [q for q in qs if args.filter in q["expr"]]
    started = time.time()
    if args.prometheus_url and args.lookout_url:
        results = run_all(args.prometheus_url, args.lookout_url, qs)
    else:
        with Pair(keep=args.keep) as pair:
            if args.keep:
                print(f"work dir: {pair.dir}", file=sys.stderr)
            results = run_all(pair.prometheus.url, pair.lookout.url, qs)
    path = args.report or tempfile.mkstemp(prefix="lookout-diff-report-", suffix=".jsonl")[1]
    write_full_report(results, path)
    passed, failed = report(results, sys.stdout)
    print(f"full report: {path} ({time.time() - started:.1f}s)", file=sys.stderr)
    return passed, failed


if __name__ == "__main__":
    p, f = main()
    sys.exit(0 if f == 0 else 1)
