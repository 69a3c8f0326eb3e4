#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to stdout and stderr with `write(2)`: one call per line keeps lines from
/// concurrent threads whole, and avoids the C `FILE*` globals that strict concurrency rejects.
public enum StandardStreams {
    public static func writeOut(_ text: String) { write(fd: 1, text) }
    public static func writeError(_ text: String) { write(fd: 2, text) }

    public static func write(fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                #if canImport(Glibc)
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #else
                let n = Darwin.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                #endif
                if n < 0 {
                    if errno == EINTR { continue }
                    return
                }
                offset += n
            }
        }
    }
}
