import MMPCore

/// Filled in as the models of this family land.
public enum TreeModels: ModelFamily {
    public static let descriptors: [ModelDescriptor] = []
    public static let trainedTypes: [any TrainedModel.Type] = []
}
