#if canImport(Glibc)
import Glibc
#endif

/// How many cores this process may use: the affinity mask (which containers and `taskset`
/// narrow), not the machine's total. Parallel work is sized to this.
public enum CPUInfo {
    public static let availableCores: Int = {
        #if os(Linux)
        // Glibc's module does not export sched_getaffinity (it needs _GNU_SOURCE); the kernel
        // reports the same mask in /proc/self/status as "Cpus_allowed: ff,ffffffff".
        if let status = readFile("/proc/self/status"),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
            if count > 0 { return online > 0 ? min(count, online) : count }
        }
        #endif
        let n = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        return n > 0 ? n : 1
    }()

    private static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, 4096) }
            if n <= 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
