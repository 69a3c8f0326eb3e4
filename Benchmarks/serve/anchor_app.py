"""The anchor server: LightGBM behind FastAPI + uvicorn, the way the Python modern-ml-pipeline
serves (src/serving): a pydantic request model built at start-up from the model's columns
(create_model), each request turned into a one-row DataFrame, predict_proba per request, the
same response shapes as `mmp serve`.

    MODEL_DIR=... uvicorn anchor_app:app --host 127.0.0.1 --port 8001
"""
import json
import os
import pickle
from typing import Any, List

import pandas as pd
from fastapi import FastAPI
from pydantic import create_model

DATA = os.environ["MODEL_DIR"]
COLUMNS = json.load(open(f"{DATA}/columns.json"))
MODEL = pickle.load(open(f"{DATA}/lightgbm.pkl", "rb"))
MODEL_URI = f"{DATA}/lightgbm.pkl"
CLASSES = [str(c) for c in MODEL.classes_]

PredictionRequest = create_model("PredictionRequest", row_id=(Any, None), **{c: (float, ...) for c in COLUMNS})
BatchPredictionRequest = create_model("BatchPredictionRequest", samples=(List[PredictionRequest], ...))

app = FastAPI(title="anchor: LightGBM on FastAPI")


@app.get("/health")
def health():
    return {"status": "ok"}


@app.post("/predict")
def predict(request: PredictionRequest):
    frame = pd.DataFrame([request.model_dump()])
    probabilities = MODEL.predict_proba(frame[COLUMNS])[0]
    k = int(probabilities.argmax())
    return {"prediction": int(MODEL.classes_[k]), "probabilities": dict(zip(CLASSES, map(float, probabilities))),
            "model_uri": MODEL_URI}


@app.post("/predict/batch")
def predict_batch(request: BatchPredictionRequest):
    frame = pd.DataFrame([s.model_dump() for s in request.samples])
    probabilities = MODEL.predict_proba(frame[COLUMNS])
    predictions = []
    for row_id, p in zip(frame["row_id"], probabilities):
        k = int(p.argmax())
        predictions.append({"row_id": row_id, "prediction": int(MODEL.classes_[k]),
                            "probabilities": dict(zip(CLASSES, map(float, p)))})
    return {"predictions": predictions, "model_uri": MODEL_URI, "sample_count": len(predictions)}
