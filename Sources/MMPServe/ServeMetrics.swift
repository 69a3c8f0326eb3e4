import MMPHTTP

/// What `/metrics` shows besides the HTTP counters: predictions by class, model loads and
/// swaps, and which model serves (`mmp_serve_model_info`, value 1, with its version as labels).
public final class ServeMetrics: Sendable {
    public let registry = MetricsRegistry()
    public let http: HTTPMetrics
    let predictions: CounterFamily
    let loads: CounterFamily
    let swaps: CounterFamily

    init(slot: ModelSlot) {
        http = HTTPMetrics(registry: registry, prefix: "mmp_serve")
        predictions = registry.counter("mmp_serve_predictions_total",
                                       help: "Rows predicted, by predicted class (empty for regression).", labels: ["class"])
        loads = registry.counter("mmp_serve_model_loads_total", help: "Model loads, by result (ok, error).", labels: ["result"])
        swaps = registry.counter("mmp_serve_model_swaps_total", help: "Times a newer model replaced the served one.")
        registry.collect { out in
            out.family("mmp_serve_model_ready", .gauge, help: "1 while a model is loaded and serving.")
            let model = slot.model
            out.sample("mmp_serve_model_ready", [], model == nil ? 0 : 1)
            out.family("mmp_serve_model_info", .gauge, help: "The served model: its URI, version and checksum (value 1).")
            if let model {
                out.sample("mmp_serve_model_info", [("uri", model.uri), ("version", model.revision.label), ("sha256", model.sha256),
                                                    ("recipe", model.bundle.recipeName)], 1)
            }
        }
    }

    /// Counts each predicted class once per call (a batch takes the lock once per class).
    func count(_ labels: [String]) {
        var counts: [String: Double] = [:]
        for label in labels { counts[label, default: 0] += 1 }
        for (label, n) in counts { predictions.increment([label], by: n) }
    }
}
