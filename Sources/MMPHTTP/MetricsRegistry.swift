import Synchronization

/// In-process metrics of one server, rendered as Prometheus text on each scrape. Families keep
/// their samples by label values under a lock of their own (an increment is a dictionary update:
/// far below a request's cost); output is sorted, so two scrapes of the same state are equal.
public final class MetricsRegistry: Sendable {
    private let families = Mutex<[any MetricFamily]>([])
    private let collectors = Mutex<[@Sendable (inout PrometheusText) -> Void]>([])

    public init() {}

    public func counter(_ name: String, help: String, labels: [String] = []) -> CounterFamily {
        register(CounterFamily(name: name, help: help, labels: labels))
    }

    public func gauge(_ name: String, help: String, labels: [String] = []) -> GaugeFamily {
        register(GaugeFamily(name: name, help: help, labels: labels))
    }

    public func histogram(_ name: String, help: String, labels: [String] = [], buckets: [Double]) -> HistogramFamily {
        register(HistogramFamily(name: name, help: help, labels: labels, buckets: buckets))
    }

    /// Metrics computed when scraped (the loaded model's version, say).
    public func collect(_ body: @escaping @Sendable (inout PrometheusText) -> Void) {
        collectors.withLock { $0.append(body) }
    }

    public func render() -> String {
        var out = PrometheusText()
        for family in families.withLock({ $0 }) { family.render(into: &out) }
        for collector in collectors.withLock({ $0 }) { collector(&out) }
        return out.text
    }

    private func register<F: MetricFamily>(_ family: F) -> F {
        families.withLock { $0.append(family) }
        return family
    }
}

protocol MetricFamily: Sendable {
    func render(into out: inout PrometheusText)
}

/// Latency buckets in seconds, from 100 µs to 10 s.
public let latencyBuckets: [Double] = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

public final class CounterFamily: MetricFamily {
    let name: String, help: String, labels: [String]
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labels: [String]) { self.name = name; self.help = help; self.labels = labels }

    public func increment(_ labelValues: [String] = [], by amount: Double = 1) {
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    public func value(_ labelValues: [String] = []) -> Double { values.withLock { $0[labelValues] ?? 0 } }

    func render(into out: inout PrometheusText) {
        out.family(name, .counter, help: help)
        for (key, value) in values.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out.sample(name, Array(zip(labels, key)), value)
        }
    }
}

public final class GaugeFamily: MetricFamily {
    let name: String, help: String, labels: [String]
    private let values = Mutex<[[String]: Double]>([:])

    init(name: String, help: String, labels: [String]) { self.name = name; self.help = help; self.labels = labels }

    public func add(_ amount: Double, _ labelValues: [String] = []) {
        values.withLock { $0[labelValues, default: 0] += amount }
    }

    public func set(_ value: Double, _ labelValues: [String] = []) {
        values.withLock { $0[labelValues] = value }
    }

    public func value(_ labelValues: [String] = []) -> Double { values.withLock { $0[labelValues] ?? 0 } }

    func render(into out: inout PrometheusText) {
        out.family(name, .gauge, help: help)
        let current = values.withLock { $0 }
        if current.isEmpty, labels.isEmpty { out.sample(name, [], 0) }
        for (key, value) in current.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            out.sample(name, Array(zip(labels, key)), value)
        }
    }
}

public final class HistogramFamily: MetricFamily {
    let name: String, help: String, labels: [String]
    let buckets: [Double]
    private struct Series { var counts: [UInt64]; var sum: Double; var count: UInt64 }
    private let series = Mutex<[[String]: Series]>([:])

    init(name: String, help: String, labels: [String], buckets: [Double]) {
        self.name = name; self.help = help; self.labels = labels; self.buckets = buckets.sorted()
    }

    public func observe(_ value: Double, _ labelValues: [String] = []) {
        // The first bucket the value fits (cumulated when rendered).
        var index = buckets.count
        for (i, bound) in buckets.enumerated() where value <= bound { index = i; break }
        let empty = buckets.count + 1
        series.withLock { all in
            // Updated in place (no copy of the counts per observation).
            if all[labelValues] == nil { all[labelValues] = Series(counts: [UInt64](repeating: 0, count: empty), sum: 0, count: 0) }
            all[labelValues]!.counts[index] += 1
            all[labelValues]!.sum += value
            all[labelValues]!.count += 1
        }
    }

    func render(into out: inout PrometheusText) {
        out.family(name, .histogram, help: help)
        for (key, s) in series.withLock({ $0 }).sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            let base = Array(zip(labels, key))
            var cumulative: UInt64 = 0
            for (i, bound) in buckets.enumerated() {
                cumulative += s.counts[i]
                out.sample(name + "_bucket", base + [("le", PrometheusText.format(bound))], Double(cumulative))
            }
            out.sample(name + "_bucket", base + [("le", "+Inf")], Double(s.count))
            out.sample(name + "_sum", base, s.sum)
            out.sample(name + "_count", base, Double(s.count))
        }
    }
}
