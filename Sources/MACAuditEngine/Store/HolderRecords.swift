import Foundation
import MACAuditModel
import MACAuditIngest

/// The pool database's record of holders: every holder of every MAC, across runs.
///
/// An assignment is one (MAC, holder) pair, kept for as long as the database lives: *live* while
/// audits see it (or do not cover it), *gone* once an audit read the export that should list it and
/// it was not there, *released* when its grace period ends and the MAC returns to the pools' free
/// space. A holder whose MAC changes keeps its old assignment (gone) and gets a new one.
public protocol HolderRegistry: AnyObject {
    /// The live holders this run does not cover and that were seen since `query.since`: those of
    /// the audited clusters on hosts (or controllers) whose exports the run did not read, and those
    /// of other clusters that hold one of `query.macs`. Sorted by cluster, host, key.
    func recordedHolders(_ query: RecordedHolderQuery) throws -> [RecordedHolder]
    /// What happened to holders (appeared, moved, MAC changed, gone, returned, released), oldest
    /// first; only those of one run and/or one holder when asked.
    func holderEvents(run: Int64?, holder: String?) throws -> [HolderEvent]
    /// Every assignment of the holders whose key or label contains `text`, newest first.
    func assignments(matching text: String) throws -> [Assignment]
}

/// What an audit read, for deciding which database holders it covers.
public struct Coverage: Sendable, Hashable {
    /// The clusters of the inputs.
    public var clusters: Set<String>
    /// `cluster|host` (host by ``HostName/key(_:)``) of every host an adapter export listed adapters of.
    public var adapterHosts: Set<String>
    /// Clusters whose NC networkInterfaces export was read.
    public var controllerClusters: Set<String>
    /// Every input file read: a holder recorded from one of them that it no longer lists is not in
    /// it any more (an empty export names no host, but it is the file that listed the VM).
    public var files: Set<String>

    public init(clusters: Set<String>, adapterHosts: Set<String>, controllerClusters: Set<String>, files: Set<String> = []) {
        self.clusters = clusters; self.adapterHosts = adapterHosts; self.controllerClusters = controllerClusters; self.files = files
    }

    /// What the inputs of an audit cover.
    public init(inventory: Inventory, inputs: [InputSummary]) {
        var hosts = Set<String>()
        var last: (String, String)?
        for a in inventory.adapters where last.map({ $0.0 != a.cluster || $0.1 != a.host }) ?? true {
            hosts.insert(Self.place(a.cluster, a.host))
            last = (a.cluster, a.host)
        }
        self.init(clusters: Set(inputs.map(\.cluster)), adapterHosts: hosts,
                  controllerClusters: Set(inputs.filter { $0.kind == ExportKind.ncNetworkInterfaces.rawValue }.map(\.cluster))
                    .union(inventory.interfaces.map(\.cluster)),
                  files: Set(inputs.map(\.path)))
    }

    static func place(_ cluster: String, _ host: String) -> String { "\(cluster)|\(HostName.key(host))" }

    /// Whether this run read the export that should list a holder of `kind` (`adapter`,
    /// `host-vnic`, `interface`) on `host` of `cluster`, recorded from the file `source`: that
    /// file, or an adapter export of its host, or an NC interfaces export of its cluster.
    public func covers(kind: String, cluster: String, host: String, source: String) -> Bool {
        guard clusters.contains(cluster), kind != "imported" else { return false }
        if files.contains(source) { return true }
        if kind == "interface" { return controllerClusters.contains(cluster) }
        return adapterHosts.contains(Self.place(cluster, host))
    }
}

public struct RecordedHolderQuery: Sendable {
    public var coverage: Coverage
    /// The MACs of this run's holders, sorted and unique.
    public var macs: [UInt64]
    /// Holders last seen before this are left out (the horizon).
    public var since: Date

    public init(coverage: Coverage, macs: [UInt64], since: Date) { self.coverage = coverage; self.macs = macs; self.since = since }
}

/// One holder of one MAC as an audit saw it: what the database keeps per (MAC, holder), enough to
/// take part in a later audit's checks as it was.
public struct HolderSighting: Sendable, Hashable {
    public var key: String
    /// The NC interface's own key when the holder joins one to an adapter.
    public var alias: String?
    public var mac: MACAddress
    /// `adapter`, `host-vnic` or `interface`.
    public var kind: String
    public var cluster: String
    public var host: String
    public var vm: String?
    /// The adapter's name, or the NC interface's resourceId.
    public var name: String
    public var adapterId: String?
    public var interfaceId: String?
    public var instanceId: String?
    public var interfaceMAC: MACAddress?
    public var allocation: String?
    public var dynamicMAC: Bool?
    public var controllerManaged: Bool
    public var switchId: String?
    public var switchKey: String?
    public var segment: String
    public var source: SourceLocation

    public init(key: String, alias: String? = nil, mac: MACAddress, kind: String, cluster: String, host: String, vm: String? = nil,
                name: String, adapterId: String? = nil, interfaceId: String? = nil, instanceId: String? = nil,
                interfaceMAC: MACAddress? = nil, allocation: String? = nil, dynamicMAC: Bool? = nil, controllerManaged: Bool = false,
                switchId: String? = nil, switchKey: String? = nil, segment: String = "vlan:0", source: SourceLocation) {
        self.key = key; self.alias = alias; self.mac = mac; self.kind = kind; self.cluster = cluster; self.host = host; self.vm = vm
        self.name = name; self.adapterId = adapterId; self.interfaceId = interfaceId; self.instanceId = instanceId
        self.interfaceMAC = interfaceMAC; self.allocation = allocation; self.dynamicMAC = dynamicMAC
        self.controllerManaged = controllerManaged; self.switchId = switchId; self.switchKey = switchKey; self.segment = segment
        self.source = source
    }

