import MMPCore
import MMPLearn

/// The bundle file: a fixed header, then the zstd-compressed body.
///
/// ```
/// offset 0   8 bytes  magic "MMPBNDL\0"
/// offset 8   2 bytes  format version (little-endian)
/// offset 10  2 bytes  reserved, 0
/// offset 12  8 bytes  length of the compressed body
/// offset 20 32 bytes  SHA-256 of the compressed body
/// offset 52  ...      body: zstd frame of [metadata JSON][labels][preprocessor][model]
/// ```
/// Loading checks each in turn, so a foreign file, a newer format, a truncated copy and a
/// flipped byte each fail with their own message.
public enum BundleCodec {
    static let magic: [UInt8] = Array("MMPBNDL".utf8) + [0]
    static let headerSize = 52

    public static func encode(_ bundle: ModelBundle) throws -> [UInt8] {
        var body = ByteWriter(capacity: 1 << 16)
        body.write(bundle.metadata)
        body.write(bundle.labels != nil)
        if let labels = bundle.labels { body.write(labels) }
        body.write(bundle.preprocessor)
        ModelCodec.encode(bundle.model, to: &body)
        let compressed = try Zstd.compress(body.bytes)
        var file = magic
        file.append(UInt8(ModelBundle.formatVersion & 0xFF)); file.append(UInt8(ModelBundle.formatVersion >> 8))
        file += [0, 0]
        let n = UInt64(compressed.count)
        for shift in stride(from: 0, to: 64, by: 8) { file.append(UInt8(truncatingIfNeeded: n >> UInt64(shift))) }
        file += SHA256.hash(compressed)
        file += compressed
        return file
    }

    /// Reads the header and verifies the checksum; returns the decompressed body.
    static func verifiedBody(_ file: [UInt8], source: String) throws -> [UInt8] {
        guard file.count >= magic.count, Array(file[0..<magic.count]) == magic else {
            throw MMPError.corrupt("\(source) is not an mmp model bundle (its first bytes are not the bundle signature)")
        }
        guard file.count >= headerSize else {
            throw MMPError.corrupt("\(source) is truncated: \(file.count) bytes, shorter than the \(headerSize)-byte header")
        }
        let version = UInt16(file[8]) | UInt16(file[9]) << 8
        guard version >= 1, version <= ModelBundle.formatVersion else {
            throw MMPError.corrupt("\(source) uses bundle format \(version); this mmp (\(MMPVersion.current)) reads format 1 to \(ModelBundle.formatVersion)")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(file[12 + i]) << UInt64(8 * i) }
        let actual = UInt64(file.count - headerSize)
        guard length == actual else {
            throw MMPError.corrupt("\(source) is truncated or padded: the header says \(length) body bytes, the file has \(actual)")
        }
        let expected = Array(file[20..<52])
        let body = Array(file[headerSize...])
        let found = SHA256.hash(body)
        guard found == expected else {
            throw MMPError.corrupt("\(source) failed its checksum: the file is corrupt (SHA-256 of the body is \(found.hexString.prefix(16))…, the header records \(expected.hexString.prefix(16))…)")
        }
        return try Zstd.decompress(body)
    }

    public static func decode(_ file: [UInt8], source: String = "the bundle") throws -> ModelBundle {
        var reader = ByteReader(try verifiedBody(file, source: source))
        do {
            let meta = try reader.readJSON()
            let labels: LabelEncoding? = try reader.readBool() ? try reader.read(LabelEncoding.self) : nil
            let preprocessor = try reader.read(FittedPreprocessor.self)
            let model = try ModelCodec.decode(from: &reader)
            return try bundle(meta: meta, labels: labels, preprocessor: preprocessor, model: model)
        } catch let error as MMPError {
            throw MMPError.corrupt("\(source) could not be read: \(error.message)")
        }
    }

    /// The metadata alone (cheap: skips decoding the fitted parts).
    public static func metadata(_ file: [UInt8], source: String = "the bundle") throws -> JSON {
        var reader = ByteReader(try verifiedBody(file, source: source))
        return try reader.readJSON()
    }

    private static func bundle(meta: JSON, labels: LabelEncoding?, preprocessor: FittedPreprocessor, model: any TrainedModel) throws -> ModelBundle {
        func string(_ key: String) throws -> String {
            guard let s = meta[key]?.stringValue else { throw MMPError.corrupt("metadata field '\(key)' is missing") }
            return s
        }
        guard let task = MLTask(rawValue: try string("task")) else { throw MMPError.corrupt("unknown task in metadata") }
        let schema = try (meta["input_schema"]?.arrayValue ?? []).map { field -> SchemaField in
            guard let name = field["name"]?.stringValue, let kind = field["kind"]?.stringValue.flatMap(ColumnKind.init) else {
                throw MMPError.corrupt("bad input_schema entry")
            }
            return SchemaField(name: name, kind: kind)
        }
        let strings: (String) -> [String] = { key in (meta[key]?.arrayValue ?? []).compactMap(\.stringValue) }
        let created = Timestamp.parse(meta["created_at"]?.stringValue ?? "") ?? 0
        var bundle = ModelBundle(recipeName: try string("recipe"), task: task, recipeSnapshot: meta["recipe_snapshot"] ?? .null,
                           modelName: try string("model"), hyperparameters: meta["hyperparameters"] ?? .null,
                           inputSchema: schema, entityColumns: strings("entity_columns"),
                           targetColumn: meta["target_column"]?.stringValue, featureColumns: strings("feature_columns"),
                           labels: labels, preprocessor: preprocessor, model: model, metrics: meta["metrics"] ?? .null,
                           tuning: (meta["tuning"]?.isNull ?? true) ? nil : meta["tuning"],
                           dataFingerprint: meta["data_fingerprint"]?.stringValue ?? "", jobID: meta["job_id"]?.stringValue,
                           createdAt: created, mmpVersion: meta["mmp_version"]?.stringValue ?? "")
        if let baseline = meta["drift_baseline"], !baseline.isNull { bundle.driftBaseline = try DriftBaseline(json: baseline) }
        return bundle
    }
}
