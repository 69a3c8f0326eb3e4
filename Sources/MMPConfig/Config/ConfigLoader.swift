import Foundation
import MMPCore

/// Loads `config/base.yaml` and `config/<APP_ENV>.yaml` (design §1).
public enum ConfigLoader {
    /// - Parameters:
    ///   - directory: the folder holding `base.yaml` and the environment files.
    ///   - environment: variables to resolve against (the process's, with `.env` files applied).
    ///   - env: overrides `APP_ENV`.
    public static func load(directory: String = "config", environment: ProcessEnvironment, env: String? = nil) throws -> AppConfig {
        let name = env ?? environment.appEnv
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
            throw MMPError(.invalidConfig, "APP_ENV '\(name)' is not a valid environment name (letters, digits, '-' and '_')")
        }
        let basePath = "\(directory)/base.yaml"
        let envPath = "\(directory)/\(name).yaml"
        var files: [String] = []
        var merged = JSON.object(JSONObject())
        var origins: [String: String] = [:]
        if FileManager.default.fileExists(atPath: basePath) {
            let doc = try YAMLDocument.load(path: basePath)
            try merge(doc, into: &merged, origins: &origins)
            files.append(basePath)
        }
        guard FileManager.default.fileExists(atPath: envPath) else {
            let known = (try? FileManager.default.contentsOfDirectory(atPath: directory))?
                .filter { $0.hasSuffix(".yaml") && $0 != "base.yaml" }
                .map { String($0.dropLast(5)) }.sorted() ?? []
            throw MMPError(.invalidConfig,
                           "no config for APP_ENV '\(name)': \(envPath) does not exist\(Suggestion.hint(for: name, in: known)) (known environments: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let doc = try YAMLDocument.load(path: envPath)
        try merge(doc, into: &merged, origins: &origins)
        files.append(envPath)
        return AppConfig(env: name, directory: directory, files: files, environment: environment, raw: merged, origins: origins)
    }

    private static func merge(_ doc: YAMLDocument, into merged: inout JSON, origins: inout [String: String]) throws {
        switch doc.root {
        case .null: return
        case .object: break
        default: throw MMPError(.invalidConfig, "\(doc.path): expected a mapping of sections at the top level, found \(doc.root.typeDescription)")
        }
        record(doc.root, path: "", file: doc.path, origins: &origins)
        merged = merged.merged(with: doc.root)
    }

    private static func record(_ node: JSON, path: String, file: String, origins: inout [String: String]) {
        switch node {
        case .string(let s) where Interpolation.containsVariables(s): origins[path] = file
        case .object(let o): for (k, v) in o { record(v, path: path.isEmpty ? k : "\(path).\(k)", file: file, origins: &origins) }
        case .array(let a): for (i, v) in a.enumerated() { record(v, path: "\(path)[\(i)]", file: file, origins: &origins) }
        default: break
        }
    }
}
