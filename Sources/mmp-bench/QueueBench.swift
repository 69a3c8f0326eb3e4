import ArgumentParser
import Foundation
import MMPBenchmarks
import MMPCore

struct QueueBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "queue",
        abstract: "No-op jobs through the Redis queue and real mmp-worker processes (Benchmarks/queue/run.sh).")

    @Option(help: "A Redis of its own: the benchmark flushes it.") var redisURL: String
    @Option(help: "Release mmp-worker binary.") var workerBin: String
    @Option(help: "Release mmp binary (for the config read at worker start).") var mmpBin: String
    @Option(help: "Config folder for the cold start through `mmp queues settings`.") var configDir = "config"
    @Option(help: "Jobs per drain.") var jobs = 10_000
    @Option(help: "Jobs in the latency trickle.") var trickle = 300
    @Option(help: "Worker counts, comma-separated.") var workers = "1,2"
    @Option(help: "Folder for worker logs.") var logDir = "/tmp"
    @Option(help: "Slots per worker (mmp-worker --concurrency).") var concurrency = 1
    @Flag(help: "Print one JSON object instead of a table.") var json = false

    func run() throws {
        var options = QueueBenchmark.Options(redisURL: redisURL, workerBinary: workerBin, mmpBinary: mmpBin)
        options.jobs = jobs
        options.trickle = trickle
        options.workerCounts = workers.split(separator: ",").compactMap { Int($0) }
        options.logDirectory = logDir
        options.concurrency = concurrency
        let bench = try QueueBenchmark(options)
        let results = try bench.run { StandardStreams.writeError("mmp: " + $0 + "\n") }
        let bare = try bench.coldStart(viaConfig: false, configDirectory: configDir)
        let viaConfig = try bench.coldStart(viaConfig: true, configDirectory: configDir)
        var out: [JSON] = []
        for r in results {
            out.append(["system": .string(r.concurrency == 1 ? "mmp" : "mmp (concurrency \(r.concurrency))"), "workers": .int(r.workers), "enqueue_per_s": .double(r.enqueuePerSecond.rounded()),
                        "drain_per_s": .double(r.drainPerSecond.rounded()), "pickup_p50_ms": .double(round3(r.pickupP50ms)),
                        "pickup_p99_ms": .double(round3(r.pickupP99ms)), "round_trips_per_job": .double(round3(r.roundTripsPerJob)),
                        "commands_per_job": .double(round3(r.commandsPerJob)), "idle_rss_mb": .double(round3(r.idleRSSMB)),
                        "ready_ms": .double(round3(bare.ready)), "cold_start_ms": .double(round3(bare.firstJob)),
                        "ready_with_config_ms": .double(round3(viaConfig.ready)),
                        "cold_start_with_config_ms": .double(round3(viaConfig.firstJob))])
        }
        StandardStreams.writeOut(JSON.array(out).serialized() + "\n")
    }

    func round3(_ v: Double) -> Double { v.isFinite ? (v * 1000).rounded() / 1000 : -1 }
}
