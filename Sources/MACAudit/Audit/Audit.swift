import Dispatch
import Foundation

/// The result of one audit: what was read, what was found. Renderers turn it into text, JSON and
/// the other formats; the exit code follows from it.
public struct AuditReport: Sendable {
    public var generatedAt: Date
    public var inputs: [InputSummary]
    public var warnings: [InputWarning]
    /// In report order: worst first, then check, MAC, subjects.
    public var findings: [Finding]
    public var holderCount: Int
    public var poolCount: Int
    /// The run recorded in the pool database, when there was one.
    public var runId: Int64?
    /// Findings open after the previous run that this run no longer reports.
    public var resolved: [ResolvedFinding] = []
    /// The snapshot's holders, for recording assignments.
    var holders: [Holder] = []
    public internal(set) var snapshot: Snapshot?
    /// The reassignment plan, when one was asked for.
    public var plan: Plan?
    /// What the captures showed, when the audit read any.
    public var wire: WireSnapshot?
    /// Inventory MACs no capture showed: listed, not judged (the VM may be off or quiet).
    public var unseen: [Subject] {
        guard let wire else { return [] }
        let seen = Set(wire.table.stations.map(\.mac.value))
        return holders.filter { h in h.mac.address.map { !seen.contains($0.value) } ?? false }
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
            f.severity >= failOn && f.accepted == nil && (!onlyNew || f.history == nil || f.history?.status == .new)
        } ? 1 : 0
    }

    /// A digest of what was read (paths, kinds, record counts, encodings), to tell "same inputs as
    /// last night" in the run history.
    public var inputsDigest: String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for input in inputs.sorted(by: { $0.path < $1.path }) {
            for b in "\(input.path)|\(input.kind)|\(input.records)|\(input.encoding)\n".utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01B3 }
        }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

/// Ingest → reconcile → checks, as one call.
public enum Audit {
    /// Reads `paths` (files and folders), reconciles them with the rules' pools and runs every check.
    /// Throws ``IngestError`` for unreadable input; nothing is written in that case.
    public static func run(paths: [String], cluster: String? = nil, rules: Rules, now: Date = Date()) throws -> AuditReport {
        try run(paths: paths, cluster: cluster, rules: rules, store: nil, baseline: [], now: now)
    }

    /// The audit with history: pools from the database join those of the inputs, the run, the MACs
    /// in use and the findings are recorded, and every finding gets its status (new, persisting or
    /// accepted by the database's or the file's baseline).
    public static func run(paths: [String], cluster: String? = nil, rules: Rules, store: PoolStore?,
                           baseline: [BaselineEntry], captureReader: CaptureFileReader? = nil, plan: Bool = false,
                           now: Date = Date()) throws -> AuditReport {
        let clock = PhaseClock()
        let inputSet = try InputSet(paths: paths, clusterOverride: cluster)
        clock.lap("find inputs")
        var (inventory, inputs, warnings) = try inputSet.read()
        let wire = try readCaptures(inputSet.captures, with: captureReader)
        if let wire {
            inputs += wire.summaries.map(\.inputSummary)
            warnings += wire.summaries.flatMap(\.warnings)
        }
        clock.lap("ingest")
        var extra = rules
        if let store { extra.pools += try store.pools().flatMap(\.pools) }
        var report = run(inventory: inventory, inputs: inputs, warnings: warnings, rules: extra, now: now, clock: clock, wire: wire)
        if let store {
            let outcome = try store.record(audit: report.auditRecord)
            report.runId = outcome.runId
            report.resolved = outcome.resolved
            for i in report.findings.indices { report.findings[i].history = outcome.history[report.findings[i].id] }
            let accepted = try store.baseline().filter { $0.isActive(at: now) }
            report.accept(accepted)
            clock.lap("record")
        }
        report.accept(baseline.filter { $0.isActive(at: now) })
        if plan { try makePlan(&report, rules: extra, store: store) }
        return report
    }

