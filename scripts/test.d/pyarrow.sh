# Python with pyarrow (scripts/requirements/test.txt) for the tests that read mmp's Parquet
# output back with the reader most teams use. No service to start: it exports the interpreter.
MMP_TEST_PYARROW_PYTHON="$(mmp_python_env test)/bin/python" || { echo "could not build the test Python environment" >&2; exit 1; }
export MMP_TEST_PYARROW_PYTHON
