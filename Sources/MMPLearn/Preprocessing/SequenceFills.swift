import MMPCore

/// Fills that follow the order of rows: each entity's rows (data_interface.entity_columns) in
/// time order (the timestamp column), or the table's row order when the table holds neither.
/// As pandas' ffill, bfill and interpolate, which the Python modern-ml-pipeline applies to the
/// whole table at once; here one entity's values never leak into another's.
public enum SequenceFills: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = [
        PreprocessorDescriptor(
            name: "forward_fill",
            summary: "fills a missing cell with the entity's last earlier value (pandas ffill), per entity in time order",
            defaultColumns: .all,
            options: [StepOption("limit", .optionalInt(1...Int(Int32.max)), default: .null, "most consecutive missing cells filled (null: all)")],
            fittedTypes: [FittedSequenceFill.self],
            make: { SequenceFill(method: .forward, options: $0) }),
        PreprocessorDescriptor(
            name: "backward_fill",
            summary: "fills a missing cell with the entity's next later value (pandas bfill), per entity in time order",
            defaultColumns: .all,
            options: [StepOption("limit", .optionalInt(1...Int(Int32.max)), default: .null, "most consecutive missing cells filled (null: all)")],
            fittedTypes: [FittedSequenceFill.self],
            make: { SequenceFill(method: .backward, options: $0) }),
        PreprocessorDescriptor(
            name: "interpolation",
            summary: "fills missing numbers between known ones (pandas interpolate: linear by position, or time by timestamp), per entity in time order; after the last known value it repeats it",
            defaultColumns: .numeric,
            options: [
                StepOption("method", .choice(["linear", "time", "index", "values", "pad", "ffill"]), default: "linear",
                           "linear: equally spaced rows; time/index/values: spaced by the timestamp; pad/ffill: the previous value"),
                StepOption("order", .optionalInt(1...10), default: .null, "accepted for the Python tool's polynomial/spline recipes; unused by these methods"),
                StepOption("limit", .optionalInt(1...Int(Int32.max)), default: .null, "most consecutive missing cells filled (null: all)"),
            ],
            fittedTypes: [FittedSequenceFill.self],
            make: { SequenceFill(method: SequenceFill.Method(interpolation: $0.string("method")), options: $0) }),
    ]
}

struct SequenceFill: PreprocessingStep {
    enum Method: String, Sendable {
        case forward, backward, linear, time
        init(interpolation name: String) {
            switch name {
            case "time", "index", "values": self = .time
            case "pad", "ffill": self = .forward
            default: self = .linear
            }
        }
    }

    var method: Method
    var limit: Int?

    init(method: Method, options: StepOptions) {
        self.method = method
        limit = options.optionalInt("limit")
    }

    var stepName: String {
        switch method {
        case .forward: return "forward_fill"
        case .backward: return "backward_fill"
        case .linear, .time: return "interpolation"
        }
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        try fit(table, columns: columns, roles: StepRoles())
    }

    func fit(_ table: Table, columns: [String], roles: StepRoles) throws -> any FittedTransform {
        for column in try table.requireAll(columns, step: stepName) where (method == .linear || method == .time) && column.kind == .categorical {
            throw MMPError(.invalidRecipe, "interpolation needs numeric columns, and '\(column.name)' holds text; use forward_fill or backward_fill for it, or list the numeric columns under columns")
        }
        if method == .time, roles.timestamp == nil {
            throw MMPError(.invalidRecipe, "interpolation method time spaces values by the timestamp, but the recipe names no timestamp column (data.data_interface.timestamp_column); use method linear")
        }
        return FittedSequenceFill(method: method, limit: limit, columns: columns, entities: roles.entities, timestamp: roles.timestamp)
    }
}

struct FittedSequenceFill: FittedTransform {
    static let typeName = "sequence_fill.v1"
    var method: SequenceFill.Method
    var limit: Int?
    var columns: [String]
    var entities: [String]
    var timestamp: String?

