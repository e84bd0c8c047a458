import Foundation
import MACAuditModel
import MACAuditEngine
import MACAuditIngest
/// A self-contained HTML page (no external assets, works offline) for a fleet's audit, from the 13
/// findings of a sample to the 50,000 of a first audit of a neglected fleet.
///
/// Without JavaScript it is a readable summary: counts by severity, by check and by cluster, the
/// trend over the recorded runs and the pools (inline SVG), the plan, and the first findings as a
/// list. With it, the findings table renders from one JSON data block a page at a time, with
/// filters, sorting and pages (``HTMLAssets``). Every input-derived string is escaped for HTML
/// (``escape(_:)``) or for the data block (``ScriptJSON``).
public struct HTMLReport: ReportRenderer {
    public static let format = "html"
    public static let summary = "a self-contained HTML page"
    public init() {}

    /// Findings listed in the page for readers without JavaScript (all of them are in the data).
    static let listedFindings = 200
    /// Pools drawn, nearest exhaustion first.
    public static let drawnPools = 100
    /// Rows of the plan's tables, of input warnings and of other long lists.
    static let listedRows = 1000

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public static func render(_ report: AuditReport) -> String {
        var body = header(report)
        body += summary(report)
        if let history = report.history, history.runs.count >= 2 { body += HTMLCharts.trend(history.runs) }
        body += warnings(report)
        body += findings(report)
        if let plan = report.plan { body += HTMLPlan.render(plan) }
        if let wire = report.wire { body += stations(wire, registry: report.registry) }
        body += pools(report)
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(HTMLReportTitle.text)</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src \(HTMLAssets.scriptHash)">
            <style>
            \(HTMLAssets.style)
            </style></head><body>
            \(body)<p><small>registry: \(escape(report.registryLine))</small></p>
            <script type="application/json" id="macaudit-data">\(data(report))</script>
            <script>\(HTMLAssets.script)</script>
            </body></html>

            """
    }

    static func header(_ report: AuditReport) -> String {
        var out = "<h1>macaudit report</h1>\n<p class=meta>Generated \(escape(JSONReport.timestamp(report.generatedAt)))"
        out += report.runId.map { ", run \($0)" } ?? ""
        out += " from \(report.inputs.count) input file(s), \(report.holderCount) MAC holder(s).</p>\n"
        return out
    }

    /// Severity boxes, status counts, and the check × severity and cluster × severity tables.
    static func summary(_ report: AuditReport) -> String {
        let severities = Severity.allCases.reversed()
        let counts = report.summary
        var out = "<h2>Summary</h2>\n<div class=boxes>"
        for s in severities { out += "<div class=\"box \(s.rawValue)\"><b>\((counts[s] ?? 0).grouped)</b>\(s.rawValue)</div>" }
        out += "</div>\n"
        var statuses: [String: Int] = [:]
        for f in report.findings { if let label = report.status(of: f)?.label { statuses[label, default: 0] += 1 } }
        if !statuses.isEmpty || !report.resolved.isEmpty {
            let parts = ["new", "persisting", "accepted"].compactMap { s in statuses[s].map { "<span class=\"chip \(s)\">\(s)</span> \($0)" } }
            out += "<p>" + (parts + (report.resolved.isEmpty ? [] : ["\(report.resolved.count) resolved since the last run"])).joined(separator: " · ") + "</p>\n"
        }
        guard !report.findings.isEmpty else { return out + "<p>No findings.</p>\n" }
        var byCheck: [String: [Severity: Int]] = [:], byCluster: [String: [Severity: Int]] = [:]
        for f in report.findings {
            byCheck[f.check.rawValue, default: [:]][f.severity, default: 0] += 1
            for cluster in Set(f.subjects.compactMap(\.cluster)) { byCluster[cluster, default: [:]][f.severity, default: 0] += 1 }
        }
        out += crossTable("By check", "check", byCheck, limit: byCheck.count)
        if !byCluster.isEmpty { out += crossTable("By cluster", "cluster", byCluster, limit: 50) }
        return out
    }

    /// A table of `rows` × severity, most findings first, the first `limit` rows.
    static func crossTable(_ title: String, _ what: String, _ rows: [String: [Severity: Int]], limit: Int) -> String {
        let severities = Array(Severity.allCases.reversed())
        let total = { (r: [Severity: Int]) in r.values.reduce(0, +) }
        let sorted = rows.sorted { (total($1.value), $0.key) < (total($0.value), $1.key) }
        var out = "<h3>\(title)</h3>\n<table class=cross><tr><th>\(what)</th>"
        out += severities.map { "<th class=\"n \($0.rawValue)\">\($0.rawValue)</th>" }.joined() + "<th class=n>total</th></tr>\n"
        for (name, counts) in sorted.prefix(limit) {
            out += "<tr><td>\(escape(name))</td>" + severities.map { "<td class=n>\(counts[$0]?.grouped ?? "")</td>" }.joined()
            out += "<td class=n>\(total(counts).grouped)</td></tr>\n"
        }
        out += "</table>\n"
        if sorted.count > limit { out += "<p><small>… and \(sorted.count - limit) more \(what)s (filter the table below).</small></p>\n" }
        return out
    }

    static func warnings(_ report: AuditReport) -> String {
        guard !report.warnings.isEmpty else { return "" }
        var out = "<h2 class=warning>Input warnings (\(report.warnings.count))</h2>\n<ul>\n"
        for w in report.warnings.prefix(listedRows) { out += "<li>\(escape(w.source)): \(escape(w.message))</li>\n" }
        if report.warnings.count > listedRows { out += "<li>… and \(report.warnings.count - listedRows) more (see --format json)</li>\n" }
        return out + "</ul>\n"
    }

    /// The findings table (filled by the script) and, for readers without JavaScript, a list of the first.
    static func findings(_ report: AuditReport) -> String {
        guard !report.findings.isEmpty else { return "" }
        var out = "<h2>Findings (\(report.findings.count.grouped))</h2>\n"
        out += """
            <div id="table-view" hidden>
            <div id="controls">
            <label>severity <select id="f-severity"></select></label>
            <label>check <select id="f-check"></select></label>
            <label>cluster <select id="f-cluster"></select></label>
            <label>status <select id="f-status"></select></label>
            <label>host <input id="f-host" list="hosts" size="14"></label><datalist id="hosts"></datalist>
            <label>text <input id="f-q" type="search" size="24" placeholder="VM, MAC, message, id"></label>
            <label>per page <select id="f-size"><option>50</option><option>100</option><option>500</option></select></label>
            </div>
            <div class="pager"><button id="prev" type="button">previous</button><span id="shown"></span><button id="next" type="button">next</button></div>
            <table id="findings-table"><thead><tr><th data-sort="severity">severity</th><th data-sort="check">check</th><th data-sort="status">status</th>\
            <th data-sort="cluster">cluster</th><th data-sort="host">host</th><th data-sort="mac">MAC</th><th data-sort="message">finding</th></tr></thead>
            <tbody id="rows"></tbody></table>
            </div>

            """
        out += "<noscript>\n"
        if report.findings.count > listedFindings {
            out += "<p>The first \(listedFindings) findings, most severe first (the table of all of them needs JavaScript; or use --format csv).</p>\n"
        }
        out += "<ul>\n"
        for f in report.findings.prefix(listedFindings) {
            out += "<li><b class=\(f.severity.rawValue)>\(f.severity.rawValue)</b> <b>\(escape(f.check.rawValue))</b> \(escape(f.message))"
            if let status = report.status(of: f)?.label { out += " <span class=\"chip \(escape(status))\">\(escape(status))</span>" }
            out += "<br><small>id \(escape(f.id)); " + f.evidence.map { "\(escape($0.source)) \(escape($0.at))" }.joined(separator: "; ") + "</small></li>\n"
        }
        return out + "</ul>\n</noscript>\n"
    }

    /// The data block: every finding as an array of columns (``HTMLAssets/script``), the strings
    /// that repeat (checks, clusters, hosts, evidence files) as indices into lists of their own.
    static func data(_ report: AuditReport) -> String {
        var checks = StringTable(), clusters = StringTable(), hosts = StringTable(), sources = StringTable()
        let statuses = ["", "new", "persisting", "accepted"]
        let severities = Array(Severity.allCases.reversed())
        var json = ScriptJSON(capacity: report.findings.count * 300)
        json.raw("{\"findings\":[")
        for (n, f) in report.findings.enumerated() {
            if n > 0 { json.raw(",") }
            json.raw("[")
            json.number(severities.firstIndex(of: f.severity) ?? 0)
            json.raw(","); json.number(checks.id(f.check.rawValue))
            json.raw(","); json.number(statuses.firstIndex(of: report.status(of: f)?.label ?? "") ?? 0)
            json.raw(","); json.numbers(orderedUnique(f.subjects.compactMap(\.cluster)).map { clusters.id($0) })
            json.raw(","); json.numbers(orderedUnique(f.subjects.compactMap(\.host).filter { !$0.isEmpty }).map { hosts.id($0) })
            json.raw(","); json.string(f.macText ?? "")
            json.raw(","); json.string(f.message)
            json.raw(","); json.string(f.id)
            json.raw(",[")
            for (i, e) in f.evidence.enumerated() {
                json.raw(i == 0 ? "[" : ",["); json.number(sources.id(e.source)); json.raw(","); json.string(e.at); json.raw("]")
            }
            json.raw("]]")
        }
        json.raw("],\"severities\":"); json.strings(severities.map(\.rawValue))
        json.raw(",\"checks\":"); json.strings(checks.values)
        json.raw(",\"clusters\":"); json.strings(clusters.values)
        json.raw(",\"hosts\":"); json.strings(hosts.values)
        json.raw(",\"sources\":"); json.strings(sources.values)
        json.raw(",\"statuses\":"); json.strings(report.statuses.isEmpty ? [""] : statuses)
        json.raw("}")
        return json.text
    }

    static func orderedUnique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    /// Each pool's use as a bar (used, planned, free), nearest exhaustion first, with the forecast
    /// from the database's history when there is one.
    static func pools(_ report: AuditReport) -> String {
        let usage = report.poolUsage
        guard !usage.isEmpty else { return "" }
        let planned = Dictionary(grouping: report.plan?.proposals ?? [], by: { $0.pool ?? "" }).mapValues(\.count)
        let history = report.history
        var out = "<h2>Pools (\(usage.count), nearest exhaustion first)</h2>\n<table class=pools>\n<tr><th>pool</th><th>use</th><th>addresses</th>"
        out += history == nil ? "</tr>\n" : "<th>forecast (last 30 days' rate)</th></tr>\n"
        for u in usage.prefix(drawnPools) {
            let reserved = min(UInt64(planned[u.pool.name] ?? 0), u.free)
            out += "<tr><td>\(escape(u.pool.name))<br><small>\(u.pool.range) · \(escape(u.pool.kind.rawValue))\(u.pool.cluster.map { " · " + escape($0) } ?? "")</small></td><td>"
            out += HTMLCharts.bar(used: u.used, reserved: reserved, size: u.pool.range.count)
            out += "</td><td>\(u.used) used, \(reserved) planned, \(u.free - reserved) free</td>"
            if let history { out += "<td>\(escape(forecast(history.trends[AuditHistory.key(of: u.pool)], free: u.free - reserved)))</td>" }
            out += "</tr>\n"
        }
        out += "</table>\n"
        if usage.count > drawnPools { out += "<p><small>… and \(usage.count - drawnPools) pools further from exhaustion (see --format json).</small></p>\n" }
        return out
    }

    /// "full in about 12 days (+3.5 a day)", "not filling (−0.2 a day)", or what is missing.
    static func forecast(_ trend: AuditHistory.PoolTrend?, free: UInt64) -> String {
        guard let trend else { return "needs runs a day apart" }
        let rate = String(format1: abs(trend.perDay))
        guard let days = trend.daysUntilFull(free: free) else {
            return trend.change.net == 0 ? "steady" : "not filling (−\(rate) a day)"
        }
        if free == 0 { return "full" }
        let when = days < 1 ? "less than a day" : "about \(Int(days.rounded())) day\(Int(days.rounded()) == 1 ? "" : "s")"
        return "full in \(when) (+\(rate) a day)"
    }

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

    /// Text for HTML element content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        ScriptJSON.append(s, to: &out) { scalar in
            switch scalar {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": "&#39;"
            default: nil
            }
        }
        return out
    }
}
