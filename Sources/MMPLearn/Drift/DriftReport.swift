#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import MMPCore

/// How far an answer is from the baseline.
public enum DriftStatus: String, Sendable, Comparable, CaseIterable {
    case ok, warning, alert

    public static func < (a: DriftStatus, b: DriftStatus) -> Bool { a.rank < b.rank }
    private var rank: Int { self == .ok ? 0 : self == .warning ? 1 : 2 }

    /// Two thresholds: at or above `alert` is an alert, at or above `warning` a warning.
    static func grade(_ value: Double?, warning: Double, alert: Double) -> DriftStatus {
        guard let value, value.isFinite else { return .ok }
        return value >= alert ? .alert : value >= warning ? .warning : .ok
    }

    /// One threshold (the recipe's missing-rate, prediction PSI and extrapolation settings):
    /// above it is an alert, above half of it a warning.
    static func grade(_ value: Double?, threshold: Double) -> DriftStatus {
        guard let value, value.isFinite else { return .ok }
        return value > threshold ? .alert : value > threshold / 2 ? .warning : .ok
    }
}

/// The recipe's `monitoring` thresholds (the Python tool's names and defaults).
public struct DriftThresholds: Sendable, Equatable {
    public var psiWarning: Double
    public var psiAlert: Double
    public var missingRate: Double
    public var predictionPSI: Double
    public var extrapolation: Double

    public init(psiWarning: Double = 0.1, psiAlert: Double = 0.2, missingRate: Double = 0.05, predictionPSI: Double = 0.2,
                extrapolation: Double = 0.05) {
        self.psiWarning = psiWarning; self.psiAlert = psiAlert; self.missingRate = missingRate
        self.predictionPSI = predictionPSI; self.extrapolation = extrapolation
    }
}

/// Scored data against the training baseline: per feature the population stability index
/// (PSI) over the baseline's buckets, the Jensen–Shannon divergence for categorical features
/// and the change in missing rate; new and missing columns; for the predictions their PSI and
/// the share outside the range seen on the test split. Each item is ok, warning or alert, and
/// the report is as bad as its worst item.
public struct DriftReport: Sendable {
    public struct Feature: Sendable {
        public var name: String
        public var kind: String
        public var psi: Double?
        /// Base 2, so it lies in [0, 1]; categorical features only.
        public var jensenShannon: Double?
        public var baselineMissingRate: Double
        public var missingRate: Double
        public var missingRateChange: Double
        public var baselineMean: Double?
        public var mean: Double?
        public var newValues: [String: Int]
        public var psiStatus: DriftStatus
        public var missingStatus: DriftStatus
        public var status: DriftStatus { max(psiStatus, missingStatus) }
    }

    public struct Prediction: Sendable {
        public var psi: Double?
        public var psiStatus: DriftStatus
        /// Share of numeric predictions outside [min, max] of the test predictions.
        public var outsideTrainingRange: Double?
        public var extrapolationStatus: DriftStatus
        public var baselineMean: Double?
        public var mean: Double?
        public var status: DriftStatus { max(psiStatus, extrapolationStatus) }
    }

    public var rows: Int
    public var baselineRows: Int
    public var features: [Feature]
    /// Feature columns the model was trained on that the scored data lacks.
    public var missingColumns: [String]
    /// Columns of the scored data that training never saw.
    public var newColumns: [String]
    public var schemaStatus: DriftStatus
    public var prediction: Prediction?
    public var thresholds: DriftThresholds

    public var status: DriftStatus {
        ([schemaStatus] + features.map(\.status) + [prediction?.status ?? .ok]).max() ?? .ok
    }

