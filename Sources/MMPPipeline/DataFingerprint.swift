import MMPArtifacts
import MMPLearn

/// SHA-256 over a table's column names, kinds and cells: two loads of the same rows give the
/// same fingerprint, any changed cell gives another.
public enum DataFingerprint {
    public static func of(_ table: Table) -> String {
        var hash = SHA256()
        for column in table.columns {
            hash.update(Array("\(column.name)\u{1F}\(column.kind.rawValue)\u{1E}".utf8))
            switch column.values {
            case .numeric(let v), .timestamp(let v):
                v.withUnsafeBytes { hash.update($0) }
            case .categorical(let codes, let levels):
                for code in codes {
                    hash.update(code < 0 ? [0xFF] : Array(levels[Int(code)].utf8) + [0x1F])
                }
            }
        }
        return hash.finalize().hexString
    }
}
