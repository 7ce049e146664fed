#!/usr/bin/env python3
"""Writes the OpenMetrics input of the `datadir-v0` fixture: a data directory made by `lookout import`
as it was before the data directory was shared by every signal (commit 3784b25), so that tests prove
a data directory of that layout still opens and answers the same.

    python3 Tests/Fixtures/make_datadir_v0.py > /tmp/v0.om
    lookout import /tmp/v0.om --data Tests/Fixtures/datadir-v0

Three series, one sample every 30 s for 5.5 hours from 2025-11-24T16:00:00Z (a partition boundary):
two 2-hour partitions are written to `metrics/`, the last 1.5 hours stay in the WAL checkpoint.
"""
T0 = 1_764_000_000
N = 660
print("# TYPE fixture_requests counter")
for path in ("/a", "/b"):
    for i in range(N):
        print(f'fixture_requests_total{{path="{path}"}} {i * (3 if path == "/a" else 5)} {T0 + 30 * i}')
print("# TYPE fixture_temperature gauge")
for i in range(N):
    print(f'fixture_temperature{{room="lab"}} {20 + (i % 7) * 0.5} {T0 + 30 * i}')
print("# EOF")
