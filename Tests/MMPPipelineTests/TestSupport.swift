import Foundation
import MMPConfig
import MMPCore
@testable import MMPPipeline
import MMPTestSupport

let repoRoot = TestEnvironment.repoRoot

func temporaryDirectory() throws -> String { try TestEnvironment.temporaryDirectory("mmp-pipeline") }

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

/// Runs a built executable and collects its output.
func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:], directory: String = repoRoot,
         stdin: String? = nil) throws -> ProcessResult {
    try runBinary(executable, arguments, environment: environment, directory: directory, stdin: stdin)
}

/// The environment for child processes: the test's, with `APP_ENV=local` and extra variables.
func childEnvironment(_ extra: [String: String] = [:]) -> [String: String] {
    extra.merging(["APP_ENV": "local"]) { mine, _ in mine }
}
