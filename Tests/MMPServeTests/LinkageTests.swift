import Foundation
import MMPTestSupport
import Testing

/// The worker supervisor stays small (design §3.11): the HTTP stack is linked into `mmp` only.
@Suite struct LinkageTests {
    @Test("mmp-worker holds no Hummingbird or SwiftNIO code; mmp does")
    func hummingbirdOnlyInMmp() throws {
        func contains(_ binary: String, _ needle: String) throws -> Bool {
            let data = try #require(FileManager.default.contents(atPath: TestEnvironment.binary(binary)), "\(binary) is built")
            return data.range(of: Data(needle.utf8)) != nil
        }
        #expect(try contains("mmp", "Hummingbird"))
        #expect(try !contains("mmp-worker", "Hummingbird"))
        #expect(try !contains("mmp-worker", "NIOPosix"))
    }
}
