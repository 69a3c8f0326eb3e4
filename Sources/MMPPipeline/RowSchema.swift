import MMPArtifacts
import MMPCore
import MMPLearn

/// What one prediction row (a flat JSON object of column → value) must and may carry for a
/// bundle: the columns the model was trained on, its entity columns, and, for a model trained
/// with a feature store, which columns the online store provides instead of the caller.
public struct RowSchema: Sendable {
    public enum Role: String, Sendable {
        /// An input column of the model.
        case feature
        /// An entity column: a key of a feature view, or only echoed back.
        case entity
        /// The recipe's timestamp column: accepted, not used (the online store holds the latest values).
        case timestamp
    }

    public struct Field: Sendable, Equatable {
        public var name: String
        /// The kind the model was trained on; nil for entity columns, which take any scalar.
        public var kind: ColumnKind?
        public var required: Bool
        public var role: Role

        public init(name: String, kind: ColumnKind?, required: Bool, role: Role) {
            self.name = name; self.kind = kind; self.required = required; self.role = role
        }
    }

    public var fields: [Field]
    /// Columns the online store provides; a request that carries one is refused.
    public var fromFeatureStore: [String]

    public init(fields: [Field], fromFeatureStore: [String] = []) {
        self.fields = fields
        self.fromFeatureStore = fromFeatureStore
    }

    /// Every input column is required; entity columns are optional and echoed when present.
    public init(bundle: ModelBundle) {
        fields = bundle.inputSchema.map { Field(name: $0.name, kind: $0.kind, required: true, role: .feature) }
        let inputs = Set(fields.map(\.name))
        fields += bundle.entityColumns.filter { !inputs.contains($0) }.map { Field(name: $0, kind: nil, required: false, role: .entity) }
        fromFeatureStore = []
    }

    /// For online features: the keys of the views (`keys`) are required, the features the views
    /// provide (`provided`) come from the online store, every other input column is required.
    public init(bundle: ModelBundle, onlineKeys keys: [String], provided: [String], timestampColumn: String?) {
        let provided = Set(provided)
        var fields: [Field] = []
        var seen = Set<String>()
        for name in keys + bundle.entityColumns where seen.insert(name).inserted {
            if let input = bundle.inputSchema.first(where: { $0.name == name }) {
                fields.append(Field(name: name, kind: input.kind, required: true, role: .entity))
            } else {
                fields.append(Field(name: name, kind: nil, required: keys.contains(name), role: .entity))
            }
        }
        for input in bundle.inputSchema where !provided.contains(input.name) && seen.insert(input.name).inserted {
            fields.append(Field(name: input.name, kind: input.kind, required: true, role: .feature))
        }
        if let timestampColumn, !timestampColumn.isEmpty, seen.insert(timestampColumn).inserted {
            fields.append(Field(name: timestampColumn, kind: .timestamp, required: false, role: .timestamp))
        }
        self.fields = fields
        fromFeatureStore = bundle.inputSchema.map(\.name).filter { provided.contains($0) && !keys.contains($0) }
    }

    public var requiredNames: [String] { fields.filter(\.required).map(\.name) }
}
