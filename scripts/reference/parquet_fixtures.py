#!/usr/bin/env python3
"""Writes the Parquet fixtures of Tests/MMPParquetTests/Fixtures with pyarrow (the writer most
teams' files come from), one file per codec / encoding / page version, and the values every file
must read back as (expected.json). Also a CSV and its Parquet copy for the test that trains the
same recipe from both.

  venv=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env reference)
  "$venv/bin/python" scripts/reference/parquet_fixtures.py

Deterministic (fixed seed); needs pyarrow only (pinned in scripts/requirements/reference.txt).
"""
import datetime as dt
import json
import os
import random

import pyarrow as pa
import pyarrow.parquet as pq

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT = os.path.join(ROOT, "Tests", "MMPParquetTests", "Fixtures")
ROWS = 300


def table():
    rng = random.Random(14)

    def maybe(value, p=0.1):
        return None if rng.random() < p else value

    cities = ["Paris", "Lyon", "São Paulo", "Osaka", "Nairobi", ""]
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    rows = []
    for i in range(ROWS):
        ts = epoch + dt.timedelta(seconds=1_700_000_000 + rng.randrange(10_000_000), microseconds=rng.randrange(1_000_000))
        rows.append({
            "id": i * 7 - 1000,
            "i32": maybe(rng.randrange(-2**31, 2**31)),
            "u8": maybe(rng.randrange(0, 256)),
            "f32": maybe(rng.uniform(-1e3, 1e3)),
            "f64": maybe(rng.gauss(0, 1e6)),
            "flag": maybe(rng.random() < 0.5),
            "city": maybe(rng.choice(cities)),
            "note": maybe(f"note {rng.randrange(10**6)} {'x' * rng.randrange(5)}"),
            "day": maybe(dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(2000))),
            "ts": maybe(ts),
            "ts_ms": maybe(ts.replace(microsecond=(ts.microsecond // 1000) * 1000)),
        })
    schema = pa.schema([
        ("id", pa.int64()), ("i32", pa.int32()), ("u8", pa.uint8()), ("f32", pa.float32()), ("f64", pa.float64()),
        ("flag", pa.bool_()), ("city", pa.string()), ("note", pa.string()), ("day", pa.date32()),
        ("ts", pa.timestamp("us", tz="UTC")), ("ts_ms", pa.timestamp("ms", tz="UTC")),
    ])
    return pa.Table.from_pylist(rows, schema=schema)


def expected(t):
    """What mmp's table holds: numbers as doubles (booleans 0/1), DATE and TIMESTAMP as seconds
    since the epoch, strings as text; null for missing."""
    out = {}
    for name in t.column_names:
        column = t.column(name).to_pylist()
        values = []
        for v in column:
            if v is None:
                values.append(None)
            elif isinstance(v, bool):
                values.append(1.0 if v else 0.0)
            elif isinstance(v, dt.datetime):
                delta = v - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
                values.append(delta.days * 86400 + delta.seconds + delta.microseconds / 1e6)
            elif isinstance(v, dt.date):
                values.append((v - dt.date(1970, 1, 1)).days * 86400.0)
            elif isinstance(v, str):
                values.append(v)
            else:
                values.append(float(v))
        out[name] = values
    return out


def main():
    os.makedirs(OUT, exist_ok=True)
    t = table()
    small = dict(row_group_size=120, data_page_size=512)  # several row groups and pages
    variants = {
        "plain_uncompressed.parquet": dict(compression="none", use_dictionary=False, data_page_version="1.0"),
        "dictionary_snappy.parquet": dict(compression="snappy", use_dictionary=True, data_page_version="1.0"),
        "dictionary_gzip_v2.parquet": dict(compression="gzip", use_dictionary=True, data_page_version="2.0"),
        "plain_zstd_v2.parquet": dict(compression="zstd", use_dictionary=False, data_page_version="2.0"),
        "delta_zstd.parquet": dict(compression="zstd", use_dictionary=False, data_page_version="2.0", column_encoding={
            "id": "DELTA_BINARY_PACKED", "i32": "DELTA_BINARY_PACKED", "u8": "DELTA_BINARY_PACKED",
            "note": "DELTA_BYTE_ARRAY", "city": "DELTA_LENGTH_BYTE_ARRAY", "f64": "BYTE_STREAM_SPLIT",
            "ts": "DELTA_BINARY_PACKED", "day": "DELTA_BINARY_PACKED"}),
    }
    for name, options in variants.items():
        pq.write_table(t, os.path.join(OUT, name), **small, **options)
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump({"rows": ROWS, "columns": expected(t)}, f, separators=(",", ":"))

    # What mmp must refuse with a clear message: nested columns, an unsupported codec.
    nested = pa.table({"id": [1, 2], "point": [{"x": 1.0, "y": 2.0}, {"x": 3.0, "y": 4.0}], "tags": [["a"], ["b", "c"]]})
    pq.write_table(nested, os.path.join(OUT, "nested.parquet"))
    pq.write_table(pa.table({"x": [1.0, 2.0]}), os.path.join(OUT, "lz4.parquet"), compression="lz4")

    # The same rows as CSV and Parquet, for training the same recipe from both.
    rng = random.Random(7)
    rows = []
    for i in range(400):
        a, b = rng.gauss(0, 1), rng.uniform(-3, 3)
        segment = rng.choice(["north", "south", "east"])
        score = a * 1.5 - b + (0.8 if segment == "north" else 0.0) + rng.gauss(0, 0.5)
        rows.append({"customer": f"c{i:04d}", "a": a, "b": b, "visits": rng.randrange(0, 30), "segment": segment,
                     "churned": 1 if score > 0 else 0})
    with open(os.path.join(OUT, "churn.csv"), "w") as f:
        f.write("customer,a,b,visits,segment,churned\n")
        for r in rows:  # repr: the shortest text that reads back to the same double
            f.write(f"{r['customer']},{r['a']!r},{r['b']!r},{r['visits']},{r['segment']},{r['churned']}\n")
    pq.write_table(pa.Table.from_pylist(rows), os.path.join(OUT, "churn.parquet"), compression="zstd")
    for name in sorted(os.listdir(OUT)):
        print(f"{name}: {os.path.getsize(os.path.join(OUT, name))} bytes")


if __name__ == "__main__":
    main()
