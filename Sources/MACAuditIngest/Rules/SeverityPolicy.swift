import MACAuditModel
/// Severity overrides from `rules/severities.yaml`.
///
/// A key is a check id (`reserved-prefix: info`, `nc-orphan: off`) or a check id and one of its
/// variants (`duplicate-mac.fleet: info`, `out-of-pool.nc-static: off`); the variant key wins over the
/// check key, which wins over the check's default.
public struct SeverityPolicy: Sendable, Equatable {
    /// nil value = the check or variant is off.
    public var overrides: [String: Severity?]

    public init(overrides: [String: Severity?] = [:]) { self.overrides = overrides }

    /// The severity to report, or nil when the rules turned it off.
    public func severity(check: String, variant: String? = nil, default value: Severity) -> Severity? {
        guard !overrides.isEmpty else { return value }
        if let variant, let o = overrides["\(check).\(variant)"] { return o }
        if let o = overrides[check] { return o }
        return value
    }

    public func isOff(_ check: String) -> Bool {
        if case .some(.none) = overrides[check] { return true }
        return false
    }

    static func load(_ doc: YAMLFields, knownKeys: Set<String>) throws -> SeverityPolicy {
        try doc.allowOnly(["version", "checks"])
        try RuleVersion.check(doc)
        var overrides: [String: Severity?] = [:]
        for (key, value, line) in try doc.entries("checks") {
            guard knownKeys.contains(key) else {
                throw RuleError(file: doc.file, line: line, message:
                    "unknown check '\(key)'; known: \(knownKeys.sorted().joined(separator: ", "))")
            }
            let text = value.string?.lowercased() ?? ""
            if text == "off" { overrides[key] = .some(nil); continue }
            guard let severity = Severity(rawValue: text) else {
                throw RuleError(file: doc.file, line: line, message: "'\(key)': '\(text)' is not critical, error, warning, info or off")
            }
            overrides[key] = severity
        }
        return SeverityPolicy(overrides: overrides)
    }
}
