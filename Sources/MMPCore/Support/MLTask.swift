/// What a recipe learns. Shared by recipes (MMPConfig) and models (MMPLearn).
public enum MLTask: String, Sendable, CaseIterable, Codable {
    case classification, regression, clustering
    /// Forecasting a numeric target ordered by a timestamp column (per entity when entity columns are given).
    case timeseries
    /// The effect of a binary treatment on an outcome, per row (CATE) and on average (ATE).
    case causal
}
