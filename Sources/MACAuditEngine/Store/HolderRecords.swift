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
    /// Every holder the database has had of `mac`, now and before, in the order they were first seen.
    func assignments(of mac: MACAddress) throws -> [Assignment]
    /// How the use of `ranges` changed after run `run`: the MACs first held since then, and those
    /// held then whose every holder has gone since. The rate of a pool's exhaustion forecast.
    func useChange(in ranges: [MACRange], after run: Int64) throws -> UseChange
}

/// MACs that came into use and went out of use in a span of runs (``HolderRegistry/useChange(in:after:)``).
public struct UseChange: Sendable, Hashable {
    public var appeared: UInt64
    public var went: UInt64
    public var net: Int64 { Int64(appeared) - Int64(went) }
    public init(appeared: UInt64, went: UInt64) { self.appeared = appeared; self.went = went }
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

    /// What the inputs of an audit cover; its files as `storedPaths` gives them (else as given).
    public init(inventory: Inventory, inputs: [InputSummary], storedPaths: [String: String] = [:]) {
        var hosts = Set<String>()
        var last: (String, String)?
        for a in inventory.adapters where last.map({ $0.0 != a.cluster || $0.1 != a.host }) ?? true {
            hosts.insert(Self.place(a.cluster, a.host))
            last = (a.cluster, a.host)
        }
        self.init(clusters: Set(inputs.map(\.cluster)), adapterHosts: hosts,
                  controllerClusters: Set(inputs.filter { $0.kind == ExportKind.ncNetworkInterfaces.rawValue }.map(\.cluster))
                    .union(inventory.interfaces.map(\.cluster)),
                  files: Set(inputs.map { storedPaths[$0.path] ?? $0.path }))
    }

    static func place(_ cluster: String, _ host: String) -> String { "\(cluster)|\(HostName.key(host))" }

    /// Whether this run read the adapters of every host of `cluster` (every host of its clusters,
    /// for a finding of none) that another run read, `recordedHosts` being that run's
    /// ``adapterHosts`` as a store keeps them (one per line). An open finding that run reported is
    /// resolved only by a run that looked where it did: a host whose export is late or missing
    /// tonight leaves its findings open, as it leaves its holders live, instead of resolving them
    /// for tomorrow's run to report as new.
    public func readsEveryHost(of cluster: String?, readBy recordedHosts: String) -> Bool {
        recordedHosts.split(separator: "\n").allSatisfy { entry in
            let entryCluster = entry.prefix { $0 != "|" }
            let relevant = cluster.map { entryCluster == $0 } ?? clusters.contains(String(entryCluster))
            return !relevant || adapterHosts.contains(String(entry))
        }
    }

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

/// What an audit asks the database for: the holders its inputs do not cover that meet its MACs.
public struct RecordedHolderQuery: Sendable {
    public var coverage: Coverage
    /// Holders last seen before this are left out (the horizon).
    public var since: Date
    private let sortedMACs: Lazy<[UInt64]>

    /// The MACs of this run's holders, sorted and unique: made the first time a store asks, which
    /// a store holding nothing outside the audited clusters never does (sorting a million MACs
    /// is a quarter of a second).
    public var macs: [UInt64] { sortedMACs.value }

    public init(coverage: Coverage, macs: [UInt64], since: Date) { self.init(coverage: coverage, since: since) { macs } }

    public init(coverage: Coverage, since: Date, macs: @escaping @Sendable () -> [UInt64]) {
        self.coverage = coverage; self.since = since; sortedMACs = Lazy(macs)
    }
}

/// A value made once, the first time it is read, from any thread.
final class Lazy<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var make: (@Sendable () -> Value)?
    private var made: Value?

    init(_ make: @escaping @Sendable () -> Value) { self.make = make }

    var value: Value {
        lock.lock(); defer { lock.unlock() }
        if let made { return made }
        let value = make!()
        made = value; make = nil
        return value
    }
}

