import Logging
import Testing
@testable import MMPCore

@Suite struct LogLineTests {
    /// Issue 9, defect 8: JSON lines were scrubbed after serialization, so a secret holding `"`
    /// or `\` was escaped first (`pa\"ss\\word`) and no longer matched the scrubber.
    @Test func jsonLinesScrubSecretsThatTheEncodingWouldEscape() throws {
        let secret = #"pa"ss\word"#
        let scrubber = SecretScrubber(environment: ProcessEnvironment(["REDIS_PASSWORD": secret]))
        let handler = LineLogHandler(label: "test", format: .json, scrubber: scrubber)
        let line = handler.line(level: .error, message: "login with \(secret) failed",
                                metadata: ["detail": "password=\(secret)", "url": "redis://:\(secret)@h:1/0"], time: 0)
        #expect(!line.contains(#"pa\"ss\\word"#))
        #expect(!line.contains("ss\\"))
        #expect(!line.contains(secret))
        let parsed = try JSON.parse(line)
        #expect(parsed["msg"]?.stringValue == "login with *** failed")
        #expect(parsed["detail"]?.stringValue == "password=***")
        #expect(parsed["url"]?.stringValue?.contains("***@h:1") == true)
    }

    @Test func humanLinesAreScrubbedToo() {
        let scrubber = SecretScrubber(environment: ProcessEnvironment(["POSTGRES_PASSWORD": #"q"u\ote"#]))
        let handler = LineLogHandler(label: "test", format: .human, scrubber: scrubber)
        let line = handler.line(level: .info, message: #"using q"u\ote"#, metadata: ["k": #"q"u\ote"#], time: 0)
        #expect(line.hasSuffix(#"using *** k=***"#))
    }
}
