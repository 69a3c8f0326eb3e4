/// What a recipe learns. Shared by recipes (MMPConfig) and models (MMPLearn).
public enum MLTask: String, Sendable, CaseIterable, Codable {
    case classification, regression, clustering
}