/// One holder of one MAC as an audit saw it: what the database keeps per (MAC, holder), enough to
/// take part in a later audit's checks as it was.
public struct HolderSighting: Sendable, Hashable {
    public let key: String
    /// The NC interface's own key when the holder joins one to an adapter.
    public let alias: String?
    public let mac: MACAddress
    /// `adapter`, `host-vnic` or `interface`.
    public let kind: String
    public let cluster: String
    public let host: String
    public let vm: String?
    /// The adapter's name, or the NC interface's resourceId.
    public let name: String
    public let adapterId: String?
    public let interfaceId: String?
    public let instanceId: String?
    public let interfaceMAC: MACAddress?
    public let allocation: String?
    public let dynamicMAC: Bool?
    public let controllerManaged: Bool
    public let switchId: String?
    public let switchKey: String?
    public let segment: String
    public let source: SourceLocation
    /// FNV-1a of the key: what the database indexes holders by (the key itself is kept beside it).
    public let keyHash: Int64
    /// FNV-1a over everything but the key and the MAC: equal digests, nothing to update.
    public private(set) var digest: Int64

    public init(key: String, alias: String? = nil, mac: MACAddress, kind: String, cluster: String, host: String, vm: String? = nil,
                name: String, adapterId: String? = nil, interfaceId: String? = nil, instanceId: String? = nil,
                interfaceMAC: MACAddress? = nil, allocation: String? = nil, dynamicMAC: Bool? = nil, controllerManaged: Bool = false,
                switchId: String? = nil, switchKey: String? = nil, segment: String = "vlan:0", source: SourceLocation) {
        self.init(key: key, alias: alias, mac: mac, kind: kind, cluster: cluster, host: host, vm: vm, name: name, adapterId: adapterId,
                  interfaceId: interfaceId, instanceId: instanceId, interfaceMAC: interfaceMAC, allocation: allocation, dynamicMAC: dynamicMAC,
                  controllerManaged: controllerManaged, switchId: switchId, switchKey: switchKey, segment: segment, source: source, hashes: nil)
    }

    /// As above; `hashes` are the key hash and digest when already known (they are not computed
    /// again; a key hash of 0 is computed, key hashes are never 0).
    init(key: String, alias: String?, mac: MACAddress, kind: String, cluster: String, host: String, vm: String?, name: String,
         adapterId: String?, interfaceId: String?, instanceId: String?, interfaceMAC: MACAddress?, allocation: String?, dynamicMAC: Bool?,
         controllerManaged: Bool, switchId: String?, switchKey: String?, segment: String, source: SourceLocation, hashes: (Int64, Int64)?) {
        self.key = key; self.alias = alias; self.mac = mac; self.kind = kind; self.cluster = cluster; self.host = host; self.vm = vm
        self.name = name; self.adapterId = adapterId; self.interfaceId = interfaceId; self.instanceId = instanceId
        self.interfaceMAC = interfaceMAC; self.allocation = allocation; self.dynamicMAC = dynamicMAC
        self.controllerManaged = controllerManaged; self.switchId = switchId; self.switchKey = switchKey; self.segment = segment
        self.source = source
        self.keyHash = hashes.map { $0.0 != 0 ? $0.0 : Self.keyHash(key) } ?? Self.keyHash(key)
        self.digest = hashes?.1 ?? 0
        if hashes == nil { self.digest = computedDigest }
    }

    /// The sighting of a reconciled holder with a MAC; nil for one without (nothing to record).
    /// Without `digest`, its ``digest`` is left 0 (a store that hashes the packed form needs none).
    public init?(_ h: Holder, digest: Bool = true) { self.init(h, hashes: digest ? nil : (0, 0)) }

    init?(_ h: Holder, hashes: (Int64, Int64)?) {
        guard let mac = h.mac.address else { return nil }
        let a = h.adapter, nic = h.interface
        self.init(key: h.key, alias: h.aliasKey, mac: mac, kind: a.map { $0.isManagementOS ? "host-vnic" : "adapter" } ?? "interface",
                  cluster: h.cluster, host: h.host, vm: a?.vmName, name: a?.name ?? nic?.resourceId ?? "", adapterId: a?.id,
                  interfaceId: nic?.resourceId, instanceId: nic?.instanceId, interfaceMAC: nic?.mac.address,
                  allocation: nic?.allocation.rawValue, dynamicMAC: a?.dynamicMAC, controllerManaged: h.isControllerManaged,
                  switchId: a?.switchId, switchKey: h.switchKey, segment: h.segment, source: (a?.source ?? nic?.source)!, hashes: hashes)
    }

    /// A one-line label, as ``Subject/label`` writes it.
    public var label: String {
        Subject(kind: kind, cluster: cluster, host: host.isEmpty ? nil : host, vm: vm, name: name).label
    }

    /// Never 0: 0 marks a row of an older macaudit, keyed by its label.
    public static func keyHash(_ key: String) -> Int64 {
        var h = FNV1a()
        h.add(key)
        return Int64(bitPattern: h.value | 1)
    }

