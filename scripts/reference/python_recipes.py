#!/usr/bin/env python3
"""Renders the Python modern-ml-pipeline tool's own recipe template for every non-deep model of its
catalog, as its CLI (`mmp get-recipe`) would, into Tests/MMPPipelineTests/Fixtures/python_recipes/:
the acceptance recipes of issue 15 (PythonRecipeAcceptanceTests runs `mmp validate`, `mmp train`
and `mmp predict` on each).

The template (mmp/cli/templates/recipes/recipe.yaml.j2) and the catalog (mmp/models/catalog/) are
read from the published wheel, modern-ml-pipeline==1.5.0, downloaded with `pip download --no-deps`
into a temporary folder (nothing of it is kept but the rendered recipes). The variables follow the
tool's RecipeBuilder in its two modes:
- manual: tuning off, `values` = the catalog's fixed values plus every tunable default, no
  preprocessing (`preprocessor: null`), calibration off, monitoring off;
- cheat_sheet: tuning on (20 trials, timeout 600 s, the task's default optimization metric), the
  catalog's fixed and tunable sections, its recommended preprocessing and calibration, monitoring on.
The data the user fills in (source_uri and the columns) points at mmp's bundled datasets.

Besides the catalog, the same template is rendered (mode "extra", as manual with a scaler where the
model needs one) for class paths a user of that tool writes by hand that its catalog lacks:
scikit-learn's MLPs, CatBoostRegressor, and the SVMs under their long names.

Run from the repository root:
    venv=$(source scripts/lib/services.sh; source scripts/lib/python.sh; mmp_python_env reference)
    "$venv/bin/python" scripts/reference/python_recipes.py
"""
import json
import os
import subprocess
import sys
import tempfile
import zipfile

import jinja2
import yaml

from common import ROOT

PACKAGE = "modern-ml-pipeline==1.5.0"
OUT = os.path.join(ROOT, "Tests", "MMPPipelineTests", "Fixtures", "python_recipes")

# Deep models (PyTorch) are out of scope: mmp names them in a clear error instead.
DEEP = {"FTTransformerClassifier", "FTTransformerRegressor", "TabNetClassifier", "TabNetRegressor",
        "ResNetRegressor", "LSTMTimeSeries"}

# Class paths outside the tool's catalog that its users write by hand (scikit-learn's own names).
SCALED = [{"type": "simple_imputer", "strategy": "median"}, {"type": "standard_scaler"}]
EXTRA = {
    ("classification", "MLPClassifier"): {"class_path": "sklearn.neural_network.MLPClassifier", "library": "scikit-learn",
                                          "values": {"hidden_layer_sizes": [32], "early_stopping": True, "max_iter": 200}, "steps": SCALED},
    ("regression", "MLPRegressor"): {"class_path": "sklearn.neural_network.MLPRegressor", "library": "scikit-learn",
                                     "values": {"hidden_layer_sizes": [32], "learning_rate_init": 0.01, "max_iter": 300}, "steps": SCALED},
    ("regression", "CatBoostRegressor"): {"class_path": "catboost.CatBoostRegressor", "library": "catboost",
                                          "values": {"iterations": 200, "depth": 6, "learning_rate": 0.05, "l2_leaf_reg": 3.0}},
    ("classification", "SupportVectorClassifier"): {"class_path": "SupportVectorClassifier", "library": "scikit-learn",
                                                    "values": {"C": 1.0, "kernel": "rbf", "gamma": "scale", "probability": True}, "steps": SCALED},
    ("regression", "SupportVectorRegressor"): {"class_path": "SupportVectorRegressor", "library": "scikit-learn",
                                               "values": {"C": 10.0, "kernel": "rbf", "gamma": "scale", "epsilon": 0.1}, "steps": SCALED},
}

# What a user fills in per task: mmp's bundled data.
DATA = {
    "classification": {"data_source_uri": "data/breast_cancer.csv", "target_column": "diagnosis", "entity_columns": ["sample_id"]},
    "regression": {"data_source_uri": "data/diabetes.csv", "target_column": "progression", "entity_columns": ["patient_id"]},
    "clustering": {"data_source_uri": "data/blobs.csv", "target_column": None, "entity_columns": ["point_id"]},
    "timeseries": {"data_source_uri": "data/co2_monthly.csv", "target_column": "co2", "entity_columns": [],
                   "timeseries_timestamp_column": "date"},
    "causal": {"data_source_uri": "data/uplift.csv", "target_column": "revenue", "entity_columns": ["user_id"],
               "treatment_column": "group"},
}

