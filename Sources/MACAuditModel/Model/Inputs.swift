/// One input file as the report lists it.
public struct InputSummary: Sendable, Hashable, Codable {
    public var path: String
    /// An `ExportKind` raw value, or `mixed` when a file holds records of several kinds.
    public var kind: String
    public var records: Int
    public var encoding: String
    public var cluster: String

    public init(path: String, kind: String, records: Int, encoding: String, cluster: String) {
        self.path = path; self.kind = kind; self.records = records; self.encoding = encoding; self.cluster = cluster
    }
}

/// A warning about an input that does not stop the audit (an empty file, a paged NC export).
public struct InputWarning: Sendable, Hashable, Codable, CustomStringConvertible {
    public var source: String
    public var message: String

    public init(source: String, message: String) { self.source = source; self.message = message }
    public var description: String { "\(source): \(message)" }
}
