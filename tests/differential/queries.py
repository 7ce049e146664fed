"""The PromQL query set for the differential test: templates expanded over functions,
selectors and ranges, each run as an instant query and/or a range query at fixed times
in (or just after) the generated data's span (see generate.py)."""
import random

from generate import BASE, END

H = 3600
# Instant evaluation times: inside the data, inside worker-1's 8 m gap (stale there),
# at the last sample, just after (inside the 5 m lookback) and well after (nothing left).
INSTANT_TIMES = [BASE + 30 * 60, BASE + 45 * 60, BASE + 90 * 60 + 7, END, END + 4 * 60, BASE + 65 * 60 + 30,
                 END + 10 * 60, BASE + 101 * 60, END + 300, END + 301, BASE + 1800.5]
# Range queries: (start, end, step)
RANGES = [
    (BASE, END, 60),
    (BASE + 30 * 60, BASE + 2 * H, 30),
    (BASE, END + 15 * 60, 300),
    (BASE + H, BASE + 2 * H + 20 * 60, 60),
    (BASE + 10 * 60 + 7, BASE + 50 * 60 + 7, 15),
    (BASE + 13, END, 77),
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

    # --- edge cases: trig, rounding, NaN handling, formatting, anchoring, collisions -------
    for f in ['sin', 'cos', 'tan', 'asin', 'acos', 'atan', 'sinh', 'cosh', 'tanh', 'asinh', 'acosh', 'atanh',
              'deg', 'rad']:
        add(f'{f}(temperature_celsius / 40)')
    add('pi()')
    add('queue_depth atan2 10')
    add('temperature_celsius atan2 on(job, instance, sensor) temperature_celsius')
    for v in ['-2.5', '2.5', '-0.5', '0.5', '1.45']:
        add(f'round(vector({v}))')
    add('round(vector(1.45), 0.1)')
    add('sgn(vector(NaN))')
    add('count_values("v", bytes_stored)')
    add('count_values("v", temperature_celsius{sensor="faulty"})')
    add('count_values("v", vector(0.1 + 0.2))')
    add('count_values("v", vector(1e21))')
    add('count_values("v", vector(-0.0000123))')
    add('count_values("le", http_request_duration_seconds_bucket{instance="api-0:8080",method="GET"})')
    add('label_replace(queue_depth, "m", "$1", "instance", "worker")')     # anchored: no match
    add('label_replace(queue_depth, "m", "$2-$1", "instance", "(w)orker-(.)")')
    add('queue_depth{instance=~"worker"}')                                # anchored: nothing
    add('queue_depth{instance=~"worker-.|api"}')
    add('abs({__name__=~"rpc_duration_seconds_count|rpc_duration_seconds_sum"})')  # duplicate labelset error
    add('rate({__name__=~"rpc_duration_seconds_count|worker_jobs_processed_total"}[5m])')
    add('{__name__=~"rpc_duration_seconds_count|rpc_duration_seconds_sum"}')
    add('max_over_time(temperature_celsius{sensor="faulty"}[10m])')
    add('min_over_time(temperature_celsius{sensor="faulty"}[10m])')
    add('avg_over_time(temperature_celsius{sensor="faulty"}[10m])')
    add('quantile_over_time(0.5, temperature_celsius{sensor="faulty"}[10m])')
    add('rate(temperature_celsius{sensor="faulty"}[5m])')
    add('changes(temperature_celsius{sensor="faulty"}[10m])')
    add('deriv(temperature_celsius{sensor="faulty"}[10m])')
    add('max(temperature_celsius)')
    add('min(temperature_celsius)')
    add('quantile(0.5, temperature_celsius{sensor="faulty"})')
    add('topk(1, temperature_celsius{sensor=~"faulty|outdoor"})')
    add('bottomk(1, temperature_celsius{sensor=~"faulty|outdoor"})')
    add('sort(temperature_celsius{sensor=~"faulty|outdoor|freezer"})', "i")
    add('sort_desc(temperature_celsius{sensor=~"faulty|outdoor|freezer"})', "i")
    add('stddev_over_time(bytes_stored[10m])')
    add('sum(bytes_stored) * 1e10')
    add('avg(bytes_stored * 1e8)')
    add('stdvar(bytes_stored)')
    add('sum_over_time(bytes_stored[1h])')
    add('histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{le!="+Inf"}[5m])))')
    add('histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket{le=~"0.1|0.5|\\+Inf"}[5m])))')
    add('histogram_quantile(0.99, sum by (le) (http_request_duration_seconds_bucket{job="api"} offset 1h))')
    add('histogram_quantile(NaN, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))')
    add('increase(http_requests_total{path="/new"}[10m])')
    add('rate(http_requests_total{path="/old"}[1h])')
    add('irate(http_requests_total{instance="web-1:8080",path="/"}[2m])')
    add('increase(worker_jobs_processed_total{instance="worker-0:9090"}[20m])')
    add('resets(http_requests_total{instance="web-1:8080"}[1h])')
    add('rate(http_requests_total[15s])')
    add('rate(http_requests_total[30s])')
    add('irate(queue_depth[15s])')
    add('delta(queue_depth[20s])')
    add('idelta(temperature_celsius[1m])')
    add('predict_linear(temperature_celsius{sensor="faulty"}[10m], 60)')
    add('timestamp(queue_depth @ start())')
    add('timestamp(queue_depth offset 5m)')
    add('absent(nonexistent_metric{job="x"} offset 5m)')
    add('absent(rate(nonexistent_metric{job="x"}[5m]))')
    add('absent(label_replace(nonexistent_metric{job="x"}, "a", "b", "", ""))')
    add('absent_over_time(nonexistent_metric{job="x",job="y"}[5m])')
    add('1 > 2')                                    # error: scalar comparison needs bool
    add('1 > bool 2')
    add('vector(1) and on() vector(1)')
    add('queue_depth * on(job) group_left process_resident_memory_bytes')   # error: many on right
    add('process_resident_memory_bytes / on(job) group_left queue_depth')   # error: duplicate on one side
    add('queue_depth + on(instance, queue) group_left(job) label_replace(queue_depth, "job", "x", "", "")')
    add('sum by (__name__) ({job="worker"})')
    add('sum without (__name__) ({job="worker"})')
    add('max by (job) (process_resident_memory_bytes) / ignoring(job) group_left() min(process_resident_memory_bytes)')
    add('time() - time() % 3600')
    add('scalar(vector(1) + vector(2))')
    add('sum(rate(http_requests_total[5m])) / scalar(count(queue_depth))')
    add('-rate(http_requests_total{job="api"}[5m])')
    add('queue_depth == queue_depth offset 15s')
    add('queue_depth != bool on(job, instance, queue) queue_depth offset 15s')
    add('rate(http_requests_total[5m]) and on(job, instance) rate(http_requests_total{code="500"}[5m]) > 0.04')
    add('group by (job) (http_requests_total)')
    add('count(count by (instance) (http_requests_total))')
    add('max_over_time(queue_depth[1h] @ end())')
    add('changes(sum(queue_depth)[30m:1m])')
    add('avg_over_time(rate(http_requests_total[5m])[15m:90s])')
    add('quantile_over_time(0.5, temperature_celsius[20m:2m])')
    add('present_over_time(worker_jobs_processed_total{instance="worker-1:9090"}[10m:1m])')

    # --- syntax corners ----------------------------------------------------------------
    add('rate(http_requests_total{job="api"}[1h30m])')
    add('rate(http_requests_total{job="api"}[90s])')
    add('avg_over_time(queue_depth[1d])')
    add('max_over_time(queue_depth[1w])')
    add('queue_depth offset 1h30m')
    add('max_over_time(max_over_time(queue_depth[5m])[10m:1m])[20m:2m]', "i")
    add('max_over_time(max_over_time(queue_depth[5m:30s])[10m:1m])')
    add('avg_over_time(queue_depth[10m:1m] offset 30m)')
    add('sum(\n  rate(http_requests_total[5m])  # a comment\n) by (job)')
    add('sum by(job)(rate(http_requests_total[5m]))')
    add('SUM BY (job) (RATE(http_requests_total[5m]))')
    add('sum(rate(http_requests_total[5m])) without (instance)')
    add('.5 + 5. + 1e-3 + 0x10')
    add('1e308 * 10')
    add('queue_depth{queue="default",}')
    add("queue_depth{queue='mail'}")
    add('queue_depth{queue=`mail`}')
    add('http_requests_total{path=~"/(users|new)",path!=""}')
    add('http_requests_total{path=~"/users\\b"}')
    add('queue_depth{queue=~"(?i)MAIL"}')
    add('queue_depth{queue=~"[a-"}')                     # bad regex: error
    add('label_replace(queue_depth, "x", "$1", "queue", "(")')   # bad regex: error
    add('count_values("job", queue_depth)')
    add('count_values("__name__", queue_depth)')
    add('topk(100, queue_depth)')
    add('topk(NaN, queue_depth)')
    add('topk(-1, queue_depth)')
    add('topk(2.7, queue_depth)')
    add('quantile(NaN, queue_depth)')
    add('quantile(-0.5, queue_depth)')
    add('vector(1) + on() group_left vector(2)')
    add('scalar(sum(queue_depth)) + scalar(count(queue_depth))')
    add('-sum(queue_depth)')
    add('+queue_depth')
    add('- - queue_depth')
    add('timestamp(vector(1))')
    add('timestamp(time())')                            # error: scalar arg
    add('day_of_week(timestamp(queue_depth))')
    add('(queue_depth)')
    add('((sum(queue_depth)))')
    add('sum(queue_depth) by (queue) / ignoring() sum(queue_depth) by (queue)')
    add('queue_depth > bool queue_depth offset 1m > 0')
    add('queue_depth and on() vector(1)')
    add('queue_depth unless on() vector(1)')
    add('vector(1) or on() vector(2)')
    add('count(queue_depth) == bool 4')
    add('queue_depth[5m] offset 2m', "i")
    add('queue_depth[5m] @ end()', "i")
    add('rate(queue_depth[5m])[10m:1m]', "i")
    add('sum(queue_depth)[10m:1m]', "i")
    add('temperature_celsius{sensor="faulty"}[10m:30s]', "i")
    add('sum_over_time(vector(1)[5m:1m])')
    add('count_over_time(vector(time())[2m:10s])')
    add('absent_over_time(vector(1)[5m:1m])')
    add('label_replace(vector(1), "a", "b", "", "")')
    add('sort(vector(1))', "i")
    add('histogram_quantile(0.5, vector(1))')
    add('rate(vector(1)[5m:1m])')
    add('group(queue_depth) by (queue) * 3')
    add('stddev(vector(1))')
    add('quantile(0.5, vector(3))')
    add('count_values("v", vector(NaN))')
    add('last_over_time(temperature_celsius{sensor="faulty"}[1m])')
    add('increase(http_requests_total{job="web",code="200"}[1h] offset -30m)')
    add('min_over_time(timestamp(queue_depth)[10m:1m])')
    add('holt_winters(queue_depth[5m], 1.5, 0.5)')      # error: smoothing factor
    add('predict_linear(queue_depth[5m], time())')
    add('clamp(queue_depth, 5, NaN)')
    add('clamp_min(queue_depth, NaN)')
    add('round(temperature_celsius, 0)')
    add('round(temperature_celsius, -1)')
    add('label_join(queue_depth, "__name__", "", "queue")')
    add('label_join(queue_depth, "1x", "", "queue")')   # invalid label name: error
    add('rate(queue_depth[0s])')                        # error: zero range
    add('queue_depth[0s]', "i")                         # error: zero range
    add('vector(1e-7) + vector(1e21)')                  # exponent notation in values
    add('queue_depth[5m:0s]', "i")                      # error
    add('queue_depth offset 1', "i")                    # error: bad duration

    # --- irregular data (jittered ms timestamps, sparse, single sample) -------------------
    J = 'jittered_requests_total'
    for f in ['rate', 'irate', 'increase', 'resets', 'changes', 'delta', 'idelta', 'deriv']:
        for w in ['30s', '1m', '5m', '1h']:
            add(f'{f}({J}[{w}])')
    add(f'predict_linear({J}[5m], 120)')
    add(f'timestamp({J})')
    add(f'{J}')
    add(f'{J}[1m]', "i")
    add(f'count_over_time({J}[2m])')
    add(f'sum(rate({J}[3m]))')
    add(f'max_over_time(rate({J}[1m])[10m:20s])')
    S = 'batch_last_success_timestamp_seconds'
    for e in [S, f'{S}[10m]', f'time() - {S}', f'count_over_time({S}[10m])', f'rate({S}[4m])',
              f'rate({S}[10m])', f'deriv({S}[15m])', f'last_over_time({S}[20m])', f'timestamp({S})',
              f'absent_over_time({S}{{instance="oneshot:9000"}}[10m])', f'present_over_time({S}[1m])',
              f'changes({S}[1h])', f'idelta({S}[11m])', f'predict_linear({S}[30m], 600)',
              'increase(sparse_events_total[5m])', 'rate(sparse_events_total[2m])', 'irate(sparse_events_total[3m])',
              'changes(sparse_events_total[30m])', 'delta(sparse_events_total[10m])',
              'sparse_events_total offset 30s', 'increase(sparse_events_total[90s])']:
        add(e, "i" if e.endswith("[10m]") and e.startswith(S) else "ir")

    # --- hand-built vectors: NaN/Inf in aggregations, odd histograms ---------------------
    def lv(*pairs):
        return " or ".join(f'label_replace(vector({v}), "{k}", "{lbl}", "", "")' for k, lbl, v in pairs)
    infs = lv(("a", "1", "+Inf"), ("a", "2", "-Inf"), ("a", "3", "1"))
    nans = lv(("a", "1", "NaN"), ("a", "2", "1"), ("a", "3", "3"))
    for agg in ['sum', 'avg', 'min', 'max', 'stddev', 'stdvar', 'count', 'group']:
        add(f'{agg}({infs})')
        add(f'{agg}({nans})')
    for e in [f'topk(2, {nans})', f'bottomk(2, {nans})', f'quantile(0.5, {nans})', f'quantile(0.5, {infs})',
              f'count_values("v", {infs})', f'sort({nans})', f'sort_desc({nans})', f'sort_desc({infs})',
              f'topk(1, {infs})', f'max_over_time(({nans})[5m:1m])']:
        add(e, "i" if e.startswith("sort") else "ir")
    hist = lambda *b: lv(*[("le", le, v) for le, v in b])  # noqa: E731
    add(f'histogram_quantile(0.5, {hist(("1", 10), ("2", 5), ("+Inf", 12))})')        # non-monotonic
    add(f'histogram_quantile(0.9, {hist(("1", 0), ("2", 0), ("+Inf", 0))})')          # empty
    add(f'histogram_quantile(0.5, {hist(("+Inf", 7))})')                             # only +Inf
    add(f'histogram_quantile(0.5, {hist(("1", 3), ("2", 6))})')                       # no +Inf
    add(f'histogram_quantile(0.5, {hist(("0.5", 3), ("abc", 4), ("+Inf", 6))})')      # unparsable le
    add(f'histogram_quantile(0.99, {hist(("-1", 1), ("0", 2), ("1", 4), ("+Inf", 4))})')
    add(f'histogram_quantile(0.5, {hist(("1e-3", 2), ("0.01", 3), ("1.0e1", 9), ("+Inf", 10))})')
    add(f'histogram_quantile(0.1, {hist(("1", 5), ("+Inf", 10))})')
    add(f'histogram_quantile(0.8, {hist(("1", 5), ("+Inf", 10))})')
    add('absent(worker_jobs_processed_total{instance="worker-1:9090"})')
    add('absent_over_time(worker_jobs_processed_total{instance="worker-1:9090"}[2m])')
    add('count(nonexistent_metric)')
    add('sum(nonexistent_metric) or vector(0)')
    add('queue_depth and on(__name__) queue_depth')
    add('queue_depth / ignoring(__name__) queue_depth')
    add('queue_depth * on(instance) group_left(job) label_replace(sum by (instance) '
        '(process_resident_memory_bytes), "job", "X", "", "")')
    add('sum by (on) (queue_depth)')
    add('sum by (bool, offset) (queue_depth)')
    add('queue_depth{by="x"} or queue_depth{queue="mail"}')
    add('absent(job:queue_depth:sum)')
    add('queue_depth @ 1699900000')
    add('rate(http_requests_total{job="api"}[1h] @ 1699920100)')
    add('timestamp(sum(queue_depth))')
    add('vector(NaN)')
    add('exp(vector(1000))')
    add('ln(vector(0))')
    add('ln(vector(-1))')
    add('sqrt(vector(-1))')
    add('queue_depth % 0')
    add('-queue_depth ^ 0.5')
    add('(-queue_depth) ^ 0.5')
    add('abs(vector(-0))')
    add('days_in_month(vector(1709164800))')
    add('minute(vector(-1))')
    add('year(vector(1e10))')
    add('max_over_time(vector(time())[10m:1m])')
    add('holt_winters(queue_depth[20s], 0.5, 0.5)')
    add('predict_linear(batch_last_success_timestamp_seconds{instance="oneshot:9000"}[10m], 60)')
    add('deriv(batch_last_success_timestamp_seconds{instance="oneshot:9000"}[10m])')
    add('irate(jittered_requests_total{instance="jit-0:80"}[40s])')
    add('sum without (le) (rate(http_request_duration_seconds_bucket[5m]))')

    # --- label-set collisions once the metric name is dropped -----------------------------
    add('abs({__name__=~"queue_depth|worker_jobs_processed_total"})')          # error
    add('{__name__=~"queue_depth|worker_jobs_processed_total"} * 1')            # error
    add('{__name__=~"queue_depth|worker_jobs_processed_total"} > 5')            # keeps names: fine
    add('rate({__name__=~"queue_depth|worker_jobs_processed_total"}[5m])')     # error
    add('sum by (__name__, queue) ({__name__=~"queue_depth|worker_jobs_processed_total"})')
    add('{__name__=~"queue_depth|worker_jobs_processed_total"} and on(job, instance, queue) queue_depth')
    add('label_replace(queue_depth, "instance", "same", "", "")')            # error: duplicate labelset
    for e in ['-{N}', '{N} + 0', '1 * {N}', '{N} > bool 5', '{N} * on(job, instance, queue) queue_depth',
              '{N} * on(job, instance, queue) group_left queue_depth', 'queue_depth - on(job, instance, queue) {N}',
              'clamp_min({N}, 0)', 'timestamp({N})', 'round({N})', 'last_over_time({N}[1m])', '{N} / 1 > 0',
              'sum by (job, instance, queue) ({N})', 'scalar(vector(1)) * {N}']:
        add(e.replace('{N}', '{__name__=~"queue_depth|worker_jobs_processed_total"}'))

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


def random_expressions(n=200, seed=42):
    """Seeded random compositions of selectors, range functions, subqueries, math, aggregations
    and binary operators with matching: cheap coverage of combinations nobody writes by hand."""
    rng = random.Random(seed)
    sels = ['http_requests_total', 'http_requests_total{job="api"}', 'queue_depth', 'temperature_celsius',
            'process_resident_memory_bytes', 'worker_jobs_processed_total', 'jittered_requests_total',
            'http_request_duration_seconds_count', 'rpc_duration_seconds', 'batch_last_success_timestamp_seconds',
            'http_requests_total{code=~"5.."}', 'sparse_events_total']
    rangef = ['rate', 'irate', 'increase', 'delta', 'idelta', 'deriv', 'changes', 'resets', 'avg_over_time',
              'max_over_time', 'min_over_time', 'sum_over_time', 'count_over_time', 'stddev_over_time',
              'last_over_time', 'present_over_time']
    funcs = ['abs', 'ceil', 'floor', 'round', 'sqrt', 'ln', 'exp', 'sgn', 'timestamp', 'log2', '-']
    aggs = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'group', 'stdvar']
    labels = ['job', 'instance', 'method', 'code', 'queue', 'sensor', 'path']
    windows = ['30s', '1m', '2m', '5m', '10m', '30m']
    ops = ['+', '-', '*', '/', '%', '^', '>', '<', '==', '!=', '>=', 'and', 'or', 'unless', '> bool', '< bool']

    def vec(d=0):
        r = rng.random()
        if d > 2 or r < 0.25:
            sel = rng.choice(sels)
            if rng.random() < 0.2:
                sel += ' offset ' + rng.choice(['1m', '5m', '30m', '-2m'])
            return sel
        if r < 0.5:
            w = rng.choice(windows)
            inner = rng.choice(sels) + f'[{w}]'
            if rng.random() < 0.15:
                inner = f'{vec(d + 1)}[{w}:{rng.choice(["15s", "30s", "1m", ""])}]'
            return f'{rng.choice(rangef)}({inner})'
        if r < 0.65:
            f = rng.choice(funcs)
            return f'{f}({vec(d + 1)})' if f != '-' else f'-({vec(d + 1)})'
        if r < 0.85:
            g = rng.sample(labels, rng.randint(0, 2))
            mod = '' if not g and rng.random() < 0.5 else f' {rng.choice(["by", "without"])} ({", ".join(g)})'
            return f'{rng.choice(aggs)}{mod} ({vec(d + 1)})'
        op = rng.choice(ops)
        lhs, rhs = vec(d + 1), vec(d + 1)
        if rng.random() < 0.3:
            rhs = rng.choice(['1', '0', '2.5', '-3', 'NaN'])
            if op in ('and', 'or', 'unless'):
                op = '+'
        elif rng.random() < 0.5:
            op += f' {rng.choice(["on", "ignoring"])}({", ".join(rng.sample(labels, rng.randint(0, 2)))})'
        return f'({lhs}) {op} ({rhs})'

    out = []
    for _ in range(n):
        out.append((vec(), rng.choice(INSTANT_TIMES), rng.choice(RANGES)))
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
    # Time and step spellings: RFC 3339, fractional seconds, durations; point limits.
    for expr in ['sum by (job) (rate(http_requests_total[5m]))', 'queue_depth', 'vector(time())']:
        qs.append({"kind": "instant", "expr": expr, "time": "2023-11-14T01:30:00Z"})
        qs.append({"kind": "instant", "expr": expr, "time": "2023-11-14T01:30:00.250+01:00"})
        qs.append({"kind": "instant", "expr": expr, "time": str(BASE + 3600.123)})
        qs.append({"kind": "range", "expr": expr, "start": "2023-11-14T00:30:00Z", "end": "2023-11-14T01:00:00Z",
                   "step": "1m"})
        qs.append({"kind": "range", "expr": expr, "start": BASE + 0.5, "end": BASE + 1800.5, "step": "90"})
        qs.append({"kind": "range", "expr": expr, "start": BASE, "end": BASE + 1800, "step": "37.5"})
        qs.append({"kind": "range", "expr": expr, "start": BASE, "end": BASE + 1800, "step": "1m30s"})
    qs.append({"kind": "range", "expr": "queue_depth", "start": BASE, "end": END, "step": "1"})     # 9001 points
    qs.append({"kind": "range", "expr": "queue_depth", "start": BASE, "end": END, "step": "0.5"})   # > 11000: error
    qs.append({"kind": "range", "expr": "queue_depth", "start": END, "end": BASE, "step": "60"})   # end < start
    qs.append({"kind": "range", "expr": "queue_depth", "start": BASE, "end": END, "step": "0"})    # zero step
    qs.append({"kind": "range", "expr": "queue_depth", "start": BASE, "end": END, "step": "-60"})
    qs.append({"kind": "range", "expr": "queue_depth", "start": "yesterday", "end": END, "step": "60"})
    qs.append({"kind": "instant", "expr": "queue_depth", "time": "not-a-time"})
    qs.append({"kind": "instant", "expr": "", "time": END})
    qs.append({"kind": "range", "expr": "vector(1)", "start": BASE, "end": BASE, "step": "60"})
    for expr, t, (start, end, step) in random_expressions():
        qs.append({"kind": "instant", "expr": expr, "time": t})
        qs.append({"kind": "range", "expr": expr, "start": start, "end": end, "step": step})
    # POST form bodies and whole-database selectors.
    for expr in ['sum by (job) (rate(http_requests_total[5m]))', 'histogram_quantile(0.9, sum by (le) '
                 '(rate(http_request_duration_seconds_bucket[5m])))', 'sum(', 'queue_depth{queue=~"m.*"}']:
        qs.append({"kind": "instant", "expr": expr, "time": BASE + H, "method": "POST"})
        qs.append({"kind": "range", "expr": expr, "start": BASE, "end": END, "step": 120, "method": "POST"})
    for expr in ['count({__name__=~".+"})', 'count by (__name__) ({__name__=~".+"})', '{__name__=~".+"}',
                 'sum by (job) (count_over_time({__name__=~".+"}[10m]))']:
        qs.append({"kind": "instant", "expr": expr, "time": BASE + 100 * 60})
        qs.append({"kind": "range", "expr": expr, "start": BASE, "end": END + 600, "step": 300})
    for i, q in enumerate(qs):
        q["id"] = i
    return qs


if __name__ == "__main__":
    qs = queries()
    for q in qs:
        print(q)
    print(len(expressions()), "expressions,", len(qs), "queries")
