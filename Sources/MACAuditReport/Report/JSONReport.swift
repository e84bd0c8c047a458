import MACAuditModel
import MACAuditEngine
import MACAuditIngest
import Foundation

/// The machine-readable report, schema `macaudit.report/1` (DESIGN.md). Keys are sorted and the
/// order of findings is fixed, so the same inputs give byte-identical output. Fields may be added
/// in later versions, never renamed.
public struct JSONReport: ReportRenderer {
    public static let format = "json"
    public static let summary = "machine-readable, schema macaudit.report/1 (macaudit.capture/1 for captures)"
    public init() {}

    public func render(_ report: AuditReport, options: RenderOptions) throws -> String { try Self.render(report, captureOnly: options.captureOnly) }

    public static let schema = "macaudit.report/1"
    /// `macaudit capture`: the same envelope, with the stations of the wire.
    public static let captureSchema = "macaudit.capture/1"

    struct PoolDTO: JSONWritable {
        var name: String
        var kind: String
        var cluster: String?
        var host: String?
        var first: String
        var last: String
        var size: UInt64
        var used: UInt64
        var free: UInt64
        var source: String
    }

    struct DatabaseDTO: JSONWritable {
        /// Database holders that took part in the checks (other clusters, hosts not read this run).
        var holders: Int
        var events: [EventDTO]
    }

    /// A holder event as the report's `database.events` and `history --events --format json` write it.
    public struct EventDTO: JSONWritable {
        var holder: String
        var label: String
        var event: String
        var from: String?
        var to: String?
        var fromHost: String?
        var toHost: String?
        var run: Int64
        var at: String

        public init(_ e: HolderEvent) {
            holder = e.holder; label = e.label; event = e.kind.rawValue; from = e.from?.description; to = e.to?.description
            fromHost = e.fromHost; toHost = e.toHost; run = e.runId; at = JSONReport.timestamp(e.at)
        }
    }

    struct StationDTO: JSONWritable {
        var mac: String
        var vlan: UInt16?
        var vni: UInt32?
        var ips: [String]
        var roles: [String]
        var frames: Int
        var firstSeen: String
        var lastSeen: String
        var providers: [String]
        var evidence: Evidence
        var dhcpHostName: String?
        var vendor: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(mac, forKey: .mac)
            try c.encodeIfPresent(vendor, forKey: .vendor)
            try c.encode(vlan, forKey: .vlan)  // null when untagged
            try c.encode(vni, forKey: .vni)    // null outside an overlay
            try c.encode(ips, forKey: .ips)
            try c.encode(roles, forKey: .roles)
            try c.encode(frames, forKey: .frames)
            try c.encode(firstSeen, forKey: .firstSeen)
            try c.encode(lastSeen, forKey: .lastSeen)
            try c.encode(providers, forKey: .providers)
            try c.encode(evidence, forKey: .evidence)
            try c.encodeIfPresent(dhcpHostName, forKey: .dhcpHostName)
        }

