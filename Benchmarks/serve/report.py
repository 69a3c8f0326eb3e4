"""Prints the serving benchmark's Markdown tables from one run's JSON lines.

    python report.py Benchmarks/serve/results/<date>.jsonl
"""
import json
import sys

NAMES = {
    "mmp": "mmp serve (release)",
    "fastapi": "FastAPI + uvicorn, LightGBM (1 process, as the Python tool runs it)",
    "fastapi_2_workers": "FastAPI + uvicorn --workers 2, LightGBM",
}
PHASES = [
    ("predict_c1", "single-row /predict, concurrency 1", 1),
    ("predict_c32", "single-row /predict, concurrency 32", 1),
    ("batch1000_c1", "/predict/batch with 1,000 rows, concurrency 1", 1000),
]


def main(path):
    lines = [json.loads(l) for l in open(path) if l.strip()]
    by = {(l["server"], l["phase"]): l for l in lines}
    servers = [s for s in NAMES if (s, "predict_c1") in by]
    for phase, title, rows in PHASES:
        print(f"#### {title}\n")
        print("| server | requests/s | rows/s | p50 ms | p99 ms | errors | RSS MB |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for s in servers:
            d = by.get((s, phase))
            if not d:
                continue
            rps = d["requests"] / (d["duration_us"] / 1e6)
            print(f"| {NAMES[s]} | {rps:,.0f} | {rps * rows:,.0f} | {d['p50_us'] / 1000:.3f} | {d['p99_us'] / 1000:.3f} | "
                  f"{d['socket_errors']} | {d['rss_kb'] / 1024:.0f} |")
        print()
    if ("mmp", "predict_c32") in by and ("fastapi", "predict_c32") in by:
        m, a = by[("mmp", "predict_c32")], by[("fastapi", "predict_c32")]
        ratio = (m["requests"] / m["duration_us"]) / (a["requests"] / a["duration_us"])
        print(f"Concurrency 32: mmp serve answers {ratio:.1f}x the anchor's requests/s, p99 {m['p99_us'] / 1000:.2f} ms "
              f"against {a['p99_us'] / 1000:.2f} ms.")
    idle = {s: by[(s, "idle")]["rss_kb"] / 1024 for s in servers if (s, "idle") in by}
    if idle:
        print("Idle RSS after start: " + ", ".join(f"{NAMES[s].split(' (')[0]} {v:.0f} MB" for s, v in idle.items()) + ".")


if __name__ == "__main__":
    main(sys.argv[1])
