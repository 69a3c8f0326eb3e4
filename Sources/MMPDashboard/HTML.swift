import MMPCore

/// Building pages as text: escaping, and the few elements every page repeats.
enum HTML {
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for c in text.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A query-string value.
    static func query(_ text: String) -> String {
        var out = ""
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                out += "%" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// `a=1&b=2` from pairs, empty values left out.
    static func queryString(_ pairs: [(String, String)]) -> String {
        pairs.filter { !$0.1.isEmpty }.map { "\($0.0)=\(query($0.1))" }.joined(separator: "&")
    }

    /// A form that POSTs one action (hidden when the dashboard is read-only).
    static func action(_ path: String, _ label: String, csrf: String, confirm: String? = nil, style: String = "") -> String {
        let onsubmit = confirm.map { " onsubmit=\"return confirm('\(escape($0))')\"" } ?? ""
        return "<form method=\"post\" action=\"\(escape(path))\" class=\"action\"\(onsubmit)><input type=\"hidden\" name=\"csrf\" value=\"\(csrf)\">"
            + "<button type=\"submit\" class=\"\(style)\" data-action=\"\(escape(path))\">\(escape(label))</button></form>"
    }

    /// Seconds as "850 ms", "12.3 s", "4 min 5 s", "2 h 3 min", "3 d 4 h".
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(Double(Int(seconds * 10)) / 10) + " s" }
        let s = Int(seconds)
        if s < 3600 { return "\(s / 60) min \(s % 60) s" }
        if s < 86_400 { return "\(s / 3600) h \(s % 3600 / 60) min" }
        return "\(s / 86_400) d \(s % 86_400 / 3600) h"
    }

    /// A time in ms since the epoch, as UTC ISO 8601 (a `<time>` the page's script shows locally).
    static func time(_ ms: Int?) -> String {
        guard let ms, ms > 0 else { return "-" }
        let iso = Timestamp.iso8601(Double(ms) / 1000)
        return "<time datetime=\"\(iso)\">\(iso)</time>"
    }

    static func bytes(_ n: Int) -> String {
        if n <= 0 { return "-" }
        if n < 1 << 20 { return "\(n / 1024) KiB" }
        return String(Double(n * 10 / (1 << 20)) / 10) + " MiB"
    }
}
