import MACAuditModel
import MACAuditEngine
/// Prometheus textfile-collector metrics for node_exporter: findings per cluster, check and
/// severity, free addresses per cluster and pool (a pool name like `DefaultMacPool` repeats in
/// every cluster), and when the audit ran. Every series appears once; label values are escaped
/// (`\`, `"`, newline). A finding about holders of several clusters counts under the first
/// cluster of its subjects; one about no cluster under `cluster=""`.
public struct PrometheusMetrics: ReportRenderer {
    public static let format = "metrics"
    public static let summary = "Prometheus textfile metrics for node_exporter"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public static func render(_ report: AuditReport) -> String {
        var out = "# HELP macaudit_findings Findings of the last macaudit audit, by cluster, check and severity.\n# TYPE macaudit_findings gauge\n"
        struct Series: Hashable { var cluster: String; var check: String; var severity: Severity }
        var counts: [Series: Int] = [:]
        for f in report.findings where report.status(of: f)?.accepted == nil {
            counts[Series(cluster: f.subjects.lazy.compactMap(\.cluster).first ?? "", check: f.check.rawValue, severity: f.severity), default: 0] += 1
        }
        var clusters = Set(report.inputs.map(\.cluster).filter { !$0.isEmpty })
        clusters.formUnion(counts.keys.map(\.cluster))
        if clusters.isEmpty { clusters = [""] }
        for cluster in clusters.sorted() {
            for check in CheckRegistry.all.map({ $0.info.id.rawValue }).sorted() {
                for severity in Severity.allCases.reversed() {
                    let n = counts[Series(cluster: cluster, check: check, severity: severity)] ?? 0
                    out += "macaudit_findings{cluster=\"\(label(cluster))\",check=\"\(label(check))\",severity=\"\(severity.rawValue)\"} \(n)\n"
                }
            }
        }
        out += "# HELP macaudit_pool_free Addresses of a pool that no holder of its cluster uses, at the last audit.\n# TYPE macaudit_pool_free gauge\n"
        var free: [[String]: UInt64] = [:]
        for u in report.poolUsage { free[[u.pool.cluster ?? "", u.pool.name], default: 0] += u.free }
        for key in free.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out += "macaudit_pool_free{cluster=\"\(label(key[0]))\",pool=\"\(label(key[1]))\"} \(free[key]!)\n"
        }
        out += "# HELP macaudit_last_run_timestamp_seconds When the last macaudit audit ran.\n# TYPE macaudit_last_run_timestamp_seconds gauge\n"
        out += "macaudit_last_run_timestamp_seconds \(Int64(report.generatedAt.timeIntervalSince1970))\n"
        return out
    }

    static func label(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}
