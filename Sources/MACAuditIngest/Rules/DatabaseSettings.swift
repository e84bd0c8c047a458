import MACAuditModel
import Yams

/// How audits use the pool database, from `rules/database.yaml`; `--db-horizon` and
/// `--release-after` override it for one run.
public struct DatabaseSettings: Sendable, Equatable {
    /// Database holders not seen for longer take no part in audits (days).
    public var horizonDays: Int
    /// A gone holder's MAC returns to the free space after this long (days).
    public var releaseAfterDays: Int

    public init(horizonDays: Int = 30, releaseAfterDays: Int = 7) {
        self.horizonDays = horizonDays; self.releaseAfterDays = releaseAfterDays
    }

    static func load(_ doc: YAMLFields) throws -> DatabaseSettings {
        try doc.allowOnly(["version", "horizon-days", "release-after-days"])
        try RuleVersion.check(doc)
        var settings = DatabaseSettings()
        if let days = try days(doc, "horizon-days") { settings.horizonDays = days }
        if let days = try days(doc, "release-after-days") { settings.releaseAfterDays = days }
        return settings
    }

    private static func days(_ doc: YAMLFields, _ key: String) throws -> Int? {
        guard let node = doc.node(key) else { return nil }
        guard let text = node.string, let n = parseInteger(text), n >= 0, n <= 36_500 else {
            throw doc.error(key, node, "must be a whole number of days from 0 to 36500")
        }
        return n
    }
}