# The tool's default optimization metric per task (its evaluators' DEFAULT_OPTIMIZATION_METRIC).
DEFAULT_METRIC = {"classification": "accuracy", "regression": "r2_score", "clustering": "silhouette_score",
                  "timeseries": "rmse", "causal": "ate"}


def wheel_files():
    folder = tempfile.mkdtemp(prefix="mmp-python-recipes-")
    subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--dest", folder, PACKAGE], check=True)
    wheel = next(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".whl"))
    with zipfile.ZipFile(wheel) as z:
        template = z.read("mmp/cli/templates/recipes/recipe.yaml.j2").decode()
        catalog = {}
        for name in z.namelist():
            if name.startswith("mmp/models/catalog/") and name.endswith(".yaml"):
                task = name.split("/")[3].lower()
                catalog[(task, os.path.basename(name)[:-5])] = yaml.safe_load(z.read(name))
    return template, catalog


def variables(task, model, spec, mode):
    hp = spec.get("hyperparameters") or {}
    fixed = hp.get("fixed") or {}
    tunable = hp.get("tunable") or {}
    tuning = mode == "cheat_sheet"
    v = {
        "recipe_name": f"{task}_{model}_{mode}", "task": task.title(), "model_class": spec["class_path"],
        "model_library": spec["library"], "author": "CLI Recipe Builder" + (" (Cheat Sheet)" if tuning else ""),
        "train_ratio": 0.7, "validation_ratio": 0.15, "test_ratio": 0.15, "enable_tuning": tuning,
        "fetcher_type": "pass_through", "feature_views": None, "timestamp_column": None,
    }
    v.update(DATA[task])
    if tuning:
        v.update({"optimization_metric": DEFAULT_METRIC[task], "n_trials": 20, "tuning_timeout": 600,
                  "fixed_params": fixed, "tunable_specs": tunable})
        steps = [dict(s) for s in spec.get("recommended_preprocessor") or []]
        if steps:
            v["preprocessor_steps"] = steps
        v["monitoring_enabled"] = True
    else:
        values = dict(fixed)
        for name, t in tunable.items():
            values[name] = t.get("default", (t.get("range") or [1])[0])
        v["all_hyperparameters"] = values
    if task == "classification":
        enabled = tuning
        v.update({"calibration_enabled": enabled, "calibration_method": spec.get("recommended_calibration", "isotonic") if enabled else None})
        if enabled:
            v.update({"train_ratio": 0.7, "validation_ratio": 0.15, "test_ratio": 0.1, "calibration_ratio": 0.05})
    return v


def main():
    template_text, catalog = wheel_files()
    # The tool's TemplateEngine: trim_blocks and lstrip_blocks, so block tags leave no blank lines.
    env = jinja2.Environment(trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    template = env.from_string(template_text)
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    index = []
    for (task, model), spec in sorted(catalog.items()):
        if model in DEEP:
            index.append({"task": task, "model": model, "class_path": spec["class_path"], "deep": True})
            continue
        for mode in ("manual", "cheat_sheet"):
            name = f"{task}_{model}_{mode}.yaml"
            with open(os.path.join(OUT, name), "w") as f:
                f.write(template.render(**variables(task, model, spec, mode)))
            index.append({"task": task, "model": model, "class_path": spec["class_path"], "mode": mode, "file": name})
    for (task, model), extra in sorted(EXTRA.items()):
        v = variables(task, model, {"class_path": extra["class_path"], "library": extra["library"]}, "manual")
        v["recipe_name"] = f"{task}_{model}_extra"
        v["all_hyperparameters"] = extra["values"]
        if extra.get("steps"):
            v["preprocessor_steps"] = extra["steps"]
        name = f"{task}_{model}_extra.yaml"
        with open(os.path.join(OUT, name), "w") as f:
            f.write(template.render(**v))
        index.append({"task": task, "model": model, "class_path": extra["class_path"], "mode": "extra", "file": name})
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump({"package": PACKAGE, "recipes": index}, f, indent=2)
        f.write("\n")
    print(f"wrote {sum(1 for r in index if 'file' in r)} recipes for {len({(r['task'], r['model']) for r in index if 'file' in r})} models to",
          os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
