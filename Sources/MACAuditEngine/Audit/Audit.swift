import MACAuditModel
import MACAuditIngest
import Dispatch
import Foundation

/// A finding's standing across runs, as the pool database and the baselines tell it. Kept beside
/// the findings (by finding id), never written onto them: the checks' output stays what they said.
public struct FindingStatus: Sendable, Hashable {
    /// New or persisting (and since when), when the audit recorded its run in a pool database.
    public var history: FindingHistory?
    /// The baseline entry (database or file) that accepts the finding.
    public var accepted: BaselineEntry?

    public init(history: FindingHistory? = nil, accepted: BaselineEntry? = nil) { self.history = history; self.accepted = accepted }

    /// `accepted`, `new` or `persisting`; nil when the audit kept no history and nothing accepts it.
    public var label: String? { accepted != nil ? "accepted" : history?.status.rawValue }
}

/// The result of one audit, as the stages made it: what was read, the reconciled snapshot, what the
/// checks found, what the database and baselines say of it, and the plan. Renderers turn it into
/// text, JSON and the other formats; the exit code follows from it.
public struct AuditReport: Sendable {
    public let generatedAt: Date
    public let inputs: [InputSummary]
    public let warnings: [InputWarning]
    /// The reconciled picture the checks judged (holders, pools, what the captures showed).
    public let snapshot: Snapshot
    /// In report order: worst first, then check, MAC, subjects.
    public let findings: [Finding]
    /// What the pool database recorded of this run, when there was one.
    public let recorded: RunOutcome?
    /// Per finding id: new, persisting, accepted. Empty without a database or baseline.
    public let statuses: [String: FindingStatus]
    /// The reassignment plan, when one was asked for.
    public let plan: Plan?
    /// The IEEE registry the vendor checks used, if one was found.
    public var registry: OUIRegistry?
    /// What the pool database remembers around this run (trend, pool forecasts), when asked for.
    public var history: AuditHistory?

    public init(generatedAt: Date, inputs: [InputSummary], warnings: [InputWarning], snapshot: Snapshot, findings: [Finding],
                recorded: RunOutcome? = nil, statuses: [String: FindingStatus] = [:], plan: Plan? = nil) {
        self.generatedAt = generatedAt; self.inputs = inputs; self.warnings = warnings; self.snapshot = snapshot
        self.findings = findings; self.recorded = recorded; self.statuses = statuses; self.plan = plan
    }

    /// The holders this run read.
    public var holderCount: Int { snapshot.inputHolders.count }
    /// The pool database's holders that took part in the checks (other clusters, late hosts).
    public var databaseHolderCount: Int { snapshot.recordedCount }
    /// What happened to holders in the recorded run.
    public var holderEvents: [HolderEvent] { recorded?.events ?? [] }
    public var poolCount: Int { snapshot.pools.count }
    /// What the captures showed, when the audit read any.
    public var wire: WireSnapshot? { snapshot.wire }
    /// The run recorded in the pool database, when there was one.
    public var runId: Int64? { recorded?.runId }
    /// Findings open after the previous run that this run no longer reports.
    public var resolved: [ResolvedFinding] { recorded?.resolved ?? [] }

    /// The finding's standing (new, persisting, accepted), if the audit knows one.
    public func status(of finding: Finding) -> FindingStatus? { statuses[finding.id] }

    /// Inventory MACs no capture showed: listed, not judged (the VM may be off or quiet).
    public var unseen: [Subject] {
        guard let wire else { return [] }
        let seen = Set(wire.table.stations.map(\.mac.value))
        return snapshot.holders.filter { h in h.mac.address.map { !seen.contains($0.value) } ?? false }
            .map { var s = $0.subject; s.id = $0.mac.address?.description; return s }.sorted()
    }

    /// Findings per severity, every severity present (zero when none).
    public var summary: [Severity: Int] {
        var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
        for f in findings { counts[f.severity, default: 0] += 1 }
        return counts
    }

    /// 0 when no finding is at or above `failOn`, 1 otherwise (2 is for unreadable input, decided
    /// earlier). Accepted findings never count; with `onlyNew`, only findings new in this run count.
    public func exitCode(failOn: Severity, onlyNew: Bool = false) -> Int32 {
        findings.contains { f in
            let status = statuses[f.id]
            return f.severity >= failOn && status?.accepted == nil
                && (!onlyNew || status?.history == nil || status?.history?.status == .new)
        } ? 1 : 0
    }

    /// A digest of what was read (paths, kinds, record counts, encodings), to tell "same inputs as
    /// last night" in the run history.
    public var inputsDigest: String { Audit.digest(inputs) }
}

