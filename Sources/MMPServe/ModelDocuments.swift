import MMPArtifacts
import MMPCore
import MMPLearn
import MMPPipeline

/// The answers of `/model/metadata` and `/model/schema`.
enum ModelDocuments {
    static func metadata(bundle: ModelBundle, uri: String, revision: ModelRevision, sha256: String, loadedAt: Double,
                         online: OnlineFeatures?) -> JSON {
        var o = JSONObject()
        o["model_uri"] = .string(uri)
        o["version"] = .string(revision.label)
        o["registry_version"] = revision.version.map(JSON.string) ?? .null
        o["sha256"] = .string(sha256)
        o["loaded_at"] = .string(Timestamp.iso8601(loadedAt))
        o["recipe"] = .string(bundle.recipeName)
        o["task"] = .string(bundle.task.rawValue)
        o["model_class"] = .string(bundle.modelName)
        o["class_path"] = bundle.recipeSnapshot["model"]?["class_path"] ?? .null
        o["hyperparameters"] = bundle.hyperparameters
        o["tuning"] = tuningSummary(bundle.tuning)
        o["metrics"] = bundle.metrics
        o["classes"] = bundle.labels.map { .array($0.classes.map(JSON.string)) } ?? .null
        o["input_columns"] = .array(bundle.inputSchema.map { .object(JSONObject([("name", .string($0.name)), ("kind", .string($0.kind.rawValue))])) })
        o["entity_columns"] = .array(bundle.entityColumns.map(JSON.string))
        o["target_column"] = bundle.targetColumn.map(JSON.string) ?? .null
        o["online_features"] = online.map { online in
            .object(JSONObject([
                ("views", .array(online.request.views.map { .string($0.name) })),
                ("keys", .array(online.keys.map(JSON.string))),
                ("features", .array(online.provided.map(JSON.string))),
            ]))
        } ?? .null
        o["data_fingerprint"] = .string(bundle.dataFingerprint)
        o["job_id"] = bundle.jobID.map(JSON.string) ?? .null
        o["created_at"] = .string(Timestamp.iso8601(bundle.createdAt))
        o["mmp_version"] = .string(bundle.mmpVersion)
        o["served_by"] = .string(MMPVersion.current)
        return .object(o)
    }

    /// The tuning record without its trial list: what was tuned for and what won.
    static func tuningSummary(_ tuning: JSON?) -> JSON {
        guard case .object(var o)? = tuning else { return .null }
        o["trials"] = nil
        return .object(o)
    }

    /// A JSON Schema (2020-12) of one `/predict` body; `/predict/batch` takes `{"samples": [these]}`.
    static func jsonSchema(bundle: ModelBundle, schema: RowSchema) -> JSON {
        var properties = JSONObject()
        for field in schema.fields {
            var p = JSONObject()
            switch field.kind {
            case .numeric?:
                p["type"] = ["number", "null"]
                p["description"] = .string(field.role == .entity ? "entity key; numeric input column" : "numeric input column (null: missing)")
            case .categorical?:
                p["type"] = ["string", "null"]
                p["description"] = .string(field.role == .entity ? "entity key; categorical input column" : "categorical input column (null: missing)")
            case .timestamp?:
                p["type"] = ["string", "null"]
                p["format"] = "date-time"
                p["description"] = .string(field.role == .timestamp ? "the recipe's timestamp column (accepted; online features are the latest values)" : "timestamp input column")
            case nil:
                p["type"] = ["string", "number"]
                p["description"] = .string(field.required ? "entity key of a feature view" : "entity column, echoed in /predict/batch results")
            }
            properties[field.name] = .object(p)
        }
        var root = JSONObject()
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        root["title"] = .string("\(bundle.recipeName) prediction request")
        root["description"] = .string(schema.fromFeatureStore.isEmpty
            ? "One row for POST /predict; POST /predict/batch takes {\"samples\": [rows]}."
            : "One row for POST /predict; POST /predict/batch takes {\"samples\": [rows]}. The online feature store provides \(schema.fromFeatureStore.joined(separator: ", ")).")
        root["type"] = "object"
        root["properties"] = .object(properties)
        root["required"] = .array(schema.requiredNames.map(JSON.string))
        if !schema.fromFeatureStore.isEmpty {
            root["not"] = .object(JSONObject([("anyOf", .array(schema.fromFeatureStore.map { .object(JSONObject([("required", [.string($0)])])) }))]))
        }
        return .object(root)
    }
}