    private var computedDigest: Int64 {
        var h = FNV1a()
        func text(_ field: String?) {
            if let field { h.add(field) }
            h.add(0x1F)
        }
        func number(_ n: Int64?) { h.add(littleEndian: n ?? -1) }
        text(alias); text(kind); text(cluster); text(host); text(vm); text(name); text(adapterId); text(interfaceId); text(instanceId)
        text(allocation); text(switchId); text(switchKey); text(segment); text(source.path)
        number(interfaceMAC.map { Int64($0.value) }); number(dynamicMAC.map { $0 ? 1 : 0 }); number(controllerManaged ? 1 : 0)
        number(Int64(source.record)); number(Int64(source.line))
        return Int64(bitPattern: h.value)
    }
}

/// The holders an audit records, as a store reads them: each one's key hash, digest, MAC and
/// packed form (``PackedSighting``), its place cheaply, and its full sighting only when an event or
/// a lookup needs it. Summaries and packed bytes are made in chunks on all cores, in the background
/// from the moment the record is made: a store reads chunk after chunk as each is ready, so a first
/// audit's million inserts overlap the packing of the holders after them. A re-audit of a million
/// unchanged holders builds no sighting in the store at all.
public struct HolderSightings: Sendable {
    public struct Summary: Sendable {
        public let keyHash: Int64
        /// ``PackedSighting/digest(_:)`` of its packed form: what the store compares.
        public let digest: Int64
        /// The key hash of the holder's NC interface when it joins one to an adapter; else 0.
        public let aliasHash: Int64
        public let mac: Int64
        public let dynamicMAC: Bool?
        /// Whether its place (cluster, host, kind, file) may differ from the holder before it's:
        /// true for the first of a chunk. A store looks a place up only there (holders come export
        /// by export, so a place is a stretch of holders).
        public let startsPlace: Bool
        /// Where its packed form is in its chunk's ``Chunk/bytes``.
        public let packedStart: Int32
        public let packedCount: Int32
    }

    /// Holders `base ..< base + summaries.count`, packed one after the other in `bytes`.
    public struct Chunk: Sendable {
        public let base: Int
        public let summaries: [Summary]
        public let bytes: [UInt8]

        /// Holder `n`'s packed bytes (`n` in this chunk), for the duration of `body`.
        public func withPacked<R>(_ n: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
            let s = summaries[n - base]
            return try bytes.withUnsafeBytes { all in
                try body(UnsafeRawBufferPointer(rebasing: all[Int(s.packedStart)..<Int(s.packedStart + s.packedCount)]))
            }
        }
    }

    /// Holders per chunk.
    public static let chunkSize = 1 << 12
    public let count: Int
    private let chunks: Chunks
    /// The reconciled holders (the snapshot's own buffer, not a copy) and, when some have no MAC,
    /// the positions of those that have one.
    private let holders: ArraySlice<Holder>
    private let withMAC: [Int32]?
    private let explicit: [HolderSighting]
    /// Each input's path as the database keeps it (``place(_:)``), by the path as given.
    private var storedPaths: [String: String] = [:]
    private let lastStoredPath = LastStoredPath()

    public var chunkCount: Int { (count + Self.chunkSize - 1) / Self.chunkSize }

    /// Sightings given as they are (tests, other front ends), packed here.
    public init(_ sightings: [HolderSighting]) {
        explicit = sightings
        holders = []
        withMAC = nil
        count = sightings.count
        chunks = Chunks(count: (sightings.count + Self.chunkSize - 1) / Self.chunkSize)
        for c in 0..<chunks.count { chunks.set(c, Self.chunk(c, count: count, sighting: { sightings[$0] })) }
    }

    /// The holders of a reconciled snapshot that have a MAC, packed in the background. Their
    /// exports are filed under `storedPaths[path]` where it has one (an input's absolute path:
    /// see `InputSet.storedPath(_:)`), else under the path as given.
    /// (Neither copied nor filtered when every holder has a MAC: this runs between the
    /// reconciliation and the checks, and a copy retains every holder once more.)
    public init(_ all: ArraySlice<Holder>, storedPaths: [String: String] = [:]) {
        holders = all
        var positions: [Int32]?
        for (i, h) in all.enumerated() where h.mac.address == nil {
            positions = Array(0..<Int32(i))
            positions!.append(contentsOf: (i + 1..<all.count).lazy.filter { all[all.startIndex + $0].mac.address != nil }.map { Int32($0) })
            break
        }
        withMAC = positions
        explicit = []
        self.storedPaths = storedPaths
        count = positions?.count ?? all.count
        let chunks = Chunks(count: (count + Self.chunkSize - 1) / Self.chunkSize)
        self.chunks = chunks
        let total = count
        let sightings = self
        Packers.start(chunks: chunks.count) { c in chunks.set(c, Self.chunk(c, count: total, holder: sightings.holder)) }
    }