/// Ingest → reconcile → checks → (database, baseline) → plan, as one call.
public enum Audit {
    /// Reads `paths` (files and folders), reconciles them with the rules' pools and runs every check.
    /// Throws ``IngestError`` for unreadable input; nothing is written in that case.
    public static func run(paths: [String], cluster: String? = nil, rules: Rules, now: Date = Date()) throws -> AuditReport {
        try run(paths: paths, cluster: cluster, rules: rules, store: nil, baseline: [], now: now)
    }

    /// The audit with history (and, with `verify`, the plan applied and checked: ``PlanVerifier``):
    /// pools from the database join those of the inputs, the database's
    /// holders that this run does not cover take part in the checks (``databaseHolders``), the
    /// run, every holder read and the findings are recorded, and every finding gets its status
    /// (new, persisting or accepted by the database's or the file's baseline). With `reportedLater`,
    /// the run is recorded as not yet reported: the caller writes the report and then calls
    /// ``AuditLog/markReported(run:)``, so that a report that never gets written (a full disk, a
    /// kill) leaves the run's new findings new for the next one.
    public static func run(paths: [String], cluster: String? = nil, rules: Rules, store: (any PoolStore)?,
                           baseline: [BaselineEntry], captureReader: CaptureFileReader? = nil, plan wantsPlan: Bool = false,
                           verify: Bool = false, keepGoing: Bool = false, database: DatabaseOptions = DatabaseOptions(), reportedLater: Bool = false,
                           now: Date = Date()) throws -> AuditReport {
        let clock = PhaseClock()
        let inputSet = try InputSet(paths: paths, clusterOverride: cluster, keepGoing: keepGoing)
        clock.lap("find inputs")
        var (inventory, inputs, warnings) = try inputSet.read()  // warnings: also those of the rules below
        let wire = try readCaptures(inputSet.captures, with: captureReader)
        if let wire {
            inputs += wire.summaries.map(\.inputSummary)
            warnings += wire.warnings
        }
        clock.lap("ingest")
        var extra = rules
        // The database files holders under their exports' absolute paths: a run from another
        // folder, or naming the same folder another way, reads the same places.
        let storedPaths = store == nil ? [:] : inputSet.storedPaths
        let coverage = Coverage(inventory: inventory, inputs: inputs, storedPaths: storedPaths)
        var recordedHolders: [RecordedHolder] = [], claims: [Reservation] = []
        var joined: [Holder]?
        var accepted = baseline.filter { $0.isActive(at: now) }
        if let store {
            // The database's part is read on another thread while this one joins the inputs'
            // holders: neither needs the other. (The baseline too: a read once the run is
            // recorded would overlap the checkpoint that follows it, and keep it from emptying the WAL.)
            let since = now.addingTimeInterval(-database.horizon), frozen = inventory
            let read = OnAnotherThread("macaudit database read") {
                (pools: try store.pools().flatMap(\.pools), holders: try databaseHolders(store, frozen, coverage, since: since),
                 claims: try store.pendingClaims(), baseline: try store.baseline())
            }
            joined = Reconciler.join(inventory)
            let part = try read.result()
            extra.pools += newPools(part.pools, besides: inventory.pools + rules.pools)
            recordedHolders = part.holders
            claims = part.claims
            accepted = part.baseline.filter { $0.isActive(at: now) } + accepted
            clock.lap("join the inputs' holders, read database")
        }
        // With a database, the run and its holders are recorded as soon as they are reconciled, while the checks run.
        var recording: AuditRecording?
        let (snapshot, findings) = judge(inventory, joined: joined, rules: extra, wire: wire, recorded: recordedHolders, reservations: claims,
                                         audited: store == nil ? nil : coverage.clusters, clock: clock) { reconciled in
            guard let store else { return }
            var record = auditRecord(
                inputs: inputs, storedPaths: storedPaths, holders: HolderSightings(reconciled.inputHolders, storedPaths: storedPaths), coverage: coverage, findings: [],
                releaseAfter: database.releaseAfter, at: now)
            record.reported = !reportedLater
            recording = AuditRecording(store: store, record: record)
        }
        warnings += unmatchedRuleNames(rules.pools, snapshot)
        var recorded: RunOutcome?
        if let recording {
            recording.hand(findings)
            WorkProgress.shared.begin("recording the run in the database")
            recorded = try recording.outcome()
            clock.lap("record")
        }
        let statuses = statuses(findings, history: recorded?.history ?? [:], accepted: accepted)
        var plan = wantsPlan || verify ? try makePlan(snapshot, findings, statuses: statuses, rules: extra, store: store, runId: recorded?.runId) : nil
        if verify, let made = plan {
            clock.lap("plan")
            plan?.verification = PlanVerifier.verify(made, PlanVerifier.Inputs(
                inventory: inventory, snapshot: snapshot, findings: findings, rules: extra, recorded: recordedHolders,
                reservations: claims, audited: store == nil ? nil : coverage.clusters))
            clock.lap("verify")
        }
        var report = AuditReport(generatedAt: now, inputs: inputs, warnings: warnings, snapshot: snapshot, findings: findings,
                                 recorded: recorded, statuses: statuses, plan: plan)
        report.registry = rules.registry
        return report
    }

