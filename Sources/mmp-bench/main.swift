import ArgumentParser

// Benchmarks (release builds only; see Benchmarks/ and docs/performance.md).
// Synchronous: an AsyncParsableCommand root needs a macOS availability annotation that fails at run
// time on Linux ("Asynchronous root command needs availability annotation").
struct MMPBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmp-bench",
        abstract: "mmp's benchmarks. Run through the scripts in Benchmarks/, which also run the anchors.",
        subcommands: [LearnBench.self, QueueBench.self, PostgresBench.self, DataBench.self, ChaosBench.self, DashboardFillBench.self,
                      SeriesBench.self]
    )
}

MMPBench.main()
