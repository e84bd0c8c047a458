#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A child process started with `posix_spawn`, its output going to temporary files.
///
/// The tests launch the built binary, tshark and python hundreds of times. Foundation's `Process`
/// on Linux runs a run-loop thread per launch, and the test runner crashed now and then with a
/// corrupted heap after many launches; plain `posix_spawn` + `waitpid` has no such machinery.
public final class Subprocess: @unchecked Sendable {
    public struct Result: Sendable {
        /// The exit code, or 128 + the signal that ended the process.
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    public let pid: pid_t
    private let outPath: String
    private let errPath: String
    private var finished: Int32?

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                directory: String? = nil) throws {
        let base = "\(NSTemporaryDirectory())/subprocess-\(getpid())-\(UUID().uuidString)"
        outPath = base + ".out"
        errPath = base + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let env = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // A working directory through the shell (glibc's addchdir_np is not in Swift's Glibc module).
        let command = directory.map { ["/bin/sh", "-c", "cd \"$0\" && exec \"$@\"", $0, executable] } ?? [executable]
        let argv = (command + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawnp(&child, command[0], &actions, nil, argv, envp)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EINVAL) }
        pid = child
    }

    /// Runs to the end and returns what it printed.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil) throws -> Result {
        try Subprocess(executable, arguments, environment: environment, directory: directory).wait()
    }

    public var isRunning: Bool {
        guard finished == nil else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { finished = Self.decode(status); return false }
        return true
    }

    public func kill(_ signal: Int32) { _ = Glibc.kill(pid, signal) }

    /// Waits for the end, returns status and output, and removes the output files.
    public func wait() -> Result {
        while finished == nil {
            var status: Int32 = 0
            let r = waitpid(pid, &status, 0)
            if r == pid { finished = Self.decode(status) } else if r < 0 && errno != EINTR { finished = -1 }
        }
        defer { unlink(outPath); unlink(errPath) }
        func read(_ path: String) -> String {
            (try? Data(contentsOf: URL(fileURLWithPath: path))).map { String(decoding: $0, as: UTF8.self) } ?? ""
        }
        return Result(status: finished!, stdout: read(outPath), stderr: read(errPath))
    }

    private static func decode(_ status: Int32) -> Int32 {
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
