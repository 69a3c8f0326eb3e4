import ArgumentParser
import Foundation
import MMPBenchmarks
import MMPCore
import MMPRedis

struct ChaosBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "chaos",
        abstract: "Jobs through real workers while workers, Redis and the Sentinel master fail (Benchmarks/chaos/run.sh).")

    @Option(help: "The sentinels, host:port,host:port.") var sentinels: String
    @Option(help: "The master's name the sentinels monitor.") var master: String
    @Option(help: "mmp-worker binary.") var workerBin: String
    @Option(help: "mmp binary.") var mmpBin: String
    @Option(help: "Config folder of the workers (base.yaml).") var configDir: String
    @Option(help: "Folder for worker logs and the runs file.") var logDir: String
    @Option(help: "A Redis server's folder, for restarts: host:port=folder (repeatable).") var node: [String] = []
    @Option(help: "Jobs to run.") var jobs = 150
    @Option(help: "mmp-worker processes.") var workers = 3
    @Option(help: "Slots per worker.") var concurrency = 2
    @Option(help: "Seed of the fault schedule and the job lengths.") var seed: UInt64 = 1
    @Option(help: "Shortest pause before a fault, seconds.") var minPause = 2.0
    @Option(help: "Longest pause before a fault, seconds.") var maxPause = 5.0
    @Option(help: "Most seconds of faults.") var faultWindow = 600.0

    func run() throws {
        var directories: [RedisEndpoint: String] = [:]
        for entry in node {
            guard let eq = entry.firstIndex(of: "=") else { throw ValidationError("--node expects host:port=folder, got \(entry)") }
            directories[try RedisEndpoint(parsing: String(entry[..<eq]), field: "--node")] = String(entry[entry.index(after: eq)...])
        }
        var options = ChaosRun.Options(sentinels: try RedisEndpoint.list(sentinels, field: "--sentinels"), master: master,
                                       workerBinary: workerBin, mmpBinary: mmpBin, configDirectory: configDir, logDirectory: logDir,
                                       nodeDirectories: directories, repoRoot: FileManager.default.currentDirectoryPath)
        options.jobs = jobs
        options.workers = workers
        options.concurrency = concurrency
        options.seed = seed
        options.pause = minPause...max(minPause, maxPause)
        options.faultWindow = faultWindow
        let report = try ChaosRun(options, log: { StandardStreams.writeError("chaos: \(Timestamp.iso8601(Timestamp.now())) \($0)\n") }).run()
        StandardStreams.writeOut(report.lines.joined(separator: "\n") + "\n")
        if !report.passed { throw ExitCode(1) }
    }
}
