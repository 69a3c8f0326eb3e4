/// Writes Prometheus' text exposition format (version 0.0.4): `# HELP` and `# TYPE` once per
/// family, then its samples, label values escaped. Metrics computed at scrape time (a dashboard
/// reading Redis) write straight into it; in-process counters go through `MetricsRegistry`.
public struct PrometheusText: Sendable {
    public enum MetricType: String, Sendable { case counter, gauge, histogram }

    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public private(set) var text = ""

    public init() {}

    public mutating func family(_ name: String, _ type: MetricType, help: String) {
        text += "# HELP \(name) \(PrometheusText.escapeHelp(help))\n# TYPE \(name) \(type.rawValue)\n"
    }

    public mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (i, (key, value)) in labels.enumerated() {
                if i > 0 { text += "," }
                text += key + "=\"" + PrometheusText.escapeLabel(value) + "\""
            }
            text += "}"
        }
        text += " " + PrometheusText.format(value) + "\n"
    }

    /// Integers without a fraction, `+Inf`, `-Inf`, `NaN`, else the shortest exact form.
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return "\(value)"
    }

    static func escapeLabel(_ value: String) -> String {
        guard value.contains(where: { $0 == "\\" || $0 == "\"" || $0 == "\n" }) else { return value }
        return value.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"").replacing("\n", with: "\\n")
    }

    static func escapeHelp(_ value: String) -> String {
        value.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }
}
