# Headless Chromium and its WebDriver from Debian (the same release, so the versions match),
# and Selenium plus prometheus_client (scripts/requirements/test-dashboard.txt) for the
# dashboard's browser and /metrics tests. No service to start: the tests start a browser each.
if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    mmp_log "installing chromium and chromium-driver"
    mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
    mmp_sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null
fi
MMP_TEST_DASHBOARD_PYTHON="$(mmp_python_env test-dashboard)/bin/python" || { echo "could not build the dashboard test Python environment" >&2; exit 1; }
export MMP_TEST_DASHBOARD_PYTHON
export MMP_CHROMIUM="$(command -v chromium)" MMP_CHROMEDRIVER="$(command -v chromedriver)"
