"""The queue benchmark's anchors on the same Redis: RQ (SimpleWorker), Celery (Redis broker, solo
pool) and Sidekiq (ruby-sidekiq), each measured the way `mmp-bench queue` measures mmp:
enqueue rate, drain throughput (first job leaving the list to the list empty), pickup latency of a
trickle, Redis commands per job (INFO total_commands_processed, minus this script's own polling),
idle worker RSS and cold start (launch to first job). Prints one JSON line per system and worker count.
"""
import json
import os
import signal
import subprocess
import sys
import time

import redis

HERE = os.path.dirname(os.path.abspath(__file__))
URL = os.environ["BENCH_REDIS_URL"]
JOBS = int(os.environ.get("BENCH_JOBS", "10000"))
TRICKLE = int(os.environ.get("BENCH_TRICKLE", "300"))
GAP = float(os.environ.get("BENCH_GAP", "0.005"))
LOGS = os.environ.get("BENCH_LOG_DIR", "/tmp")
r = redis.Redis.from_url(URL)
ENV = dict(os.environ, PYTHONPATH=HERE + os.pathsep + os.environ.get("PYTHONPATH", ""))


def commands():
    return int(r.info("stats")["total_commands_processed"])


def rss_mb(pid):
    # The worker and its children (Celery's solo pool is one process; RQ SimpleWorker too).
    total = 0
    for p in [pid] + children(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total / 1024


def children(pid):
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(x) for x in f.read().split()]
    except FileNotFoundError:
        return []


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int((len(values) - 1) * p))] if values else float("nan")


class System:
    name = ""
    list_key = ""

    def enqueue(self, n): ...
    def worker(self, index): ...
    def trickle(self, n): ...
    def first_job(self, t): ...

    def start(self, index):
        log = open(f"{LOGS}/{self.name}-{index}.log", "w")
        return subprocess.Popen(self.worker(index), cwd=HERE, env=ENV, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def stop(self, p):
        os.killpg(p.pid, signal.SIGTERM)
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()

    def run(self, workers):
        r.flushall()
        before = commands()
        t = time.perf_counter()
        measured = self.enqueue(JOBS)  # Sidekiq measures inside Ruby (no interpreter start-up)
        enqueue_rate = measured or JOBS / (time.perf_counter() - t)
        polls = 1
        procs = [self.start(i) for i in range(workers)]
        while True:
            polls += 1
            if r.llen(self.list_key) < JOBS:
                start = time.perf_counter()
                break
            time.sleep(0.0001)
        while True:
            polls += 1
            if r.llen(self.list_key) == 0:
                drain = JOBS / (time.perf_counter() - start)
                break
            time.sleep(0.0002)
        time.sleep(0.05)  # the last prefetched jobs finish
        after = commands()
        polls += 1
        for p in procs:
            self.stop(p)
        per_job = (after - before - polls) / JOBS
        # Trickle with idle workers.
        r.flushall()
        procs = [self.start(10 + i) for i in range(workers)]
        time.sleep(3)  # past start-up (Python and Ruby workers take a while)
        rss = max(rss_mb(p.pid) for p in procs)
        self.trickle(TRICKLE)
        deadline = time.time() + 60
        while r.llen("bench:latency") < TRICKLE and time.time() < deadline:
            time.sleep(0.01)
        lat = [float(x) * 1000 for x in r.lrange("bench:latency", 0, -1)]
        for p in procs:
            self.stop(p)
        # Cold start: a job waiting, then launch.
        firsts = []
        for i in range(3):
            r.flushall()
            launched = time.time()
            self.first_job(launched)
            p = self.start(100 + i)
            deadline = time.time() + 30
            while r.llen("bench:latency") < 1 and time.time() < deadline:
                time.sleep(0.001)
            firsts.append(launched_to_start(launched))
            self.stop(p)
        return {"system": self.name, "workers": workers, "enqueue_per_s": round(enqueue_rate), "drain_per_s": round(drain),
                "pickup_p50_ms": round(pct(lat, 0.5), 3), "pickup_p99_ms": round(pct(lat, 0.99), 3),
                "commands_per_job": round(per_job, 2), "idle_rss_mb": round(rss, 1), "cold_start_ms": round(pct(firsts, 0.5), 1)}


def launched_to_start(launched):
    # The job records (start - enqueued_at); enqueued_at was the launch time.
    values = r.lrange("bench:latency", 0, 0)
    return float(values[0]) * 1000 if values else float("nan")


class RQ(System):
    name, list_key = "RQ (SimpleWorker)", "rq:queue:default"

    def __init__(self):
        from rq import Queue
        import anchor_tasks
        self.q = Queue("default", connection=r)
        self.tasks = anchor_tasks

    def enqueue(self, n):
        for _ in range(n):
            self.q.enqueue(self.tasks.noop, result_ttl=0)

    def worker(self, index):
        return ["rq", "worker", "--url", URL, "--worker-class", "rq.worker.SimpleWorker", "--quiet", "default"]

    def trickle(self, n):
        for _ in range(n):
            self.q.enqueue(self.tasks.record_latency, time.time(), result_ttl=0)
            busy(GAP)

    def first_job(self, t):
        self.q.enqueue(self.tasks.record_latency, t, result_ttl=0)


class Celery(System):
    name, list_key = "Celery (solo pool)", "celery"

    def __init__(self):
        import anchor_tasks
        self.tasks = anchor_tasks

    def enqueue(self, n):
        for _ in range(n):
            self.tasks.celery_noop.delay()

    def worker(self, index):
        return [sys.executable, "-m", "celery", "-A", "anchor_tasks", "worker", "-P", "solo", "-c", "1", "--without-gossip",
                "--without-mingle", "--without-heartbeat", "-l", "WARNING", "-n", f"w{index}@%h"]

    def trickle(self, n):
        for _ in range(n):
            self.tasks.celery_record_latency.delay(time.time())
            busy(GAP)

    def first_job(self, t):
        self.tasks.celery_record_latency.delay(t)


class Sidekiq(System):
    name, list_key = "Sidekiq (6.4, 10 threads)", "queue:default"

    def ruby(self, *args):
        return subprocess.run(["ruby", os.path.join(HERE, "sidekiq_jobs.rb"), *args], cwd=HERE, env=ENV, check=True,
                              capture_output=True, text=True).stdout

    def enqueue(self, n):
        return float(self.ruby("enqueue", str(n)).strip())

    def worker(self, index):
        return ["sidekiq", "-r", os.path.join(HERE, "sidekiq_jobs.rb"), "-q", "default", "-c", "10"]

    def trickle(self, n):
        self.ruby("trickle", str(n), str(GAP))

    def first_job(self, t):
        self.ruby("first", str(t))


def busy(seconds):
    t = time.perf_counter()
    while time.perf_counter() - t < seconds:
        time.sleep(0.0002)


if __name__ == "__main__":
    systems = {"rq": RQ, "celery": Celery, "sidekiq": Sidekiq}
    names = sys.argv[1].split(",") if len(sys.argv) > 1 else list(systems)
    counts = [int(x) for x in (sys.argv[2] if len(sys.argv) > 2 else "1,2").split(",")]
    for name in names:
        system = systems[name]()
        for w in counts:
            print(json.dumps(system.run(w)), flush=True)
