import MACAuditModel
import MACAuditEngine
/// Prometheus textfile-collector metrics for node_exporter: findings per check and severity, free
/// addresses per pool, and when the audit ran. Label values are escaped (`\`, `"`, newline).
public struct PrometheusMetrics: ReportRenderer {
    public static let format = "metrics"
    public static let summary = "Prometheus textfile metrics for node_exporter"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public static func render(_ report: AuditReport) -> String {
        var out = "# HELP macaudit_findings Findings of the last macaudit audit, by check and severity.\n# TYPE macaudit_findings gauge\n"
        var counts: [String: [Severity: Int]] = [:]
        for info in CheckRegistry.all.map({ $0.info }) { counts[info.id.rawValue] = [:] }
        for f in report.findings where report.status(of: f)?.accepted == nil { counts[f.check.rawValue, default: [:]][f.severity, default: 0] += 1 }
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