    /// How an audit uses its pool database.
    public struct DatabaseOptions: Sendable {
        /// Database holders not seen for longer take no part (`--db-horizon`).
        public var horizon: TimeInterval
        /// A gone holder's MAC returns to the free space after this long (`--release-after`).
        public var releaseAfter: TimeInterval

        public init(horizon: TimeInterval = AuditRecord.defaultHorizon, releaseAfter: TimeInterval = AuditRecord.defaultReleaseAfter) {
            self.horizon = horizon; self.releaseAfter = releaseAfter
        }
    }

    /// The database's live holders, seen within the horizon, that this run does not cover: those
    /// of audited clusters on hosts whose exports were not read, and those of other clusters that
    /// share a MAC with this run. A holder the run did read (same key, perhaps on another host
    /// after a migration, or with another MAC) is the run's, not the database's.
    static func databaseHolders(_ store: any PoolStore, _ inventory: Inventory, _ coverage: Coverage, since: Date) throws -> [RecordedHolder] {
        let candidates = try store.recordedHolders(RecordedHolderQuery(coverage: coverage, since: since) {
            (inventory.adapters.compactMap { $0.mac.address?.value } + inventory.interfaces.compactMap { $0.mac.address?.value }).sortedUnique()
        })
        guard !candidates.isEmpty else { return [] }
        let wanted = Set(candidates.map(\.sighting.key))
        var read = Set(concurrentChunks(inventory.adapters.count) { range in
            inventory.adapters[range].compactMap { a -> String? in
                let key = HolderKey.of(adapter: a, cluster: a.cluster, host: a.host)
                return wanted.contains(key) ? key : nil
            }
        })
        for nic in inventory.interfaces { let key = HolderKey.of(interface: nic); if wanted.contains(key) { read.insert(key) } }
        return candidates.filter { !read.contains($0.sighting.key) }
    }

    /// Audits an inventory already in memory (tests, the benchmark, other front ends).
    public static func run(inventory: Inventory, inputs: [InputSummary] = [], warnings: [InputWarning] = [],
                           rules: Rules, now: Date = Date(), wire: WireSnapshot? = nil) -> AuditReport {
        let (snapshot, findings) = judge(inventory, rules: rules, wire: wire, clock: PhaseClock())
        var report = AuditReport(generatedAt: now, inputs: inputs, warnings: warnings, snapshot: snapshot, findings: findings)
        report.registry = rules.registry
        return report
    }

    /// Captures alone: the wire checks on what the captures showed. No inventory, so no pools are
    /// judged (the rules' pools describe holders, and there are none).
    public static func run(capture wire: WireSnapshot, rules: Rules, now: Date = Date()) -> AuditReport {
        var wireRules = rules
        wireRules.pools = []
        return run(inventory: Inventory(), inputs: wire.summaries.map(\.inputSummary), warnings: wire.warnings,
                   rules: wireRules, now: now, wire: wire)
    }

    /// The database's pools that are not already among the inputs' and rules' pools. A pool
    /// imported from an export (`pool import vmhosts.json`) and read from that export again is one
    /// pool: same kind, cluster, host and range (the database may have prefixed an NC pool's name
    /// with its cluster). Counted twice, it would change the findings that name it and their ids.
    static func newPools(_ stored: [Pool], besides known: [Pool]) -> [Pool] {
        let seen = Set(known.map(\.allocation))
        return stored.filter { !seen.contains($0.allocation) }
    }

    /// How many times a plan is made again when concurrent planners took some of its MACs.
    static let planAttempts = 5

