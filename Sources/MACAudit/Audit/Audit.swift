import Dispatch
import Foundation

/// The result of one audit: what was read, what was found. Renderers turn it into text, JSON and
/// the other formats; the exit code follows from it.
public struct AuditReport: Sendable {
    public var generatedAt: Date
    public var inputs: [InputSummary]
    public var warnings: [InputWarning]
    /// In report order: worst first, then check, MAC, subjects.
    public var findings: [Finding]
    public var holderCount: Int
    public var poolCount: Int

    /// Findings per severity, every severity present (zero when none).
    public var summary: [Severity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        for f in findings { counts[f.severity, default: 0] += 1 }
        return counts
    }

    /// 0 when no finding is at or above `failOn`, 1 otherwise (2 is for unreadable input, decided earlier).
    public func exitCode(failOn: Severity) -> Int32 {
        findings.contains { $0.severity >= failOn } ? 1 : 0
    }
}

/// Ingest → reconcile → checks, as one call.
public enum Audit {
    /// Reads `paths` (files and folders), reconciles them with the rules' pools and runs every check.
    /// Throws ``IngestError`` for unreadable input; nothing is written in that case.
    public static func run(paths: [String], cluster: String? = nil, rules: Rules, now: Date = Date()) throws -> AuditReport {
        let clock = PhaseClock()
        let inputSet = try InputSet(paths: paths, clusterOverride: cluster)
        let (inventory, inputs, warnings) = try inputSet.read()
        clock.lap("ingest")
        let report = run(inventory: inventory, inputs: inputs, warnings: warnings, rules: rules, now: now, clock: clock)
        return report
    }

    /// Audits an inventory already in memory (tests, the benchmark, other front ends).
    public static func run(inventory: Inventory, inputs: [InputSummary] = [], warnings: [InputWarning] = [],
                           rules: Rules, now: Date = Date()) -> AuditReport {
        run(inventory: inventory, inputs: inputs, warnings: warnings, rules: rules, now: now, clock: PhaseClock())
    }

    static func run(inventory: Inventory, inputs: [InputSummary], warnings: [InputWarning], rules: Rules, now: Date,
                    clock: PhaseClock) -> AuditReport {
        let snapshot = Reconciler.reconcile(inventory, extraPools: rules.pools)
        clock.lap("reconcile")
        let findings = CheckRegistry.run(snapshot, rules: rules)
        clock.lap("checks")
        return AuditReport(generatedAt: now, inputs: inputs, warnings: warnings, findings: findings,
                           holderCount: snapshot.holders.count, poolCount: snapshot.pools.count)
    }
}

/// Prints the wall time of each phase to stderr when `MACAUDIT_PROFILE` is set; silent otherwise.
final class PhaseClock: @unchecked Sendable {
    private var last = DispatchTime.now().uptimeNanoseconds
    private let enabled = ProcessInfo.processInfo.environment["MACAUDIT_PROFILE"] != nil

    func lap(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        FileHandle.standardError.write(Data("macaudit: \(phase) \(String(format: "%.3f", Double(now - last) / 1e9)) s\n".utf8))
        last = now
    }
}
