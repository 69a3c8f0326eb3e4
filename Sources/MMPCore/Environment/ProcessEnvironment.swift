#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The environment variables mmp resolves configs against: the process environment, completed
/// by `.env` and `.env.<APP_ENV>` files, which never override a variable already set.
///
/// Passed explicitly (never read from globals deep inside the code) so tests can build their own.
public struct ProcessEnvironment: Sendable {
    public private(set) var variables: [String: String]
    /// Variables that came from a dotenv file rather than the process (for `config show`).
    public private(set) var fromFiles: [String: String] = [:]

    public init(_ variables: [String: String]) { self.variables = variables }

    /// The current process environment. Read from `environ` directly, without Foundation: the
    /// worker links MMPCore and must stay small (idle RSS is measured in docs/performance.md).
    public static func current() -> ProcessEnvironment {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") {
                variables[String(text[..<eq])] = String(text[text.index(after: eq)...])
            }
            cursor += 1
        }
        return ProcessEnvironment(variables)
    }

    public subscript(name: String) -> String? { variables[name] }

    /// `APP_ENV`, default `local`.
    public var appEnv: String {
        let value = variables["APP_ENV"]?.trimmed() ?? ""
        return value.isEmpty ? "local" : value
    }

    /// Reads `.env` and then `.env.<APP_ENV>` from `directory` when present. A variable set by
    /// the process or by an earlier file wins.
    public func loadingDotEnv(from directory: String) throws -> ProcessEnvironment {
        var result = self
        let initialEnv = appEnv
        for name in [".env", ".env.\(initialEnv)"] {
            let path = directory.isEmpty ? name : directory + "/" + name
            guard access(path, F_OK) == 0 else { continue }
            guard let data = ProcessEnvironment.readFile(path) else {
                throw MMPError.io("cannot read \(path)")
            }
            let parsed = try DotEnv.parse(String(decoding: data, as: UTF8.self), file: path)
            for (key, value) in parsed where result.variables[key] == nil {
                result.variables[key] = value
                result.fromFiles[key] = path
            }
        }
        return result
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n > 0 { bytes += buffer[0..<n] }
            if n < buffer.count { return ferror(file) == 0 ? bytes : nil }
        }
    }

    /// A copy with one variable set (tests, `--env` style overrides).
    public func setting(_ name: String, _ value: String?) -> ProcessEnvironment {
        var copy = self
        copy.variables[name] = value
        return copy
    }

    /// Whether a variable name looks like it holds a secret. Such values are never printed.
    public static func isSecretName(_ name: String) -> Bool {
        let upper = name.uppercased()
        return ["PASSWORD", "SECRET", "TOKEN", "CREDENTIAL", "API_KEY", "PRIVATE_KEY", "ACCESS_KEY"].contains {
            upper.contains($0)
        }
    }

    /// The values of every secret-named variable, for scrubbing text before it is logged or stored.
    public var secretValues: [String] {
        variables.compactMap { key, value in
            ProcessEnvironment.isSecretName(key) && value.count >= 4 ? value : nil
        }
    }
}

/// The `.env` file format: `KEY=value` lines, `#` comments, optional `export `, and single- or
/// double-quoted values.
public enum DotEnv {
    public static func parse(_ text: String, file: String) throws -> [(String, String)] {
        var result: [(String, String)] = []
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmed()
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst(7)).trimmed() }
            guard let eq = line.firstIndex(of: "=") else {
                throw MMPError(.invalidConfig, "\(file):\(number + 1): expected KEY=value, found '\(line.prefix(40))'")
            }
            let key = line[..<eq].trimmed()
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw MMPError(.invalidConfig, "\(file):\(number + 1): '\(key)' is not a valid variable name")
            }
            var value = line[line.index(after: eq)...].trimmed()
            if value.count >= 2, let q = value.first, q == "\"" || q == "'", value.last == q {
                value = String(value.dropFirst().dropLast())
                if q == "\"" { value = value.replacing("\\n", with: "\n") }
            } else if let hash = value.firstRange(of: " #") {
                value = value[..<hash.lowerBound].trimmed()
            }
            result.append((key, value))
        }
        return result
    }
}