    /// The sighting of a reconciled holder with a MAC; nil for one without (nothing to record).
    public init?(_ h: Holder) {
        guard let mac = h.mac.address else { return nil }
        let a = h.adapter, nic = h.interface
        self.init(key: h.key, alias: h.aliasKey, mac: mac, kind: h.subject.kind, cluster: h.cluster, host: h.host, vm: a?.vmName,
                  name: a?.name ?? nic?.resourceId ?? "", adapterId: a?.id, interfaceId: nic?.resourceId, instanceId: nic?.instanceId,
                  interfaceMAC: nic?.mac.address, allocation: nic?.allocation.rawValue, dynamicMAC: a?.dynamicMAC,
                  controllerManaged: h.isControllerManaged, switchId: a?.switchId, switchKey: h.switchKey, segment: h.segment,
                  source: (a?.source ?? nic?.source)!)
    }

    /// A one-line label, as ``Subject/label`` writes it.
    public var label: String {
        Subject(kind: kind, cluster: cluster, host: host.isEmpty ? nil : host, vm: vm, name: name).label
    }

    /// FNV-1a over everything but the key and the MAC: equal digests, nothing to update but last seen.
    public var digest: Int64 {
        var h = FNV1a()
        for field in [alias, kind, cluster, host, vm, name, adapterId, interfaceId, instanceId, interfaceMAC?.description, allocation,
                      dynamicMAC.map { $0 ? "1" : "0" }, controllerManaged ? "1" : "0", switchId, switchKey, segment, source.path,
                      String(source.record), String(source.line)] {
            if let field { h.add(field.utf8) }
            h.add(0x1F)
        }
        return Int64(bitPattern: h.value)
    }
}

/// A holder the database knows and this run did not read, with where the database got it.
public final class RecordedHolder: Sendable {
    public let sighting: HolderSighting
    public let lastRunId: Int64
    public let lastSeen: Date

    public init(sighting: HolderSighting, lastRunId: Int64, lastSeen: Date) {
        self.sighting = sighting; self.lastRunId = lastRunId; self.lastSeen = lastSeen
    }

    /// `pool database: run 12 (2026-11-30), cluster site-a, exports/site-a/adapters-A-N01.json`:
    /// the evidence's source (its `at` is the record in that export).
    public var evidenceSource: String {
        "pool database: run \(lastRunId) (\(Self.day(lastSeen))), cluster \(sighting.cluster), \(sighting.source.path)"
    }

    static func day(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }
}

/// One (MAC, holder) pair as the database keeps it.
public struct Assignment: Sendable, Hashable {
    public enum State: String, Sendable, Codable, CaseIterable { case live, gone, released }
    public var sighting: HolderSighting
    public var state: State
    public var firstSeen: Date
    public var lastSeen: Date
    public var firstRunId: Int64?
    public var lastRunId: Int64?
    public var goneAt: Date?

    public init(sighting: HolderSighting, state: State, firstSeen: Date, lastSeen: Date, firstRunId: Int64?, lastRunId: Int64?, goneAt: Date?) {
        self.sighting = sighting; self.state = state; self.firstSeen = firstSeen; self.lastSeen = lastSeen
        self.firstRunId = firstRunId; self.lastRunId = lastRunId; self.goneAt = goneAt
    }
}

/// Something that happened to a holder in a run.
public struct HolderEvent: Sendable, Hashable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Its MAC changed: `from` → `to`.
        case macChanged = "mac-changed"
        /// It is on another host (a live migration): `fromHost` → `toHost`.
        case moved
        /// The export that should list it did not: its MAC stays held for the grace period.
        case gone
        /// Seen again after being gone.
        case returned
        /// Gone for longer than the grace period: its MAC is free again.
        case released
        /// A row of an older macaudit (keyed by its label) is now known by its holder key.
        case rekeyed
        /// Its pending reservation's MAC is now its MAC.
        case fulfilled
    }
    public var runId: Int64
    public var at: Date
    public var holder: String
    public var label: String
    public var kind: Kind
    public var from: MACAddress?
    public var to: MACAddress?
    public var fromHost: String?
    public var toHost: String?

    public init(runId: Int64, at: Date, holder: String, label: String, kind: Kind, from: MACAddress? = nil, to: MACAddress? = nil,
                fromHost: String? = nil, toHost: String? = nil) {
        self.runId = runId; self.at = at; self.holder = holder; self.label = label; self.kind = kind; self.from = from; self.to = to
        self.fromHost = fromHost; self.toHost = toHost
    }

    /// `holder adapter:microsoft:…: 02-AA-00-00-00-01 → 02-AA-00-00-00-09 in run 12`.
    public var description: String {
        let what: String
        switch kind {
        case .macChanged: what = "\(from?.description ?? "?") → \(to?.description ?? "?")"
        case .moved: what = "moved \(fromHost ?? "?") → \(toHost ?? "?")"
        case .gone: what = "gone (\(from?.description ?? "?") held for the grace period)"
        case .returned: what = "returned with \(to?.description ?? "?")"
        case .released: what = "released \(from?.description ?? "?")"
        case .rekeyed: what = "re-keyed from its label (\(to?.description ?? "?"))"
        case .fulfilled: what = "took its reserved \(to?.description ?? "?")"
        }
        return "\(label) [\(holder)]: \(what) in run \(runId)"
    }
}
