import MMPCore

/// Reads Thrift's compact protocol, the encoding of Parquet's footer and page headers.
///
/// Only what Parquet needs: structs are read field by field (`nextField`), and every field a
/// caller does not know is skipped whole, so metadata written by newer writers still reads.
struct ThriftCompactReader {
    enum FieldType: UInt8 {
        case stop = 0, boolTrue = 1, boolFalse = 2, byte = 3, i16 = 4, i32 = 5, i64 = 6, double = 7, binary = 8
        case list = 9, set = 10, map = 11, structure = 12
    }

    struct Field {
        var id: Int16
        var type: FieldType
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private(set) var position: Int
    /// The last field id of each open struct (ids are delta-encoded within a struct).
    private var lastFieldIDs: [Int16] = []
    /// What the reader is reading, for errors ("footer of data/x.parquet").
    let context: String

    init(_ bytes: UnsafeBufferPointer<UInt8>, at position: Int = 0, context: String) {
        self.bytes = bytes
        self.position = position
        self.context = context
    }

    func corrupt(_ what: String) -> MMPError {
        MMPError.invalidData("\(context): corrupt Thrift metadata (\(what) at byte \(position))")
    }

    mutating func byte() throws -> UInt8 {
        guard position < bytes.count else { throw corrupt("unexpected end") }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try byte()
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
            guard shift < 64 else { throw corrupt("varint too long") }
        }
    }

    mutating func zigzag() throws -> Int64 {
        let v = try varint()
        return Int64(bitPattern: (v >> 1) ^ (0 &- (v & 1)))
    }

    mutating func i32() throws -> Int32 {
        let v = try zigzag()
        guard let narrow = Int32(exactly: v) else { throw corrupt("i32 out of range") }
        return narrow
    }

    mutating func i64() throws -> Int64 { try zigzag() }

    mutating func double() throws -> Double {
        guard position + 8 <= bytes.count else { throw corrupt("unexpected end") }
        var bits: UInt64 = 0
        for k in 0..<8 { bits |= UInt64(bytes[position + k]) << (8 * UInt64(k)) }
        position += 8
        return Double(bitPattern: bits)
    }

    mutating func binary() throws -> ArraySlice<UInt8> {
        let length = Int(try varint())
        guard length >= 0, position + length <= bytes.count else { throw corrupt("binary longer than the data") }
        defer { position += length }
        return ArraySlice(bytes[position..<position + length])
    }

    mutating func string() throws -> String { String(decoding: try binary(), as: UTF8.self) }

    mutating func beginStruct() { lastFieldIDs.append(0) }
    mutating func endStruct() { lastFieldIDs.removeLast() }

    /// The next field of the current struct, or nil at its end (the struct is then closed).
    mutating func nextField() throws -> Field? {
        let header = try byte()
        guard let type = FieldType(rawValue: header & 0x0F) else { throw corrupt("unknown field type \(header & 0x0F)") }
        if type == .stop {
            endStruct()
            return nil
        }
        let delta = Int16(header >> 4)
        let id = delta == 0 ? Int16(truncatingIfNeeded: try zigzag()) : lastFieldIDs[lastFieldIDs.count - 1] + delta
        lastFieldIDs[lastFieldIDs.count - 1] = id
        return Field(id: id, type: type)
    }

    /// A bool field's value lives in its type.
    func bool(_ field: Field) -> Bool { field.type == .boolTrue }

    /// A list header: element type and count.
    mutating func listHeader() throws -> (FieldType, Int) {
        let header = try byte()
        guard let type = FieldType(rawValue: header & 0x0F) else { throw corrupt("unknown list element type") }
        var count = Int(header >> 4)
        if count == 15 { count = Int(try varint()) }
        guard count >= 0, count <= bytes.count else { throw corrupt("list of \(count) elements") }
        return (type, count)
    }

    /// Reads a list whose elements `element` reads.
    mutating func list<T>(_ element: (inout ThriftCompactReader) throws -> T) throws -> [T] {
        let (_, count) = try listHeader()
        var out: [T] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(try element(&self)) }
        return out
    }

    /// Reads a struct with `field(reader, field)` for each field; unknown fields must be skipped
    /// by the callback (`skip(field.type)`).
    mutating func structure(_ field: (inout ThriftCompactReader, Field) throws -> Void) throws {
        beginStruct()
        while let f = try nextField() { try field(&self, f) }
    }

    mutating func skip(_ type: FieldType) throws {
        switch type {
        case .stop, .boolTrue, .boolFalse: return
        case .byte: position += 1
        case .i16, .i32, .i64: _ = try varint()
        case .double: position += 8
        case .binary: _ = try binary()
        case .list, .set:
            let (element, count) = try listHeader()
            for _ in 0..<count {
                if element == .boolTrue || element == .boolFalse { position += 1 } else { try skip(element) }
            }
        case .map:
            let count = Int(try varint())
            guard count > 0 else { return }
            let types = try byte()
            guard let key = FieldType(rawValue: types >> 4), let value = FieldType(rawValue: types & 0x0F) else { throw corrupt("unknown map types") }
            for _ in 0..<count { try skip(key); try skip(value) }
        case .structure:
            beginStruct()
            while let f = try nextField() { try skip(f.type) }
        }
        guard position <= bytes.count else { throw corrupt("unexpected end") }
    }
}
