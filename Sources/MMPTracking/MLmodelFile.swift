import MMPCore

/// The `MLmodel` file of a logged model, written as JSON (which YAML readers, MLflow's UI and
/// clients included, read as YAML): the `mmp` flavor naming the bundle file, and a signature
/// whose inputs list the columns the model takes, so the UI shows its schema. Pure.
public enum MLmodelFile {
    public struct Column: Sendable {
        public var name: String
        /// MLflow's column type: `double`, `string`, `datetime`, `long`, `boolean`.
        public var type: String
        public init(name: String, type: String) { self.name = name; self.type = type }
    }

    public static func render(bundleFile: String, bundleSHA256: String, modelType: String, inputs: [Column], outputs: [Column],
                              runID: String?, modelID: String, createdAt: String, mmpVersion: String) -> String {
        func schema(_ columns: [Column]) -> String {
            JSON.array(columns.map { ["type": .string($0.type), "name": .string($0.name), "required": true] }).serialized()
        }
        var flavor = JSONObject()
        flavor["bundle"] = .string(bundleFile)
        flavor["sha256"] = .string(bundleSHA256)
        flavor["model_type"] = .string(modelType)
        flavor["mmp_version"] = .string(mmpVersion)
        flavor["loader"] = .string("mmp predict --model models:/\(modelID) (or runs:/<run_id>/model, models:/<name>@<alias>)")
        var o = JSONObject()
        o["artifact_path"] = "model"
        o["flavors"] = ["mmp": .object(flavor)]
        o["model_id"] = .string(modelID)
        if let runID { o["run_id"] = .string(runID) }
        o["utc_time_created"] = .string(createdAt)
        o["signature"] = ["inputs": .string(schema(inputs)), "outputs": .string(schema(outputs)), "params": .null]
        return JSON.object(o).prettySerialized() + "\n"
    }
}
