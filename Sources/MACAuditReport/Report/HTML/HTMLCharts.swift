import Foundation
import MACAuditModel
import MACAuditEngine
/// The HTML report's pictures, as inline SVG (no script needed to see them).
enum HTMLCharts {
    /// A bar, 300 × 14: used (dark), reserved by the plan (amber), free (light).
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

    static let colours: [Severity: String] = [.critical: "#8b008b", .error: "#b00020", .warning: "#a06000", .info: "#00608a"]

    /// Findings per severity over the recorded runs: one line per severity, runs placed by date.
    static func trend(_ runs: [RunSummary]) -> String {
        guard let first = runs.first, let last = runs.last else { return "" }
        let width = 720.0, height = 220.0, left = 50.0, right = 110.0, top = 10.0, bottom = 30.0
        let plotW = width - left - right, plotH = height - top - bottom
        let span = max(last.at.timeIntervalSince(first.at), 1)
        let peak = max(1, runs.map { $0.counts.values.max() ?? 0 }.max() ?? 1)
        func x(_ run: RunSummary) -> Double { left + plotW * run.at.timeIntervalSince(first.at) / span }
        func y(_ count: Int) -> Double { top + plotH * (1 - Double(count) / Double(peak)) }
        func n(_ v: Double) -> String { String(format1: v) }
        var out = "<h2>Trend (\(runs.count) recorded runs)</h2>\n"
        out += "<svg width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"findings per severity over \(runs.count) runs\">"
        out += "<line x1=\"\(n(left))\" y1=\"\(n(top + plotH))\" x2=\"\(n(left + plotW))\" y2=\"\(n(top + plotH))\" stroke=\"#999\"/>"
        out += "<line x1=\"\(n(left))\" y1=\"\(n(top))\" x2=\"\(n(left))\" y2=\"\(n(top + plotH))\" stroke=\"#999\"/>"
        out += "<text x=\"\(n(left - 6))\" y=\"\(n(top + 8))\" text-anchor=\"end\">\(peak)</text>"
        out += "<text x=\"\(n(left - 6))\" y=\"\(n(top + plotH))\" text-anchor=\"end\">0</text>"
        out += "<text x=\"\(n(left))\" y=\"\(n(height - 8))\">\(day(first.at))</text>"
        out += "<text x=\"\(n(left + plotW))\" y=\"\(n(height - 8))\" text-anchor=\"end\">\(day(last.at))</text>"
        for (i, severity) in Severity.allCases.reversed().enumerated() {
            let colour = colours[severity] ?? "#444"
            let points = runs.map { "\(n(x($0))),\(n(y($0.counts[severity] ?? 0)))" }.joined(separator: " ")
            out += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\" points=\"\(points)\"/>"
            let ly = top + 14 + Double(i) * 18
            out += "<rect x=\"\(n(width - right + 14))\" y=\"\(n(ly - 9))\" width=\"12\" height=\"3\" fill=\"\(colour)\"/>"
            out += "<text x=\"\(n(width - right + 30))\" y=\"\(n(ly - 4))\">\(severity.rawValue) \(last.counts[severity] ?? 0)</text>"
        }
        return out + "</svg>\n"
    }

    static func day(_ date: Date) -> String { String(JSONReport.timestamp(date).prefix(10)) }
}
