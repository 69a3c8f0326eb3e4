#!/usr/bin/env bash
# A quick release-build timing of mmp's linear models beside scikit-learn's, on the same
# generated data in the same run (200,000 and 1,000,000 × 20 classification; 200,000 × 20
# regression). The full learning benchmark is `mmp-bench learn`; this one builds in a scratch
# package (MMPCore and MMPLearn linked from this checkout) so it needs none of the services.
#
#   scripts/reference/linear_speed.sh [WORKDIR]     (needs: pip install scikit-learn numpy)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
WORK="${1:-${TMPDIR:-/tmp}/mmp-linear-speed}"
mkdir -p "$WORK/Sources/LinearBench"
ln -sfn "$ROOT/Sources/MMPCore" "$WORK/Sources/MMPCore"
ln -sfn "$ROOT/Sources/MMPLearn" "$WORK/Sources/MMPLearn"
cp "$ROOT/scripts/reference/linear_speed/main.swift" "$WORK/Sources/LinearBench/main.swift"
LOG_DEP='.package(url: "https://github.com/apple/swift-log", from: "1.6.0")'
if [ -d "$ROOT/.build/checkouts/swift-log" ]; then
  rm -rf "$WORK/swift-log" && cp -r "$ROOT/.build/checkouts/swift-log" "$WORK/swift-log"
  LOG_DEP='.package(path: "swift-log")'
fi
cat > "$WORK/Package.swift" <<SWIFT
// swift-tools-version:6.0
import PackageDescription
let package = Package(
    name: "linearspeed",
    dependencies: [$LOG_DEP],
    targets: [
        .target(name: "MMPCore", dependencies: [.product(name: "Logging", package: "swift-log")]),
        .target(name: "MMPLearn", dependencies: ["MMPCore"]),
        .executableTarget(name: "LinearBench", dependencies: ["MMPLearn", "MMPCore"]),
    ]
)
SWIFT
(cd "$WORK" && swift build -c release --product LinearBench)
python3 "$ROOT/scripts/reference/linear_speed/bench.py" "$WORK"
