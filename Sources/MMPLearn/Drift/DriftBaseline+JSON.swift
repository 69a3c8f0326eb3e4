import MMPCore

// The baseline as stored in a bundle's metadata (`drift_baseline`) and the counts as a shard
// job reports them: plain JSON, so `mmp models show` and `mmp jobs show` print them as they are.

extension DriftBaseline {
    public var json: JSON {
        var o = JSONObject()
        o["rows"] = .int(rows)
        o["columns"] = .array(columns.map(JSON.string))
        o["features"] = .array(features.map(\.json))
        o["prediction"] = prediction?.json ?? .null
        return .object(o)
    }

    public init(json: JSON) throws {
        guard let rows = json["rows"]?.intValue, let features = json["features"]?.arrayValue else {
            throw MMPError.corrupt("drift_baseline lacks rows or features")
        }
        self.init(rows: rows, columns: (json["columns"]?.arrayValue ?? []).compactMap(\.stringValue),
                  features: try features.map(FeatureBaseline.init(json:)),
                  prediction: try json["prediction"].flatMap { $0.isNull ? nil : try FeatureBaseline(json: $0) })
    }
}

extension FeatureBaseline {
    public var json: JSON {
        var o = JSONObject()
        o["name"] = .string(name)
        o["rows"] = .int(rows)
        o["missing_rate"] = .double(missingRate)
        switch profile {
        case .numeric(let p):
            o["kind"] = "numeric"
            o["edges"] = .array(p.edges.map(JSON.double))
            o["proportions"] = .array(p.proportions.map(JSON.double))
            o["mean"] = .double(p.mean); o["std"] = .double(p.std); o["min"] = .double(p.min); o["max"] = .double(p.max)
        case .categorical(let p):
            o["kind"] = "categorical"
            o["levels"] = .array(p.levels.map(JSON.string))
            o["proportions"] = .array(p.proportions.map(JSON.double))
        }
        return .object(o)
    }

    public init(json: JSON) throws {
        guard let name = json["name"]?.stringValue, let kind = json["kind"]?.stringValue,
              let proportions = json["proportions"]?.arrayValue?.map({ $0.doubleValue ?? .nan }) else {
            throw MMPError.corrupt("a drift_baseline feature lacks name, kind or proportions")
        }
        let profile: Profile
        switch kind {
        case "numeric":
            let number: (String) -> Double = { json[$0]?.doubleValue ?? .nan }
            let edges = (json["edges"]?.arrayValue ?? []).compactMap(\.doubleValue)
            guard proportions.count == edges.count + 1 else { throw MMPError.corrupt("drift_baseline feature '\(name)': \(edges.count) edges but \(proportions.count) proportions") }
            profile = .numeric(NumericProfile(edges: edges, proportions: proportions, mean: number("mean"), std: number("std"),
                                              min: number("min"), max: number("max")))
        case "categorical":
            let levels = (json["levels"]?.arrayValue ?? []).compactMap(\.stringValue)
            guard proportions.count == levels.count + 1 else { throw MMPError.corrupt("drift_baseline feature '\(name)': \(levels.count) levels but \(proportions.count) proportions") }
            profile = .categorical(CategoricalProfile(levels: levels, proportions: proportions))
        default:
            throw MMPError.corrupt("drift_baseline feature '\(name)' has unknown kind '\(kind)'")
        }
        self.init(name: name, missingRate: json["missing_rate"]?.doubleValue ?? 0, profile: profile, rows: json["rows"]?.intValue ?? 0)
    }
}

extension DriftCounts {
    public var json: JSON {
        var o = JSONObject()
        o["rows"] = .int(rows)
        o["columns"] = .array(columns.map(JSON.string))
        o["features"] = .object(JSONObject(features.keys.sorted().map { ($0, features[$0]!.json) }))
        o["prediction"] = prediction?.json ?? .null
        o["predictions_outside"] = .int(predictionsOutside)
        return .object(o)
    }

    public init(json: JSON) throws {
        guard let rows = json["rows"]?.intValue, let features = json["features"]?.objectValue else {
            throw MMPError.corrupt("drift counts lack rows or features")
        }
        var map: [String: BucketCounts] = [:]
        for (name, value) in features { map[name] = try BucketCounts(json: value) }
        self.init(rows: rows, columns: (json["columns"]?.arrayValue ?? []).compactMap(\.stringValue), features: map,
                  prediction: try json["prediction"].flatMap { $0.isNull ? nil : try BucketCounts(json: $0) },
                  predictionsOutside: json["predictions_outside"]?.intValue ?? 0)
    }
}

