/// One command as an argument vector, packed into a single byte buffer so that sending it costs
/// one allocation however many arguments it has. Binary-safe: arguments are never formatted.
public struct RedisCommand: Sendable {
    var storage: [UInt8] = []
    var lengths: [Int] = []

    public init() {}

    public init(_ arguments: [String]) {
        for a in arguments { append(a) }
    }

    public init(_ arguments: String...) { self.init(arguments) }

    public var count: Int { lengths.count }

    public mutating func append(_ argument: String) {
        var argument = argument
        argument.withUTF8 { storage.append(contentsOf: $0) }
        lengths.append(argument.utf8.count)
    }

    public mutating func append(bytes: [UInt8]) {
        storage.append(contentsOf: bytes)
        lengths.append(bytes.count)
    }

    public mutating func append(_ arguments: [String]) { for a in arguments { append(a) } }

    /// The command's name, for messages (never its arguments, which may hold secrets).
    public var name: String {
        guard let first = lengths.first else { return "" }
        return String(decoding: storage[0..<first], as: UTF8.self).uppercased()
    }

    /// Calls `body` with hiredis's `argc`, `argv` and `argvlen`.
    func withArgv<R>(_ body: (Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>, UnsafePointer<Int>) -> R) -> R {
        var bytes = storage
        bytes.append(0)  // never empty, so the base address exists
        return bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: CChar.self)
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(lengths.count)
            var offset = 0
            for length in lengths {
                pointers.append(base + offset)
                offset += length
            }
            return pointers.withUnsafeMutableBufferPointer { p in
                lengths.withUnsafeBufferPointer { l in body(Int32(lengths.count), p.baseAddress!, l.baseAddress!) }
            }
        }
    }
}
