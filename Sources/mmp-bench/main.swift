import ArgumentParser

// Benchmarks (release builds only; see Benchmarks/ and docs/performance.md).
struct MMPBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mmp-bench",
        abstract: "mmp's benchmarks. Run through the scripts in Benchmarks/, which also run the anchors.",
        subcommands: [LearnBench.self, QueueBench.self, PostgresBench.self]
    )
}

await MMPBench.main()
