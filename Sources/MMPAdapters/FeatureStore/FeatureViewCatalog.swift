import Foundation
import MMPConfig
import MMPCore

/// The feature views declared in a folder of YAML files (`features/`).
public struct FeatureViewCatalog: Sendable {
    public let views: [FeatureView]
    public let directory: String

    public init(views: [FeatureView], directory: String = "(in code)") {
        self.views = views
        self.directory = directory
    }

    /// Reads every `*.yaml` / `*.yml` file in `directory`, in name order.
    public static func load(directory: String) throws -> FeatureViewCatalog {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw MMPError(.invalidConfig, "the feature view folder \(directory) does not exist (adapters.feature_store.definitions; run from the project folder or set an absolute path)")
        }
        let files = try fm.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
        var views: [FeatureView] = []
        for file in files {
            let document = try YAMLDocument.load(path: "\(directory)/\(file)")
            for view in try FeatureView.decode(document) {
                if let earlier = views.first(where: { $0.name == view.name }) {
                    throw MMPError(.invalidConfig, "feature view '\(view.name)' is declared twice: in \(earlier.file) and \(view.file)")
                }
                views.append(view)
            }
        }
        return FeatureViewCatalog(views: views, directory: directory)
    }

    public var names: [String] { views.map(\.name) }

    public func view(_ name: String) throws -> FeatureView {
        if let view = views.first(where: { $0.name == name }) { return view }
        let known = names.isEmpty ? "none are declared in \(directory)" : "known: \(names.joined(separator: ", "))"
        throw MMPError(.invalidRecipe, "no feature view '\(name)'\(Suggestion.hint(for: name, in: names)) (\(known))")
    }

    /// The views and features a recipe selects, checked against the declarations.
    public func resolve(_ selections: [FeatureViewSelection]) throws -> [(view: FeatureView, features: [String])] {
        try selections.map { selection in
            let view = try view(selection.name)
            if let key = selection.joinKey, !view.entities.contains(key) {
                let which = view.entities.count == 1 ? "its entity '\(view.entities[0])'" : "one of its entities (\(view.entities.joined(separator: ", ")))"
                throw MMPError(.invalidRecipe, "feature view '\(view.name)' cannot be joined on '\(key)': join_key must be \(which)\(Suggestion.hint(for: key, in: view.entities)) (declared in \(view.file))")
            }
            let features = selection.features ?? view.features
            for feature in features where !view.features.contains(feature) {
                throw MMPError(.invalidRecipe, "feature view '\(view.name)' has no feature '\(feature)'\(Suggestion.hint(for: feature, in: view.features)) (features: \(view.features.joined(separator: ", ")); declared in \(view.file))")
            }
            return (view, features)
        }
    }
}
