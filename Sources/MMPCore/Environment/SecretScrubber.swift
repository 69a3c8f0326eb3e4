/// Removes secrets from text before it leaves the process (logs, job records, error messages).
///
/// Two passes: the literal values of secret-named environment variables, and the password part
/// of any `scheme://user:password@host` URL.
public struct SecretScrubber: Sendable {
    private let secrets: [String]

    public init(environment: ProcessEnvironment) {
        // Longest first, so a secret containing another is replaced whole.
        secrets = environment.secretValues.sorted { $0.count > $1.count }
    }

    public init(secrets: [String]) { self.secrets = secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count } }

    public func scrub(_ text: String) -> String {
        var result = SecretScrubber.redactURLPasswords(in: text)
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: "***")
        }
        return result
    }

    /// `redis://:hunter2@host:6379/0` becomes `redis://:***@host:6379/0`.
    public static func redactURLPasswords(in text: String) -> String {
        guard text.contains("://") else { return text }
        var out = ""
        var rest = Substring(text)
        while let schemeRange = rest.firstRange(of: "://") {
            out += rest[..<schemeRange.upperBound]
            rest = rest[schemeRange.upperBound...]
            // The authority ends at the first '/', whitespace or quote.
            let end = rest.firstIndex(where: { $0 == "/" || $0.isWhitespace || $0 == "\"" || $0 == "'" }) ?? rest.endIndex
            let authority = rest[..<end]
            if let at = authority.lastIndex(of: "@"), let colon = authority[..<at].firstIndex(of: ":") {
                out += authority[...colon] + "***" + authority[at...]
            } else {
                out += authority
            }
            rest = rest[end...]
        }
        return out + rest
    }
}

