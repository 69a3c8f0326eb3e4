import MMPCore

/// What the training data looked like, kept in the model bundle so that data scored later can
/// be compared with it (`DriftCounts`, `DriftReport`).
///
/// Per numeric feature: quantile bin edges and the share of training values in each bin, mean,
/// standard deviation, range and missing rate; per categorical feature: the share of each
/// frequent value (the rest pooled as "other"); for the predictions on the test split: the same
/// profile of the `prediction` column (numbers for regression, classes otherwise).
public struct DriftBaseline: Sendable, Equatable {
    /// Quantile bins per numeric profile (deciles; fewer when values repeat).
    public static let binCount = 10
    /// Categorical values kept by name; the rarer ones share the "other" bucket.
    public static let maxLevels = 20

    /// Training rows the profiles were computed from.
    public var rows: Int
    /// Every column of the training input as loaded, to report new and missing columns.
    public var columns: [String]
    public var features: [FeatureBaseline]
    public var prediction: FeatureBaseline?

    public init(rows: Int, columns: [String], features: [FeatureBaseline], prediction: FeatureBaseline?) {
        self.rows = rows; self.columns = columns; self.features = features; self.prediction = prediction
    }
}

/// One column's profile.
public struct FeatureBaseline: Sendable, Equatable {
    public var name: String
    /// Share of rows with no value.
    public var missingRate: Double
    public var profile: Profile
    /// Rows the profile was computed from (present and missing).
    public var rows: Int

    public enum Profile: Sendable, Equatable {
        case numeric(NumericProfile)
        case categorical(CategoricalProfile)
    }

    public init(name: String, missingRate: Double, profile: Profile, rows: Int) {
        self.name = name; self.missingRate = missingRate; self.profile = profile; self.rows = rows
    }

    /// Buckets a count of this column has: bins, or levels plus "other".
    public var bucketCount: Int {
        switch profile {
        case .numeric(let p): return p.edges.count + 1
        case .categorical(let p): return p.levels.count + 1
        }
    }
}

/// Numbers: bin `i` holds edges[i-1] ≤ x < edges[i]; the first bin reaches down to −∞ and the
/// last up to +∞, so values outside the training range land in the edge bins rather than
/// being dropped.
public struct NumericProfile: Sendable, Equatable {
    /// Interior cut points, strictly increasing (at most `binCount - 1`).
    public var edges: [Double]
    /// Share of present values per bin (`edges.count + 1` of them, summing to 1).
    public var proportions: [Double]
    public var mean: Double
    /// Population standard deviation (ddof 0).
    public var std: Double
    public var min: Double
    public var max: Double

    public init(edges: [Double], proportions: [Double], mean: Double, std: Double, min: Double, max: Double) {
        self.edges = edges; self.proportions = proportions; self.mean = mean; self.std = std; self.min = min; self.max = max
    }

    /// The bin of a present value: how many edges are at or below it (numpy's
    /// `searchsorted(edges, x, side="right")`).
    @inline(__always) public func bin(_ x: Double) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if edges[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Text values: the `levels` with their shares, then the share of every other value last.
public struct CategoricalProfile: Sendable, Equatable {
    public var levels: [String]
    /// `levels.count + 1` shares of present values; the last is "other".
    public var proportions: [Double]

    public init(levels: [String], proportions: [Double]) { self.levels = levels; self.proportions = proportions }
}
