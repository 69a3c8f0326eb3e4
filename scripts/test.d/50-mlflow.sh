# A real MLflow tracking server for the tracking tests (sourced by scripts/test.sh): SQLite
# backend store and artifacts under $STATE/mlflow, the artifact proxy on (--serve-artifacts), a
# free loopback port. Exports MMP_TEST_MLFLOW_URI (the server) and MMP_TEST_MLFLOW_PYTHON (the
# virtualenv's python, with MLflow's own client, for reading runs back).
MLFLOW_VENV=$(mmp_python_env mlflow) || { echo "cannot build the MLflow virtualenv (scripts/requirements/mlflow.txt)" >&2; exit 1; }
MLFLOW_PORT=$(mmp_free_port)
mmp_log "starting mlflow server on 127.0.0.1:$MLFLOW_PORT under $STATE/mlflow"
mmp_start_mlflow "$MLFLOW_VENV" "$STATE/mlflow" "$MLFLOW_PORT" "$STATE/pids/mlflow.pid" || exit 1
export MMP_TEST_MLFLOW_URI="http://127.0.0.1:$MLFLOW_PORT"
export MMP_TEST_MLFLOW_PYTHON="$MLFLOW_VENV/bin/python"
export MMP_TEST_MLFLOW_VENV="$MLFLOW_VENV"