    /// Threads of their own that pack chunks in order, one per core, each at a lower scheduling
    /// priority (nice + 5) than the rest of the audit: the store's recording thread, which writes
    /// the chunks, is what the audit waits for, and it should not queue behind the packing of
    /// chunks it will reach later. (When it waits for a chunk, it sleeps, and the packers run.)
    private enum Packers {
        static func start(chunks count: Int, _ pack: @escaping @Sendable (Int) -> Void) {
            guard count > 0 else { return }
            let next = NextChunk()
            for _ in 0..<min(count, max(1, ProcessInfo.processInfo.activeProcessorCount)) {
                let thread = Thread {
                    lowerPriority()
                    while let c = next.take(below: count) { pack(c) }
                }
                thread.name = "macaudit packing"
                thread.stackSize = 1 << 20
                thread.start()
            }
        }

        /// This thread's nice value raised by 5: Linux keeps a nice value per thread, and `who` 0 is
        /// the calling one. A failure changes nothing.
        private static func lowerPriority() {
            #if os(Linux)
            let which = __priority_which_t(PRIO_PROCESS.rawValue)
            _ = setpriority(which, 0, getpriority(which, 0) + 5)
            #endif
        }

        private final class NextChunk: @unchecked Sendable {
            private let lock = NSLock()
            private var next = 0
            func take(below count: Int) -> Int? {
                lock.lock(); defer { lock.unlock() }
                guard next < count else { return nil }
                next += 1
                return next - 1
            }
        }
    }

    public init(_ all: [Holder], storedPaths: [String: String] = [:]) { self.init(all[...], storedPaths: storedPaths) }

    /// Holder `i` of those with a MAC.
    fileprivate func holder(_ i: Int) -> Holder {
        holders[holders.startIndex + (withMAC.map { Int($0[i]) } ?? i)]
    }

    /// Chunk `c`, once it is packed.
    public func chunk(_ c: Int) -> Chunk { chunks.get(c) }

    /// Holder `n`'s summary (waits for its chunk; a loop over all holders takes them by chunk).
    public func summary(_ n: Int) -> Summary { chunk(n / Self.chunkSize).summaries[n % Self.chunkSize] }

    /// Holder `n`'s packed bytes, for the duration of `body`.
    public func withPacked<R>(_ n: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try chunk(n / Self.chunkSize).withPacked(n, body)
    }

    /// Chunk `c` of sightings given as they are.
    private static func chunk(_ c: Int, count: Int, sighting: (Int) -> HolderSighting) -> Chunk {
        var previous: HolderSighting?
        return chunk(c, count: count) { i, writer, bytes in
            let s = sighting(i)
            defer { previous = s }
            writer.append(s, to: &bytes)
            return (s.keyHash, s.alias.map(HolderSighting.keyHash) ?? 0, s.mac, s.dynamicMAC, previous.map { !Self.samePlace($0, s) } ?? true)
        }
    }

    /// Chunk `c` of reconciled holders, packed straight from them (``PackedSighting/Writer/append(holder:to:)``).
    private static func chunk(_ c: Int, count: Int, holder: (Int) -> Holder) -> Chunk {
        var previous: Holder?
        return chunk(c, count: count) { i, writer, bytes in
            let h = holder(i)
            defer { previous = h }
            let (keyHash, aliasHash) = writer.append(holder: h, to: &bytes)
            return (keyHash, aliasHash, h.mac.address!, h.adapter?.dynamicMAC, previous.map { !Self.samePlace($0, h) } ?? true)
        }
    }

    /// What packing one holder gives besides its bytes: key hash, alias hash, MAC, dynamic MAC and
    /// whether its place may differ from the holder before it's.
    private typealias Packed = (keyHash: Int64, aliasHash: Int64, mac: MACAddress, dynamicMAC: Bool?, startsPlace: Bool)

