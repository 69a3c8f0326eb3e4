#if canImport(Glibc)
import Glibc
#endif
import MMPCore

/// Writes `text` to `path` (replacing it).
public func writeFile(_ path: String, _ text: String) throws {
    guard let f = fopen(path, "w") else { throw MMPError.io("cannot write \(path)") }
    defer { fclose(f) }
    fputs(text, f)
}

/// The text of `path`.
public func readFile(_ path: String) throws -> String {
    guard let f = fopen(path, "r") else { throw MMPError.io("cannot read \(path)") }
    defer { fclose(f) }
    var out: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    while true {
        let n = fread(&buffer, 1, buffer.count, f)
        if n <= 0 { break }
        out += buffer[0..<n]
    }
    return String(decoding: out, as: UTF8.self)
}
