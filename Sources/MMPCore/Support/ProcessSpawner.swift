#if canImport(Glibc)
import Glibc
#endif

/// Starts programs with posix_spawn, the one way this project starts child processes: the
/// worker's job children, and the processes the tests start and kill.
///
/// Why not Foundation's `Process`: it is not in the worker's static binary, and in the tests it
/// left children that started daemons unreaped, so `waitUntilExit` never returned.
public enum ProcessSpawner {
    /// What the child's file descriptors are, applied in order before the program starts.
    public enum FileAction: Sendable {
        /// `dup2(from, to)`: the child's `to` is a copy of the parent's `from`.
        case duplicate(Int32, to: Int32)
        /// Opens `path` as the child's descriptor `to`.
        case open(String, flags: Int32, to: Int32)
        case close(Int32)

        /// The child's descriptor `to` on /dev/null.
        public static func null(_ to: Int32) -> FileAction {
            .open("/dev/null", flags: to == 0 ? O_RDONLY : O_WRONLY, to: to)
        }
    }

    /// Starts `executable` (a path, not searched in PATH) and returns its pid.
    ///
    /// The child starts with no signal blocked and default handlers for SIGPIPE, SIGTERM, SIGINT
    /// and SIGCHLD, whatever the calling thread had: test runners and the worker's signal
    /// thread block signals, and a child must not inherit that.
    ///
    /// - Parameters:
    ///   - environment: the child's whole environment; nil passes this process's own.
    ///   - newProcessGroup: the child leads a process group of its own, so a Ctrl-C on the
    ///     parent's terminal does not reach it.
    public static func spawn(_ executable: String, arguments: [String], environment: [String: String]? = nil,
                             fileActions: [FileAction] = [], newProcessGroup: Bool = false) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for action in fileActions {
            switch action {
            case .duplicate(let from, let to): posix_spawn_file_actions_adddup2(&actions, from, to)
            case .open(let path, let flags, let to): posix_spawn_file_actions_addopen(&actions, to, path, flags, 0o644)
            case .close(let fd): posix_spawn_file_actions_addclose(&actions, fd)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attributes, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGPIPE, SIGTERM, SIGINT, SIGCHLD] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var child: pid_t = 0
        let rc: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for p in envp { free(p) } }
            rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        } else {
            rc = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        }
        guard rc == 0 else { throw MMPError.io("cannot start \(executable): \(String(cString: strerror(rc)))") }
        return child
    }

    /// How a reaped child ended, from its wait status.
    public enum Exit: Equatable, Sendable {
        case code(Int32)
        case signal(Int32)

        public init(waitStatus status: Int32) {
            let signal = status & 0x7f
            self = signal == 0 ? .code((status >> 8) & 0xff) : .signal(signal)
        }

        /// The shell's convention: the exit code, or 128 + the signal.
        public var shellStatus: Int32 {
            switch self {
            case .code(let c): return c
            case .signal(let s): return 128 + s
            }
        }
    }
}