    /// Chunk `c`'s summaries and packed bytes, `pack` appending holder `i`'s to a sink with room
    /// for most chunks (a holder packs in about 80 to 250 bytes); the chunk keeps an array of
    /// exactly the bytes written, and the sink's buffer goes back to the allocator for the next one.
    private static func chunk(_ c: Int, count: Int, _ pack: (Int, inout PackedSighting.Writer, inout ByteSink) -> Packed) -> Chunk {
        let range = c * chunkSize..<min(count, (c + 1) * chunkSize)
        var summaries: [Summary] = []
        summaries.reserveCapacity(range.count)
        var sink = ByteSink(capacity: range.count * 160)
        var writer = PackedSighting.Writer()
        var packed: [Packed] = [], spans: [Range<Int>] = []  // each holder's packing, and where its bytes are
        packed.reserveCapacity(range.count)
        spans.reserveCapacity(range.count)
        for i in range {
            let start = sink.count
            packed.append(pack(i, &writer, &sink))
            spans.append(start..<sink.count)
        }
        let digests = sink.withBytes(from: 0) { PackedSighting.digests(of: spans, in: $0) }
        for (n, p) in packed.enumerated() {
            summaries.append(Summary(keyHash: p.keyHash, digest: digests[n], aliasHash: p.aliasHash, mac: Int64(p.mac.value),
                                     dynamicMAC: p.dynamicMAC, startsPlace: p.startsPlace || n == 0,
                                     packedStart: Int32(spans[n].lowerBound), packedCount: Int32(spans[n].count)))
        }
        return Chunk(base: range.lowerBound, summaries: summaries, bytes: sink.bytes)
    }

    /// Whether two sightings were listed by one export (the same strings, mostly: one comparison each).
    private static func samePlace(_ a: HolderSighting, _ b: HolderSighting) -> Bool {
        a.cluster == b.cluster && a.host == b.host && a.kind == b.kind && a.source.path == b.source.path
    }

    /// The same for two reconciled holders.
    private static func samePlace(_ a: Holder, _ b: Holder) -> Bool {
        a.cluster == b.cluster && a.host == b.host && kind(of: a) == kind(of: b) && source(of: a).path == source(of: b).path
    }

    private static func kind(of h: Holder) -> String { h.adapter.map { $0.isManagementOS ? "host-vnic" : "adapter" } ?? "interface" }
    private static func source(of h: Holder) -> SourceLocation { (h.adapter?.source ?? h.interface?.source)! }

    /// Chunks filled by background workers and waited for by readers.
    private final class Chunks: @unchecked Sendable {
        let count: Int
        private var slots: [Chunk?]
        private let condition = NSCondition()

        init(count: Int) { self.count = count; slots = Array(repeating: nil, count: count) }

        func set(_ c: Int, _ chunk: Chunk) {
            condition.lock(); defer { condition.unlock() }
            slots[c] = chunk
            condition.broadcast()
        }

        func get(_ c: Int) -> Chunk {
            condition.lock(); defer { condition.unlock() }
            while slots[c] == nil { condition.wait() }
            return slots[c]!
        }
    }

    /// Everything the database keeps of holder `i`.
    public func sighting(_ i: Int) -> HolderSighting {
        explicit.isEmpty ? HolderSighting(holder(i))! : explicit[i]
    }

    /// Which export listed holder `i`: cluster, host, kind and file.
    public func place(_ i: Int) -> (cluster: String, host: String, kind: String, source: String) {
        guard explicit.isEmpty else { let s = explicit[i]; return (s.cluster, s.host, s.kind, s.source.path) }
        let h = holder(i)
        return (h.cluster, h.host, Self.kind(of: h), lastStoredPath.stored(Self.source(of: h).path) { storedPaths[$0] ?? $0 })
    }

    /// The stored path of the last path ``place(_:)`` mapped: holders come export by export and
    /// share their export's path string, so most look-ups compare one pointer instead of hashing a path.
    private final class LastStoredPath: @unchecked Sendable {
        private let lock = NSLock()
        private var given = "", stored = ""

        func stored(_ path: String, _ map: (String) -> String) -> String {
            lock.lock(); defer { lock.unlock() }
            if path != given { given = path; stored = map(path) }
            return stored
        }
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
    /// The last run that saw the holder.
    public var lastRunId: Int64?
    public var goneAt: Date?
    public var lastSeenRunId: Int64 { lastRunId ?? 0 }

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
