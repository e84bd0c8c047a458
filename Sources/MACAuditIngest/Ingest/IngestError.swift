import MACAuditModel
/// An input that cannot be read, with where in it: the one line the admin sees before exit 2.
public struct IngestError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    /// `line 3, column 7` or `record 12 (line 340)`.
    public var position: String?
    /// JSON path, e.g. `$[11].MacAddress`.
    public var path: String?
    public var message: String

    public init(file: String, position: String? = nil, path: String? = nil, message: String) {
        self.file = file; self.position = position; self.path = path; self.message = message
    }

    package init(location: SourceLocation, path: String, message: String) {
        self.init(file: location.path, position: location.description, path: path, message: message)
    }

    public var description: String {
        var s = file
        if let position { s += ": \(position)" }
        if let path { s += ", at \(path)" }
        return s + ": " + message
    }
}
