import MMPCore
import MMPWorker
import Testing

@Suite struct WorkerArgumentsTests {
    @Test func parsesEveryFlag() throws {
        let a = try WorkerArguments.parse(["--queues", "high, low", "--concurrency=3", "--grace", "1m", "--log-format", "json",
                                           "--log-level", "debug", "--redis-url", "redis://h:1/2", "--no-config", "--mmp", "/x/mmp",
                                           "--worker-id", "w7"])
        #expect(a.action == .run && a.queues == ["high", "low"] && a.concurrency == 3 && a.grace == 60)
        #expect(a.logFormat == .json && a.logLevel == "debug" && a.redisURL == "redis://h:1/2" && !a.useConfig)
        #expect(a.mmpPath == "/x/mmp" && a.workerID == "w7")
        let defaults = try WorkerArguments.parse([])
        #expect(defaults.concurrency == 1 && defaults.grace == 25 && defaults.useConfig && defaults.queues == nil)
        #expect(try WorkerArguments.parse(["--help"]).action == .help)
        #expect(try WorkerArguments.parse(["--version"]).action == .version)
    }

    @Test func badArgumentsSayWhatIsWrong() {
        let unknown = #expect(throws: MMPError.self) { try WorkerArguments.parse(["--concurency", "2"]) }
        #expect(unknown?.message.contains("--concurrency") == true)
        let zero = #expect(throws: MMPError.self) { try WorkerArguments.parse(["--concurrency", "0"]) }
        #expect(zero?.message.contains("at least 1") == true)
        #expect(throws: MMPError.self) { try WorkerArguments.parse(["--grace", "soon"]) }
        #expect(throws: MMPError.self) { try WorkerArguments.parse(["--log-format", "xml"]) }
        #expect(throws: MMPError.self) { try WorkerArguments.parse(["--queues"]) }
        #expect(throws: MMPError.self) { try WorkerArguments.parse(["--redis-url", "--no-config"]) }
    }
}
