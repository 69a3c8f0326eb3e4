import MMPCore

/// Filled in as the steps of this family land.
public enum FeatureGenerators: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = []
}
