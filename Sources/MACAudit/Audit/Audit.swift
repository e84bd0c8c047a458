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
        let inputSet = try InputSet(paths: paths, clusterOverride: cluster)
        let (inventory, inputs, warnings) = try inputSet.read()
        return run(inventory: inventory, inputs: inputs, warnings: warnings, rules: rules, now: now)
    }

    /// Audits an inventory already in memory (tests, the benchmark, other front ends).
    public static func run(inventory: Inventory, inputs: [InputSummary] = [], warnings: [InputWarning] = [],
                           rules: Rules, now: Date = Date()) -> AuditReport {
        let snapshot = Reconciler.reconcile(inventory, extraPools: rules.pools)
        let findings = CheckRegistry.run(snapshot, rules: rules)
        return AuditReport(generatedAt: now, inputs: inputs, warnings: warnings, findings: findings,
                           holderCount: snapshot.holders.count, poolCount: snapshot.pools.count)
    }
}
