#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Distinct byte strings → dense codes in first-seen order, without a `String` per lookup: the
/// levels' bytes live in one arena and an open-addressing table holds their codes. A categorical
/// column of a million rows with ten distinct values makes ten strings, once, at the end.
/// Used by the CSV and Parquet readers.
public struct ByteStringDictionary: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [Int] = [0]
    private var hashes: [UInt64] = []
    /// Code + 1 per slot; 0 is empty. Power-of-two size, at most half full.
    private var slots: [Int32] = Array(repeating: 0, count: 16)

    public init() {}

    public var count: Int { offsets.count - 1 }

    /// The code of these bytes, adding them when new.
    @inline(__always)
    public mutating func code(_ p: UnsafePointer<UInt8>, _ length: Int) -> Int32 {
        let hash = ByteStringDictionary.hash(p, length)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = slots[slot]
            if entry == 0 { break }
            let code = Int(entry - 1)
            if hashes[code] == hash, equals(code, p, length) { return Int32(code) }
            slot = (slot + 1) & mask
        }
        let code = Int32(count)
        bytes.append(contentsOf: UnsafeBufferPointer(start: p, count: length))
        offsets.append(bytes.count)
        hashes.append(hash)
        slots[slot] = code + 1
        if count * 2 > slots.count { grow() }
        return code
    }

    public mutating func code(_ bytes: [UInt8]) -> Int32 {
        bytes.withUnsafeBufferPointer { code($0.baseAddress ?? UnsafePointer(bitPattern: 1)!, $0.count) }
    }

    /// Level `code` as a String.
    public func level(_ code: Int) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[offsets[code]..<offsets[code + 1]]), as: UTF8.self) }
    }

    public func withLevel<T>(_ code: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[offsets[code]..<offsets[code + 1]])) }
    }

    public var levels: [String] { (0..<count).map(level) }

    public mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        offsets = [0]
        hashes.removeAll(keepingCapacity: true)
        // Keep the table's size: the next block of the same column holds about as many values.
        if slots.count <= 1 << 16 {
            slots.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        } else {
            slots = Array(repeating: 0, count: 16)
        }
    }

    private func equals(_ code: Int, _ p: UnsafePointer<UInt8>, _ length: Int) -> Bool {
        let start = offsets[code]
        guard offsets[code + 1] - start == length else { return false }
        return bytes.withUnsafeBufferPointer { stored in
            length == 0 || memcmpEqual(stored.baseAddress! + start, p, length)
        }
    }

    private mutating func grow() {
        var bigger = [Int32](repeating: 0, count: slots.count * 2)
        let mask = bigger.count - 1
        for code in 0..<count {
            var slot = Int(truncatingIfNeeded: hashes[code]) & mask
            while bigger[slot] != 0 { slot = (slot + 1) & mask }
            bigger[slot] = Int32(code + 1)
        }
        slots = bigger
    }

    /// FNV-1a over 8-byte words, then a final mix so the low bits (the slot) depend on every byte.
    @inline(__always)
    static func hash(_ p: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(length)
        var i = 0
        let raw = UnsafeRawPointer(p)
        while i + 8 <= length {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100_0000_01b3
            h ^= h >> 29
            i += 8
        }
        while i < length {
            h = (h ^ UInt64(p[i])) &* 0x100_0000_01b3
            i += 1
        }
        h ^= h >> 33
        h = h &* 0xff51_afd7_ed55_8ccd
        h ^= h >> 33
        return h
    }
}

@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ length: Int) -> Bool {
    memcmp(a, b, length) == 0
}
