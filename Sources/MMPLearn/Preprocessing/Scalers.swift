import MMPCore

/// Filled in as the steps of this family land.
public enum Scalers: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = []
}
