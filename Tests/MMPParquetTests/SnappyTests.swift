import MMPCore
import Testing
@testable import MMPParquet

@Suite struct SnappyTests {
    func decompress(_ bytes: [UInt8], size: Int) throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: size)
        let n = try bytes.withUnsafeBufferPointer { input in
            try out.withUnsafeMutableBufferPointer { try Snappy.decompress(input, into: $0, context: "t") }
        }
        return Array(out.prefix(n))
    }

    @Test func literalsAndOverlappingCopies() throws {
        // "abcabcabcabc": literal "abc", then a copy of 9 bytes at offset 3 (overlapping).
        let stream: [UInt8] = [12, 0b0000_1000, 97, 98, 99, 0b0001_0101, 3]
        #expect(try decompress(stream, size: 12) == Array("abcabcabcabc".utf8))
    }

    @Test func corruptStreamsAreErrors() {
        #expect(throws: MMPError.self) { try decompress([5, 0b0000_1000, 97], size: 5) }  // literal past the end
        #expect(throws: MMPError.self) { try decompress([4, 0b0000_0101, 9], size: 4) }  // copy before the start
    }
}
