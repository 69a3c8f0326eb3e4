import MMPCore
import MMPServe
import Testing

/// `mmp serve`'s option values: defaults as the issue names them, and clear refusals.
@Suite struct ServeOptionsTests {
    @Test func defaultsBindLoopbackOnPort8000() {
        let options = ServeOptions(modelURI: "models:/churn@champion")
        #expect(options.host == "127.0.0.1")
        #expect(options.port == 8000)
        #expect(options.workers == nil, "auto: one event loop per core")
    }

    @Test func workersAreAutoOrACount() throws {
        #expect(try ServeOptions.workers("auto") == nil)
        #expect(try ServeOptions.workers("4") == 4)
        for bad in ["0", "-1", "many", "257", ""] {
            let error = #expect(throws: MMPError.self) { try ServeOptions.workers(bad) }
            #expect(error?.message.contains("--workers") == true, "\(bad)")
        }
    }

    @Test func durationsAndSizes() throws {
        #expect(try ServeOptions.duration("500ms", option: "--request-timeout") == .milliseconds(500))
        #expect(try ServeOptions.duration("0", option: "--poll-interval", allowZero: true) == nil)
        #expect(throws: MMPError.self) { try ServeOptions.duration("0", option: "--request-timeout") }
        #expect(throws: MMPError.self) { try ServeOptions.duration("soon", option: "--grace") }
        #expect(try ServeOptions.bytes("16MiB", option: "--max-body-size") == 16 << 20)
        #expect(try ServeOptions.bytes("1000", option: "--max-body-size") == 1000)
        #expect(throws: MMPError.self) { try ServeOptions.bytes("big", option: "--max-body-size") }
    }
}
