"""The anchor: pandas + LightGBM on the same file, in one process: train on train_200k.csv with
the recipe's parameters, then time read_csv of the file to score, predict, and to_csv of
the output (id, prediction, probabilities), as mmp's shards do.

    python anchor.py TRAIN.csv SCORE.csv OUT.csv
"""
import json
import sys
import time

import lightgbm as lgb
import pandas as pd

train_path, score_path, out_path = sys.argv[1:4]
train = pd.read_csv(train_path)
features = [f"f{i}" for i in range(20)]
# LightGBM's own API (the scikit-learn wrapper would need scikit-learn in the environment).
booster = lgb.train({"objective": "binary", "learning_rate": 0.1, "num_leaves": 31, "verbose": -1},
                    lgb.Dataset(train[features], train["target"]), num_boost_round=100)

t0 = time.perf_counter()
data = pd.read_csv(score_path)
t1 = time.perf_counter()
p1 = booster.predict(data[features])
out = pd.DataFrame({"id": data["id"], "prediction": (p1 >= 0.5).astype(int), "probability_0": 1 - p1, "probability_1": p1})
t2 = time.perf_counter()
out.to_csv(out_path, index=False)
t3 = time.perf_counter()
print(json.dumps({"impl": "pandas+lightgbm", "rows": len(data), "read_s": t1 - t0, "predict_s": t2 - t1, "write_s": t3 - t2, "seconds": t3 - t0}))
