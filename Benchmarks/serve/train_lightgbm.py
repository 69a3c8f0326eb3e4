"""Trains the anchor: LightGBM's LGBMClassifier with the same settings as the mmp recipe
(100 trees, 31 leaves, learning rate 0.1, 20 rows per leaf) on the same CSV, and pickles it
for the FastAPI app.

    python train_lightgbm.py DATA_DIR
"""
import json
import pickle
import sys

import lightgbm as lgb
import pandas as pd


def main(data):
    columns = json.load(open(f"{data}/columns.json"))
    frame = pd.read_csv(f"{data}/train.csv")
    model = lgb.LGBMClassifier(n_estimators=100, num_leaves=31, learning_rate=0.1, min_child_samples=20, verbose=-1)
    model.fit(frame[columns], frame["label"])
    with open(f"{data}/lightgbm.pkl", "wb") as f:
        pickle.dump(model, f)
    print(f"trained LightGBM: {model.booster_.num_trees()} trees", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
