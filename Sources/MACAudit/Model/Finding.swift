/// How bad a finding is. Ordered so that `critical` is the greatest.
public enum Severity: String, Hashable, Comparable, Sendable, CaseIterable, Codable {
    case info, warning, error, critical

    private var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        case .critical: return 3
        }
    }

    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// What a finding is about: an adapter, an NC interface, a pool or a host.
public struct Subject: Hashable, Comparable, Sendable, Codable {
    public var kind: String
    public var cluster: String?
    public var host: String?
    public var vm: String?
    public var name: String?
    public var id: String?

    public init(kind: String, cluster: String? = nil, host: String? = nil, vm: String? = nil, name: String? = nil, id: String? = nil) {
        self.kind = kind; self.cluster = cluster; self.host = host; self.vm = vm; self.name = name; self.id = id
    }

    /// A one-line human label: `adapter SQL01 / Network Adapter on HV01`.
    public var label: String {
        var parts = [kind]
        if let vm, !vm.isEmpty { parts.append(vm + (name.map { " / \($0)" } ?? "")) } else if let name { parts.append(name) }
        if let host, !host.isEmpty { parts.append("on \(host)") }
        if let cluster, !cluster.isEmpty { parts.append("(cluster \(cluster))") }
        return parts.joined(separator: " ")
    }

    var sortKey: [String] { [kind, cluster ?? "", host ?? "", vm ?? "", name ?? "", id ?? ""] }
    public static func < (a: Subject, b: Subject) -> Bool { a.sortKey.lexicographicallyPrecedes(b.sortKey) }
}

/// Where in the inputs a finding's evidence is.
public struct Evidence: Hashable, Comparable, Sendable, Codable {
    public var source: String
    public var at: String

    public init(source: String, at: String) { self.source = source; self.at = at }
    public init(_ location: SourceLocation) { self.init(source: location.path, at: location.description) }

    public static func < (a: Evidence, b: Evidence) -> Bool { (a.source, a.at) < (b.source, b.at) }
}

/// One problem a check found. Its `id` is a fingerprint of what it is about (check, MAC, subjects),
/// stable across runs, so that history and baselines can follow it from night to night.
public struct Finding: Hashable, Sendable {
    public let check: String
    public var severity: Severity
    /// The MAC as shown to users: canonical for valid addresses, verbatim for invalid ones.
    public let mac: String?
    public var message: String
    public let subjects: [Subject]
    public var evidence: [Evidence]
    /// Stable fingerprint: FNV-1a 64 over the check id, the MAC and the sorted subjects.
    public let id: String
    /// Set when the audit ran with a pool database: new or persisting, and since when.
    public var history: FindingHistory?
    /// Set when a baseline (database or file) accepts this finding.
    public var accepted: BaselineEntry?

    /// `accepted`, `new`, `persisting`, or nil when the audit kept no history.
    public var status: String? {
        if accepted != nil { return "accepted" }
        return history?.status.rawValue
    }

    public init(check: String, severity: Severity, mac: String?, message: String, subjects: [Subject], evidence: [Evidence]) {
        self.check = check
        self.severity = severity
        self.mac = mac
        self.message = message
        self.subjects = subjects.sorted()
        self.evidence = Array(Set(evidence)).sorted()
        self.id = Self.fingerprint(check: check, mac: mac, subjects: self.subjects)
    }

    static func fingerprint(check: String, mac: String?, subjects: [Subject]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ s: String) {
            for b in s.utf8 { hash = (hash ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
            hash = (hash ^ 0x1F) &* 0x0000_0100_0000_01B3
        }
        mix(check)
        mix(mac ?? "")
        for subject in subjects { subject.sortKey.forEach(mix) }
        return String(hash, radix: 16).leftPadded(to: 16)
    }

    /// Report order: worst first, then check, MAC, subjects.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.check != b.check { return a.check < b.check }
        if a.mac != b.mac { return (a.mac ?? "") < (b.mac ?? "") }
        return a.subjects.lexicographicallyPrecedes(b.subjects)
    }
}