    /// Plans the fixes of the findings; with a database, against its assignments and reservations,
    /// reusing a holder's pending reservation, and reserving the plan all or none in one
    /// transaction. MACs another planner reserved meanwhile are planned around, a few times; a race
    /// that never settles is a ``StoreError/conflict(_:)``.
    static func makePlan(_ snapshot: Snapshot, _ findings: [Finding], statuses: [String: FindingStatus], rules: Rules,
                         store: (any PoolStore)?, runId: Int64?) throws -> Plan {
        let accepted = Set(statuses.filter { $0.value.accepted != nil }.keys)
        guard let store else { return Planner.plan(snapshot, findings: findings, rules: rules, accepted: accepted) }
        var taken: [UInt64] = []
        for _ in 0..<planAttempts {
            let used = (try store.usedMACs() + taken).sorted()
            let plan = Planner.plan(snapshot, findings: findings, rules: rules, alsoUsed: used, pending: try store.pendingReservations(),
                                    accepted: accepted)
            guard !plan.proposals.isEmpty else { return plan }
            let requests = plan.proposals.map {
                ReservationRequest(holder: $0.holderKey, mac: $0.to, pool: $0.pool, current: $0.from.address, label: $0.subject.label)
            }
            switch try store.reserve(requests, runId: runId) {
            case .reserved: return plan
            case .conflicts(let conflicts): taken += conflicts.map(\.mac.value)
            }
        }
        throw StoreError.conflict("\(store.location): other planners kept reserving the MACs this plan chose (\(planAttempts) attempts); run the audit again")
    }

    /// Reads every capture, in path order, into one sighting table: a byte copy of another once
    /// (with a warning), and the claims of several in the order of their timestamps.
    public static func readCaptures(_ named: [String], with reader: CaptureFileReader?) throws -> WireSnapshot? {
        guard !named.isEmpty else { return nil }
        guard let reader else { throw IngestError(file: named[0], message: "is a capture, and this build reads no captures") }
        let (paths, copies) = InputSet.distinctCaptures(named)
        var wire = WireSnapshot(files: paths)
        wire.setWarnings = copies
        wire.table.ordersClaimsByTime = paths.count > 1
        WorkProgress.shared.begin("reading captures", files: paths.count, bytes: paths.map(InputSet.size).reduce(0, +))
        for (i, path) in paths.enumerated() {
            wire.summaries.append(try reader(path, Int32(i), &wire.table))
            WorkProgress.shared.finishedFile(bytes: 0)
        }
        wire.table.orderClaimsByTime()
        return wire
    }

    /// Reconcile, then every check. With database holders, a finding about those of clusters this
    /// run does not audit alone is not this run's to report. `joined`: the inputs' holders, when
    /// the caller joined them already (``Reconciler/join(_:)``).
    /// `reconciled` sees the snapshot before the checks start.
    static func judge(_ inventory: Inventory, joined: [Holder]? = nil, rules: Rules, wire: WireSnapshot?, recorded: [RecordedHolder] = [],
                      reservations: [Reservation] = [], audited: Set<String>? = nil, clock: PhaseClock,
                      reconciled: (Snapshot) -> Void = { _ in }) -> (Snapshot, [Finding]) {
        WorkProgress.shared.begin("reconciling and checking")
        var snapshot = Reconciler.snapshot(joined ?? Reconciler.join(inventory), inventory, extraPools: rules.pools, wire: wire,
                                           recorded: recorded, reservations: reservations)
        snapshot.auditedClusters = audited
        clock.lap("reconcile")
        reconciled(snapshot)
        var findings = CheckRegistry.run(snapshot, rules: rules)
        if snapshot.recordedCount > 0 {
            findings.removeAll { f in !f.holders.isEmpty && !f.holders.contains { snapshot.isAudited(snapshot.holders[$0.index]) } }
        }
        clock.lap("checks")
        return (snapshot, findings)
    }

