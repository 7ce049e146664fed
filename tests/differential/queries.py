"""The PromQL query set for the differential test: templates expanded over functions,
selectors and ranges, each run as an instant query and/or a range query at fixed times
in (or just after) the generated data's span (see generate.py)."""
from generate import BASE, END

H = 3600
# Instant evaluation times: inside the data, inside worker-1's 8 m gap (stale there),
# at the last sample, just after (inside the 5 m lookback) and well after (nothing left).
INSTANT_TIMES = [BASE + 30 * 60, BASE + 45 * 60, BASE + 90 * 60 + 7, END, END + 4 * 60, BASE + 65 * 60 + 30,
                 END + 10 * 60, BASE + 101 * 60]
# Range queries: (start, end, step)
RANGES = [
    (BASE, END, 60),
    (BASE + 30 * 60, BASE + 2 * H, 30),
    (BASE, END + 15 * 60, 300),
    (BASE + H, BASE + 2 * H + 20 * 60, 60),
    (BASE + 10 * 60 + 7, BASE + 50 * 60 + 7, 15),
]

COUNTERS = ['http_requests_total', 'http_requests_total{job="api"}', 'worker_jobs_processed_total{queue="mail"}',
            'http_requests_total{code=~"5.."}', 'rpc_duration_seconds_count']
GAUGES = ['temperature_celsius', 'queue_depth', 'process_resident_memory_bytes{job="worker"}',
          'bytes_stored']
WINDOWS = ['1m', '5m', '10m', '1h']