extension BucketCounts {
    public var json: JSON {
        var o = JSONObject()
        o["buckets"] = .array(buckets.map(JSON.int))
        o["missing"] = .int(missing)
        o["sum"] = .double(sum)
        o["sum_of_squares"] = .double(sumOfSquares)
        if !newLevels.isEmpty { o["new_values"] = .object(JSONObject(newLevels.keys.sorted().map { ($0, .int(newLevels[$0]!)) })) }
        return .object(o)
    }

    public init(json: JSON) throws {
        guard let buckets = json["buckets"]?.arrayValue?.compactMap(\.intValue) else { throw MMPError.corrupt("drift counts lack buckets") }
        var levels: [String: Int] = [:]
        for (k, v) in json["new_values"]?.objectValue ?? JSONObject() { levels[k] = v.intValue ?? 0 }
        self.init(buckets: buckets, missing: json["missing"]?.intValue ?? 0, sum: json["sum"]?.doubleValue ?? 0,
                  sumOfSquares: json["sum_of_squares"]?.doubleValue ?? 0, newLevels: levels)
    }
}

extension DriftReport {
    /// `drift.json`: every figure with its status.
    public var json: JSON {
        func number(_ d: Double?) -> JSON { d.map { .double($0) } ?? .null }
        var o = JSONObject()
        o["status"] = .string(status.rawValue)
        o["rows"] = .int(rows)
        o["baseline_rows"] = .int(baselineRows)
        o["thresholds"] = [
            "psi_threshold_warning": .double(thresholds.psiWarning), "psi_threshold_alert": .double(thresholds.psiAlert),
            "missing_rate_threshold": .double(thresholds.missingRate), "prediction_psi_threshold": .double(thresholds.predictionPSI),
            "extrapolation_threshold": .double(thresholds.extrapolation),
        ]
        o["schema"] = ["status": .string(schemaStatus.rawValue), "missing_columns": .array(missingColumns.map(JSON.string)),
                       "new_columns": .array(newColumns.map(JSON.string))]
        o["features"] = .array(features.map { f in
            var e = JSONObject()
            e["name"] = .string(f.name)
            e["kind"] = .string(f.kind)
            e["status"] = .string(f.status.rawValue)
            e["psi"] = number(f.psi)
            e["psi_status"] = .string(f.psiStatus.rawValue)
            if f.kind == "categorical" { e["jensen_shannon"] = number(f.jensenShannon) }
            e["missing_rate"] = .double(f.missingRate)
            e["baseline_missing_rate"] = .double(f.baselineMissingRate)
            e["missing_rate_change"] = .double(f.missingRateChange)
            e["missing_status"] = .string(f.missingStatus.rawValue)
            if f.kind == "numeric" { e["mean"] = number(f.mean); e["baseline_mean"] = number(f.baselineMean) }
            if !f.newValues.isEmpty { e["new_values"] = .object(JSONObject(f.newValues.keys.sorted().map { ($0, .int(f.newValues[$0]!)) })) }
            return .object(e)
        })
        if let p = prediction {
            o["prediction"] = ["status": .string(p.status.rawValue), "psi": number(p.psi), "psi_status": .string(p.psiStatus.rawValue),
                               "outside_training_range": number(p.outsideTrainingRange),
                               "extrapolation_status": .string(p.extrapolationStatus.rawValue),
                               "mean": number(p.mean), "baseline_mean": number(p.baselineMean)]
        } else {
            o["prediction"] = .null
        }
        return .object(o)
    }

    /// The figures a job's metrics and MLflow carry: numbers only, one name each.
    public var metrics: [(String, Double)] {
        var out: [(String, Double)] = [("drift_alerts", Double(features.filter { $0.status == .alert }.count)),
                                       ("drift_warnings", Double(features.filter { $0.status == .warning }.count))]
        for f in features {
            if let psi = f.psi { out.append(("drift_psi_\(f.name)", psi)) }
            if let js = f.jensenShannon { out.append(("drift_js_\(f.name)", js)) }
            out.append(("drift_missing_rate_change_\(f.name)", f.missingRateChange))
        }
        if let psi = prediction?.psi { out.append(("drift_prediction_psi", psi)) }
        if let share = prediction?.outsideTrainingRange { out.append(("drift_predictions_outside_range", share)) }
        return out
    }
}
