import MACAuditModel
import MACAuditEngine
/// The plan's part of the HTML report: the moves, range changes, port-profile repairs, what is not
/// fixed, and the verification. Long tables stop at ``HTMLReport/listedRows`` rows.
enum HTMLPlan {
    static func render(_ plan: Plan) -> String {
        let escape = HTMLReport.escape
        let limit = HTMLReport.listedRows
        var out = "<h2>Plan (\(plan.proposals.count) move(s))</h2>\n<table><tr><th>holder</th><th>host</th><th>from</th><th>to</th><th>pool</th><th>why</th></tr>\n"
        for p in plan.proposals.prefix(limit) {
            out += "<tr><td>\(escape(p.subject.label))</td><td>\(escape(p.host))</td><td>\(escape(JSONReport.raw(p.from) ?? ""))</td>"
            out += "<td>\(p.to)</td><td>\(escape(p.pool ?? "NC's MAC"))</td><td>\(escape(p.reason))</td></tr>\n"
        }
        out += "</table>\n" + more(plan.proposals.count, limit)
        if !plan.poolChanges.isEmpty {
            out += "<table><tr><th>host range (first, before the moves)</th><th>from</th><th>to</th><th>plan pool</th></tr>\n"
            for c in plan.poolChanges.prefix(limit) { out += "<tr><td>\(escape(c.host))</td><td>\(c.from)</td><td>\(c.to)</td><td>\(escape(c.planPool))</td></tr>\n" }
            out += "</table>\n" + more(plan.poolChanges.count, limit)
        }
        if !plan.repairs.isEmpty {
            out += "<table><tr><th>port profile repair</th><th>host</th><th>ProfileId from</th><th>to (NC interface)</th></tr>\n"
            for r in plan.repairs.prefix(limit) {
                out += "<tr><td>\(escape(r.subject.label))</td><td>\(escape(r.host))</td><td>\(escape(r.from ?? ""))</td><td>\(escape(r.to)) (\(escape(r.interfaceResourceId)))</td></tr>\n"
            }
            out += "</table>\n" + more(plan.repairs.count, limit)
        }
        for u in plan.unplaced.prefix(limit) { out += "<p>Not fixed: \(escape(u.subject.label)): \(escape(u.reason))</p>\n" }
        out += more(plan.unplaced.count, limit)
        if let v = plan.verification {
            out += "<p>Verified: \(v.remaining.count) finding(s) the plan fixes remain, \(v.introduced.count) introduced.</p>\n"
            for f in v.introduced.prefix(limit) { out += "<p>introduced: \(escape(f.severity.rawValue)) \(escape(f.check.rawValue)) \(escape(f.message))</p>\n" }
        }
        return out
    }

    static func more(_ count: Int, _ limit: Int) -> String {
        count > limit ? "<p><small>… and \(count - limit) more (all of them in --format json and the scripts).</small></p>\n" : ""
    }
}
