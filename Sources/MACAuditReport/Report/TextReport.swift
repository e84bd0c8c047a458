import MACAuditModel
import MACAuditEngine
import MACAuditIngest
/// The report for a terminal: findings grouped by severity, worst first, each with its subjects and
/// where the evidence is; a summary line last. Colour only when asked (the CLI asks on a TTY
/// without `NO_COLOR`).
public struct TextReport: ReportRenderer {
    public static let format = "text"
    public static let summary = "for a terminal"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report, colour: options.colour) }

    public func write(_ report: AuditReport, options: RenderOptions, to sink: inout ReportSink) throws {
        try Self.write(report, colour: options.colour, to: &sink)
    }

    /// The plan: where its MACs come from, then per host in rollout order its range change, moves
    /// and profile repairs, then what is left to a person, then the verification.
    static func planSection(_ plan: Plan, colour: Bool) -> String {
        var out = paint("PLAN (\(plan.poolChanges.count) range change(s), \(plan.proposals.count) move(s), \(plan.repairs.count) profile repair(s), "
                        + "\(plan.unplaced.count) left to a person)", .cyan, colour, bold: true) + "\n"
        if let suggestion = plan.suggestion {
            let prefixes = suggestion.plans.map { "'\($0.name)' \(MACAddress(uncheckedValue: UInt64($0.prefix) << 24).description.prefix(8))" }
            out += "  New MACs come from the suggested plan \(prefixes.joined(separator: ", ")) (\(plan.suggestedPoolsUsed.count) host range(s) not in rules/pools.yaml):\n"
            out += "  adopt it with `macaudit pool suggest INPUTS -o rules/pools.yaml` before running the scripts.\n"
        }
        let stages = plan.stages
        let moves = Dictionary(grouping: plan.proposals, by: \.host), repairs = Dictionary(grouping: plan.repairs, by: \.host)
        let changes = Dictionary(grouping: plan.poolChanges, by: \.host)
        for stage in stages {
            out += "  \(stage.host.terminalSafe): \(stage.poolChanges) range change(s), \(stage.moves) move(s), \(stage.repairs) profile repair(s)\n"
            for c in changes[stage.host] ?? [] { out += "    range \(c.from) → \(c.to) ('\(c.planPool.terminalSafe)')  (pool-overlap)\n" }
            for p in moves[stage.host] ?? [] where p.vmName != nil { out += "    " + line(p) + "\n" }
            for r in repairs[stage.host] ?? [] {
                out += "    \(r.subject.label.terminalSafe): port profile {\((r.from ?? "none").terminalSafe)} → {\(r.to.terminalSafe)} (NC interface '\(r.interfaceResourceId.terminalSafe)')\n"
            }
        }
        for p in plan.proposals where p.vmName == nil { out += "  " + line(p) + "\n" }
        for u in plan.unplaced { out += "  not fixed: \(u.subject.label.terminalSafe): \(u.reason.terminalSafe)  (finding \(u.finding))\n" }
        if let v = plan.verification {
            let ok = v.remaining.isEmpty && v.introduced.isEmpty
            out += paint("  verified: ", ok ? .cyan : .red, colour) + "\(v.remaining.count) finding(s) the plan fixes remain, \(v.introduced.count) introduced; "
                + "\(v.findingsAfter) finding(s) after the plan\n"
            for id in v.remaining { out += "    remains: \(id)\n" }
            for f in v.introduced { out += "    introduced: \(f.severity.rawValue) \(f.check.rawValue)  \(f.message.terminalSafe)\n" }
        }
        return out + "\n"
    }

    static func line(_ p: Proposal) -> String {
        let what = p.makesStatic ? "\(p.to) made static" : "\(JSONReport.raw(p.from) ?? "none") → \(p.to)\(p.pool.map { " from '\($0.terminalSafe)'" } ?? "")"
        return "\(p.subject.label.terminalSafe): \(what)  (\(p.reason.terminalSafe))"
    }

    public static func render(_ report: AuditReport, colour: Bool) -> String {
        ReportSink.collect { try? write(report, colour: colour, to: &$0) }
    }

    /// Streams the report to `sink`: each finding's lines are handed on as they are made.
    public static func write(_ report: AuditReport, colour: Bool, to sink: inout ReportSink) throws {
        var out = ""
        for w in report.warnings { out += paint("warning: ", .yellow, colour) + w.description.terminalSafe + "\n" }
        if !report.warnings.isEmpty { out += "\n" }
        for severity in Severity.allCases.reversed() {
            let group = report.findings.filter { $0.severity == severity }
            guard !group.isEmpty else { continue }
            out += paint("\(severity.rawValue.uppercased()) (\(group.count))", tone(severity), colour, bold: true) + "\n"
            for f in group {
                out += "  " + paint(f.check.rawValue, tone(severity), colour) + "  " + f.message.terminalSafe
                let status = report.status(of: f)
                switch status?.label {
                case "accepted"?: out += "  [accepted: \((status?.accepted?.reason ?? "").terminalSafe)]"
                case "persisting"?: out += "  [persisting since run \(status?.history?.firstRunId ?? 0)]"
                case let s?: out += "  [\(s)]"
                case nil: break
                }
                out += "\n"
                for e in f.evidence { out += "      at \(e.source.terminalSafe): \(e.at.terminalSafe)\n" }
                out += "      id \(f.id)\n"
                sink.append(out)
                out = ""
                try sink.flushIfFull()
            }
            out += "\n"
        }
        if !report.resolved.isEmpty {
            out += paint("RESOLVED since the last run (\(report.resolved.count))", .cyan, colour, bold: true) + "\n"
            for r in report.resolved { out += "  \(r.check)  \(r.message.terminalSafe)  (open since run \(r.firstRunId))\n      id \(r.fingerprint)\n" }
            out += "\n"
        }
        if let plan = report.plan { out += planSection(plan, colour: colour) }
        if let wire = report.wire {
            out += stationTable(wire, registry: report.registry, colour: colour)
            let unseen = report.unseen
            if !unseen.isEmpty, !report.snapshot.holders.isEmpty {
                out += "\(unseen.count) inventory MAC(s) not seen on the wire (listed, not judged):\n"
                for s in unseen.prefix(50) { out += "  \((s.id ?? "").terminalSafe)  \(s.label.terminalSafe)\n" }
                if unseen.count > 50 { out += "  … and \(unseen.count - 50) more (see --format json)\n" }
                out += "\n"
            }
        }
        let s = report.summary
        let records = report.inputs.reduce(0) { $0 + $1.records }
        out += holderEvents(report)
        out += "registry: \(report.registryLine)\n"
        let fromDatabase = report.databaseHolderCount > 0 ? " (+ \(report.databaseHolderCount) from the pool database)" : ""
        out += "\(report.inputs.count) input file(s), \(records) record(s), \(report.holderCount) MAC holder(s)\(fromDatabase), \(report.poolCount) pool(s): "
        out += "\(s[.critical]!) critical, \(s[.error]!) error, \(s[.warning]!) warning, \(s[.info]!) info"
        if let run = report.runId {
            let labels = report.findings.map { report.status(of: $0)?.label }
            let new = labels.filter { $0 == "new" }.count, accepted = report.findings.filter { report.status(of: $0)?.accepted != nil }.count
            out += "; run \(run): \(new) new, \(report.resolved.count) resolved, \(accepted) accepted"
        }
        out += "\n"
        sink.append(out)
    }

    /// What the run did to the database's holders (MAC changes, moves, gone, released…), the first
    /// 20 of them; nothing when nothing happened.
    static func holderEvents(_ report: AuditReport) -> String {
        let events = report.holderEvents
        guard !events.isEmpty else { return "" }
        var out = "HOLDERS (\(events.count) change(s) recorded)\n"
        for e in events.prefix(20) { out += "  \(e.description.terminalSafe)\n" }
        if events.count > 20 { out += "  … and \(events.count - 20) more (`macaudit history --events --run \(events[0].runId)`)\n" }
        return out + "\n"
    }

    /// The stations of the captures: MAC, scope, frames, roles, IPs, providers.
    static func stationTable(_ wire: WireSnapshot, registry: OUIRegistry?, colour: Bool) -> String {
        let table = JSONReport.StationTable(wire, registry: registry)
        var out = paint("STATIONS (\(table.total))", .cyan, colour, bold: true) + "\n"
        out += "  \(table.frames) frame(s) in \(table.captures) capture(s)\n"
        out += "  " + JSONReport.StationTable.header.map { $0.uppercased() }.joined(separator: "\t") + "\n"
        for row in table.rows { out += "  " + row.map(\.terminalSafe).joined(separator: "\t") + "\n" }
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
