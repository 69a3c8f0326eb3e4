import Foundation
import Testing
@testable import MMPArtifacts

@Suite struct HashAndCompressionTests {
    @Test func sha256MatchesFIPSVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func incrementalUpdatesEqualOneShot() {
        let data = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var h = SHA256()
        var offset = 0
        for size in [1, 63, 64, 65, 127, 1000, 5000] where offset < data.count {
            h.update(data[offset..<min(data.count, offset + size)])
            offset += size
        }
        h.update(data[min(offset, data.count)...])
        #expect(h.finalize() == SHA256.hash(data))
    }

    @Test func sha256AgreesWithSha256sum() throws {
        let bytes = (0..<4097).map { UInt8(truncatingIfNeeded: $0 * 7 + 3) }
        let path = NSTemporaryDirectory() + "mmp-sha-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.hasPrefix(SHA256.hex(bytes)))
    }

    @Test func zstdRoundTripsAndRejectsDamage() throws {
        let input = Array(String(repeating: "mmp model bundle ", count: 2000).utf8)
        let compressed = try Zstd.compress(input)
        #expect(compressed.count < input.count / 10)
        #expect(try Zstd.decompress(compressed) == input)
        #expect(throws: (any Error).self) { try Zstd.decompress(Array(compressed.prefix(compressed.count / 2))) }
        #expect(throws: (any Error).self) { try Zstd.decompress([1, 2, 3, 4, 5, 6, 7, 8]) }
    }
}
