"""results.jsonl -> the markdown table of docs/performance.md's queue section."""
import json
import sys

rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("| system | workers | enqueue jobs/s | drain jobs/s | pickup p50 ms | pickup p99 ms | round trips/job | Redis commands/job | idle RSS MB | cold start ms |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for o in rows:
    trips = o.get("round_trips_per_job")
    cold = o.get("cold_start_ms")
    if "cold_start_with_config_ms" in o:
        cold = f'{o["cold_start_ms"]} ({o["cold_start_with_config_ms"]} with config)'
    print(f'| {o["system"]} | {o["workers"]} | {int(o["enqueue_per_s"]):,} | {int(o["drain_per_s"]):,} | {o["pickup_p50_ms"]} | {o["pickup_p99_ms"]} '
          f'| {trips if trips is not None else "-"} | {o["commands_per_job"]} | {o["idle_rss_mb"]} | {cold} |')
# Drain against the fastest anchor with the same number of worker processes.
for w in sorted({o["workers"] for o in rows}):
    anchors = [o for o in rows if o["workers"] == w and not o["system"].startswith("mmp")]
    ours = [o for o in rows if o["workers"] == w and o["system"].startswith("mmp")]
    if anchors and ours:
        best = max(anchors, key=lambda o: o["drain_per_s"])
        for o in ours:
            print(f'\n{o["system"]}, {w} worker(s): {o["drain_per_s"] / best["drain_per_s"]:.2f}x the drain of {best["system"]} ({best["drain_per_s"]:,} jobs/s).')
