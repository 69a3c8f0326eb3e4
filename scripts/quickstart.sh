#!/usr/bin/env bash
# From a fresh clone to trained models: installs what is missing, builds, trains the example
# recipes with `mmp train`, and prints their metrics and artifact paths.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/services.sh

mmp_install_packages
mmp_log "building mmp (release)"
swift build -c release --product mmp 2>&1 | grep -E 'error|warning: unre|Compiling mmp|Build' || true
MMP="$(swift build -c release --show-bin-path)/mmp"
[ -x "$MMP" ] || { echo "build failed" >&2; exit 1; }

for recipe in churn_logistic breast_cancer house_prices_ridge; do
    mmp_log "mmp train $recipe"
    "$MMP" train "$recipe"
done
