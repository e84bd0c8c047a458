/// Findings for spreadsheets: one row per finding × subject, RFC 4180 (CRLF, fields with `,`, `"`,
/// CR or LF quoted, quotes doubled). Cells that a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@` first) get a leading `'`, since VM names come from the inputs.
public enum CSVReport {
    static let header = ["id", "check", "severity", "status", "mac", "message", "subject_kind", "cluster", "host", "vm", "name", "subject_id", "evidence"]

    public static func render(_ report: AuditReport) -> String {
        var rows = [header]
        for f in report.findings {
            let evidence = f.evidence.map { "\($0.source): \($0.at)" }.joined(separator: "; ")
            let subjects = f.subjects.isEmpty ? [Subject(kind: "")] : f.subjects
            for s in subjects {
                rows.append([f.id, f.check, f.severity.rawValue, f.status ?? "", f.mac ?? "", f.message, s.kind, s.cluster ?? "", s.host ?? "",
                             s.vm ?? "", s.name ?? "", s.id ?? "", evidence])
            }
        }
        return rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first) { v = "'" + v }
        guard v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" || $0 == "\r\n" }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Prometheus textfile-collector metrics for node_exporter: findings per check and severity, free
/// addresses per pool, and when the audit ran. Label values are escaped (`\`, `"`, newline).
public enum PrometheusMetrics {
    public static func render(_ report: AuditReport) -> String {
        var out = "# HELP macaudit_findings Findings of the last macaudit audit, by check and severity.\n# TYPE macaudit_findings gauge\n"
        var counts: [String: [Severity: Int]] = [:]
        for info in CheckRegistry.all.map({ $0.info }) { counts[info.id] = [:] }
        for f in report.findings where f.accepted == nil { counts[f.check, default: [:]][f.severity, default: 0] += 1 }
        for check in counts.keys.sorted() {
            for severity in Severity.allCases.reversed() {
                out += "macaudit_findings{check=\"\(label(check))\",severity=\"\(severity.rawValue)\"} \(counts[check]![severity] ?? 0)\n"
            }
        }
        out += "# HELP macaudit_pool_free Addresses of a pool that no holder uses, at the last audit.\n# TYPE macaudit_pool_free gauge\n"
        for u in report.poolUsage {
            out += "macaudit_pool_free{pool=\"\(label(u.pool.name))\"} \(u.free)\n"
        }
        out += "# HELP macaudit_last_run_timestamp_seconds When the last macaudit audit ran.\n# TYPE macaudit_last_run_timestamp_seconds gauge\n"
        out += "macaudit_last_run_timestamp_seconds \(Int64(report.generatedAt.timeIntervalSince1970))\n"
        return out
    }

    static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

/// How full each pool of the audit is: used by holders of the audit, free the rest.
public struct PoolUsage: Sendable {
    public var pool: Pool
    public var used: UInt64
    public var free: UInt64 { pool.range.count - used }
    public var share: Double { Double(used) / Double(pool.range.count) }
}

extension AuditReport {
    /// One line per distinct pool range, nearest exhaustion first.
    public var poolUsage: [PoolUsage] {
        guard let snapshot else { return [] }
        let inUse = InUseIndex(holders.compactMap { $0.mac.address })
        var seen = Set<String>()
        return snapshot.pools.filter { seen.insert("\($0.name)|\($0.range)").inserted }
            .map { PoolUsage(pool: $0, used: UInt64(inUse.count(in: $0.range))) }
            .sorted { ($1.share, $0.pool.name) < ($0.share, $1.pool.name) }
    }
}
