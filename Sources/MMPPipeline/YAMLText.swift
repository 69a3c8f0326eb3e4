import MMPCore

/// JSON values printed as YAML-like text (for `mmp config show`): readable, not a YAML writer.
public enum YAMLText {
    public static func render(_ value: JSON, indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent)
        switch value {
        case .object(let o):
            if o.isEmpty { return pad + "{}\n" }
            var out = ""
            for (k, v) in o {
                switch v {
                case .object(let inner) where !inner.isEmpty: out += "\(pad)\(k):\n" + render(v, indent: indent + 1)
                case .array(let items) where !items.isEmpty: out += "\(pad)\(k):\n" + render(v, indent: indent + 1)
                default: out += "\(pad)\(k): \(scalar(v))\n"
                }
            }
            return out
        case .array(let items):
            var out = ""
            for item in items {
                switch item {
                case .object, .array: out += "\(pad)-\n" + render(item, indent: indent + 1)
                default: out += "\(pad)- \(scalar(item))\n"
                }
            }
            return out
        default:
            return pad + scalar(value) + "\n"
        }
    }

    static func scalar(_ v: JSON) -> String {
        switch v {
        case .string(let s):
            let plain = !s.isEmpty && !s.contains(": ") && !s.hasPrefix(" ") && !s.contains("#") && Double(s) == nil
                && !["true", "false", "null", "yes", "no"].contains(s.lowercased()) && !s.hasPrefix("*") && !s.hasPrefix("<")
            return plain ? s : v.serialized()
        case .null: return "null"
        case .object: return "{}"
        case .array: return "[]"
        default: return v.plainText
        }
    }
}
