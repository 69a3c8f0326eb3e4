import MMPCore

/// A fitted scaler: each column becomes (x − center) / scale + shift. Standard, min-max and
/// robust scaling differ only in how they fit these numbers, so they share this saved form.
/// Missing cells stay missing.
struct FittedAffineScaler: FittedTransform {
    static let typeName = "affine_scaler.v1"
    /// The recipe step that fitted it (for messages).
    var step: String
    var columns: [String]
    var centers: [Double]
    var scales: [Double]
    var shifts: [Double]

    init(step: String, columns: [String], centers: [Double], scales: [Double], shifts: [Double]) {
        self.step = step; self.columns = columns; self.centers = centers; self.scales = scales; self.shifts = shifts
    }

    func transform(_ table: Table, mode: TransformMode) throws -> Table {
        var replacements: [String: [Column]] = [:]
        for (k, column) in try table.requireAll(columns, step: step).enumerated() {
            guard let values = column.doubles else {
                throw MMPError.invalidData("\(step) was fitted on numeric column '\(column.name)', which now holds text")
            }
            let c = centers[k], s = scales[k], b = shifts[k]
            replacements[column.name] = [.numeric(column.name, values.map { ($0 - c) / s + b })]
        }
        return try table.replacing(replacements, step: step)
    }

    func encode(to writer: inout ByteWriter) {
        writer.write(step)
        writer.write(columns)
        writer.write(centers)
        writer.write(scales)
        writer.write(shifts)
    }

    init(from reader: inout ByteReader) throws {
        step = try reader.readString()
        columns = try reader.readStrings()
        centers = try reader.readDoubles()
        scales = try reader.readDoubles()
        shifts = try reader.readDoubles()
        for n in [centers.count, scales.count, shifts.count] { try FittedCheck.sameCount(columns.count, n, step) }
    }
}

/// The present training values of each numeric column a scaler applies to.
func numericTrainingValues(_ table: Table, _ columns: [String], step: String) throws -> [[Double]] {
    try table.requireAll(columns, step: step).map { column in
        guard let values = column.doubles else {
            throw MMPError(.invalidRecipe, "\(step) scales numbers, and column '\(column.name)' holds text; encode it first (one_hot_encoder or ordinal_encoder) or leave it out of columns")
        }
        return ColumnStatistics.present(values)
    }
}

/// scikit-learn's `_handle_zeros_in_scale`: a scale too close to zero becomes 1, so a constant
/// column maps to a constant instead of dividing by zero.
func guardedScale(_ scale: Double) -> Double { scale < 10 * Double.ulpOfOne ? 1 : scale }

/// scikit-learn's `StandardScaler`: (x − mean) / standard deviation (population).
struct StandardScaler: PreprocessingStep {
    var withMean: Bool
    var withStd: Bool

    init(_ options: StepOptions) { withMean = options.bool("with_mean"); withStd = options.bool("with_std") }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var centers: [Double] = [], scales: [Double] = []
        for present in try numericTrainingValues(table, columns, step: "standard_scaler") {
            let mean = ColumnStatistics.mean(present) ?? 0
            let variance = present.isEmpty ? 0 : ColumnStatistics.variance(present, mean: mean)
            centers.append(withMean ? mean : 0)
            // scikit-learn's `_is_constant_feature`: a variance within rounding of zero means
            // a constant column, whose scale is 1.
            let n = Double(present.count), eps = Double.ulpOfOne
            let constant = variance <= n * eps * variance + (n * mean * eps) * (n * mean * eps)
            scales.append(withStd && !constant ? variance.squareRoot() : 1)
        }
        return FittedAffineScaler(step: "standard_scaler", columns: columns, centers: centers, scales: scales,
                                  shifts: Array(repeating: 0, count: columns.count))
    }
}

/// scikit-learn's `MinMaxScaler`: the training range maps onto `feature_range` (default [0, 1]).
struct MinMaxScaler: PreprocessingStep {
    var low: Double
    var high: Double

    init(_ options: StepOptions) throws {
        let range = options["feature_range"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        guard range.count == 2, range[0] < range[1] else {
            throw MMPError(.invalidRecipe, "min_max_scaler: feature_range must be two numbers [low, high] with low < high, found \(options["feature_range"]?.plainText ?? "nothing")")
        }
        low = range[0]; high = range[1]
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var centers: [Double] = [], scales: [Double] = []
        for present in try numericTrainingValues(table, columns, step: "min_max_scaler") {
            let lo = present.min() ?? 0, hi = present.max() ?? 0
            centers.append(lo)
            scales.append(guardedScale(hi - lo) / (high - low))
        }
        return FittedAffineScaler(step: "min_max_scaler", columns: columns, centers: centers, scales: scales,
                                  shifts: Array(repeating: low, count: columns.count))
    }
}

/// scikit-learn's `RobustScaler`: (x − median) / interquantile range (default 25th to 75th
/// percentile, numpy's linear interpolation).
struct RobustScaler: PreprocessingStep {
    var lowQuantile: Double
    var highQuantile: Double
    var withCentering: Bool
    var withScaling: Bool

    init(_ options: StepOptions) throws {
        let range = options["quantile_range"]?.arrayValue?.compactMap(\.doubleValue) ?? []
        guard range.count == 2, 0 <= range[0], range[0] <= range[1], range[1] <= 100 else {
            throw MMPError(.invalidRecipe, "robust_scaler: quantile_range must be two percentiles [low, high] with 0 <= low <= high <= 100, found \(options["quantile_range"]?.plainText ?? "nothing")")
        }
        lowQuantile = range[0] / 100; highQuantile = range[1] / 100
        withCentering = options.bool("with_centering"); withScaling = options.bool("with_scaling")
    }

    func fit(_ table: Table, columns: [String]) throws -> any FittedTransform {
        var centers: [Double] = [], scales: [Double] = []
        for present in try numericTrainingValues(table, columns, step: "robust_scaler") {
            let sorted = present.sorted()
            centers.append(withCentering ? ColumnStatistics.median(sorted: sorted) ?? 0 : 0)
            if withScaling, !sorted.isEmpty {
                let iqr = ColumnStatistics.linearQuantile(sorted: sorted, highQuantile) - ColumnStatistics.linearQuantile(sorted: sorted, lowQuantile)
                scales.append(guardedScale(iqr))
            } else {
                scales.append(1)
            }
        }
        return FittedAffineScaler(step: "robust_scaler", columns: columns, centers: centers, scales: scales,
                                  shifts: Array(repeating: 0, count: columns.count))
    }
}
