import MACAuditModel
import MACAuditEngine
import MACAuditIngest
/// Findings for spreadsheets: one row per finding × subject, RFC 4180 (CRLF, fields with `,`, `"`,
/// CR or LF quoted, quotes doubled). Cells that a spreadsheet would run as a formula (`=`, `+`,
/// `-`, `@` first) get a leading `'`, since VM names come from the inputs.
public struct CSVReport: ReportRenderer {
    public static let format = "csv"
    public static let summary = "one row per finding and subject (RFC 4180)"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { Self.render(report) }

    public func write(_ report: AuditReport, options: RenderOptions, to sink: inout ReportSink) throws { try Self.write(report, to: &sink) }

    static let header = ["id", "check", "severity", "status", "mac", "message", "subject_kind", "cluster", "host", "vm", "name", "subject_id", "evidence", "vendor"]

    public static func render(_ report: AuditReport) -> String {
        ReportSink.collect { try? write(report, to: &$0) }
    }

    /// Streams the rows to `sink`, a finding at a time.
    public static func write(_ report: AuditReport, to sink: inout ReportSink) throws {
        row(header, into: &sink)
        // Input warnings first, as rows of their own (check `input-warning`, no subject), so that
        // whoever reads only the spreadsheet still learns that an input was skipped.
        for w in report.warnings {
            row(["", "input-warning", Severity.warning.rawValue, "", "", w.message, "", "", "", "", "", "", w.source, ""], into: &sink)
        }
        for f in report.findings {
            let evidence = f.evidence.map { "\($0.source): \($0.at)" }.joined(separator: "; ")
            let subjects = f.subjects.isEmpty ? [Subject(kind: "")] : f.subjects
            let vendor = f.mac.address.flatMap { report.registry?.lookup($0)?.vendor } ?? ""
            let status = report.status(of: f)?.label ?? ""
            for s in subjects {
                row([f.id, f.check.rawValue, f.severity.rawValue, status, f.macText ?? "", f.message, s.kind, s.cluster ?? "", s.host ?? "",
                     s.vm ?? "", s.name ?? "", s.id ?? "", evidence, vendor], into: &sink)
            }
            try sink.flushIfFull()
        }
    }

    static func row(_ cells: [String], into sink: inout ReportSink) {
        for (i, cell) in cells.enumerated() {
            if i > 0 { sink.append(UInt8(ascii: ",")) }
            field(cell, into: &sink)
        }
        sink.append("\r\n")
    }

    /// One cell: a leading `'` before what a spreadsheet would run as a formula, the whole cell in
    /// quotes (quotes doubled) when it holds `,`, `"`, CR or LF. Worked on the UTF-8 bytes: a report
    /// of a neglected fleet has millions of cells.
    static func field(_ value: String, into sink: inout ReportSink) {
        var value = value
        value.withUTF8 { bytes in
            let formula = bytes.first.map { $0 == UInt8(ascii: "=") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "@") } ?? false
            let quoted = bytes.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0D || $0 == 0x0A }
            if quoted { sink.append(UInt8(ascii: "\"")) }
            if formula { sink.append(UInt8(ascii: "'")) }
            if quoted {
                for b in bytes {
                    sink.append(b)
                    if b == UInt8(ascii: "\"") { sink.append(b) }
                }
                sink.append(UInt8(ascii: "\""))
            } else {
                sink.append(bytes: bytes)
            }
        }
    }
}
