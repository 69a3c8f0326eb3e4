/// A named set of factories for one role (loader, storage, feature store, ...).
///
/// Adding an adapter is one new type plus one `register` line; the config names which one
/// serves a role, and an unknown name fails with every known name listed.
public struct Registry<Factory: Sendable>: Sendable {
    public let role: String
    private var entries: [(name: String, factory: Factory)] = []

    public init(role: String) { self.role = role }

    public mutating func register(_ name: String, _ factory: Factory) {
        entries.removeAll { $0.name == name }
        entries.append((name, factory))
    }

    public var names: [String] { entries.map(\.name) }

    public func contains(_ name: String) -> Bool { entries.contains { $0.name == name } }

    public func resolve(_ name: String) throws -> Factory {
        if let entry = entries.first(where: { $0.name == name }) { return entry.factory }
        let known = names.isEmpty ? "none are registered" : "known: " + names.joined(separator: ", ")
        throw MMPError(.invalidConfig, "unknown \(role) '\(name)'\(Suggestion.hint(for: name, in: names)) (\(known))")
    }
}
