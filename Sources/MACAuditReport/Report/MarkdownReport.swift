import MACAuditModel
import MACAuditEngine
import MACAuditIngest
/// The report for people: summary counts, findings by severity with their evidence, the plan, and
/// how full each pool is (nearest exhaustion first). Every input-derived string is escaped so that a
/// VM name cannot become Markdown (or HTML, which Markdown renderers pass through).
public struct MarkdownReport: ReportRenderer {
    public static let format = "markdown"
    public static let summary = "Markdown for tickets and wikis"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public static func render(_ report: AuditReport) -> String {
        var out = "# macaudit report\n\n"
        out += "Generated \(JSONReport.timestamp(report.generatedAt))\(report.runId.map { ", run \($0)" } ?? "") from \(report.inputs.count) input file(s).\n\n"
        let s = report.summary
        out += "| critical | error | warning | info |\n|---:|---:|---:|---:|\n| \(s[.critical]!) | \(s[.error]!) | \(s[.warning]!) | \(s[.info]!) |\n\n"
        if !report.warnings.isEmpty {
            out += "## Input warnings (\(report.warnings.count))\n\n"
            for w in report.warnings { out += "- \(escape(w.source)): \(escape(w.message))\n" }
            out += "\n"
        }
        for severity in Severity.allCases.reversed() {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += "## \(severity.rawValue.capitalized) (\(group.count))\n\n"
            for f in group {
                out += "- **\(f.check)** \(escape(f.message))\(report.status(of: f)?.label.map { " _(\($0))_" } ?? "")  \n"
                out += "  id `\(f.id)`; evidence: " + f.evidence.map { "\(escape($0.source)) \(escape($0.at))" }.joined(separator: "; ") + "\n"
            }
            out += "\n"
        }
        if let plan = report.plan {
            out += "## Plan (\(plan.proposals.count) move(s))\n\n| holder | host | from | to | pool | why |\n|---|---|---|---|---|---|\n"
            for p in plan.proposals {
                out += "| \(escape(p.subject.label)) | \(escape(p.host)) | \(escape(JSONReport.raw(p.from) ?? "")) | \(p.to) | \(escape(p.pool ?? "NC's MAC")) | \(escape(p.reason)) |\n"
            }
            if !plan.poolChanges.isEmpty {
                out += "\n| host range (first, before the moves) | from | to | plan pool |\n|---|---|---|---|\n"
                for c in plan.poolChanges { out += "| \(escape(c.host)) | \(c.from) | \(c.to) | \(escape(c.planPool)) |\n" }
            }
            if !plan.repairs.isEmpty {
                out += "\n| port profile repair | host | ProfileId from | to (NC interface) |\n|---|---|---|---|\n"
                for r in plan.repairs { out += "| \(escape(r.subject.label)) | \(escape(r.host)) | \(escape(r.from ?? "")) | \(escape(r.to)) (\(escape(r.interfaceResourceId))) |\n" }
            }
            for u in plan.unplaced { out += "\nNot fixed: \(escape(u.subject.label)): \(escape(u.reason))\n" }
            if let v = plan.verification {
                out += "\nVerified: \(v.remaining.count) finding(s) the plan fixes remain, \(v.introduced.count) introduced.\n"
                for f in v.introduced { out += "- introduced: \(f.severity.rawValue) `\(f.check.rawValue)` \(escape(f.message))\n" }
            }
            out += "\n"
        }
        if let wire = report.wire { out += stations(wire, registry: report.registry) }
        let usage = report.poolUsage
        if !usage.isEmpty {
            out += "## Pools (nearest exhaustion first)\n\n| pool | range | used | free | use |\n|---|---|---:|---:|---|\n"
            for u in usage {
                let bar = String(repeating: "█", count: Int((u.share * 20).rounded())) + String(repeating: "░", count: 20 - Int((u.share * 20).rounded()))
                out += "| \(escape(u.pool.name)) | \(u.pool.range) | \(u.used) | \(u.free) | \(bar) \(String(format1: u.share * 100))% |\n"
            }
        }
        out += "\n_registry: \(escape(report.registryLine))_\n"
        return out
    }

    /// The stations of the captures, as the text report lists them (the first 500; JSON has all).
    static func stations(_ wire: WireSnapshot, registry: OUIRegistry?) -> String {
        let table = JSONReport.StationTable(wire, registry: registry)
        var out = "## Stations (\(table.total))\n\n\(table.frames) frame(s) in \(table.captures) capture(s).\n\n"
        out += "| " + JSONReport.StationTable.header.joined(separator: " | ") + " |\n|---|---|---:|---|---|---|---|\n"
        for row in table.rows { out += "| " + row.map(escape).joined(separator: " | ") + " |\n" }
        if table.omitted > 0 { out += "\n… and \(table.omitted) more stations (see `--format json`).\n" }
        return out + "\n"
    }

    /// Backslash-escapes Markdown's punctuation and replaces `<`, `>`, `&` and line breaks.
    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "\\", "`", "*", "_", "{", "}", "[", "]", "(", ")", "#", "+", "-", "!", "|", "~": out += "\\\(ch)"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "&": out += "&amp;"
            case "\n", "\r", "\r\n": out += " "
            default:
                // A control character (an escape sequence in a VM name) is shown, not sent to whoever cats the file.
                if let ascii = ch.asciiValue, ascii >= 0x20, ascii != 0x7F { out.append(ch) } else { out += String(ch).terminalSafe }
            }
        }
        return out
    }
}

extension String {
    /// One decimal: `12.5`.
    init(format1 value: Double) {
        let tenths = Int((value * 10).rounded())
        self = "\(tenths / 10).\(abs(tenths % 10))"
    }
}
