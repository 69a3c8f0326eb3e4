import Foundation
import MMPConfig
import MMPCore
@testable import MMPPipeline

/// The repository root: `MMP_REPO_ROOT` (set by scripts/test.sh), else the working folder.
let repoRoot: String = ProcessInfo.processInfo.environment["MMP_REPO_ROOT"] ?? FileManager.default.currentDirectoryPath

/// Built executables: `MMP_BIN_DIR` (set by scripts/test.sh), else the debug build folder.
let binDir: String = ProcessInfo.processInfo.environment["MMP_BIN_DIR"] ?? "\(repoRoot)/.build/debug"

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "mmp-pipeline-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A local config: CSVs from the repository, bundles under `artifactRoot`.
func localConfig(artifactRoot: String, environment: ProcessEnvironment = ProcessEnvironment([:])) -> AppConfig {
    AppConfig(json: [
        "data_adapters": ["loader": "local_files", "storage": "filesystem", "feature_store": "none"],
        "adapters": ["local_files": ["base_path": .string(repoRoot)], "filesystem": ["root": .string(artifactRoot)]],
    ], environment: environment)
}

func loadRecipe(_ name: String, overrides: [(String, String)] = []) throws -> Recipe {
    let document = try YAMLDocument.load(path: "\(repoRoot)/recipes/\(name).yaml")
    return try RecipeLoader.decode(document, overrides: overrides)
}

/// A committed scikit-learn reference (Tests/MMPLearnTests/Fixtures/<name>.json).
func referenceFixture(_ name: String) throws -> JSON {
    let path = "\(repoRoot)/Tests/MMPLearnTests/Fixtures/\(name).json"
    guard let data = FileManager.default.contents(atPath: path) else { throw MMPError.notFound("fixture \(path)") }
    return try JSON.parse(String(decoding: data, as: UTF8.self))
}

struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a built executable and collects its output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String = repoRoot,
         stdin: String? = nil) throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "\(binDir)/\(executable)")
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe(), input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    // Read both pipes before waiting, so a large output cannot block the child.
    let group = DispatchGroup()
    let outBox = DataBox(), errBox = DataBox()
    DispatchQueue.global().async(group: group) { outBox.data = out.fileHandleForReading.readDataToEndOfFile() }
    DispatchQueue.global().async(group: group) { errBox.data = err.fileHandleForReading.readDataToEndOfFile() }
    group.wait()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus, stdout: String(decoding: outBox.data, as: UTF8.self),
                         stderr: String(decoding: errBox.data, as: UTF8.self))
}

final class DataBox: @unchecked Sendable {
    // Written by one reader thread, read after the group finishes.
    var data = Data()
}

/// The environment for child processes: the test's, with `APP_ENV=local` and extra variables.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    var env = ProcessInfo.processInfo.environment
    env["APP_ENV"] = "local"
    for (k, v) in extra { env[k] = v }
    return env
}
