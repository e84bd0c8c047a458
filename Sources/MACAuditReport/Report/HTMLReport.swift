import MACAuditModel
import MACAuditEngine
import MACAuditIngest
/// A self-contained HTML page (no external assets, works offline): summary counts, findings by
/// severity with their evidence, the plan, and each pool's use as an inline SVG bar (used, reserved
/// by the plan, free), nearest exhaustion first. Every input-derived string goes through
/// ``escape(_:)``.
public struct HTMLReport: ReportRenderer {
    public static let format = "html"
    public static let summary = "a self-contained HTML page"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public static func render(_ report: AuditReport) -> String {
        let s = report.summary
        var body = "<h1>macaudit report</h1>\n<p class=meta>Generated \(escape(JSONReport.timestamp(report.generatedAt)))"
        body += report.runId.map { ", run \($0)" } ?? ""
        body += " from \(report.inputs.count) input file(s), \(report.holderCount) MAC holder(s).</p>\n"
        body += "<table class=summary><tr>" + Severity.allCases.reversed().map { "<th class=\($0.rawValue)>\($0.rawValue)</th>" }.joined() + "</tr><tr>"
        body += Severity.allCases.reversed().map { "<td class=\($0.rawValue)>\(s[$0]!)</td>" }.joined() + "</tr></table>\n"
        if !report.warnings.isEmpty {
            body += "<h2 class=warning>Input warnings (\(report.warnings.count))</h2>\n<ul>\n"
            for w in report.warnings { body += "<li>\(escape(w.source)): \(escape(w.message))</li>\n" }
            body += "</ul>\n"
        }
        for severity in Severity.allCases.reversed() {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            body += "<h2 class=\(severity.rawValue)>\(severity.rawValue.capitalized) (\(group.count))</h2>\n<ul>\n"
            for f in group {
                body += "<li><b>\(escape(f.check.rawValue))</b> \(escape(f.message))"
                if let status = report.status(of: f)?.label { body += " <i>(\(escape(status)))</i>" }
                body += "<br><small>id \(escape(f.id)); " + f.evidence.map { "\(escape($0.source)) \(escape($0.at))" }.joined(separator: "; ") + "</small></li>\n"
            }
            body += "</ul>\n"
        }
        if let plan = report.plan {
            body += "<h2>Plan (\(plan.proposals.count) move(s))</h2>\n<table><tr><th>holder</th><th>host</th><th>from</th><th>to</th><th>pool</th><th>why</th></tr>\n"
            for p in plan.proposals {
                body += "<tr><td>\(escape(p.subject.label))</td><td>\(escape(p.host))</td><td>\(escape(JSONReport.raw(p.from) ?? ""))</td>"
                body += "<td>\(p.to)</td><td>\(escape(p.pool ?? "NC's MAC"))</td><td>\(escape(p.reason))</td></tr>\n"
            }
            body += "</table>\n"
            if !plan.poolChanges.isEmpty {
                body += "<table><tr><th>host range (first, before the moves)</th><th>from</th><th>to</th><th>plan pool</th></tr>\n"
                for c in plan.poolChanges { body += "<tr><td>\(escape(c.host))</td><td>\(c.from)</td><td>\(c.to)</td><td>\(escape(c.planPool))</td></tr>\n" }
                body += "</table>\n"
            }
            if !plan.repairs.isEmpty {
                body += "<table><tr><th>port profile repair</th><th>host</th><th>ProfileId from</th><th>to (NC interface)</th></tr>\n"
                for r in plan.repairs {
                    body += "<tr><td>\(escape(r.subject.label))</td><td>\(escape(r.host))</td><td>\(escape(r.from ?? ""))</td><td>\(escape(r.to)) (\(escape(r.interfaceResourceId)))</td></tr>\n"
                }
                body += "</table>\n"
            }
            for u in plan.unplaced { body += "<p>Not fixed: \(escape(u.subject.label)): \(escape(u.reason))</p>\n" }
            if let v = plan.verification {
                body += "<p>Verified: \(v.remaining.count) finding(s) the plan fixes remain, \(v.introduced.count) introduced.</p>\n"
                for f in v.introduced { body += "<p>introduced: \(escape(f.severity.rawValue)) \(escape(f.check.rawValue)) \(escape(f.message))</p>\n" }
            }
        }
        if let wire = report.wire { body += stations(wire, registry: report.registry) }
        let usage = report.poolUsage
        if !usage.isEmpty {
            let planned = Dictionary(grouping: report.plan?.proposals ?? [], by: { $0.pool ?? "" }).mapValues(\.count)
            body += "<h2>Pools (nearest exhaustion first)</h2>\n<table class=pools>\n"
            for u in usage {
                let reserved = min(UInt64(planned[u.pool.name] ?? 0), u.free)
                body += "<tr><td>\(escape(u.pool.name))<br><small>\(u.pool.range) · \(escape(u.pool.kind.rawValue))</small></td><td>"
                body += bar(used: u.used, reserved: reserved, size: u.pool.range.count)
                body += "</td><td>\(u.used) used, \(reserved) planned, \(u.free - reserved) free</td></tr>\n"
            }
            body += "</table>\n"
        }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>macaudit report</title>
            <style>
            body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #222; }
            table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
            td, th { border: 1px solid #ccc; padding: 4px 8px; text-align: left; vertical-align: top; }
            .critical { color: #8b008b; } .error { color: #b00020; } .warning { color: #a06000; } .info { color: #00608a; }
            .summary td { font-size: 20px; text-align: center; }
            small { color: #666; } .meta { color: #555; }
            </style></head><body>
            \(body)<p><small>registry: \(escape(report.registryLine))</small></p></body></html>

            """
    }

    /// An inline SVG bar, 300 × 14: used (dark), reserved by the plan (amber), free (light).
    /// The stations of the captures, as the text report lists them (the first 500; JSON has all).
    static func stations(_ wire: WireSnapshot, registry: OUIRegistry?) -> String {
        let table = JSONReport.StationTable(wire, registry: registry)
        var out = "<h2>Stations (\(table.total))</h2>\n<p>\(table.frames) frame(s) in \(table.captures) capture(s).</p>\n"
        out += "<table><tr>" + JSONReport.StationTable.header.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for row in table.rows { out += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
        out += "</table>\n"
        if table.omitted > 0 { out += "<p>… and \(table.omitted) more stations (see <code>--format json</code>).</p>\n" }
        return out
    }

    static func bar(used: UInt64, reserved: UInt64, size: UInt64) -> String {
        let width = 300.0
        let u = size == 0 ? 0 : width * Double(used) / Double(size)
        let r = size == 0 ? 0 : width * Double(reserved) / Double(size)
        func n(_ x: Double) -> String { String(format1: x) }
        return "<svg width=\"300\" height=\"14\" role=\"img\" aria-label=\"\(used) of \(size) used\">"
            + "<rect width=\"300\" height=\"14\" fill=\"#e6eef3\"/>"
            + "<rect width=\"\(n(u))\" height=\"14\" fill=\"#33556b\"/>"
            + "<rect x=\"\(n(u))\" width=\"\(n(r))\" height=\"14\" fill=\"#e0a030\"/></svg>"
    }

    /// Text for HTML element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }
}