    /// Row indices grouped per entity (first-seen order), each group in time order (stable).
    func groups(_ table: Table) -> [[Int]] {
        let n = table.rowCount
        let keys = entities.compactMap { table.column($0) }
        var byKey: [String: Int] = [:]
        var out: [[Int]] = []
        for r in 0..<n {
            let key = keys.map { $0.text(at: r) }.joined(separator: "\u{1F}")
            if let g = byKey[key] { out[g].append(r) } else { byKey[key] = out.count; out.append([r]) }
        }
        if let name = timestamp, let times = table.column(name)?.doubles {
            for g in out.indices {
                out[g] = out[g].enumerated().sorted { a, b in
                    let (x, y) = (times[a.element], times[b.element])
                    if x == y || (x.isNaN && y.isNaN) { return a.offset < b.offset }
                    if x.isNaN { return false }
                    if y.isNaN { return true }
                    return x < y
                }.map(\.element)
            }
        }
        return out
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        let step = method == .forward ? "forward_fill" : method == .backward ? "backward_fill" : "interpolation"
        let groups = self.groups(table)
        let times = timestamp.flatMap { table.column($0)?.doubles }
        var replacements: [String: [Column]] = [:]
        for column in try table.requireAll(columns, step: step) {
            switch column.values {
            case .numeric(let v), .timestamp(let v):
                var out = v
                for g in groups { fill(&out, rows: g, times: times) }
                replacements[column.name] = [Column(name: column.name, values: column.kind == .timestamp ? .timestamp(out) : .numeric(out))]
            case .categorical(let codes, let levels):
                guard method == .forward || method == .backward else {
                    throw MMPError.invalidData("interpolation: column '\(column.name)' holds text; it can only interpolate numbers")
                }
                var values = codes.map { $0 < 0 ? Double.nan : Double($0) }
                for g in groups { fill(&values, rows: g, times: nil) }
                replacements[column.name] = [Column(name: column.name, values: .categorical(codes: values.map { $0.isNaN ? -1 : Int32($0) }, levels: levels))]
            }
        }
        return try table.replacing(replacements, step: step)
    }

    /// Fills the NaNs of `values` at `rows` (in that order), as pandas does for one series.
    func fill(_ values: inout [Double], rows: [Int], times: [Double]?) {
        let maxRun = limit ?? Int.max
        switch method {
        case .forward, .backward:
            let order = method == .forward ? rows : rows.reversed()
            var last = Double.nan, run = 0
            for r in order {
                if values[r].isNaN {
                    run += 1
                    if !last.isNaN && run <= maxRun { values[r] = last }
                } else {
                    last = values[r]; run = 0
                }
            }
        case .linear, .time:
            // pandas interpolate (limit_direction forward): leading gaps stay missing, gaps between
            // known values are interpolated, trailing gaps repeat the last known value; `limit`
            // caps how many cells of a gap are filled, counted from its start.
            let original = rows.map { values[$0] }
            var previous = -1
            for (k, r) in rows.enumerated() where !original[k].isNaN {
                if previous >= 0 && k - previous > 1 {
                    for m in (previous + 1)..<k where m - previous <= maxRun {
                        let share: Double
                        if method == .time, let times {
                            let span = times[rows[k]] - times[rows[previous]]
                            share = span != 0 ? (times[rows[m]] - times[rows[previous]]) / span : Double(m - previous) / Double(k - previous)
                        } else {
                            share = Double(m - previous) / Double(k - previous)
                        }
                        values[rows[m]] = original[previous] + share * (original[k] - original[previous])
                    }
                }
                previous = k
                _ = r
            }
            if previous >= 0 {
                for m in (previous + 1)..<rows.count where m - previous <= maxRun { values[rows[m]] = original[previous] }
            }
        }
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(method.rawValue)
        writer.write(limit ?? -1)
        writer.write(columns); writer.write(entities)
        writer.write(timestamp ?? ""); writer.write(timestamp != nil)
    }

    init(method: SequenceFill.Method, limit: Int?, columns: [String], entities: [String], timestamp: String?) {
        self.method = method; self.limit = limit; self.columns = columns; self.entities = entities; self.timestamp = timestamp
    }

    init(from reader: inout ByteReader) throws {
        guard let method = SequenceFill.Method(rawValue: try reader.readString()) else { throw MMPError.corrupt("unknown fill method") }
        self.method = method
        let l = try reader.readInt()
        limit = l < 0 ? nil : l
        columns = try reader.readStrings(); entities = try reader.readStrings()
        let t = try reader.readString()
        timestamp = try reader.readBool() ? t : nil
    }
}
