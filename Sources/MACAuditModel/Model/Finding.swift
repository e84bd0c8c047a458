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
    /// The holder's stable key (`HolderKey`) when the subject is a holder: what the finding's id and
    /// the pool database follow, so a live migration (a new host) keeps the finding's id.
    public var key: String?

    public init(kind: String, cluster: String? = nil, host: String? = nil, vm: String? = nil, name: String? = nil, id: String? = nil,
                key: String? = nil) {
        self.kind = kind; self.cluster = cluster; self.host = host; self.vm = vm; self.name = name; self.id = id; self.key = key
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
    /// What the finding id mixes in: the holder key when there is one, else every field.
    public var identity: [String] { key.map { [kind, $0] } ?? sortKey }
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

/// A check's stable id (`duplicate-mac`), as written in reports, `severities.yaml`, the database and
/// baselines. Each check declares its own constant beside it (`CheckID.duplicateMAC`), so code that
/// names a check names it through the compiler, never as a string literal.
public struct CheckID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }
    public static func < (a: CheckID, b: CheckID) -> Bool { a.rawValue < b.rawValue }
}

/// What fixes a finding, declared by its check: the planner acts on the kinds it can carry out and
/// says so for the rest.
public enum Remedy: String, Sendable, Hashable, CaseIterable {
    /// Give the holder a new static MAC from the right pool (a duplicate: every holder but the one
    /// that keeps it).
    case move
    /// Set the adapter's static MAC to the one the Network Controller holds.
    case adoptController = "adopt-controller"
    /// Point the port profile's ProfileId at the NC interface's instance id.
    case repairProfile = "repair-profile"
    /// Change a pool's range (a host's dynamic range, a defined pool).
    case repairRange = "repair-range"
    /// Needs a person: remove a stale object, investigate the wire.
    case person

    /// True for the remedies a plan carries out by giving a holder another MAC.
    public var changesMAC: Bool { self == .move || self == .adoptController }
}

/// A holder's position in the reconciled snapshot (`Snapshot.holders[ref.index]`): how a finding
/// names the holders it is about without copying them or going through display strings.
public struct HolderRef: Hashable, Comparable, Sendable {
    public let index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: HolderRef, b: HolderRef) -> Bool { a.index < b.index }
}

/// One problem a check found. Its `id` is a fingerprint of what it is about (check, MAC, subjects),
/// stable across runs, so that history and baselines can follow it from night to night.
///
/// A finding is what the checks return and nothing else: whether it is new, persisting or accepted
/// is the pool database's and the baseline's answer (`FindingStatus`), kept beside it in the report.
public struct Finding: Hashable, Sendable {
    public let check: CheckID
    /// The variant of the check that decided the severity (`fleet` of `duplicate-mac`), if any.
    public let variant: String?
    public var severity: Severity
    /// The MAC the finding is about: a valid address, the invalid text as found, or absent.
    public let mac: MACField
    public var message: String
    public let subjects: [Subject]
    public var evidence: [Evidence]
    /// The holders of the snapshot the finding is about (subjects that are pools or stations are not holders).
    public let holders: [HolderRef]
    /// What fixes it, from the check's description.
    public let remedy: Remedy
    /// Stable fingerprint: FNV-1a 64 over the check id, the MAC text and the subjects' identities
    /// (a holder's key, every field of a pool or a station), sorted.
    public let id: String

    public init(check: CheckID, variant: String? = nil, severity: Severity, mac: MACField, message: String, subjects: [Subject],
                evidence: [Evidence], holders: [HolderRef] = [], remedy: Remedy = .person) {
        self.check = check
        self.variant = variant
        self.severity = severity
        self.mac = mac
        self.message = message
        // Most findings have one subject and one piece of evidence: no set, no sort for those.
        self.subjects = subjects.count > 1 ? subjects.sorted() : subjects
        self.evidence = evidence.count > 1 ? Self.sortedWithoutRepeats(evidence) : evidence
        self.holders = holders
        self.remedy = remedy
        let identities = self.subjects.map(\.identity)
        self.id = Self.fingerprint(check: check.rawValue, mac: mac.text,
                                   identities: identities.count > 1 ? identities.sorted { $0.lexicographicallyPrecedes($1) } : identities)
    }

    /// The id macaudit gave this finding before holders had keys (every subject field, the host
    /// included, in subject order). A pool database written then knows its findings, and baselines
    /// their acceptances, by it: they are carried over to ``id`` when the finding is seen again.
    public var legacyId: String { Self.fingerprint(check: check.rawValue, mac: mac.text, identities: subjects.map(\.sortKey)) }

    /// Evidence sorted, each place once (what `Array(Set(e)).sorted()` gives, without hashing).
    static func sortedWithoutRepeats(_ evidence: [Evidence]) -> [Evidence] {
        var out: [Evidence] = []
        out.reserveCapacity(evidence.count)
        for e in evidence.sorted() where out.last != e { out.append(e) }
        return out
    }

    /// The MAC as shown to users: canonical for valid addresses, verbatim for invalid ones.
    public var macText: String? { mac.text }

    static func fingerprint(check: String, mac: String?, identities: [[String]]) -> String {
        var hash = FNV1a()
        func mix(_ s: String) {
            hash.add(s)
            hash.add(0x1F)  // unit separator: "ab" + "c" never hashes as "a" + "bc"
        }
        mix(check)
        mix(mac ?? "")
        for identity in identities { identity.forEach(mix) }
        return hash.hex
    }

    /// Report order: worst first, then check, MAC, subjects.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        if a.severity != b.severity { return a.severity > b.severity }
        if a.check != b.check { return a.check < b.check }
        // Two valid MACs compare by value: their canonical text (fixed-width upper-case hex) sorts
        // the same, and formatting it per comparison made sorting half a million findings take 30 s.
        if case .valid(let x) = a.mac, case .valid(let y) = b.mac {
            if x != y { return x.value < y.value }
        } else {
            let am = a.macText ?? "", bm = b.macText ?? ""
            if am != bm { return am < bm }
        }
        return a.subjects.lexicographicallyPrecedes(b.subjects)
    }
}

extension MACField {
    /// As shown to users: canonical for a valid address (the placeholder included), verbatim for an
    /// invalid one, nil when absent.
    public var text: String? {
        switch self {
        case .valid(let mac): return mac.description
        case .invalid(let raw, _): return raw
        case .absent: return nil
        }
    }
}
