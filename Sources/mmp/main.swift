import ArgumentParser
import MMPCore
#if canImport(Glibc)
import Glibc
#endif

// Exit codes: 0 success, 1 the work failed or the input is invalid, 2 usage error.
do {
    var command = try MMPCommand.parseAsRoot()
    try command.run()
} catch let error as MMPError {
    StandardStreams.writeError("error: \(error.message)\n")
    exit(1)
} catch let code as ExitCode {
    exit(code.rawValue)
} catch {
    let code = MMPCommand.exitCode(for: error)
    let message = MMPCommand.fullMessage(for: error)
    if code == .success {
        StandardStreams.writeOut(message + "\n")
        exit(0)
    }
    StandardStreams.writeError(message + "\n")
    exit(code == .validationFailure ? 2 : Int32(code.rawValue))
}
