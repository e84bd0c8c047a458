import MACAuditModel
import Foundation

/// The data the checks use, from the files admins edit in a rules directory:
/// `reserved-prefixes.yaml`, `severities.yaml`, `pools.yaml`, `plan.yaml` and `database.yaml`. A
/// missing file means "none" (for `plan.yaml`: the standard keep order; for `database.yaml`: a
/// 30-day horizon and a 7-day grace period).
public struct Rules: Sendable {
    public var reservedPrefixes: [ReservedPrefix]
    public var severities: SeverityPolicy
    /// Pools defined by the admin, including the per-host ranges derived from seed plans.
    public var pools: [Pool]
    /// The seed plans of `pools.yaml` as written (their pools are in ``pools``): what
    /// `pool suggest` keeps when it extends them.
    public var plans: [PoolPlan] = []
    /// Who keeps a shared MAC when the planner moves the others.
    public var keepOrder: KeepOrder
    /// How audits use the pool database.
    public var database: DatabaseSettings
    /// OUIs a VM's universal MAC may have (`ouis.yaml`; without it Hyper-V's 00-15-5D and the
    /// Network Controller default pool's 00-1D-D8).
    public var expectedOUIs: [ExpectedOUI] = ExpectedOUI.defaults
    /// The IEEE registry, when one was found (`--oui-data`, `ieee-data`, Wireshark's `manuf`);
    /// without it the vendor checks are skipped.
    public var registry: OUIRegistry?

    public init(reservedPrefixes: [ReservedPrefix] = [], severities: SeverityPolicy = SeverityPolicy(), pools: [Pool] = [],
                keepOrder: KeepOrder = .standard, database: DatabaseSettings = DatabaseSettings()) {
        self.reservedPrefixes = reservedPrefixes
        self.severities = severities
        self.pools = pools
        self.keepOrder = keepOrder
        self.database = database
    }

    public static let fileNames = ["reserved-prefixes.yaml", "severities.yaml", "pools.yaml", "plan.yaml", "database.yaml", "ouis.yaml"]

    /// Loads a rules directory; the first problem is thrown as a ``RuleError`` naming file and line.
    /// `severityKeys` are the keys `severities.yaml` may use: every check id and `<id>.<variant>`
    /// (the engine's `CheckRegistry.severityKeys`; rules are read before any check exists).
    public static func load(directory: String, severityKeys: Set<String>) throws -> Rules {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw RuleError(file: directory, line: nil, message: "is not a rules directory")
        }
        var rules = Rules()
        for name in fileNames {
            if let doc = try document(path: (directory as NSString).appendingPathComponent(name)) {
                try rules.apply(name, doc, severityKeys: severityKeys)
            }
        }
        return rules
    }

    /// Rules with one rule file's text applied (`name` is one of ``fileNames``): what ``load`` does
    /// for each file it finds, for a caller holding the text (the fuzz harness, an editor check).
    public static func parse(_ name: String, text: String, file: String, severityKeys: Set<String>) throws -> Rules {
        var rules = Rules()
        try rules.apply(name, try YAMLFields.document(text, file: file), severityKeys: severityKeys)
        return rules
    }

    private mutating func apply(_ name: String, _ doc: YAMLFields, severityKeys: Set<String>) throws {
        switch name {
        case "reserved-prefixes.yaml": reservedPrefixes = try ReservedPrefix.load(doc)
        case "severities.yaml": severities = try SeverityPolicy.load(doc, knownKeys: severityKeys)
        case "pools.yaml": (pools, plans) = try PoolDefinitions.load(doc)
        case "plan.yaml": keepOrder = try KeepOrder.load(doc)
        case "database.yaml": database = try DatabaseSettings.load(doc)
        case "ouis.yaml": expectedOUIs = try ExpectedOUI.load(doc)
        default: preconditionFailure("\(name) is not a rule file name")
        }
    }

    /// The pools of one `pools.yaml`-style file (explicit pools and seed plans), for `pool import`.
    public static func loadPools(file: String) throws -> [Pool] {
        guard let doc = try document(path: file) else { throw RuleError(file: file, line: nil, message: "does not exist") }
        return try PoolDefinitions.load(doc).pools
    }

    private static func document(path: String) throws -> YAMLFields? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw RuleError(file: path, line: nil, message: "cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw RuleError(file: path, line: nil, message: "is not UTF-8 text")
        }
        return try YAMLFields.document(text, file: path)
    }
}
