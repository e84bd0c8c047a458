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
        subcommands: [Audit.self, Capture.self, Checks.self, PoolCommand.self, History.self, Baseline.self],
        defaultSubcommand: nil
    )

    /// Runs the command and maps ArgumentParser's usage errors (64) to macaudit's 2.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let message = fullMessage(for: error)
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            let message = fullMessage(for: error)
            if !message.isEmpty { FileHandle.standardError.write(Data((message + "\n").utf8)) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
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
    if let output {
        try AtomicFile.write(text, to: output)
    } else {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Prints one line to stderr and exits 2: unreadable input or rules, nothing written.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("macaudit: \(message)\n".utf8))
    Foundation.exit(2)
}

extension Severity: ExpressibleByArgument {}
