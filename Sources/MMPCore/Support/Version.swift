/// The mmp version, written into every model bundle and worker registration.
public enum MMPVersion {
    public static let current = "0.1.0"
}