    /// A rule pool that names a cluster the inputs do not have, or a host its cluster's inputs do not
    /// have (`sample-clustr`, `HCI-N2`), makes every adapter of the real one out of pool without
    /// saying why: one warning per name, naming the rule file. Said only about clusters the inputs
    /// cover with adapters at all (a capture alone or an NC-only export proves nothing).
    static func unmatchedRuleNames(_ pools: [Pool], _ snapshot: Snapshot) -> [InputWarning] {
        let named = pools.filter { $0.kind == .defined && $0.cluster != nil }
        guard !named.isEmpty else { return [] }
        let adapters = snapshot.holders.filter(\.hasAdapter)
        guard !adapters.isEmpty else { return [] }
        let clusters = Set(runs: adapters.map(\.cluster))
        // Holders come in runs of one host: the distinct (cluster, host) pairs first, keys after.
        struct Place: Hashable { var cluster: String; var host: String }
        var hosts: [String: Set<String>] = [:]
        for place in Set(runs: adapters.map { Place(cluster: $0.cluster, host: $0.host) }) {
            hosts[place.cluster, default: []].insert(HostName.key(place.host))
        }
        var said = Set<String>(), out: [InputWarning] = []
        for pool in named {
            let cluster = pool.cluster ?? ""
            let source = pool.source.path
            if !clusters.contains(cluster) {
                if said.insert("\(source)|\(cluster)").inserted {
                    out.append(InputWarning(source: source, message: "names cluster '\(cluster)', which no input has (inputs have: \(clusters.sorted().joined(separator: ", ")))"))
                }
            } else if let host = pool.host, !(hosts[cluster]?.contains(HostName.key(host)) ?? false) {
                if said.insert("\(source)|\(cluster)|\(host)").inserted {
                    out.append(InputWarning(source: source, message: "names host '\(host)' in cluster '\(cluster)', which no input of that cluster has"))
                }
            }
        }
        return out
    }

    /// Each finding's standing: the database's history, and the first baseline entry that accepts it
    /// (by its id, or by the id macaudit gave it before holder keys: ``Finding/legacyId``).
    static func statuses(_ findings: [Finding], history: [String: FindingHistory], accepted: [BaselineEntry]) -> [String: FindingStatus] {
        guard !history.isEmpty || !accepted.isEmpty else { return [:] }
        let byId = Dictionary(accepted.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String: FindingStatus] = [:]
        for f in findings {
            // A baseline file written before holders had keys names the finding by its legacy id.
            let status = FindingStatus(history: history[f.id], accepted: byId.isEmpty ? nil : byId[f.id] ?? byId[f.legacyId])
            if status.history != nil || status.accepted != nil { out[f.id] = status }
        }
        return out
    }

    /// What the pool database records of an audit: the holders this run read, never those the
    /// database itself added, and a digest of its inputs under their stored paths (one folder
    /// named two ways is the same inputs).
    static func auditRecord(inputs: [InputSummary], storedPaths: [String: String], holders: HolderSightings, coverage: Coverage,
                            findings: [Finding], releaseAfter: TimeInterval, at: Date) -> AuditRecord {
        let stored = inputs.map { input in
            var input = input
            input.path = storedPaths[input.path] ?? input.path
            return input
        }
        return AuditRecord(at: at, inputsDigest: digest(stored), inputCount: inputs.count, coverage: coverage,
                           holders: holders, findings: findings, releaseAfter: releaseAfter)
    }

    /// FNV-1a over the inputs' paths, kinds, record counts and encodings, in path order.
    static func digest(_ inputs: [InputSummary]) -> String {
        var hash = FNV1a()
        for input in inputs.sorted(by: { $0.path < $1.path }) {
            hash.add("\(input.path)|\(input.kind)|\(input.records)|\(input.encoding)\n".utf8)
        }
        return hash.hex
    }
}

extension StoredPool {
    /// The core's view: one `Pool` per range.
    public var pools: [Pool] {
        spec.ranges.map { Pool(name: spec.name, range: $0, kind: spec.kind, host: spec.host, cluster: spec.cluster,
                               source: SourceLocation(path: "pool database", record: Int(id), line: 0)) }
    }
}

/// Prints the wall time of each phase, the CPU time all threads spent in it (user + system: how
/// many cores it kept busy) and the resident memory after it to stderr when `MACAUDIT_PROFILE` is
/// set; silent otherwise.
public final class PhaseClock: @unchecked Sendable {
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    static func residentMiB() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
              let kb = Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") else { return -1 }
        return kb / 1024
    }

    private var last = DispatchTime.now().uptimeNanoseconds
    private var lastCPU = PhaseClock.cpuSeconds()
    /// Whether `MACAUDIT_PROFILE` asks for the figures.
    public static let enabled = ProcessInfo.processInfo.environment["MACAUDIT_PROFILE"] != nil
    private var enabled: Bool { Self.enabled }

    /// A line of the profile on stderr.
    static func say(_ line: String) { FileHandle.standardError.write(Data("macaudit: \(line)\n".utf8)) }

    public init() {}

    public func lap(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds, cpu = Self.cpuSeconds()
        let line = String(format: "macaudit: %@ %.3f s (CPU %.3f s), resident %d MiB\n",
                          phase, Double(now - last) / 1e9, cpu - lastCPU, Self.residentMiB())
        FileHandle.standardError.write(Data(line.utf8))
        last = now
        lastCPU = cpu
    }
}
