/// One line from an `mmp run-job` child to its supervisor (JSON, one object per line on stdout).
///
/// ```
/// {"event":"stage","stage":"fit"}
/// {"event":"stage_done","stage":"fit","detail":"...","seconds":1.2}
/// {"event":"progress","stage":"fit","progress":0.42}
/// {"event":"result","result":{...}}                        then exit 0
/// {"event":"error","error":{"kind":"sql","message":"...","retryable":false}}   then exit 1
/// ```
/// Any other exit (a signal, a crash) means the child died; the supervisor treats it as a
/// retryable failure that counts toward the delivery cap.
public enum ChildMessage: Sendable, Equatable {
    case stage(String)
    case stageDone(stage: String, detail: String, seconds: Double)
    case progress(stage: String, progress: Double)
    case result(JSON)
    case error(kind: MMPError.Kind, message: String)

    public var json: JSON {
        switch self {
        case .stage(let s): return ["event": "stage", "stage": .string(s)]
        case .stageDone(let s, let d, let sec): return ["event": "stage_done", "stage": .string(s), "detail": .string(d), "seconds": .double(sec)]
        case .progress(let s, let p): return ["event": "progress", "stage": .string(s), "progress": .double(p)]
        case .result(let r): return ["event": "result", "result": r]
        case .error(let k, let m):
            return ["event": "error", "error": ["kind": .string(k.rawValue), "message": .string(m), "retryable": .bool(k.isRetryable)]]
        }
    }

    public var line: String { json.serialized() + "\n" }

    public init(line: String) throws {
        let json = try JSON.parse(line)
        guard let event = json["event"]?.stringValue else { throw MMPError.invalidInput("child message without 'event'") }
        switch event {
        case "stage": self = .stage(json["stage"]?.stringValue ?? "")
        case "stage_done": self = .stageDone(stage: json["stage"]?.stringValue ?? "", detail: json["detail"]?.stringValue ?? "",
                                             seconds: json["seconds"]?.doubleValue ?? 0)
        case "progress": self = .progress(stage: json["stage"]?.stringValue ?? "", progress: json["progress"]?.doubleValue ?? 0)
        case "result": self = .result(json["result"] ?? .null)
        case "error":
            let kind = MMPError.Kind(rawValue: json["error"]?["kind"]?.stringValue ?? "") ?? .internal
            self = .error(kind: kind, message: json["error"]?["message"]?.stringValue ?? "unknown error")
        default: throw MMPError.invalidInput("unknown child event '\(event)'")
        }
    }
}
