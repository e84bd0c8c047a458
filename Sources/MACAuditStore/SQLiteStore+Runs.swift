import Foundation
import GRDB
import MACAudit

extension SQLiteStore {
    /// Records one audit in one transaction: the run, every holder it read (``recordHolders``),
    /// each finding's history, and which open findings of the audited clusters are now resolved.
    /// Returns the run id, each finding's status, the resolved ones and what happened to holders.
    public func record(audit unchecked: AuditRecord, findings: () throws -> [Finding]) throws -> RunOutcome {
        let lap = Lap()
        // Every place, run and finding id the recording writes is one it read or wrote in this transaction.
        // A first audit adds a hundred megabytes: they reach the database file while the report is written.
        // The WAL's new pages start for the disk as they are written, the database file's as the
        // checkpoint copies them: the checkpoint's fsyncs then have little left to write.
        let writeback = Writeback([path + "-wal", path])
        var committed = false
        defer { if !committed { writeback.stop() } }
        let outcome = try immediate("recording the audit", checkingForeignKeys: false, checkpointing: false) { db in
            let at = StoredDate.text(unchecked.at)
            var run = RunRecord(id: nil, startedAt: at, inputsDigest: unchecked.inputsDigest, inputCount: unchecked.inputCount,
                                clusters: unchecked.clusters.sorted().joined(separator: "\n"), critical: 0, error: 0, warning: 0, info: 0,
                                hosts: unchecked.coverage.adapterHosts.sorted().joined(separator: "\n"), reported: unchecked.reported ? 1 : 0)
            try run.insert(db)
            let runId = db.lastInsertedRowID
            lap("run")
            let (events, tally) = try recordHolders(db, unchecked, runId: runId, at: at, lap: lap)
            var audit = unchecked
            audit.findings = try findings()
            lap("waiting for the checks")
            let counts = audit.severityCounts
            try db.execute(sql: "UPDATE run SET critical = ?, error = ?, warning = ?, info = ? WHERE id = ?",
                           arguments: [counts[.critical], counts[.error], counts[.warning], counts[.info], runId])
            let history = try recordFindings(db, audit.findings, runId: runId, at: audit.at, clusters: audit.clusters)
            let resolved = try resolveMissing(db, audit, runId: runId)
            lap("findings")
            return RunOutcome(runId: runId, history: history, resolved: resolved, events: events, tally: tally)
        }
        lap("commit")
        committed = true
        checkpointInBackground(then: writeback.stop)
        return outcome
    }

    /// Each finding's history; a new one is filed under the cluster of its first subject that this
    /// run audits (a duplicate with another site's holder belongs to the site that reported it).
    private func recordFindings(_ db: Database, _ findings: [Finding], runId: Int64, at: Date, clusters: Set<String>) throws -> [String: FindingHistory] {
        let baseline = try activeBaseline(db, at: at)
        var history: [String: FindingHistory] = [:]
        let legacyIds = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = 'legacy-finding-ids'") != nil
        // Prepared once: a nightly audit of a messy fleet records tens of thousands of findings.
        let select = try db.cachedStatement(sql: "SELECT firstRunId, resolvedRunId FROM finding WHERE fingerprint = ?")
        let update = try db.cachedStatement(sql: """
            UPDATE finding SET severity = ?, message = ?, lastRunId = ?, resolvedRunId = NULL, firstRunId = ? WHERE fingerprint = ?
            """)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO finding (fingerprint, checkId, severity, mac, message, cluster, firstRunId, lastRunId) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let inRun = try db.cachedStatement(sql: "INSERT OR IGNORE INTO runFinding (runId, fingerprint) VALUES (?, ?)")
        let runDates = try Self.runDates(db)
        // Runs whose report was never written (usually none): what they saw first is news still.
        let unreported = Set(try Int64.fetchAll(db, sql: "SELECT id FROM run WHERE reported = 0 AND id <> ?", arguments: [runId]))
        for f in findings {
            let id = f.id
            var status = FindingHistory.Status.new
            var firstRun = runId
            if legacyIds { try adoptLegacyId(db, of: f) }
            if let known = try Row.fetchOne(select, arguments: [id]) {
                if (known[1] as Int64?) == nil, !unreported.contains(known[0]) {
                    status = .persisting
                    firstRun = known[0]
                }
                // A finding that comes back after being resolved, or that only an unreported run
                // saw first, is new again, from this run.
                try update.execute(arguments: [f.severity.rawValue, f.message, runId, firstRun, id])
            } else {
                let cluster = f.subjects.first { clusters.contains($0.cluster ?? "") }?.cluster ?? f.subjects.first?.cluster
                try insert.execute(arguments: [id, f.check.rawValue, f.severity.rawValue, f.macText, f.message, cluster, runId, runId])
            }
            try inRun.execute(arguments: [runId, id])
            guard let firstSeen = runDates[firstRun] else {
                throw StoreError.failed(location: path, operation: "recording the audit", reason: "finding \(id) names run \(firstRun), which is not there")
            }
            let accepted = baseline[id] ?? (legacyIds ? baseline[f.legacyId] : nil)
            history[id] = FindingHistory(status: accepted != nil ? .accepted : status, firstRunId: firstRun, firstSeen: firstSeen,
                                         acceptedReason: accepted?.reason)
        }
        return history
    }

