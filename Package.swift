// swift-tools-version:6.0
import PackageDescription

// Layout: C libraries as system-library targets (module maps only), libraries that hold all
// behaviour, and two thin executables. See docs/architecture.md.
let package = Package(
    name: "mmp",
    platforms: [.macOS(.v15)],  // Synchronization (Mutex, Atomic)
    products: [
        .executable(name: "mmp", targets: ["mmp"]),
        .executable(name: "mmp-worker", targets: ["mmp-worker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        // The one HTTP stack (design §7): `mmp serve` now, the dashboard later. Never in mmp-worker.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        // Hummingbird's own dependencies, named for the types mmp uses directly (event loops,
        // thread pools, service groups and signals); they add nothing to the build.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .systemLibrary(name: "CHiredis", providers: [.apt(["libhiredis-dev"])]),
        .systemLibrary(name: "CLibpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CZstd", providers: [.apt(["libzstd-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),

        // MMPCore links FoundationEssentials only: the worker supervisor depends on it and must
        // stay small (an idle mmp-worker is measured in docs/performance.md).
        .target(name: "MMPCore", dependencies: [
            .product(name: "Logging", package: "swift-log"),
        ]),
        // YAML (Yams pulls in full Foundation): configs and recipes.
        .target(name: "MMPConfig", dependencies: [
            "MMPCore", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "MMPLearn", dependencies: ["MMPCore"]),
        .target(name: "MMPArtifacts", dependencies: ["MMPCore", "MMPLearn", "CZstd"]),
        // Parquet in pure Swift (no Arrow C++ in Debian here): footer, pages, codecs.
        .target(name: "MMPParquet", dependencies: ["MMPCore", "MMPLearn", "CZstd", "CZlib"]),
        .target(name: "MMPRedis", dependencies: ["MMPCore", "CHiredis"]),
        .target(name: "MMPPostgres", dependencies: ["MMPCore", "CLibpq"]),
        // MLflow's REST API over FoundationNetworking's URLSession (no package added); used by
        // mmp and its training child, never by the worker supervisor.
        .target(name: "MMPTracking", dependencies: ["MMPCore"]),
        .target(name: "MMPAdapters", dependencies: [
            "MMPCore", "MMPConfig", "MMPLearn", "MMPArtifacts", "MMPRedis", "MMPPostgres", "MMPTracking", "MMPParquet",
        ]),
        .target(name: "MMPQueue", dependencies: ["MMPCore", "MMPRedis"]),
        // Terminal views of jobs, queues and workers (`mmp jobs`, `mmp jobs watch`): not linked by
        // the worker.
        .target(name: "MMPJobViews", dependencies: ["MMPCore", "MMPQueue"]),
        // The worker supervisor: claims, leases, heartbeats, child processes. No Foundation, no
        // learning code; the training itself runs in an `mmp run-job` child process.
        .target(name: "MMPWorker", dependencies: [
            "MMPCore", "MMPRedis", "MMPQueue", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "MMPPipeline", dependencies: [
            "MMPCore", "MMPConfig", "MMPLearn", "MMPArtifacts", "MMPAdapters", "MMPQueue", "MMPRedis", "MMPTracking",
        ]),
        // HTTP pieces any mmp server reuses: JSON error bodies, request ids, Prometheus text,
        // graceful shutdown. Hummingbird lives here and in MMPServe only.
        .target(name: "MMPHTTP", dependencies: [
            "MMPCore",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // `mmp serve`: the prediction server over MMPPipeline's predict path.
        .target(name: "MMPServe", dependencies: [
            "MMPCore", "MMPConfig", "MMPLearn", "MMPArtifacts", "MMPAdapters", "MMPPipeline", "MMPHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        ]),
        // `mmp dashboard` and `mmp metrics`: pages, actions and Prometheus metrics over the fleet's
        // Redis, on MMPHTTP's stack (never linked by mmp-worker).
        .target(name: "MMPDashboard", dependencies: [
            "MMPCore", "MMPRedis", "MMPQueue", "MMPHTTP",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Benchmark harnesses (release builds; Benchmarks/ runs them beside the anchors).
        .target(name: "MMPBenchmarks", dependencies: [
            "MMPCore", "MMPLearn", "MMPRedis", "MMPQueue", "MMPPostgres", "MMPAdapters",
        ]),
        .executableTarget(name: "mmp-bench", dependencies: [
            "MMPBenchmarks", "MMPCore", "MMPLearn", "MMPPostgres", "MMPRedis",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mmp", dependencies: [
            "MMPPipeline", "MMPAdapters", "MMPArtifacts", "MMPConfig", "MMPCore", "MMPLearn", "MMPQueue", "MMPRedis",
            "MMPJobViews", "MMPParquet", "MMPServe", "MMPDashboard",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // No swift-argument-parser here (it links FoundationEssentials, see WorkerArguments), and
        // the Swift runtime linked in: an idle worker stays under 10 MB resident
        // (Benchmarks/queue/RESULTS.md).
        .executableTarget(name: "mmp-worker", dependencies: [
            "MMPWorker", "MMPCore", .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(platforms: [.linux]))]),

        // What every test target shares: where scripts/test.sh put the services and executables,
        // processes, free ports, servers of a test's own.
        .target(name: "MMPTestSupport", dependencies: ["MMPCore", "MMPRedis"], path: "Tests/MMPTestSupport"),

        // Unit tests: no services, seconds to run (`swift test --filter UnitTests`, or the core,
        // learning and artifact targets).
        .testTarget(name: "MMPCoreTests", dependencies: ["MMPCore", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "MMPQueueUnitTests", dependencies: ["MMPQueue", "MMPRedis", "MMPCore"]),
        .testTarget(name: "MMPWorkerUnitTests", dependencies: ["MMPWorker", "MMPQueue", "MMPCore"]),
        .testTarget(name: "MMPRedisUnitTests", dependencies: ["MMPRedis", "MMPCore"]),
        .testTarget(name: "MMPBenchmarksUnitTests", dependencies: ["MMPBenchmarks"]),
        .testTarget(name: "MMPConfigTests", dependencies: ["MMPConfig", "MMPCore", "MMPTestSupport"]),
        .testTarget(name: "MMPLearnTests", dependencies: ["MMPLearn", "MMPCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MMPArtifactsTests", dependencies: ["MMPArtifacts"]),
        .testTarget(name: "MMPRedisTests", dependencies: ["MMPRedis", "MMPCore", "MMPTestSupport"]),
        .testTarget(name: "MMPPostgresTests", dependencies: [
            "MMPPostgres", "MMPAdapters", "MMPConfig", "MMPLearn", "MMPRedis", "MMPArtifacts", "MMPPipeline", "MMPCore",
            "MMPTestSupport",
        ]),
        .testTarget(name: "MMPAdaptersTests", dependencies: ["MMPAdapters", "MMPConfig", "MMPCore", "MMPLearn", "MMPPostgres", "MMPTestSupport"]),
        .testTarget(name: "MMPParquetTests", dependencies: ["MMPParquet", "MMPLearn"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MMPQueueTests", dependencies: ["MMPQueue", "MMPRedis", "MMPCore", "MMPTestSupport"]),
        // Integration tests: real redis-server (and mmp-worker processes), through scripts/test.sh.
        .testTarget(name: "MMPWorkerTests", dependencies: [
            "MMPWorker", "MMPQueue", "MMPRedis", "MMPCore", "MMPTestSupport", .product(name: "Yams", package: "Yams"),
        ]),
        // The fleet end to end through the executables: mmp submit, mmp-worker, mmp jobs, with
        // PostgreSQL clusters of the tests' own.
        .testTarget(name: "FleetIntegrationTests", dependencies: ["MMPCore", "MMPTestSupport"]),
        // `mmp serve` as a real process on a free port, with the test Redis and PostgreSQL.
        // The dashboard through real processes (`mmp dashboard`, `mmp-worker`), HTTP and headless
        // Chromium (scripts/test.d/60-chromium.sh).
        .testTarget(name: "MMPDashboardTests", dependencies: ["MMPDashboard", "MMPQueue", "MMPRedis", "MMPCore", "MMPTestSupport"]),
        .testTarget(name: "MMPServeTests", dependencies: [
            "MMPServe", "MMPHTTP", "MMPPipeline", "MMPAdapters", "MMPArtifacts", "MMPLearn", "MMPConfig", "MMPCore",
            "MMPRedis", "MMPTestSupport",
        ]),
        // Tracking against a real `mlflow server` (scripts/test.d/50-mlflow.sh), read back with
        // MLflow's own Python client.
        .testTarget(name: "MMPTrackingTests", dependencies: [
            "MMPTracking", "MMPPipeline", "MMPArtifacts", "MMPConfig", "MMPCore", "MMPTestSupport",
        ]),
        // Fixtures/ (recipes rendered from the Python tool's template) are read from the checkout.
        .testTarget(name: "MMPPipelineTests", dependencies: [
            "MMPPipeline", "MMPAdapters", "MMPArtifacts", "MMPLearn", "MMPConfig", "MMPCore", "MMPTestSupport",
        ], exclude: ["Fixtures"]),
    ]
)
