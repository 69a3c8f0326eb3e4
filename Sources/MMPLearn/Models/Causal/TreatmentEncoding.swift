import MMPCore

/// Which rows of a causal recipe were treated: the treatment column read as 1 (treated) or 0
/// (control). Numbers must be 0 or 1; text must hold two values, the control group being the
/// one named `control_name` (causalml's parameter, default `control`), or the obvious one of
/// false/true, no/yes, 0/1, untreated/treated.
public struct TreatmentEncoding: Sendable, Equatable {
    public var column: String
    /// For text columns: the value that means control, and the one that means treated.
    public var controlLevel: String?
    public var treatedLevel: String?

    static let pairs: [(control: String, treated: String)] = [
        ("false", "true"), ("no", "yes"), ("0", "1"), ("control", "treatment"), ("control", "treated"),
        ("untreated", "treated"), ("c", "t"), ("0.0", "1.0"),
    ]

    public init(fitting column: Column, controlName: String?) throws {
        self.column = column.name
        switch column.values {
        case .numeric(let values), .timestamp(let values):
            if let bad = values.first(where: { !$0.isNaN && $0 != 0 && $0 != 1 }) {
                throw MMPError.invalidData("treatment column '\(column.name)' must hold 0 (control) or 1 (treated); it holds \(JSON.format(bad)). mmp estimates the effect of one binary treatment")
            }
        case .categorical(let codes, let levels):
            let used = Set(codes.filter { $0 >= 0 }).sorted().map { levels[Int($0)] }
            guard used.count == 2 else {
                throw MMPError.invalidData("treatment column '\(column.name)' must hold two groups (control and treated); it holds \(used.count): \(used.prefix(6).joined(separator: ", ")). mmp estimates the effect of one binary treatment")
            }
            if let name = controlName, let control = used.first(where: { $0.lowercased() == name.lowercased() }) {
                controlLevel = control
                treatedLevel = used.first { $0 != control }
            } else if let pair = TreatmentEncoding.pairs.first(where: { Set([$0.control, $0.treated]) == Set(used.map { $0.lowercased() }) }) {
                controlLevel = used.first { $0.lowercased() == pair.control }
                treatedLevel = used.first { $0.lowercased() == pair.treated }
            } else {
                throw MMPError.invalidData("treatment column '\(column.name)' holds '\(used[0])' and '\(used[1])'; say which is the control group with model.hyperparameters control_name (now \(controlName.map { "'\($0)'" } ?? "not set"))")
            }
        }
    }

    /// 1 for treated rows, 0 for control rows, NaN where the treatment is missing.
    public func encode(_ column: Column) throws -> [Double] {
        switch column.values {
        case .numeric(let values), .timestamp(let values):
            guard controlLevel == nil else { throw MMPError.invalidData("treatment column '\(column.name)' holds numbers here but text in the training rows") }
            return values.map { $0 == 0 || $0 == 1 ? $0 : .nan }
        case .categorical(let codes, let levels):
            guard let control = controlLevel, let treated = treatedLevel else {
                // Numbers at training time that read as text now ("0", "1").
                return codes.map { $0 < 0 ? .nan : (levels[Int($0)] == "1" ? 1 : levels[Int($0)] == "0" ? 0 : .nan) }
            }
            return codes.map { code in
                guard code >= 0 else { return .nan }
                let level = levels[Int(code)]
                return level == treated ? 1 : level == control ? 0 : .nan
            }
        }
    }
}
