import Foundation
import MMPCore

/// Finds and reads recipes: by path, or by name under `recipes/` with or without `.yaml`.
public enum RecipeLoader {
    /// The file a user meant by `reference`.
    public static func locate(_ reference: String, recipesDirectory: String = "recipes") throws -> String {
        let fm = FileManager.default
        var candidates = [reference]
        if !reference.hasSuffix(".yaml") && !reference.hasSuffix(".yml") {
            candidates += [reference + ".yaml", reference + ".yml"]
        }
        if !reference.contains("/") {
            candidates += candidates.map { "\(recipesDirectory)/\($0)" }
        }
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if fm.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue { return candidate }
        }
        let known = ((try? fm.contentsOfDirectory(atPath: recipesDirectory)) ?? [])
            .filter { $0.hasSuffix(".yaml") }.map { String($0.dropLast(5)) }.sorted()
        throw MMPError.notFound("no recipe '\(reference)' (looked for \(candidates.joined(separator: ", ")))\(Suggestion.hint(for: reference, in: known))"
            + (known.isEmpty ? "" : "; recipes here: \(known.joined(separator: ", "))"))
    }

    /// Reads and decodes a recipe, applying `--param` overrides first.
    ///
    /// A plain key (`start_date=2024-01-01`) sets a loader parameter; a dotted key
    /// (`model.hyperparameters.values.C=0.5`) sets that recipe field.
    public static func load(_ reference: String, overrides: [(String, String)] = [], recipesDirectory: String = "recipes") throws -> (Recipe, YAMLDocument) {
        let path = try locate(reference, recipesDirectory: recipesDirectory)
        let document = try YAMLDocument.load(path: path)
        return (try decode(document, overrides: overrides), document)
    }

    public static func decode(_ document: YAMLDocument, overrides: [(String, String)]) throws -> Recipe {
        guard !overrides.isEmpty else { return try RecipeDecoder.decode(document) }
        let root = try applying(overrides, to: document.root, file: document.path)
        let patched = try YAMLDocument(path: document.path, text: document.text)
        return try RecipeDecoder.decode(root, file: patched.path, document: patched)
    }

    static func applying(_ overrides: [(String, String)], to root: JSON, file: String) throws -> JSON {
        var root = root
        for (key, text) in overrides {
            let value = JSON.inferred(from: text)
            let path = key.contains(".") ? key.split(separator: ".").map(String.init) : ["data", "loader", "parameters", key]
            guard path.allSatisfy({ !$0.isEmpty }) else { throw MMPError.invalidInput("--param '\(key)': empty part in the field path") }
            root = set(root, path[...], value)
        }
        return root
    }

    private static func set(_ node: JSON, _ path: ArraySlice<String>, _ value: JSON) -> JSON {
        guard let first = path.first else { return value }
        var object = node.objectValue ?? JSONObject()
        object[first] = set(object[first] ?? .null, path.dropFirst(), value)
        return .object(object)
    }

    /// Parses `key=value` arguments.
    public static func parseParams(_ params: [String]) throws -> [(String, String)] {
        try params.map { param in
            guard let eq = param.firstIndex(of: "="), eq != param.startIndex else {
                throw MMPError.invalidInput("--param '\(param)': expected key=value")
            }
            return (String(param[..<eq]).trimmed(), String(param[param.index(after: eq)...]))
        }
    }
}