        enum CodingKeys: String, CodingKey { case mac, vlan, vni, ips, roles, frames, firstSeen, lastSeen, providers, evidence, dhcpHostName, vendor }
    }

    /// The station table of the text, Markdown and HTML reports: its header, the first `limit`
    /// stations as cells (MAC, scope, frames, roles, IPs, providers), how many were left out, and the
    /// frames and captures behind them.
    public struct StationTable {
        public static let header = ["MAC", "scope", "frames", "roles", "IPs", "providers", "vendor"]
        public var rows: [[String]]
        public var total: Int
        public var frames: Int64
        public var captures: Int
        public var omitted: Int { total - rows.count }

        public init(_ wire: WireSnapshot, registry: OUIRegistry? = nil, limit: Int = 500) {
            let all = JSONReport.stations(wire)
            rows = all.prefix(limit).map { s, ips in
                [s.mac.description, s.scope.label, String(s.frames), s.roles.names.joined(separator: ","),
                 ips.map(\.description).joined(separator: ","), s.providers.map(\.address.description).joined(separator: ","),
                 registry?.lookup(s.mac)?.vendor ?? ""]
            }
            total = all.count
            frames = wire.summaries.reduce(Int64(0)) { $0 + $1.frames }
            captures = wire.files.count
        }
    }

    /// One row per (MAC, VLAN, VNI), with the IPs it claimed, sorted by scope then MAC.
    public static func stations(_ wire: WireSnapshot) -> [(station: Station, ips: [IPAddress])] {
        var ips: [SightingTable.StationKey: Set<IPAddress>] = [:]
        for c in wire.table.claims { ips[SightingTable.StationKey(mac: c.mac.value, scope: c.scope), default: []].insert(c.ip) }
        return wire.table.stations.sorted { ($0.scope, $0.mac) < ($1.scope, $1.mac) }.map {
            ($0, (ips[SightingTable.StationKey(mac: $0.mac.value, scope: $0.scope)] ?? []).sorted())
        }
    }

    /// A finding the database knows, as the report's `resolved` and `history --diff --format json` write it.
    public struct ResolvedDTO: JSONWritable {
        var id: String
        var check: String
        var severity: String
        var mac: String?
        var message: String
        var firstRun: Int64

        public init(_ f: ResolvedFinding) {
            id = f.fingerprint; check = f.check; severity = f.severity.rawValue; mac = f.mac; message = f.message; firstRun = f.firstRunId
        }
    }

    struct FindingDTO: JSONWritable {
        var id: String
        var check: String
        var severity: String
        var mac: String?
        var message: String
        var subjects: [Subject]
        var evidence: [Evidence]
        var status: String?
        var firstRun: Int64?
        var firstSeen: String?
        var acceptedReason: String?
        var vendor: String?

        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(check, forKey: .check)
            try c.encode(severity, forKey: .severity)
            try c.encode(mac, forKey: .mac)  // null when a finding is about no single MAC
            try c.encode(message, forKey: .message)
            try c.encode(subjects, forKey: .subjects)
            try c.encode(evidence, forKey: .evidence)
            try c.encodeIfPresent(status, forKey: .status)
            try c.encodeIfPresent(firstRun, forKey: .firstRun)
            try c.encodeIfPresent(firstSeen, forKey: .firstSeen)
            try c.encodeIfPresent(acceptedReason, forKey: .acceptedReason)
            try c.encodeIfPresent(vendor, forKey: .vendor)
        }

        enum CodingKeys: String, CodingKey { case id, check, severity, mac, message, subjects, evidence, status, firstRun, firstSeen, acceptedReason, vendor }
    }

    struct ProposalDTO: JSONWritable {
        var subject: Subject
        var from: String?
        var to: String
        var pool: String?
        var interface: String?
        var reason: String
        var resolves: [String]
    }

    struct RepairDTO: JSONWritable {
        var subject: Subject
        var from: String?
        var to: String
        var interface: String
        var resolves: [String]
    }

    struct PoolChangeDTO: JSONWritable {
        var host: String
        var cluster: String
        var pool: String
        var from: RangeDTO
        var to: RangeDTO
        var planPool: String
        var resolves: [String]
    }

    /// A MAC range as every JSON output writes it: `{"first": …, "last": …}`.
    public struct RangeDTO: JSONWritable, Sendable {
        var first: String
        var last: String
        public init(_ r: MACRange) { first = r.lower.description; last = r.upper.description }
    }

    struct SuggestedPlanDTO: JSONWritable {
        struct PlanDTO: Encodable {
            var name: String
            var prefix: String
            var clusters: [String: ClusterDTO]
        }
        struct ClusterDTO: Encodable {
            var byte: Int
            var hosts: [String: Int]
        }
        var plans: [PlanDTO]
        var poolsUsed: [String]
        var leftOut: [String]
    }

    struct RegistryDTO: JSONWritable {
        var source: String?
        var date: String?
        var blocks: Int?
        var skipped: String?

        init(_ registry: OUIRegistry?) {
            if let registry {
                source = registry.sources.map(\.path).joined(separator: ", "); date = registry.date.map(JSONReport.timestamp); blocks = registry.blockCount
            } else {
                skipped = OUIRegistry.missing
            }
        }
    }

    struct VerificationDTO: JSONWritable {
        var remaining: [String]
        var introduced: [FindingDTO]
        var findingsAfter: Int
    }

    struct UnplacedDTO: JSONWritable {
        var finding: String
        var subject: Subject
        var reason: String
    }

    public static func render(_ report: AuditReport, captureOnly: Bool = false) throws -> String {
        try ReportSink.collect { try write(report, captureOnly: captureOnly, to: &$0) }
    }

    public func write(_ report: AuditReport, options: RenderOptions, to sink: inout ReportSink) throws {
        try Self.write(report, captureOnly: options.captureOnly, to: &sink)
    }

    /// Streams the report to `sink`, a finding or station at a time.
    public static func write(_ report: AuditReport, captureOnly: Bool = false, to sink: inout ReportSink) throws {
        try document(report, captureOnly: captureOnly).write(json: &sink)
    }

    /// The report's members; large arrays are mapped to their JSON form one element at a time.
    static func document(_ report: AuditReport, captureOnly: Bool) -> JSONDocument {
        let plan = report.plan
        return JSONDocument([
            ("schema", captureOnly ? captureSchema : schema),
            ("generatedAt", timestamp(report.generatedAt)),
            ("inputs", report.inputs),
            ("summary", Dictionary(uniqueKeysWithValues: report.summary.map { ($0.key.rawValue, $0.value) })),
            ("findings", LazyJSONArray(report.findings) { findingDTO($0, report) }),
            ("proposals", LazyJSONArray(plan?.proposals ?? []) { p in
                ProposalDTO(subject: p.subject, from: p.from.address?.description ?? Self.raw(p.from), to: p.to.description, pool: p.pool,
                            interface: p.interfaceResourceId, reason: p.reason, resolves: p.resolves)
            }),
            ("warnings", report.warnings),
            ("run", report.runId),
            ("resolved", report.runId == nil ? nil : LazyJSONArray(report.resolved, ResolvedDTO.init)),
            ("stations", report.wire.map { wire in
                LazyJSONArray(stations(wire)) { s, ips in
                    StationDTO(mac: s.mac.description, vlan: s.scope.vlan, vni: s.scope.vni, ips: ips.map(\.description), roles: s.roles.names,
                               frames: s.frames, firstSeen: wireTimestamp(s.firstSeen), lastSeen: wireTimestamp(s.lastSeen),
                               providers: s.providers.map(\.address.description), evidence: wire.evidence(s.firstFrame), dhcpHostName: s.dhcpHostName,
                               vendor: report.registry?.lookup(s.mac)?.vendor)
                }
            }),
            ("unplaced", plan.map { $0.unplaced.map { UnplacedDTO(finding: $0.finding, subject: $0.subject, reason: $0.reason) } }),
            ("repairs", plan.map { $0.repairs.map { RepairDTO(subject: $0.subject, from: $0.from, to: $0.to, interface: $0.interfaceResourceId, resolves: $0.resolves) } }),
            ("poolChanges", plan.map { $0.poolChanges.map {
                PoolChangeDTO(host: $0.host, cluster: $0.cluster, pool: $0.pool, from: RangeDTO($0.from), to: RangeDTO($0.to), planPool: $0.planPool, resolves: $0.resolves)
            } }),
            ("suggestedPlan", plan.flatMap { plan in plan.suggestion.map { s in
                SuggestedPlanDTO(plans: s.plans.map { p in
                    SuggestedPlanDTO.PlanDTO(name: p.name, prefix: String(MACAddress(uncheckedValue: UInt64(p.prefix) << 24).description.prefix(8)),
                                             clusters: Dictionary(uniqueKeysWithValues: p.clusters.map { c in
                                                 (c.name, SuggestedPlanDTO.ClusterDTO(byte: Int(c.byte), hosts: Dictionary(c.hosts.map { ($0.name, Int($0.nibble)) }, uniquingKeysWith: { a, _ in a })))
                                             }))
                }, poolsUsed: plan.suggestedPoolsUsed, leftOut: s.leftOut)
            } }),
            ("verification", plan?.verification.map { v in
                VerificationDTO(remaining: v.remaining, introduced: v.introduced.map { findingDTO($0, report) }, findingsAfter: v.findingsAfter)
            }),
            ("registry", RegistryDTO(report.registry)),
            ("unseen", report.wire == nil || captureOnly ? nil : report.unseen),
            ("database", report.runId == nil ? nil : DatabaseDTO(holders: report.databaseHolderCount, events: report.holderEvents.map(EventDTO.init))),
            ("pools", captureOnly ? nil : report.poolUsage.map {
                PoolDTO(name: $0.pool.name, kind: $0.pool.kind.rawValue, cluster: $0.pool.cluster, host: $0.pool.host,
                        first: $0.pool.range.lower.description, last: $0.pool.range.upper.description, size: $0.pool.range.count,
                        used: $0.used, free: $0.free, source: $0.pool.source.path)
            }),
        ])
    }

    static func findingDTO(_ f: Finding, _ report: AuditReport) -> FindingDTO {
        let status = report.status(of: f)
        return FindingDTO(id: f.id, check: f.check.rawValue, severity: f.severity.rawValue, mac: f.macText, message: f.message,
                          subjects: f.subjects, evidence: f.evidence, status: status?.label,
                          firstRun: status?.history?.firstRunId, firstSeen: status?.history.map { timestamp($0.firstSeen) },
                          acceptedReason: status?.accepted?.reason, vendor: f.mac.address.flatMap { report.registry?.lookup($0)?.vendor })
    }

    static func raw(_ field: MACField) -> String? { field.text }

    /// RFC 3339 in UTC, whole seconds: `2026-11-25T12:00:00Z`.
    public static func timestamp(_ date: Date) -> String { UTCTimestamp.text(date) }
}
