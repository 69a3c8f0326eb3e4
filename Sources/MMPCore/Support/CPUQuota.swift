#if canImport(Glibc)
import Glibc
#endif

/// How many threads this process should compute with: the cores its affinity mask allows
/// (`taskset`, cpusets), capped by its container's CPU quota (cgroup v2 `cpu.max`: a pod with
/// `limits.cpu: 2` on a 64-core node gets 2, not 64), or `MMP_THREADS` when set (the worker sets
/// it for its job processes: the quota shared by `--concurrency` of them).
public enum CPUQuota {
    /// The threads to use: `override` (MMP_THREADS) when it is a positive number, else the
    /// affinity's cores capped by the quota (rounded up: 1.5 cores of quota use 2 threads).
    public static func threads(affinity: Int, quota: Double?, override: String?) -> Int {
        if let override, let n = Int(override.trimmed()), n > 0 { return n }
        guard let quota, quota > 0 else { return max(1, affinity) }
        return max(1, min(affinity, Int(quota.rounded(.up))))
    }

    /// The cores a cgroup v2 `cpu.max` line allows: `"250000 100000"` is 2.5; `"max 100000"`
    /// (no limit) and anything malformed are nil.
    public static func cores(cpuMax: String) -> Double? {
        let parts = cpuMax.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard parts.count >= 1, let quota = Double(parts[0]), quota > 0 else { return nil }
        let period = parts.count > 1 ? Double(parts[1]) ?? 100_000 : 100_000
        return period > 0 ? quota / period : nil
    }

    /// The smallest quota between this process's cgroup and the root (each level may limit;
    /// inside a container the cgroup namespace makes the container's own group the root).
    /// Nil when no level has one, or on cgroup v1.
    public static func current() -> Double? {
        guard let text = readText("/proc/self/cgroup"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("0::") }) else { return nil }
        var path = String(line.dropFirst(3))
        var smallest: Double?
        while true {
            let file = "/sys/fs/cgroup" + (path == "/" ? "" : path) + "/cpu.max"
            if let value = readText(file).flatMap(cores(cpuMax:)) { smallest = min(smallest ?? value, value) }
            guard path != "/", let slash = path.lastIndex(of: "/") else { break }
            path = slash == path.startIndex ? "/" : String(path[..<slash])
        }
        return smallest
    }

    /// Cores the affinity mask allows (Linux: `Cpus_allowed` in /proc/self/status, which
    /// Glibc's module cannot read through sched_getaffinity without _GNU_SOURCE), at most the
    /// online ones.
    public static func affinityCores() -> Int {
        let online = sysconf(Int32(_SC_NPROCESSORS_ONLN))
        #if os(Linux)
        if let status = readText("/proc/self/status"),
           let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed:") }) {
            let mask = line.dropFirst("Cpus_allowed:".count).filter { $0.isHexDigit }
            let count = mask.reduce(0) { $0 + (Int(String($1), radix: 16) ?? 0).nonzeroBitCount }
            if count > 0 { return online > 0 ? min(count, online) : count }
        }
        #endif
        return online > 0 ? online : 1
    }

    /// This process's threads: affinity, quota and MMP_THREADS together.
    public static func availableThreads() -> Int {
        threads(affinity: affinityCores(), quota: current(), override: getenv("MMP_THREADS").map { String(cString: $0) })
    }

    static func readText(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
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
