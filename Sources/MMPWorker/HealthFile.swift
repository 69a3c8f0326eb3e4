#if canImport(Glibc)
import Glibc
#endif
import MMPCore
import MMPQueue

/// The worker's liveness for a container platform (`mmp-worker --health-file PATH`, read by an
/// exec probe, `mmp-worker health --health-file PATH`): the maintenance thread writes two
/// wall-clock times (ms) once a second: when its loop last ran, and when Redis last answered its
/// housekeeping (liveness, heartbeats, reaper).
///
/// The probe fails when the loop is stale (the worker is stuck: a restart helps). A Redis
/// outage alone does not fail it unless `--max-redis-age` asks for that: restarting every worker
/// while Redis is down kills their running jobs and brings Redis back no sooner.
public enum HealthFile {
    static func write(_ path: String, loopAt: Int, redisAt: Int) {
        // Written whole to a temporary file and renamed: the probe never reads half a line.
        let temporary = path + ".tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var text = "\(loopAt) \(redisAt)\n"
        let written = text.withUTF8 { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        if written > 0 { rename(temporary, path) }
    }

    /// The probe's verdict: nil when healthy, else why not. No I/O: `text` is the file's content
    /// (nil when it could not be read), `now` the wall clock in ms.
    public static func verdict(_ text: String?, now: Int, maxAge: Double, maxRedisAge: Double?) -> String? {
        guard let text else { return "no health file: the worker has not started its maintenance loop (or --health-file differs)" }
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { Int($0) }
        guard parts.count == 2 else { return "the health file is malformed" }
        let loopAge = Double(now - parts[0]) / 1000
        if loopAge > maxAge { return "the worker's maintenance loop last ran \(JSON.format(loopAge))s ago (more than \(JSON.format(maxAge))s): it is stuck" }
        if let maxRedisAge {
            let redisAge = parts[1] == 0 ? Double.infinity : Double(now - parts[1]) / 1000
            if redisAge > maxRedisAge { return "redis last answered the worker's housekeeping \(redisAge.isFinite ? JSON.format(redisAge) + "s ago" : "never") (more than \(JSON.format(maxRedisAge))s)" }
        }
        return nil
    }

    /// Reads the file and judges it (the `health` subcommand).
    public static func check(_ path: String, maxAge: Double, maxRedisAge: Double?) -> String? {
        verdict(read(path), now: MMPQueue.Clock.nowMillis(), maxAge: maxAge, maxRedisAge: maxRedisAge)
    }

    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 256) }
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}
