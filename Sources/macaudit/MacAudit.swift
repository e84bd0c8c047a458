import ArgumentParser
import Foundation
import MACAudit

/// `macaudit`: audits the MAC addresses of Hyper-V / Azure Stack HCI SDN clusters.
///
/// Exit codes: 0 nothing at or above `--fail-on`; 1 findings at or above it; 2 bad usage or
/// unreadable input (nothing written).
@main
struct MacAudit: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "macaudit",
        abstract: "Audit the MAC addresses of Hyper-V / Azure Stack HCI clusters run with a Network Controller.",
        discussion: """
            Exit codes: 0 = nothing at or above --fail-on, 1 = findings at or above it, \
            2 = bad usage or unreadable input (nothing written).
            """,
        version: Release.line,
        subcommands: [Audit.self, Capture.self, Checks.self, Mac.self, PoolCommand.self, History.self, Baseline.self, DatabaseCommand.self,
                      Collector.self],
        defaultSubcommand: nil
    )

    /// Runs the command; every failure leaves through ``exit(for:)``.
    static func main() {
        MemoryTuning.apply()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            exit(for: error)
        }
    }

    /// The one place an error becomes a sentence and an exit code. An `ExitCode` a command throws
    /// (1: findings at or above `--fail-on`) passes through; `--help` and `--version` exit 0; every
    /// other failure — bad usage, unreadable input or rules, a database or output that fails —
    /// exits 2, never 1, which cron jobs read as "findings".
    static func exit(for error: Error) -> Never {
        if let code = error as? ExitCode { Foundation.exit(code.rawValue) }
        if let sentence = Failure.sentence(for: error) {
            FileHandle.standardError.write(Data("macaudit: \(sentence.terminalSafe(keepingLines: true))\n".utf8))
            Foundation.exit(2)
        }
        let message = fullMessage(for: error)
        if exitCode(for: error) == .success {
            if !message.isEmpty { print(message) }
            Foundation.exit(0)
        }
        if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
        Foundation.exit(2)
    }
}

/// A command that cannot go on, for a reason that is not a usage mistake: said in one line, exit 2.
struct Failure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// The line to print for macaudit's own typed errors (input, rules, database, output, format,
    /// baseline file); nil for argument-parsing errors, which ArgumentParser words with the usage.
    static func sentence(for error: Error) -> String? {
        switch error {
        case let e as Failure: return e.description
        case let e as IngestError: return e.description
        case let e as RuleError: return e.description
        case let e as StoreError: return e.description
        case let e as AtomicFileError: return e.description
        case let e as UnknownFormat: return e.description
        case let e as OutputError: return e.description
        default: return nil
        }
    }
}

/// Where an audit will write, checked before it runs.
enum OutputPaths {
    /// Each file's folder exists and is writable, the file itself (if there) is not a folder; the
    /// scripts folder exists and is writable, or the nearest folder above it that exists is.
    static func check(files: [(path: String?, what: String)], folder: String?) throws {
        for case let (path?, what) in files {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw OutputError(path: path, what: what, reason: "it is a folder")
            }
            // A device or FIFO (/dev/null, /dev/stdout) is written in place: it needs no folder.
            var info = stat()
            if stat(path, &info) == 0, info.st_mode & S_IFMT != S_IFREG {
                guard access(path, W_OK) == 0 else { throw OutputError(path: path, what: what, reason: String(cString: strerror(errno))) }
                continue
            }
            let parent = (AtomicFile.linkTarget(path) as NSString).deletingLastPathComponent
            try writableFolder(parent.isEmpty ? "." : parent, for: path, what: what, mustExist: true)
        }
        if let folder { try writableFolder(folder, for: folder, what: "scripts", mustExist: false) }
    }

    /// Creates `folder` and every missing folder above it; a failure names the folder that could
    /// not be made and the system's reason (`/proc/none: No such file or directory`).
    static func makeFolder(_ folder: String, what: String) throws {
        var missing: [String] = []
        var candidate = folder
        while !candidate.isEmpty, !FileManager.default.fileExists(atPath: candidate) {
            missing.append(candidate)
            candidate = (candidate as NSString).deletingLastPathComponent
        }
        for path in missing.reversed() where mkdir(path, 0o755) != 0 && errno != EEXIST {
            throw OutputError(path: folder, what: what, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates and removes a file in `folder`: permission bits do not tell (root may write
    /// anywhere by them, yet not in /proc, on a read-only mount or a root-squashed share).
    private static func probe(_ folder: String, for path: String, what: String) throws {
        var template = Array("\(folder)/.macaudit-probe-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw OutputError(path: path, what: what, reason: "\(folder) is not writable: \(String(cString: strerror(errno)))") }
        close(fd)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
    }

    private static func writableFolder(_ folder: String, for path: String, what: String, mustExist: Bool) throws {
        var candidate = folder
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else { throw OutputError(path: path, what: what, reason: "\(candidate) is not a folder") }
                try probe(candidate, for: path, what: what)
                return
            }
            if mustExist { throw OutputError(path: path, what: what, reason: "the folder \(candidate) does not exist") }
            let up = (candidate as NSString).deletingLastPathComponent
            candidate = up.isEmpty ? "." : up
        }
    }
}

/// An output path (report, metrics, scripts folder) that cannot be written.
struct OutputError: Error, CustomStringConvertible {
    var path: String
    var what: String
    var reason: String
    var description: String { "\(path): the \(what) cannot be written: \(reason)" }
}

/// Options every command that applies rules shares.
struct RuleOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Rules directory (reserved-prefixes.yaml, severities.yaml, pools.yaml).", valueName: "dir"))
    var rules: String?

    /// `--rules`, else `$MACAUDIT_RULES`, else `./rules`, else `/etc/macaudit/rules`, else the rules
    /// directory of the source tree this binary was built from.
    func load() throws -> Rules {
        let candidates = [rules, ProcessInfo.processInfo.environment["MACAUDIT_RULES"]].compactMap { $0 }
        if let explicit = candidates.first { return try Rules.load(directory: explicit) }
        let sourceTree = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("rules").path
        for dir in ["rules", "/etc/macaudit/rules", sourceTree]
        where FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("reserved-prefixes.yaml")) {
            return try Rules.load(directory: dir)
        }
        throw ValidationError("Please give --rules DIR: no rules directory found (looked in ./rules, /etc/macaudit/rules, \(sourceTree)).")
    }
}

/// Writes a rendered report to stdout or, atomically, to `--output`.
func emit(_ text: String, to output: String?) throws {
    try emit(to: output) { $0.append(text) }
}

/// Streams what `body` writes to stdout or, atomically, to `--output`.
func emit(to output: String?, _ body: (inout ReportSink) throws -> Void) throws {
    if let output {
        try AtomicFile.write(to: output, body)
    } else {
        try AtomicFile.stream(to: STDOUT_FILENO, path: "standard output", body)
    }
}

extension Severity: ExpressibleByArgument {}
