import MMPCore

/// The recipe's `monitoring` section (the Python tool's): whether training stores a drift
/// baseline in the bundle, and the thresholds batch scoring's drift report uses.
///
/// ```yaml
/// monitoring:
///   enabled: true
///   data_drift: {psi_threshold_warning: 0.1, psi_threshold_alert: 0.2, missing_rate_threshold: 0.05}
///   prediction_drift: {psi_threshold: 0.2, extrapolation_threshold: 0.05}
/// ```
public struct MonitoringSection: Sendable, Equatable {
    public var enabled = true
    public var psiWarning = 0.1
    public var psiAlert = 0.2
    public var missingRate = 0.05
    public var predictionPSI = 0.2
    public var extrapolation = 0.05

    public init() {}

    /// The section of a recipe snapshot (a bundle's), defaults where absent; values were
    /// checked when the recipe was decoded.
    public init(snapshot: JSON) {
        let m = snapshot["monitoring"]
        enabled = m?["enabled"]?.boolValue ?? true
        psiWarning = m?["data_drift"]?["psi_threshold_warning"]?.doubleValue ?? psiWarning
        psiAlert = m?["data_drift"]?["psi_threshold_alert"]?.doubleValue ?? psiAlert
        missingRate = m?["data_drift"]?["missing_rate_threshold"]?.doubleValue ?? missingRate
        predictionPSI = m?["prediction_drift"]?["psi_threshold"]?.doubleValue ?? predictionPSI
        extrapolation = m?["prediction_drift"]?["extrapolation_threshold"]?.doubleValue ?? extrapolation
    }
}

extension RecipeDecoder {
    static func decodeMonitoring(_ value: JSON?, reader r: FieldReader) -> MonitoringSection {
        var section = MonitoringSection()
        guard let m = r.object(value, path: "monitoring", required: false) else { return section }
        r.checkKeys(m, path: "monitoring", known: ["enabled", "data_drift", "prediction_drift"])
        section.enabled = r.bool(m, "enabled", path: "monitoring", default: true)
        if let d = r.object(m["data_drift"], path: "monitoring.data_drift", required: false) {
            r.checkKeys(d, path: "monitoring.data_drift", known: ["psi_threshold_warning", "psi_threshold_alert", "missing_rate_threshold"])
            section.psiWarning = r.double(d, "psi_threshold_warning", path: "monitoring.data_drift", default: 0.1, range: 0...100) ?? 0.1
            section.psiAlert = r.double(d, "psi_threshold_alert", path: "monitoring.data_drift", default: 0.2, range: 0...100) ?? 0.2
            section.missingRate = r.double(d, "missing_rate_threshold", path: "monitoring.data_drift", default: 0.05, range: 0...1) ?? 0.05
            if section.psiAlert < section.psiWarning {
                r.problem("monitoring.data_drift.psi_threshold_alert", "must be at least psi_threshold_warning (\(section.psiWarning)), found \(section.psiAlert)")
            }
        }
        if let p = r.object(m["prediction_drift"], path: "monitoring.prediction_drift", required: false) {
            r.checkKeys(p, path: "monitoring.prediction_drift", known: ["psi_threshold", "extrapolation_threshold"])
            section.predictionPSI = r.double(p, "psi_threshold", path: "monitoring.prediction_drift", default: 0.2, range: 0...100) ?? 0.2
            section.extrapolation = r.double(p, "extrapolation_threshold", path: "monitoring.prediction_drift", default: 0.05, range: 0...1) ?? 0.05
        }
        return section
    }
}