def expressions():
    """(expr, kinds) pairs; kinds is a subset of 'ir' (instant, range)."""
    out = []
    add = lambda e, kinds="ir": out.append((e, kinds))  # noqa: E731

    # --- selectors and matchers -------------------------------------------------
    for sel in ['queue_depth', 'http_requests_total{method="POST"}', 'http_requests_total{code!="200"}',
                'http_requests_total{path=~"/users|/new"}', 'http_requests_total{path!~"/.*s"}',
                'http_requests_total{job=~"a.*",code=~"2.."}', '{__name__=~"queue_.*|temperature_.*"}',
                'http_requests_total{path=""}', 'temperature_celsius{sensor="faulty"}', 'bytes_stored',
                'rpc_duration_seconds', 'worker_jobs_processed_total{instance="worker-1:9090"}',
                'http_requests_total{job="api",instance=~"api-[12].*",method!="GET"}', 'nonexistent_metric',
                'queue_depth{queue=~"DEFAULT"}', '{job="sensors"}']:
        add(sel)
    for sel in ['queue_depth[1m]', 'temperature_celsius{sensor="faulty"}[2m]', 'http_requests_total{job="web"}[45s]',
                'queue_depth[5m] offset 10m', 'worker_jobs_processed_total[5m]']:
        add(sel, "i")

    # --- range-vector functions over counters ---------------------------------------
    for f in ['rate', 'irate', 'increase', 'resets', 'changes']:
        for i, c in enumerate(COUNTERS):
            for j, w in enumerate(WINDOWS):
                if (i + j) % 2 == 0 or c == 'http_requests_total':
                    add(f'{f}({c}[{w}])')
    # --- range-vector functions over gauges -----------------------------------------
    for f in ['delta', 'idelta', 'deriv', 'changes', 'resets']:
        for i, g in enumerate(GAUGES):
            add(f'{f}({g}[{WINDOWS[i % 4]}])')
    for g in GAUGES[:3]:
        add(f'predict_linear({g}[10m], 600)')
        add(f'predict_linear({g}[1h], -300)')
    for f in ['avg_over_time', 'min_over_time', 'max_over_time', 'sum_over_time', 'count_over_time',
              'last_over_time', 'present_over_time', 'stddev_over_time', 'stdvar_over_time']:
        for i, g in enumerate(GAUGES):
            add(f'{f}({g}[{WINDOWS[(i + 1) % 4]}])')
    for q in ['0', '0.5', '0.9', '1', '1.5', '-0.1']:
        add(f'quantile_over_time({q}, temperature_celsius[10m])')
    add('quantile_over_time(0.99, queue_depth[1h])')
    for s in ['nonexistent_metric[5m]', 'queue_depth[5m]', 'nonexistent_metric{job="x",code=~"5.."}[10m]',
              'worker_jobs_processed_total{instance="worker-1:9090"}[1m]']:
        add(f'absent_over_time({s})')
    add('holt_winters(temperature_celsius[10m], 0.5, 0.5)')
    add('holt_winters(queue_depth[5m], 0.1, 0.9)')

    # --- math ----------------------------------------------------------------------
    for f in ['abs', 'ceil', 'floor', 'round', 'exp', 'ln', 'log2', 'log10', 'sqrt', 'sgn']:
        add(f'{f}(temperature_celsius)')
    for f in ['ln', 'sqrt', 'exp', 'log10']:
        add(f'{f}(queue_depth)')
    add('exp(temperature_celsius / 10)')
    add('round(temperature_celsius, 0.5)')
    add('round(temperature_celsius, 5)')
    add('clamp(temperature_celsius, -5, 30)')
    add('clamp(temperature_celsius, 10, 0)')
    add('clamp_min(temperature_celsius, 0)')
    add('clamp_max(queue_depth, 10)')
    add('abs(-bytes_stored)')
    add('sqrt(bytes_stored)')
    add('-queue_depth')
    add('2 ^ 3 ^ 2')
    add('-2 ^ 2')
    add('1 + 2 * 3 - 4 / 8 % 3')
    add('queue_depth ^ 2')
    add('queue_depth % 4')
    add('temperature_celsius % 7')
    add('1 / 0')
    add('-1 / 0')
    add('0 / 0')
    add('queue_depth / 0')

    # --- time functions --------------------------------------------------------------
    for f in ['time()', 'hour()', 'minute()', 'day_of_week()', 'day_of_month()', 'days_in_month()', 'month()',
              'year()', 'day_of_year()']:
        add(f)
    add('timestamp(queue_depth)')
    add('timestamp(temperature_celsius{sensor="faulty"})')
    add('time() - timestamp(queue_depth)')
    add('hour(timestamp(queue_depth))')
    add('minute(timestamp(http_requests_total{job="web"}))')
    add('day_of_week(vector(1700000000))')
    add('days_in_month(vector(1709251199))')
    add('month(vector(0))')
    add('timestamp(rate(queue_depth[5m]))')

    # --- labels ------------------------------------------------------------------------
    add('label_replace(queue_depth, "host", "$1", "instance", "(.*):.*")')
    add('label_replace(queue_depth, "queue", "", "queue", ".*")')
    add('label_replace(queue_depth, "foo", "bar-$1", "nonexistent", "(.*)")')
    add('label_replace(http_requests_total{job="web"}, "class", "${1}xx", "code", "([0-9]).*")')
    add('label_replace(rate(http_requests_total[5m]), "job", "x", "code", "500")')
    add('label_join(queue_depth, "joined", "/", "job", "instance", "queue")')
    add('label_join(queue_depth, "queue", "", "nonexistent")')
    add('label_join(temperature_celsius, "id", "-", "sensor", "sensor")')
    add('label_replace(queue_depth, "__name__", "renamed", "", "")')

    # --- histograms ------------------------------------------------------------------
    B = 'http_request_duration_seconds_bucket'
    for q in ['0.5', '0.9', '0.99', '0', '1', '1.5', '-1']:
        add(f'histogram_quantile({q}, sum by (le) (rate({B}[5m])))')
    for by in ['le, job', 'le, instance, method', 'job, le']:
        add(f'histogram_quantile(0.95, sum by ({by}) (rate({B}[10m])))')
    add(f'histogram_quantile(0.9, rate({B}[1m]))')
    add(f'histogram_quantile(0.75, rate({B}{{job="api"}}[1h]))')
    add(f'histogram_quantile(0.5, sum without (instance) (increase({B}[10m])))')
    add(f'histogram_quantile(0.5, {B})')
    add(f'histogram_quantile(0.9, sum by (le) ({B}{{method="GET"}}))')
    add(f'histogram_quantile(0.9, sum by (job) (rate({B}[5m])))')
    add('sum by (job) (rate(http_request_duration_seconds_sum[5m])) / '
        'sum by (job) (rate(http_request_duration_seconds_count[5m]))')
    add(f'sum by (le) ({B}{{le=~"0.1|0.25|\\\\+Inf"}})')
    add('rpc_duration_seconds{quantile="0.99"} > 0.25')
    add('avg by (quantile) (rpc_duration_seconds)')

    # --- aggregations ----------------------------------------------------------------
    R = 'rate(http_requests_total[5m])'
    for agg in ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']:
        add(f'{agg}({R})')
        add(f'{agg} by (job) ({R})')
        add(f'{agg} without (instance, path) ({R})')
    for agg in ['sum', 'avg', 'min', 'max', 'stddev']:
        add(f'{agg} by (sensor) (temperature_celsius)')   # includes NaN
        add(f'{agg}(bytes_stored)')                      # includes 1e300
    add('sum by (job) (queue_depth)')
    add('sum(queue_depth) by (queue)')
    add('count by (__name__) ({job="worker"})')
    add('sum by (nonexistent) (queue_depth)')
    add('avg without () (queue_depth)')
    for k in ['1', '3']:
        add(f'topk({k}, {R})')
        add(f'bottomk({k}, {R})')
        add(f'topk by (job) ({k}, {R})')
        add(f'bottomk without (code, method, path) ({k}, {R})')
    add('topk(2, temperature_celsius)')
    add('bottomk(2, temperature_celsius)')
    add('topk(0, queue_depth)')
    add('topk(scalar(count(queue_depth)) - 2, queue_depth)')
    for q in ['0.5', '0.9', '0', '1', '2']:
        add(f'quantile({q}, {R})')
    add(f'quantile by (job) (0.75, {R})')
    add('quantile(0.5, temperature_celsius)')
    add('count_values("value", queue_depth)')
    add('count_values by (queue) ("depth", queue_depth)')
    add('count_values("code", round(temperature_celsius))')
    add('count_values("v", http_requests_total{job="api"} > 100000)')

    # --- binary operators ------------------------------------------------------------
    add('queue_depth + 1')
    add('2 * queue_depth')
    add('queue_depth - queue_depth')
    add('queue_depth / on(job, instance, queue) queue_depth')
    add('process_resident_memory_bytes / 1024 / 1024')
    add('http_requests_total{code="500"} / ignoring(code) http_requests_total{code="200"}')
    add('rate(http_requests_total{code="500"}[5m]) / ignoring(code) rate(http_requests_total{code="200"}[5m])')
    add('sum by (job, instance) (rate(http_requests_total{code=~"5.."}[5m])) / '
        'sum by (job, instance) (rate(http_requests_total[5m]))')
    add(f'{R} / on(job, instance) group_left sum by (job, instance) ({R})')
    add(f'sum by (job, instance) ({R}) / on(job, instance) group_right {R}')
    add('http_requests_total * on(instance) group_left(job) process_resident_memory_bytes')
    add('process_resident_memory_bytes * on(instance) group_right http_requests_total{method="GET"}')
    add('queue_depth * on(instance) group_left(nonexistent) process_resident_memory_bytes')
    add('http_requests_total + on(job) http_requests_total')        # many-to-many: error
    add('queue_depth + ignoring(queue) queue_depth')               # many-to-many: error
    add('queue_depth + on() group_left sum(queue_depth)')
    for op in ['>', '<', '>=', '<=', '==', '!=']:
        add(f'queue_depth {op} 10')
        add(f'queue_depth {op} bool 10')
    add('temperature_celsius < 0')
    add('temperature_celsius > bool 0')
    add('10 < queue_depth')
    add('1 == bool 1')
    add('2 > bool 1 + 1')
    add('queue_depth > on(job, instance, queue) queue_depth offset 5m')
    add('queue_depth >= bool on(job, instance, queue) queue_depth offset 5m')
    add('rate(http_requests_total[5m]) > 1')
    add('http_requests_total{job="api"} and http_requests_total{code="200"}')
    add('http_requests_total{job="api"} or http_requests_total{job="web"}')
    add('http_requests_total{job="api"} unless http_requests_total{code="200"}')
    add('queue_depth and on(instance) process_resident_memory_bytes')
    add('queue_depth unless on(queue) queue_depth{queue="mail"}')
    add('queue_depth or vector(1)')
    add('vector(1) or queue_depth')
    add('queue_depth and ignoring(queue) rate(worker_jobs_processed_total[5m]) > 2')
    add('(queue_depth > 5) or (queue_depth < 2)')
    add('sum(queue_depth) > bool 20')
    add('scalar(sum(queue_depth)) > 20')

    # --- offsets, @, subqueries --------------------------------------------------------
    add('queue_depth offset 10m')
    add('queue_depth offset 1h')
    add('queue_depth offset -5m')
    add('rate(http_requests_total[5m] offset 10m)')
    add('sum(rate(http_requests_total[5m] offset 1h)) by (job)')
    add('queue_depth - queue_depth offset 15m')
    add(f'queue_depth @ {BASE + H}')
    add(f'rate(http_requests_total[5m] @ {BASE + 90 * 60})')
    add(f'queue_depth @ {BASE + H} offset 10m')
    add('queue_depth @ start()')
    add('queue_depth @ end()')
    add('rate(http_requests_total{job="api"}[10m] @ end())')
    add(f'sum(queue_depth @ {BASE + 45 * 60})')
    add('max_over_time(rate(http_requests_total{job="api"}[1m])[10m:1m])')
    add('avg_over_time(queue_depth[30m:])')
    add('deriv(sum(queue_depth)[10m:30s])')
    add('max_over_time(temperature_celsius[1h:5m])')
    add('min_over_time(sum by (job) (rate(http_requests_total[5m]))[30m:2m] offset 10m)')
    add('rate(sum(http_requests_total)[10m:1m])')
    add('count_over_time(queue_depth[10m:45s])')
    add('last_over_time(queue_depth[5m:1m])')
    add(f'sum_over_time(queue_depth[20m:1m] @ {BASE + H})')
    add('max_over_time(deriv(queue_depth[5m])[20m:])')

    # --- scalar(), vector(), absent(), sort ----------------------------------------
    add('scalar(sum(queue_depth))')
    add('scalar(queue_depth)')
    add('scalar(nonexistent_metric)')
    add('vector(42)')
    add('vector(time())')
    add('vector(scalar(count(queue_depth)))')
    add('absent(nonexistent_metric)')
    add('absent(nonexistent_metric{job="x",instance=~"y.*"})')
    add('absent(queue_depth)')
    add('absent(sum(nonexistent_metric))')
    add('absent(queue_depth{queue="nope"})')
    add('sort(queue_depth)', "i")
    add('sort_desc(queue_depth)', "i")
    add('sort(rate(http_requests_total{job="api"}[5m]))', "i")
    add('sort_desc(sum by (job, instance) (rate(http_requests_total[5m])))', "i")
    add('sort(temperature_celsius)', "i")
    add('sort_desc(temperature_celsius)', "i")
    add('sort(queue_depth)', "r")

    # --- literals and errors ---------------------------------------------------------
    add('42')
    add('-1.5e3')
    add('Inf')
    add('NaN')
    add('0x1F')
    add('"a string"', "i")
    add('rate(queue_depth)')              # parse error
    add('sum(')                           # parse error
    add('queue_depth[5m]', "r")           # range vector in a range query
    add('rate(queue_depth[5m:1m:2m])')    # parse error
    add('unknown_function(queue_depth)')  # parse error
    add('histogram_quantile(0.5)')        # wrong arg count
    add('label_replace(queue_depth, "1bad", "x", "queue", ".*")')  # execution error
    add('topk("x", queue_depth)')          # parse error
    add('queue_depth{}')                  # ok (name given)
    add('{job=~".*"}')                    # error: matches empty
    return out


def queries():
    """The expanded list: dicts with id, kind ('instant'|'range'), expr and time or start/end/step."""
    qs = []
    for n, (expr, kinds) in enumerate(expressions()):
        if "i" in kinds:
            # Each expression at two instant times; rotate so every time gets coverage.
            for k in (0, 3):
                t = INSTANT_TIMES[(n + k) % len(INSTANT_TIMES)]
                qs.append({"kind": "instant", "expr": expr, "time": t})
        if "r" in kinds:
            s, e, st = RANGES[n % len(RANGES)]
            qs.append({"kind": "range", "expr": expr, "start": s, "end": e, "step": st})
    for i, q in enumerate(qs):
        q["id"] = i
    return qs


if __name__ == "__main__":
    qs = queries()
    for q in qs:
        print(q)
    print(len(expressions()), "expressions,", len(qs), "queries")
