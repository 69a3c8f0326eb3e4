#if canImport(Glibc)
import Glibc
#endif

/// The supervisor's resident memory, for its registration (the dashboard's workers page): the
/// second field of `/proc/self/statm` (pages), read with plain system calls (no Foundation).
enum ResidentMemory {
    /// Bytes resident now; 0 where /proc is not there.
    static func bytes() -> Int {
        let fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return 0 }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 128)
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { return 0 }
        return parse(Array(buffer[..<n])) * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Resident pages: the second number of a statm line ("size resident shared ...").
    static func parse(_ line: [UInt8]) -> Int {
        let fields = line.split(separator: UInt8(ascii: " "))
        guard fields.count > 1 else { return 0 }
        var pages = 0
        for c in fields[1] {
            guard c >= 48, c <= 57 else { break }
            pages = pages * 10 + Int(c - 48)
        }
        return pages
    }
}
