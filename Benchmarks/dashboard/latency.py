#!/usr/bin/env python3
"""p50/p99 of N sequential GETs of each URL over one keep-alive connection (stdlib only).
Usage: latency.py NAME URL [N] ... prints one JSON object a line. A non-200 answer fails."""
import http.client
import json
import sys
import time
import urllib.parse


def measure(url, n):
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    path = u.path + ("?" + u.query if u.query else "")
    times, size = [], 0
    for i in range(n + 5):
        start = time.perf_counter()
        conn.request("GET", path)
        r = conn.getresponse()
        body = r.read()
        elapsed = time.perf_counter() - start
        if r.status != 200:
            raise SystemExit("%s answered %d: %s" % (url, r.status, body[:300]))
        if i >= 5:  # five warm-up requests
            times.append(elapsed * 1000)
        size = len(body)
    times.sort()
    return {"p50_ms": round(times[len(times) // 2], 2), "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))], 2),
            "bytes": size}


args = sys.argv[1:]
name, url = args[0], args[1]
n = int(args[2]) if len(args) > 2 else 100
print(json.dumps(dict(name=name, url=url, requests=n, **measure(url, n))), flush=True)
