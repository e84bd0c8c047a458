import MACAuditEngine
import MACAuditIngest

/// What a renderer may be asked besides the report: colour for a terminal, the capture-only envelope.
public struct RenderOptions: Sendable {
    /// ANSI colour (text only; the CLI asks on a TTY without `NO_COLOR`, or with `--color always`).
    public var colour: Bool
    /// The report is of captures alone (`macaudit capture`): JSON uses `macaudit.capture/1`.
    public var captureOnly: Bool

    public init(colour: Bool = false, captureOnly: Bool = false) { self.colour = colour; self.captureOnly = captureOnly }
}

/// One output format: an id (the `--format` value) and a pure function from a report to text.
/// Renderers read the report and nothing else; writing the text somewhere is the caller's job.
public protocol ReportRenderer: Sendable {
    /// The format id: `text`, `json`, `csv`, `markdown`, `html`, `metrics`.
    static var format: String { get }
    /// A few words for `--help`.
    static var summary: String { get }
    func render(_ report: AuditReport, options: RenderOptions) throws -> String
    /// Streams the report to `sink`. Formats whose reports grow with the findings (JSON, CSV, text)
    /// write a record at a time; the others hand over their rendered text.
    func write(_ report: AuditReport, options: RenderOptions, to sink: inout ReportSink) throws
}

extension ReportRenderer {
    public func write(_ report: AuditReport, options: RenderOptions, to sink: inout ReportSink) throws {
        sink.append(try render(report, options: options))
    }
}

/// Every renderer, looked up by format id. Adding a format = one type + one line here.
public enum ReportFormats {
    public static let all: [any ReportRenderer] = [TextReport(), JSONReport(), CSVReport(), MarkdownReport(), HTMLReport(), PrometheusMetrics()]

    /// The formats a report goes to on stdout or `--output` (metrics go to `--metrics`).
    public static let reports: [String] = ["text", "json", "csv", "markdown", "html"]

    /// The renderer of a format id, or nil for an unknown one.
    public static func renderer(_ format: String) -> (any ReportRenderer)? {
        all.first { type(of: $0).format == format }
    }

    /// Renders `report` in `format`; an unknown id is a programming error the CLI's argument
    /// parsing rules out, reported as an error rather than a crash.
    public static func render(_ report: AuditReport, format: String, options: RenderOptions = RenderOptions()) throws -> String {
        guard let renderer = renderer(format) else { throw UnknownFormat(format: format) }
        return try renderer.render(report, options: options)
    }

    /// Streams `report` in `format` to `sink` (which the caller finishes).
    public static func write(_ report: AuditReport, format: String, options: RenderOptions = RenderOptions(), to sink: inout ReportSink) throws {
        guard let renderer = renderer(format) else { throw UnknownFormat(format: format) }
        try renderer.write(report, options: options, to: &sink)
    }

    /// `text, json, csv, markdown or html`, for help texts.
    public static var reportList: String { reports.dropLast().joined(separator: ", ") + " or " + reports.last! }
}

/// A format id no renderer has.
public struct UnknownFormat: Error, CustomStringConvertible, Sendable {
    public var format: String
    public var description: String { "'\(format)' is not a report format; known: \(ReportFormats.all.map { type(of: $0).format }.joined(separator: ", "))" }
}

extension AuditReport {
    /// Which IEEE registry vendors came from and how old it is, or why there are none.
    public var registryLine: String {
        registry.map { "\($0.label), \($0.blockCount) blocks" } ?? OUIRegistry.missing
    }
}
