#!/usr/bin/env python3
"""Anchor: pandas.read_sql of the same query through SQLAlchemy + psycopg2. Prints one JSON line:
wall seconds of read_sql and the process's peak resident memory (and the baseline after imports)."""
import json
import os
import resource
import sys
import time

import pandas as pd
import sqlalchemy

query = sys.argv[1]
url = sqlalchemy.engine.URL.create(
    "postgresql+psycopg2", username=os.environ["PGUSER"], password=os.environ["PGPASSWORD"],
    host=os.environ["PGHOST"], port=int(os.environ["PGPORT"]), database=os.environ["PGDATABASE"])
engine = sqlalchemy.create_engine(url)
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
start = time.perf_counter()
with engine.connect() as connection:
    frame = pd.read_sql(sqlalchemy.text(query), connection)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": seconds, "rows": len(frame), "columns": len(frame.columns),
                  "frame_mb": frame.memory_usage(deep=True).sum() / 1e6,
                  "peak_rss_mb": peak / 1e6, "baseline_rss_mb": baseline / 1e6,
                  "pandas": pd.__version__, "sqlalchemy": sqlalchemy.__version__}))
