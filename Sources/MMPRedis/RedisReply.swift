/// One Redis reply, copied out of hiredis at once (no C pointer outlives the call that read it).
public enum RedisReply: Sendable, Equatable {
    case status(String)
    case error(String)
    case integer(Int)
    case bulk([UInt8])
    case null
    case array([RedisReply])

    /// Bulk or status text.
    public var string: String? {
        switch self {
        case .bulk(let b): return String(decoding: b, as: UTF8.self)
        case .status(let s): return s
        default: return nil
        }
    }

    public var bytes: [UInt8]? {
        switch self {
        case .bulk(let b): return b
        case .status(let s): return Array(s.utf8)
        default: return nil
        }
    }

    /// Integers, and bulk text holding one (as some commands and scripts return).
    public var int: Int? {
        switch self {
        case .integer(let i): return i
        case .bulk, .status: return string.flatMap { Int($0) }
        default: return nil
        }
    }

    public var array: [RedisReply]? { if case .array(let a) = self { return a } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }
    public var errorMessage: String? { if case .error(let e) = self { return e } else { return nil } }

    /// A flat `[field, value, field, value...]` array (HGETALL, XRANGE entries) as pairs in order.
    public var pairs: [(String, String)] {
        guard let items = array else { return [] }
        var out: [(String, String)] = []
        out.reserveCapacity(items.count / 2)
        var i = 0
        while i + 1 < items.count {
            out.append((items[i].string ?? "", items[i + 1].string ?? ""))
            i += 2
        }
        return out
    }

    /// A flat field/value array as a dictionary.
    public var dictionary: [String: String] {
        var out: [String: String] = [:]
        for (k, v) in pairs { out[k] = v }
        return out
    }
}
