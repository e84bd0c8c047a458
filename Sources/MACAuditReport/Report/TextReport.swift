import MACAuditModel
import MACAuditEngine
/// The report for a terminal: findings grouped by severity, worst first, each with its subjects and
/// where the evidence is; a summary line last. Colour only when asked (the CLI asks on a TTY
/// without `NO_COLOR`).
public struct TextReport: ReportRenderer {
    public static let format = "text"
    public static let summary = "for a terminal"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report, colour: options.colour) }

    public static func render(_ report: AuditReport, colour: Bool) -> String {
        var out = ""
        for w in report.warnings { out += paint("warning: ", .yellow, colour) + w.description + "\n" }
        if !report.warnings.isEmpty { out += "\n" }
        for severity in Severity.allCases.reversed() {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += paint("\(severity.rawValue.uppercased()) (\(group.count))", tone(severity), colour, bold: true) + "\n"
            for f in group {
                out += "  " + paint(f.check.rawValue, tone(severity), colour) + "  " + f.message
                let status = report.status(of: f)
                switch status?.label {
                case "accepted"?: out += "  [accepted: \(status?.accepted?.reason ?? "")]"
                case "persisting"?: out += "  [persisting since run \(status?.history?.firstRunId ?? 0)]"
                case let s?: out += "  [\(s)]"
                case nil: break
                }
                out += "\n"
                for e in f.evidence { out += "      at \(e.source): \(e.at)\n" }
                out += "      id \(f.id)\n"
            }
            out += "\n"
        }
        if !report.resolved.isEmpty {
            out += paint("RESOLVED since the last run (\(report.resolved.count))", .cyan, colour, bold: true) + "\n"
            for r in report.resolved { out += "  \(r.check)  \(r.message)  (open since run \(r.firstRunId))\n      id \(r.fingerprint)\n" }
            out += "\n"
        }
        if let plan = report.plan {
            out += paint("PLAN (\(plan.proposals.count) move(s), \(plan.unplaced.count) without room)", .cyan, colour, bold: true) + "\n"
            for p in plan.proposals {
                out += "  \(p.subject.label): \(JSONReport.raw(p.from) ?? "none") → \(p.to)\(p.pool.map { " from '\($0)'" } ?? "")  (\(p.reason))\n"
            }
            for u in plan.unplaced { out += "  no MAC for \(u.subject.label): \(u.reason)\n" }
            out += "\n"
        }
        if let wire = report.wire {
            out += stationTable(wire, colour: colour)
            let unseen = report.unseen
            if !unseen.isEmpty, !report.snapshot.holders.isEmpty {
                out += "\(unseen.count) inventory MAC(s) not seen on the wire (listed, not judged):\n"
                for s in unseen.prefix(50) { out += "  \(s.id ?? "")  \(s.label)\n" }
                if unseen.count > 50 { out += "  … and \(unseen.count - 50) more (see --format json)\n" }
                out += "\n"
            }
        }
        let s = report.summary
        let records = report.inputs.reduce(0) { $0 + $1.records }
        out += holderEvents(report)
        let fromDatabase = report.databaseHolderCount > 0 ? " (+ \(report.databaseHolderCount) from the pool database)" : ""
        out += "\(report.inputs.count) input file(s), \(records) record(s), \(report.holderCount) MAC holder(s)\(fromDatabase), \(report.poolCount) pool(s): "
        out += "\(s[.critical]!) critical, \(s[.error]!) error, \(s[.warning]!) warning, \(s[.info]!) info"
        if let run = report.runId {
            let labels = report.findings.map { report.status(of: $0)?.label }
            let new = labels.filter { $0 == "new" }.count, accepted = report.findings.filter { report.status(of: $0)?.accepted != nil }.count
            out += "; run \(run): \(new) new, \(report.resolved.count) resolved, \(accepted) accepted"
        }
        out += "\n"
        return out
    }

    /// What the run did to the database's holders (MAC changes, moves, gone, released…), the first
    /// 20 of them; nothing when nothing happened.
    static func holderEvents(_ report: AuditReport) -> String {
        let events = report.holderEvents
        guard !events.isEmpty else { return "" }
        var out = "HOLDERS (\(events.count) change(s) recorded)\n"
        for e in events.prefix(20) { out += "  \(e.description)\n" }
        if events.count > 20 { out += "  … and \(events.count - 20) more (`macaudit history --events --run \(events[0].runId)`)\n" }
        return out + "\n"
    }

    /// The stations of the captures: MAC, scope, frames, roles, IPs, providers.
    static func stationTable(_ wire: WireSnapshot, colour: Bool) -> String {
        let table = JSONReport.StationTable(wire)
        var out = paint("STATIONS (\(table.total))", .cyan, colour, bold: true) + "\n"
        out += "  \(table.frames) frame(s) in \(table.captures) capture(s)\n"
        out += "  " + JSONReport.StationTable.header.map { $0.uppercased() }.joined(separator: "\t") + "\n"
        for row in table.rows { out += "  " + row.joined(separator: "\t") + "\n" }
        if table.omitted > 0 { out += "  … and \(table.omitted) more (see --format json)\n" }
        return out + "\n"
    }

    enum Tone: String {
        case red = "31", yellow = "33", cyan = "36", magenta = "35"
    }

    static func tone(_ s: Severity) -> Tone {
        switch s {
        case .critical: return .magenta
        case .error: return .red
        case .warning: return .yellow
        case .info: return .cyan
        }
    }

    static func paint(_ text: String, _ tone: Tone, _ on: Bool, bold: Bool = false) -> String {
        guard on else { return text }
        return "\u{1B}[\(bold ? "1;" : "")\(tone.rawValue)m\(text)\u{1B}[0m"
    }
}
