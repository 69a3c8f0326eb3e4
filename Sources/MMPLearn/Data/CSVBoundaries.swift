#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where records may be cut: after a line feed that is not inside a quoted field. A quoted field
/// may hold line breaks, so a line feed is a record boundary only when the number of quotes
/// before it (from a known record start) is even; `""` escapes count twice and keep the parity.
/// A stray quote in an unquoted field can mislead the count, but that record is an error the
/// part before the cut reports first.
public enum CSVBoundaries {
    /// The first boundary at or after `target` in `buffer[from..<to]` (`from` is a record start),
    /// or nil when there is none.
    static func firstBoundary(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, target: Int, to: Int) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        var odd = quoteCount(base, from, target) & 1 == 1
        var position = target
        while position < to {
            guard let newline = find(0x0A, base, position, to) else { return nil }
            if quoteCount(base, position, newline) & 1 == 1 { odd.toggle() }
            if !odd { return newline + 1 }
            position = newline + 1
        }
        return nil
    }

    /// The last boundary in `buffer[from..<to]` (`from` is a record start), or nil.
    public static func lastBoundary(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to: Int) -> Int? {
        guard let base = buffer.baseAddress, to > from else { return nil }
        // Parity of the quotes after position p = total parity xor parity before p.
        let totalOdd = quoteCount(base, from, to) & 1 == 1
        var afterOdd = false
        var position = to
        while position > from {
            var k = position - 1
            while k >= from, base[k] != 0x0A {
                if base[k] == 0x22 { afterOdd.toggle() }
                k -= 1
            }
            guard k >= from else { return nil }
            // `k` is a line feed; the quotes before it have parity totalOdd xor afterOdd.
            if totalOdd == afterOdd { return k + 1 }
            position = k
        }
        return nil
    }

    /// Cuts `buffer[from..<to]` into up to `parts` ranges of about equal size at boundaries.
    static func split(_ buffer: UnsafeBufferPointer<UInt8>, from: Int, to: Int, parts: Int) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = from
        let size = (to - from) / max(1, parts)
        for k in 1..<max(1, parts) {
            let target = max(start, from + k * size)
            guard target < to, let cut = firstBoundary(buffer, from: start, target: target, to: to), cut < to else { break }
            ranges.append(start..<cut)
            start = cut
        }
        ranges.append(start..<to)
        return ranges
    }

    private static func quoteCount(_ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int {
        var count = 0
        var position = from
        while let hit = find(0x22, base, position, to) {
            count += 1
            position = hit + 1
        }
        return count
    }

    @inline(__always)
    private static func find(_ byte: UInt8, _ base: UnsafePointer<UInt8>, _ from: Int, _ to: Int) -> Int? {
        guard from < to, let hit = memchr(base + from, Int32(byte), to - from) else { return nil }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base)
    }
}
