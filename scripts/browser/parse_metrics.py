#!/usr/bin/env python3
"""Reads Prometheus exposition text on stdin with prometheus_client's own parser and prints the
families as JSON: {name: {"type": ..., "samples": [{"name", "labels", "value"}]}}. A text the
parser refuses exits non-zero with its message."""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

out = {}
for family in text_string_to_metric_families(sys.stdin.read()):
    out[family.name] = {
        "type": family.type,
        "samples": [{"name": s.name, "labels": dict(s.labels), "value": s.value} for s in family.samples],
    }
print(json.dumps(out))
