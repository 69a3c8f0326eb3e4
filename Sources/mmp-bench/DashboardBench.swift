import ArgumentParser
import MMPBenchmarks
import MMPCore

struct DashboardFillBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashboard-fill",
        abstract: "Fill a Redis with ended jobs through the queue scripts (Benchmarks/dashboard/run.sh).")

    @Option(help: "A Redis of its own.") var redisURL: String
    @Option(help: "Jobs to submit and end.") var jobs = 200_000

    func run() throws {
        try DashboardFill.run(redisURL: redisURL, jobs: jobs) { StandardStreams.writeError("mmp-bench: " + $0 + "\n") }
    }
}
