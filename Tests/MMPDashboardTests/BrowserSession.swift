import Foundation
import MMPCore
import MMPTestSupport

/// A headless Chromium driven through Selenium (scripts/browser/webdriver_session.py), one
/// JSON command a line: the page as a person's browser renders it, scripts run.
final class BrowserSession: @unchecked Sendable {
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffer = Data()

    init() throws {
        let python = try TestEnvironment.required("MMP_TEST_DASHBOARD_PYTHON", for: "Selenium and Chromium (scripts/test.d/60-chromium.sh)")
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["\(TestEnvironment.repoRoot)/scripts/browser/webdriver_session.py"]
        process.standardInput = input
        process.standardOutput = output
        process.currentDirectoryURL = URL(fileURLWithPath: try TestEnvironment.stateDirectory())
        try process.run()
    }

    deinit { close() }

    func close() {
        guard process.isRunning else { return }
        _ = try? send(["op": "quit"])
        process.waitUntilExit()
    }

    @discardableResult
    func send(_ command: JSON) throws -> JSON {
        input.fileHandleForWriting.write(Data((command.serialized() + "\n").utf8))
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = buffer[..<newline]
                buffer = Data(buffer[(newline + 1)...])
                let reply = try JSON.parse(String(decoding: line, as: UTF8.self))
                guard reply["ok"]?.boolValue == true else {
                    throw MMPError.internalError("browser: \(command.serialized()) failed: \(reply["error"]?.stringValue ?? "?")")
                }
                return reply["value"] ?? .null
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { throw MMPError.internalError("the browser session ended (see the test's stderr)") }
            buffer.append(chunk)
        }
    }

    func get(_ url: String) throws { try send(["op": "get", "url": .string(url)]) }
    func texts(_ css: String) throws -> [String] { try send(["op": "texts", "css": .string(css)]).arrayValue?.compactMap(\.stringValue) ?? [] }
    func attrs(_ css: String, _ attr: String) throws -> [String] {
        try send(["op": "attrs", "css": .string(css), "attr": .string(attr)]).arrayValue?.compactMap(\.stringValue) ?? []
    }
    func click(_ css: String) throws { try send(["op": "click", "css": .string(css)]) }
    func fill(_ css: String, _ value: String) throws { try send(["op": "fill", "css": .string(css), "value": .string(value)]) }
    func submit(_ css: String) throws { try send(["op": "submit", "css": .string(css)]) }
    func url() throws -> String { try send(["op": "url"]).stringValue ?? "" }
    func screenshot(_ path: String) throws { try send(["op": "screenshot", "path": .string(path)]) }
    func waitText(_ css: String, _ text: String, timeout: Double = 30) throws {
        try send(["op": "wait_text", "css": .string(css), "text": .string(text), "timeout": .double(timeout)])
    }
}
