/// Compact little-endian binary encoding for fitted models and preprocessing steps.
///
/// Models hold large flat arrays (tree nodes, coefficients); writing them as raw bytes keeps a
/// bundle of a 100-tree forest small and fast to save and load, where a text format would not.
/// Every reader call checks bounds, so a truncated or foreign payload fails with an error.
public protocol BinaryCodable {
    func encode(to writer: inout ByteWriter)
    init(from reader: inout ByteReader) throws
}

public struct ByteWriter: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    public mutating func write(_ value: UInt8) { bytes.append(value) }
    public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }

    public mutating func write(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Int) {
        withUnsafeBytes(of: Int64(value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: Double) {
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ value: String) {
        let utf8 = Array(value.utf8)
        write(utf8.count)
        bytes.append(contentsOf: utf8)
    }

    public mutating func write(_ values: [Double]) {
        write(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }  // little-endian hosts only (x86_64, arm64)
    }

    public mutating func write(_ values: [Float]) {
        write(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ values: [Int32]) {
        write(values.count)
        values.withUnsafeBytes { bytes.append(contentsOf: $0) }
    }

    public mutating func write(_ values: [Int]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ values: [String]) {
        write(values.count)
        for v in values { write(v) }
    }

    public mutating func write(_ value: JSON) { write(value.serialized()) }

    public mutating func write(_ value: some BinaryCodable) { value.encode(to: &self) }

    public mutating func write<T: BinaryCodable>(_ values: [T]) {
        write(values.count)
        for v in values { v.encode(to: &self) }
    }

    public mutating func writeRaw(_ raw: [UInt8]) {
        write(raw.count)
        bytes.append(contentsOf: raw)
    }
}

public struct ByteReader: Sendable {
    public let bytes: [UInt8]
    public private(set) var offset: Int = 0

    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
            throw MMPError.corrupt("model data ends early (needed \(count) bytes at offset \(offset) of \(bytes.count))")
        }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    private mutating func readCount(limit: Int) throws -> Int {
        let n = try readInt()
        guard n >= 0, n <= limit else { throw MMPError.corrupt("model data holds an impossible length \(n) at offset \(offset)") }
        return n
    }

    public mutating func readUInt8() throws -> UInt8 { try take(1).first! }

    /// Reads a format version byte and refuses any other than `expected`: a bundle written by
    /// another mmp version is an error that says so, not a misread model.
    public mutating func readFormatVersion(_ expected: UInt8, of what: String) throws {
        let version = try readUInt8()
        guard version == expected else { throw MMPError.corrupt("\(what) data has format \(version); this mmp reads \(expected)") }
    }
    public mutating func readBool() throws -> Bool { try readUInt8() != 0 }

    public mutating func readUInt32() throws -> UInt32 {
        let s = try take(4)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << (8 * UInt32(i)) }
        return v
    }

    public mutating func readInt() throws -> Int {
        let s = try take(8)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return Int(Int64(bitPattern: v))
    }

    public mutating func readDouble() throws -> Double {
        let s = try take(8)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return Double(bitPattern: v)
    }

    public mutating func readString() throws -> String {
        let n = try readCount(limit: bytes.count - offset)
        return String(decoding: try take(n), as: UTF8.self)
    }

    public mutating func readDoubles() throws -> [Double] {
        let n = try readCount(limit: (bytes.count - offset) / 8)
        let slice = try take(n * 8)
        return slice.withUnsafeBytes { raw in Array(raw.bindMemory(to: Double.self)) }
    }

    public mutating func readFloats() throws -> [Float] {
        let n = try readCount(limit: (bytes.count - offset) / 4)
        let slice = try take(n * 4)
        return slice.withUnsafeBytes { raw in Array(raw.bindMemory(to: Float.self)) }
    }

    public mutating func readInt32s() throws -> [Int32] {
        let n = try readCount(limit: (bytes.count - offset) / 4)
        let slice = try take(n * 4)
        return slice.withUnsafeBytes { raw in Array(raw.bindMemory(to: Int32.self)) }
    }

    public mutating func readInts() throws -> [Int] {
        let n = try readCount(limit: (bytes.count - offset) / 8)
        return try (0..<n).map { _ in try readInt() }
    }

    public mutating func readStrings() throws -> [String] {
        let n = try readCount(limit: (bytes.count - offset) / 8)
        return try (0..<n).map { _ in try readString() }
    }

    public mutating func readJSON() throws -> JSON { try JSON.parse(try readString()) }

    public mutating func read<T: BinaryCodable>(_ type: T.Type = T.self) throws -> T { try T(from: &self) }

    public mutating func readArray<T: BinaryCodable>(of type: T.Type = T.self) throws -> [T] {
        let n = try readCount(limit: bytes.count - offset)
        return try (0..<n).map { _ in try T(from: &self) }
    }

    public mutating func readRaw() throws -> [UInt8] {
        let n = try readCount(limit: bytes.count - offset)
        return Array(try take(n))
    }
}
