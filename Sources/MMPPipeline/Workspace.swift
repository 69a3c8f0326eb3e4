import Foundation
import MMPConfig
import MMPCore

/// Where a command runs: the environment (with `.env` files applied), the config folder and the
/// recipes folder. Built once per process by the executables.
public struct Workspace: Sendable {
    public let environment: ProcessEnvironment
    public let configDirectory: String
    public let recipesDirectory: String

    public init(environment: ProcessEnvironment, configDirectory: String? = nil, recipesDirectory: String? = nil) {
        self.environment = environment
        self.configDirectory = configDirectory ?? environment["MMP_CONFIG_DIR"] ?? "config"
        self.recipesDirectory = recipesDirectory ?? environment["MMP_RECIPES_DIR"] ?? "recipes"
    }

    /// The process environment with `.env` and `.env.<APP_ENV>` from the working folder.
    public static func current(configDirectory: String? = nil) throws -> Workspace {
        let env = try ProcessEnvironment.current().loadingDotEnv(from: FileManager.default.currentDirectoryPath)
        return Workspace(environment: env, configDirectory: configDirectory)
    }

    public func config(env: String? = nil) throws -> AppConfig {
        try ConfigLoader.load(directory: configDirectory, environment: environment, env: env)
    }

    public var scrubber: SecretScrubber { SecretScrubber(environment: environment) }

    /// Reads a recipe by path or name, with `--param` overrides.
    public func recipe(_ reference: String, params: [String] = []) throws -> (Recipe, YAMLDocument) {
        try RecipeLoader.load(reference, overrides: try RecipeLoader.parseParams(params), recipesDirectory: recipesDirectory)
    }

    /// The text of the recipe's `.sql` source, which jobs carry so workers need no copy of it.
    public func sqlText(for recipe: Recipe) throws -> String? {
        guard recipe.data.loader.isSQL else { return nil }
        let uri = recipe.data.loader.sourceURI
        let recipeDir = (recipe.file as NSString).deletingLastPathComponent
        let candidates = uri.hasPrefix("/") ? [uri] : [uri, recipeDir.isEmpty ? uri : "\(recipeDir)/\(uri)"]
        for path in candidates where FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw MMPError.io("cannot read \(path)")
            }
            return text
        }
        throw MMPError.notFound("SQL file \(uri) named by data.loader.source_uri in \(recipe.file) not found (looked at \(candidates.joined(separator: ", ")))")
    }
}