    /// A finding a pre-holder-key macaudit recorded (or a baseline accepted) under its legacy id
    /// takes its new id, keeping its first run, its runs and its acceptance.
    private func adoptLegacyId(_ db: Database, of f: Finding) throws {
        let legacy = f.legacyId, id = f.id
        guard legacy != id else { return }
        try db.execute(sql: "UPDATE baseline SET fingerprint = ? WHERE fingerprint = ? AND NOT EXISTS (SELECT 1 FROM baseline WHERE fingerprint = ?)",
                       arguments: [id, legacy, id])
        guard var old = try FindingRecord.fetchOne(db, key: legacy), try !FindingRecord.exists(db, key: id) else { return }
        old.fingerprint = id
        try old.insert(db)
        try db.execute(sql: "UPDATE runFinding SET fingerprint = ? WHERE fingerprint = ?", arguments: [id, legacy])
        try db.execute(sql: "DELETE FROM finding WHERE fingerprint = ?", arguments: [legacy])
    }

    /// Open findings of the audited clusters that this run did not report are resolved by it.
    /// Open findings of the audited clusters that this run did not report are resolved by it, when it
    /// read every host the run that last reported them read (``Coverage/readsEveryHost(of:readBy:)``).
    private func resolveMissing(_ db: Database, _ audit: AuditRecord, runId: Int64) throws -> [ResolvedFinding] {
        // Other clusters' open findings are not read at all (a fleet's database holds every site's).
        let clusters = audit.clusters.sorted()
        let open = try FindingRecord.fetchAll(db, sql: """
            SELECT * FROM finding WHERE resolvedRunId IS NULL AND lastRunId < ?
                AND (cluster IS NULL OR cluster IN (\(clusters.map { _ in "?" }.joined(separator: ", "))))
            ORDER BY severity, checkId, mac
            """, arguments: StatementArguments([runId] + clusters.map { $0 as any DatabaseValueConvertible }))
        var resolved: [ResolvedFinding] = [], hostsOfRun: [Int64: String] = [:]
        let update = try db.cachedStatement(sql: "UPDATE finding SET resolvedRunId = ? WHERE fingerprint = ?")
        for finding in open {
            if hostsOfRun[finding.lastRunId] == nil {
                hostsOfRun[finding.lastRunId] = try String.fetchOne(db, sql: "SELECT hosts FROM run WHERE id = ?", arguments: [finding.lastRunId]) ?? ""
            }
            guard audit.coverage.readsEveryHost(of: finding.cluster, readBy: hostsOfRun[finding.lastRunId]!) else { continue }
            try update.execute(arguments: [runId, finding.fingerprint])
            resolved.append(finding.resolved)
        }
        return resolved
    }

    public func markReported(run: Int64) throws {
        try immediate("noting that run \(run)'s report was written") { db in
            try db.execute(sql: "UPDATE run SET reported = 1 WHERE id = ?", arguments: [run])
            guard db.changesCount == 1 else { throw StoreError.notFound("no run \(run) in the database") }
        }
    }

    public func runs() throws -> [RunSummary] {
        try reading("listing runs") { db in try RunRecord.order(Column("id")).fetchAll(db).map { try $0.summary() } }
    }

    /// What appeared and disappeared between two runs, from the findings each reported.
    public func difference(from older: Int64, to newer: Int64) throws -> RunDifference {
        try reading("comparing runs \(older) and \(newer)") { db in
            for id in [older, newer] where try !RunRecord.exists(db, key: id) {
                throw StoreError.notFound("no run \(id) in the database")
            }
            func only(_ a: Int64, _ b: Int64) throws -> [ResolvedFinding] {
                try FindingRecord.fetchAll(db, sql: """
                    SELECT f.* FROM runFinding r JOIN finding f USING (fingerprint)
                    WHERE r.runId = ? AND r.fingerprint NOT IN (SELECT fingerprint FROM runFinding WHERE runId = ?)
                    ORDER BY f.checkId, f.mac, f.fingerprint
                    """, arguments: [a, b]).map(\.resolved)
            }
            let persisted = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM runFinding a JOIN runFinding b ON a.fingerprint = b.fingerprint WHERE a.runId = ? AND b.runId = ?
                """, arguments: [older, newer]) ?? 0
            return RunDifference(older: older, newer: newer, appeared: try only(newer, older), disappeared: try only(older, newer), persisted: persisted)
        }
    }

    public func finding(fingerprint: String) throws -> ResolvedFinding? {
        try reading("reading finding \(fingerprint)") { db in try FindingRecord.fetchOne(db, key: fingerprint)?.resolved }
    }

    public func findings(mac: MACAddress) throws -> [ResolvedFinding] {
        try reading("reading the findings of \(mac)") { db in
            try FindingRecord.fetchAll(db, sql: "SELECT * FROM finding WHERE mac = ? ORDER BY firstRunId, fingerprint", arguments: [mac.description]).map(\.resolved)
        }
    }

    // MARK: - Baseline

    public func accept(_ entry: BaselineEntry) throws {
        try immediate("accepting \(entry.id)") { db in try BaselineRecord(entry).save(db) }
    }

    public func revoke(fingerprint: String) throws -> Bool {
        try immediate("revoking \(fingerprint)") { db in
            try db.execute(sql: "DELETE FROM baseline WHERE fingerprint = ?", arguments: [fingerprint])
            return db.changesCount > 0
        }
    }

    public func baseline() throws -> [BaselineEntry] {
        try reading("reading the baseline") { db in try baselineEntries(db) }
    }

    func baselineEntries(_ db: Database) throws -> [BaselineEntry] {
        try BaselineRecord.order(Column("fingerprint")).fetchAll(db).map { try $0.entry() }
    }

    private func activeBaseline(_ db: Database, at date: Date) throws -> [String: BaselineEntry] {
        Dictionary(try baselineEntries(db).filter { $0.isActive(at: date) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
