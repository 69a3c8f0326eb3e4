import MMPCore

/// Where a model bundle is, in the one vocabulary every command that loads a model accepts
/// (design §7): a path, `file://`, `runs:/<run_id>/<path>`, `models:/<name>/<version>`,
/// `models:/<name>@<alias>`, or `models:/<model id>` (an MLflow 3 logged model). Parsing only.
public enum ModelURI: Sendable, Equatable {
    case file(path: String)
    case run(runID: String, path: String)
    case registeredVersion(name: String, version: String)
    case registeredAlias(name: String, alias: String)
    case loggedModel(modelID: String)

    public init(_ text: String) throws {
        let t = text.trimmed()
        guard !t.isEmpty else { throw MMPError.invalidInput("the model reference is empty; give a bundle path, file://, runs:/<run_id>/model or models:/<name>@<alias>") }
        if t.hasPrefix("file://") {
            self = .file(path: String(t.dropFirst("file://".count)))
        } else if t.hasPrefix("runs:/") {
            let rest = t.dropFirst("runs:/".count).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
            guard rest.count >= 2 else {
                throw MMPError.invalidInput("'\(t)' is not a run URI: expected runs:/<run_id>/<path>, e.g. runs:/0123abcd/model")
            }
            self = .run(runID: rest[0], path: rest.dropFirst().joined(separator: "/"))
        } else if t.hasPrefix("models:/") {
            let rest = String(t.dropFirst("models:/".count))
            if let at = rest.firstIndex(of: "@") {
                let name = String(rest[..<at]), alias = String(rest[rest.index(after: at)...])
                guard !name.isEmpty, !alias.isEmpty, !alias.contains("/") else {
                    throw MMPError.invalidInput("'\(t)' is not a model URI: expected models:/<name>@<alias>")
                }
                self = .registeredAlias(name: name, alias: alias)
            } else if let slash = rest.lastIndex(of: "/") {
                let name = String(rest[..<slash]), version = String(rest[rest.index(after: slash)...])
                guard !name.isEmpty, let n = Int(version), n > 0 else {
                    throw MMPError.invalidInput("'\(t)' is not a model URI: expected models:/<name>/<version> with a version number, or models:/<name>@<alias>")
                }
                self = .registeredVersion(name: name, version: version)
            } else if rest.hasPrefix("m-"), rest.count > 2 {
                self = .loggedModel(modelID: rest)
            } else {
                throw MMPError.invalidInput("'\(t)' names no version: use models:/\(rest)/<version> or models:/\(rest)@<alias>")
            }
        } else if let colon = t.firstIndex(of: ":"), t[..<colon].count > 1, t.first?.isLetter == true,
                  t[..<colon].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+.-".contains($0)) }) {
            throw MMPError.invalidInput("'\(t)': unknown model URI scheme '\(t[..<colon])' (known: a path, file://, runs:/, models:/)")
        } else {
            self = .file(path: t)
        }
    }

    /// Whether loading it needs an MLflow server.
    public var needsTracking: Bool {
        if case .file = self { return false }
        return true
    }

    public var description: String {
        switch self {
        case .file(let p): return p
        case .run(let r, let p): return "runs:/\(r)/\(p)"
        case .registeredVersion(let n, let v): return "models:/\(n)/\(v)"
        case .registeredAlias(let n, let a): return "models:/\(n)@\(a)"
        case .loggedModel(let id): return "models:/\(id)"
        }
    }
}
