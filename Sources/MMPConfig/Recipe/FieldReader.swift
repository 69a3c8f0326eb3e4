import MMPCore

/// Walks a YAML-derived JSON tree, reading typed fields and collecting every problem with its
/// field path and line, so one run of `mmp validate` lists all of them.
final class FieldReader {
    let document: YAMLDocument?
    let file: String
    private(set) var problems: [RecipeProblem] = []

    init(document: YAMLDocument?, file: String) {
        self.document = document
        self.file = file
    }

    func problem(_ path: String, _ message: String) {
        let location = document?.location(of: path) ?? file
        let problem = RecipeProblem(location: location, field: path, message: message)
        if !problems.contains(problem) { problems.append(problem) }
    }

    static func join(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    /// Reports keys of `object` that are not in `known`, with the closest known name.
    func checkKeys(_ object: JSONObject, path: String, known: [String]) {
        for key in object.keys where !known.contains(key) {
            let hint = Suggestion.closest(to: key, in: known).map { "did you mean '\($0)'?" }
                ?? "expected one of: \(known.joined(separator: ", "))"
            problem(FieldReader.join(path, key), "unknown field; \(hint)")
        }
    }

    func object(_ value: JSON?, path: String, required: Bool) -> JSONObject? {
        guard let value, !value.isNull else {
            if required { problem(path, "required section is missing") }
            return nil
        }
        guard case .object(let object) = value else {
            problem(path, "expected a mapping of fields, found \(value.typeDescription)")
            return nil
        }
        return object
    }

    func string(_ object: JSONObject, _ key: String, path: String, required: Bool = false, allowed: [String]? = nil) -> String? {
        let fieldPath = FieldReader.join(path, key)
        guard let value = object[key], !value.isNull else {
            if required { problem(fieldPath, "required field is missing" + (allowed.map { "; expected one of: \($0.joined(separator: ", "))" } ?? "")) }
            return nil
        }
        let text: String
        switch value {
        case .string(let s): text = s
        case .int, .double, .bool: text = value.plainText
        default:
            problem(fieldPath, "expected text, found \(value.typeDescription)")
            return nil
        }
        if text.trimmed().isEmpty {
            if required { problem(fieldPath, "must not be empty") }
            return nil
        }
        if let allowed, !allowed.contains(text) {
            let hint = Suggestion.closest(to: text, in: allowed).map { "; did you mean '\($0)'?" } ?? ""
            problem(fieldPath, "'\(text)' is not allowed\(hint) (expected one of: \(allowed.joined(separator: ", ")))")
            return nil
        }
        return text
    }

    func bool(_ object: JSONObject, _ key: String, path: String, default defaultValue: Bool) -> Bool {
        guard let value = object[key], !value.isNull else { return defaultValue }
        if let b = value.boolValue { return b }
        problem(FieldReader.join(path, key), "expected true or false, found \(value.typeDescription)")
        return defaultValue
    }

    func int(_ object: JSONObject, _ key: String, path: String, default defaultValue: Int?, range: ClosedRange<Int>? = nil) -> Int? {
        guard let value = object[key], !value.isNull else { return defaultValue }
        guard let i = value.intValue else {
            problem(FieldReader.join(path, key), "expected a whole number, found \(value.typeDescription)")
            return defaultValue
        }
        if let range, !range.contains(i) {
            problem(FieldReader.join(path, key), "expected a whole number from \(range.lowerBound) to \(range.upperBound), found \(i)")
            return defaultValue
        }
        return i
    }

    func double(_ object: JSONObject, _ key: String, path: String, default defaultValue: Double?, range: ClosedRange<Double>? = nil) -> Double? {
        guard let value = object[key], !value.isNull else { return defaultValue }
        guard let d = value.doubleValue else {
            problem(FieldReader.join(path, key), "expected a number, found \(value.typeDescription)")
            return defaultValue
        }
        if let range, !range.contains(d) {
            problem(FieldReader.join(path, key), "expected a number from \(JSON.format(range.lowerBound)) to \(JSON.format(range.upperBound)), found \(JSON.format(d))")
            return defaultValue
        }
        return d
    }

    /// A list of names; a single name is accepted as a list of one.
    func stringList(_ object: JSONObject, _ key: String, path: String) -> [String]? {
        let fieldPath = FieldReader.join(path, key)
        guard let value = object[key], !value.isNull else { return nil }
        switch value {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for (i, item) in items.enumerated() {
                switch item {
                case .string(let s): out.append(s)
                case .int, .double: out.append(item.plainText)
                default: problem("\(fieldPath)[\(i)]", "expected a column name, found \(item.typeDescription)")
                }
            }
            return out
        default:
            problem(fieldPath, "expected a list of names, found \(value.typeDescription)")
            return nil
        }
    }
}
