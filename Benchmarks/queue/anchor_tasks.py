"""Job functions for the RQ and Celery anchors: a no-op, and one that records its pickup latency."""
import os
import time

import redis
from celery import Celery

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
_client = redis.Redis.from_url(REDIS_URL)


def noop():
    return None


def record_latency(enqueued_at):
    _client.rpush("bench:latency", time.time() - enqueued_at)


app = Celery("anchor_tasks", broker=REDIS_URL)
app.conf.update(task_ignore_result=True, worker_hijack_root_logger=False, broker_connection_retry_on_startup=True,
                worker_prefetch_multiplier=4, task_acks_late=False)


@app.task(name="noop")
def celery_noop():
    return None


@app.task(name="record_latency")
def celery_record_latency(enqueued_at):
    record_latency(enqueued_at)
