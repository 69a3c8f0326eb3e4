import MMPConfig
import MMPCore

/// A feature view: features of one entity (or entity pair) in a PostgreSQL table whose rows are
/// stamped with the time their values became known. Declared in `features/*.yaml`:
///
/// ```yaml
/// name: user_purchase_summary
/// source: features.user_purchase_summary   # [schema.]table
/// entities: [user_id]                      # key column(s), named as in the loaded rows
/// timestamp_column: event_timestamp        # when the row's values became known
/// ttl: 30d                                 # older values count as missing (omit: no limit)
/// features: [purchases_7d, amount_7d, chargebacks_confirmed_90d]
/// ```
public struct FeatureView: Sendable, Equatable {
    public var name: String
    public var description: String?
    /// Schema and table, unquoted (`features`, `user_purchase_summary`); schema nil for the search path.
    public var schema: String?
    public var table: String
    public var entities: [String]
    public var timestampColumn: String
    /// Seconds; nil for no limit.
    public var ttl: Double?
    public var features: [String]
    /// The file it was declared in, for messages.
    public var file: String

    public init(name: String, description: String? = nil, schema: String?, table: String, entities: [String],
                timestampColumn: String, ttl: Double?, features: [String], file: String = "(in code)") {
        self.name = name; self.description = description; self.schema = schema; self.table = table
        self.entities = entities; self.timestampColumn = timestampColumn; self.ttl = ttl; self.features = features; self.file = file
    }

    /// `"features"."user_demographics"`: safe to place in SQL whatever the names hold.
    public var qualifiedTable: String {
        (schema.map { SQLIdentifier.quote($0) + "." } ?? "") + SQLIdentifier.quote(table)
    }

    /// `features.user_demographics`, as written.
    public var sourceName: String { (schema.map { "\($0)." } ?? "") + table }
}

/// Quoting of identifiers (table and column names from YAML files): names cannot be bound as
/// parameters, so they are double-quoted with embedded quotes doubled, which makes any text a
/// plain identifier.
public enum SQLIdentifier {
    public static func quote(_ name: String) -> String { "\"" + name.replacing("\"", with: "\"\"") + "\"" }
}

extension FeatureView {
    /// Decodes every view in one YAML file: a single view, or a list under `feature_views`.
    static func decode(_ document: YAMLDocument) throws -> [FeatureView] {
        var problems: [String] = []
        func problem(_ path: String, _ message: String) { problems.append("\(document.location(of: path)): \(path): \(message)") }

        let items: [(JSONObject, String)]
        if let list = document.root["feature_views"] {
            guard case .array(let array) = list else { throw MMPError(.invalidConfig, "\(document.location(of: "feature_views")): feature_views must be a list of views") }
            items = array.enumerated().compactMap { i, item in
                guard case .object(let o) = item else { problem("feature_views[\(i)]", "expected a view (a mapping)"); return nil }
                return (o, "feature_views[\(i)]")
            }
        } else if case .object(let o) = document.root {
            items = [(o, "")]
        } else {
            throw MMPError(.invalidConfig, "\(document.path): expected a feature view (name, source, entities, timestamp_column, features)")
        }

        var views: [FeatureView] = []
        for (object, base) in items {
            func path(_ key: String) -> String { base.isEmpty ? key : "\(base).\(key)" }
            let known = ["name", "description", "source", "entities", "timestamp_column", "ttl", "features", "owner", "tags"]
            for key in object.keys where !known.contains(key) {
                problem(path(key), "unknown field" + Suggestion.hint(for: key, in: known) + " (known: \(known.joined(separator: ", ")))")
            }
            func text(_ key: String) -> String? {
                guard let v = object[key], !v.isNull else { problem(path(key), "required field is missing"); return nil }
                guard case .string(let s) = v, !s.trimmed().isEmpty else { problem(path(key), "expected a name, found \(v.typeDescription)"); return nil }
                return s.trimmed()
            }
            func names(_ key: String) -> [String] {
                guard let v = object[key], !v.isNull else { problem(path(key), "required field is missing"); return [] }
                if case .string(let s) = v { return [s.trimmed()] }
                guard case .array(let list) = v, !list.isEmpty else { problem(path(key), "expected a list of column names"); return [] }
                return list.enumerated().compactMap { i, item in
                    if case .string(let s) = item, !s.trimmed().isEmpty { return s.trimmed() }
                    // `- name: age` with a description is allowed too.
                    if case .object(let o) = item, case .string(let s)? = o["name"] { return s.trimmed() }
                    problem("\(path(key))[\(i)]", "expected a column name, found \(item.typeDescription)")
                    return nil
                }
            }
            let name = text("name") ?? ""
            let source = text("source") ?? ""
            let entities = names("entities")
            let timestamp = text("timestamp_column") ?? ""
            let features = names("features")
            var ttl: Double?
            if let v = object["ttl"], !v.isNull {
                do { ttl = try DurationParser.seconds(v.plainText) } catch { problem(path("ttl"), MMPError.wrap(error).message) }
                if let t = ttl, t <= 0 { problem(path("ttl"), "must be positive (omit ttl for no limit)"); ttl = nil }
            }
            let parts = source.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            if !source.isEmpty, parts.count > 2 || parts.contains(where: \.isEmpty) {
                problem(path("source"), "expected [schema.]table, found '\(source)'")
            }
            for f in features where entities.contains(f) || f == timestamp {
                problem(path("features"), "'\(f)' is an entity or timestamp column, not a feature")
            }
            var seen = Set<String>()
            for f in features where !seen.insert(f).inserted { problem(path("features"), "'\(f)' is listed twice") }
            views.append(FeatureView(name: name, description: object["description"]?.stringValue,
                                     schema: parts.count == 2 ? parts[0] : nil, table: parts.last ?? "",
                                     entities: entities, timestampColumn: timestamp, ttl: ttl, features: features, file: document.path))
        }
        if !problems.isEmpty {
            throw MMPError(.invalidConfig, "invalid feature view\(problems.count == 1 ? "" : "s"):\n  " + problems.joined(separator: "\n  "))
        }
        return views
    }
}