    public init(baseline: DriftBaseline, counts: DriftCounts, thresholds: DriftThresholds = DriftThresholds()) {
        self.thresholds = thresholds
        rows = counts.rows
        baselineRows = baseline.rows
        var features: [Feature] = []
        var missing: [String] = []
        for b in baseline.features {
            guard let c = counts.features[b.name] else { missing.append(b.name); continue }
            let rate = c.rows == 0 ? 0 : Double(c.missing) / Double(c.rows)
            var f = Feature(name: b.name, kind: "numeric", psi: nil, jensenShannon: nil, baselineMissingRate: b.missingRate,
                            missingRate: rate, missingRateChange: rate - b.missingRate, baselineMean: nil, mean: nil,
                            newValues: c.newLevels, psiStatus: .ok, missingStatus: .ok)
            let expected = Self.proportions(of: b)
            let actual = c.present == 0 ? nil : c.buckets.map { Double($0) / Double(c.present) }
            if let actual { f.psi = Self.psi(expected: expected, actual: actual) }
            switch b.profile {
            case .numeric(let p):
                f.baselineMean = p.mean.isNaN ? nil : p.mean
                f.mean = c.present == 0 ? nil : c.sum / Double(c.present)
            case .categorical:
                f.kind = "categorical"
                if let actual { f.jensenShannon = Self.jensenShannon(expected, actual) }
            }
            f.psiStatus = DriftStatus.grade(f.psi, warning: thresholds.psiWarning, alert: thresholds.psiAlert)
            f.missingStatus = DriftStatus.grade(abs(f.missingRateChange), threshold: thresholds.missingRate)
            features.append(f)
        }
        self.features = features
        missingColumns = missing
        let known = Set(baseline.columns)
        newColumns = counts.columns.filter { !known.contains($0) }
        schemaStatus = !missing.isEmpty ? .alert : !newColumns.isEmpty ? .warning : .ok
        if let b = baseline.prediction, let c = counts.prediction {
            var p = Prediction(psi: nil, psiStatus: .ok, outsideTrainingRange: nil, extrapolationStatus: .ok, baselineMean: nil, mean: nil)
            if c.present > 0 { p.psi = Self.psi(expected: Self.proportions(of: b), actual: c.buckets.map { Double($0) / Double(c.present) }) }
            p.psiStatus = DriftStatus.grade(p.psi, threshold: thresholds.predictionPSI)
            if case .numeric(let profile) = b.profile, c.present > 0 {
                p.outsideTrainingRange = Double(counts.predictionsOutside) / Double(c.present)
                p.extrapolationStatus = DriftStatus.grade(p.outsideTrainingRange, threshold: thresholds.extrapolation)
                p.baselineMean = profile.mean
                p.mean = c.sum / Double(c.present)
            }
            prediction = p
        }
    }

    static func proportions(of b: FeatureBaseline) -> [Double] {
        switch b.profile {
        case .numeric(let p): return p.proportions
        case .categorical(let p): return p.proportions
        }
    }

    /// Shares below this count as this much in PSI, so an empty bucket on either side adds a
    /// large but finite term (the usual guard; numpy reference: `np.clip(p, 1e-4, None)`).
    public static let psiFloor = 1e-4

    /// Σ (a − e) · ln(a / e) over the buckets, shares floored at `psiFloor`.
    public static func psi(expected: [Double], actual: [Double]) -> Double {
        var total = 0.0
        for (e, a) in zip(expected, actual) {
            let ee = Swift.max(e, psiFloor), aa = Swift.max(a, psiFloor)
            total += (aa - ee) * log(aa / ee)
        }
        return total
    }

    /// Jensen–Shannon divergence in bits (scipy's `jensenshannon(p, q, base=2) ** 2`).
    public static func jensenShannon(_ p: [Double], _ q: [Double]) -> Double {
        let sp = p.reduce(0, +), sq = q.reduce(0, +)
        guard sp > 0, sq > 0 else { return 0 }
        var total = 0.0
        for (pi, qi) in zip(p, q) {
            let a = pi / sp, b = qi / sq, m = (a + b) / 2
            if a > 0 { total += a * log2(a / m) }
            if b > 0 { total += b * log2(b / m) }
        }
        return Swift.max(0, total / 2)
    }
}
