import MMPCore

/// Filled in as the steps of this family land.
public enum Imputers: PreprocessorFamily {
    public static let descriptors: [PreprocessorDescriptor] = []
}