    /// Audits an inventory already in memory (tests, the benchmark, other front ends).
    public static func run(inventory: Inventory, inputs: [InputSummary] = [], warnings: [InputWarning] = [],
                           rules: Rules, now: Date = Date(), wire: WireSnapshot? = nil) -> AuditReport {
        run(inventory: inventory, inputs: inputs, warnings: warnings, rules: rules, now: now, clock: PhaseClock(), wire: wire)
    }

    /// Plans the fixes of the report's findings; with a database, against its assignments and
    /// reservations, reusing a holder's pending reservation, and reserving the plan in one transaction.
    static func makePlan(_ report: inout AuditReport, rules: Rules, store: PoolStore?) throws {
        guard let snapshot = report.snapshot else { return }
        let used = try store?.usedMACs() ?? []
        let pending = try store?.pendingReservations() ?? [:]
        let plan = Planner.plan(snapshot, findings: report.findings, rules: rules, alsoUsed: used, pending: pending)
        if let store, !plan.proposals.isEmpty {
            _ = try store.reserve(plan: plan.proposals.map { ($0.holderKey, $0.to, $0.pool) }, runId: report.runId)
        }
        report.plan = plan
    }

    /// Reads every capture, in path order, into one sighting table.
    public static func readCaptures(_ paths: [String], with reader: CaptureFileReader?) throws -> WireSnapshot? {
        guard !paths.isEmpty else { return nil }
        guard let reader else { throw IngestError(file: paths[0], message: "is a capture, and this build reads no captures") }
        var wire = WireSnapshot(files: paths)
        for (i, path) in paths.enumerated() {
            wire.summaries.append(try reader(path, Int32(i), &wire.table))
        }
        return wire
    }

    static func run(inventory: Inventory, inputs: [InputSummary], warnings: [InputWarning], rules: Rules, now: Date,
                    clock: PhaseClock, wire: WireSnapshot? = nil) -> AuditReport {
        let snapshot = Reconciler.reconcile(inventory, extraPools: rules.pools, wire: wire)
        clock.lap("reconcile")
        let findings = CheckRegistry.run(snapshot, rules: rules)
        clock.lap("checks")
        return AuditReport(generatedAt: now, inputs: inputs, warnings: warnings, findings: findings,
                           holderCount: snapshot.holders.count, poolCount: snapshot.pools.count, holders: snapshot.holders,
                           snapshot: snapshot, wire: wire)
    }
}

extension AuditReport {
    /// What the pool database records of this audit.
    var auditRecord: AuditRecord {
        let holders = self.holders.compactMap { h -> (mac: MACAddress, holder: String, kind: String, host: String, cluster: String, source: String)? in
            guard let mac = h.mac.address else { return nil }
            let s = h.subject
            return (mac, s.label, s.kind, h.host, h.cluster, (h.adapter?.source ?? h.interface?.source)?.path ?? "")
        }
        return AuditRecord(at: generatedAt, inputsDigest: inputsDigest, inputCount: inputs.count,
                           clusters: Set(inputs.map(\.cluster)), holders: holders, findings: findings)
    }

    /// Marks the findings a baseline accepts.
    mutating func accept(_ entries: [BaselineEntry]) {
        guard !entries.isEmpty else { return }
        let byId = Dictionary(entries.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for i in findings.indices { if let e = byId[findings[i].id] { findings[i].accepted = e } }
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
final class PhaseClock: @unchecked Sendable {
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
    private let enabled = ProcessInfo.processInfo.environment["MACAUDIT_PROFILE"] != nil

    func lap(_ phase: String) {
        guard enabled else { return }
        let now = DispatchTime.now().uptimeNanoseconds, cpu = Self.cpuSeconds()
        let line = String(format: "macaudit: %@ %.3f s (CPU %.3f s), resident %d MiB\n",
                          phase, Double(now - last) / 1e9, cpu - lastCPU, Self.residentMiB())
        FileHandle.standardError.write(Data(line.utf8))
        last = now
        lastCPU = cpu
    }
}
