import Foundation
import GRDB
import MACAudit

extension SQLiteStore {
    /// Records one audit in one transaction: the run, every MAC in use (assignments, which also
    /// leave the pools' free runs), each finding's history, and which open findings of the audited
    /// clusters are now resolved. Returns the run id, each finding's status, and the resolved ones.
    public func record(audit: AuditRecord) throws -> RunOutcome {
        try immediate { db in
            let at = StoredDate.text(audit.at)
            var counts = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0, 0) })
            for f in audit.findings { counts[f.severity, default: 0] += 1 }
            try db.execute(sql: """
                INSERT INTO run (startedAt, inputsDigest, inputCount, clusters, critical, error, warning, info) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [at, audit.inputsDigest, audit.inputCount, audit.clusters.sorted().joined(separator: "\n"),
                                 counts[.critical], counts[.error], counts[.warning], counts[.info]])
            let runId = db.lastInsertedRowID
            try recordAssignments(db, audit, at: at, runId: runId)
            let history = try recordFindings(db, audit.findings, runId: runId, at: audit.at)
            let resolved = try resolveMissing(db, audit, runId: runId)
            return RunOutcome(runId: runId, history: history, resolved: resolved)
        }
    }

    private func recordAssignments(_ db: Database, _ audit: AuditRecord, at: String, runId: Int64) throws {
        let ranges = try FreeRuns.RangeIndex(db)
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO assignment (mac, holder, holderKind, host, cluster, source, firstSeen, lastSeen, lastRunId)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT(mac) DO UPDATE SET holder = excluded.holder, holderKind = excluded.holderKind, host = excluded.host,
                cluster = excluded.cluster, source = excluded.source, lastSeen = excluded.lastSeen, lastRunId = excluded.lastRunId
            """)
        for h in audit.holders {
            try upsert.execute(arguments: [h.mac.stored, h.holder, h.kind, h.host, h.cluster, h.source, at, at, runId])
            let containing = ranges.containing(h.mac.stored)
            if !containing.isEmpty { try FreeRuns.markUsed(db, mac: h.mac.stored, ranges: containing) }
        }
    }

    private func recordFindings(_ db: Database, _ findings: [Finding], runId: Int64, at: Date) throws -> [String: FindingHistory] {
        let baseline = try activeBaseline(db, at: at)
        var history: [String: FindingHistory] = [:]
        for f in findings {
            let id = f.id
            let cluster = f.subjects.first?.cluster
            var status = FindingHistory.Status.new
            var firstRun = runId
            if let row = try Row.fetchOne(db, sql: "SELECT firstRunId, resolvedRunId FROM finding WHERE fingerprint = ?", arguments: [id]) {
                let resolved: Int64? = row[1]
                if resolved == nil {
                    status = .persisting
                    firstRun = row[0]
                }
                // A finding that comes back after being resolved is new again, from this run.
                try db.execute(sql: """
                    UPDATE finding SET severity = ?, message = ?, lastRunId = ?, resolvedRunId = NULL, firstRunId = ? WHERE fingerprint = ?
                    """, arguments: [f.severity.rawValue, f.message, runId, firstRun, id])
            } else {
                try db.execute(sql: """
                    INSERT INTO finding (fingerprint, checkId, severity, mac, message, cluster, firstRunId, lastRunId) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, f.check, f.severity.rawValue, f.mac, f.message, cluster, runId, runId])
            }
            try db.execute(sql: "INSERT OR IGNORE INTO runFinding (runId, fingerprint) VALUES (?, ?)", arguments: [runId, id])
            let firstSeen = StoredDate.date(try String.fetchOne(db, sql: "SELECT startedAt FROM run WHERE id = ?", arguments: [firstRun])) ?? at
            let accepted = baseline[id]
            history[id] = FindingHistory(status: accepted != nil ? .accepted : status, firstRunId: firstRun, firstSeen: firstSeen,
                                         acceptedReason: accepted?.reason)
        }
        return history
    }

    /// Open findings of the audited clusters that this run did not report are resolved by it.
    private func resolveMissing(_ db: Database, _ audit: AuditRecord, runId: Int64) throws -> [ResolvedFinding] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT fingerprint, checkId, severity, mac, message, firstRunId, cluster FROM finding
            WHERE resolvedRunId IS NULL AND lastRunId < ? ORDER BY severity, checkId, mac
            """, arguments: [runId])
        var resolved: [ResolvedFinding] = []
        for row in rows {
            let cluster: String? = row[6]
            guard cluster.map(audit.clusters.contains) ?? true else { continue }
            try db.execute(sql: "UPDATE finding SET resolvedRunId = ? WHERE fingerprint = ?", arguments: [runId, row[0] as String])
            resolved.append(ResolvedFinding(fingerprint: row[0], check: row[1], severity: Severity(rawValue: row[2]) ?? .info,
                                            mac: row[3], message: row[4], firstRunId: row[5]))
        }
        return resolved
    }

    public func runs() throws -> [RunSummary] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT id, startedAt, inputsDigest, inputCount, critical, error, warning, info FROM run ORDER BY id").map { row in
                RunSummary(id: row[0], at: StoredDate.date(row[1]) ?? Date(timeIntervalSince1970: 0), inputsDigest: row[2], inputCount: row[3],
                           counts: [.critical: row[4], .error: row[5], .warning: row[6], .info: row[7]])
            }
        }
    }

    /// What appeared and disappeared between two runs, from the findings each reported.
    public func difference(from older: Int64, to newer: Int64) throws -> RunDifference {
        try db.read { db in
            for id in [older, newer] where try Int64.fetchOne(db, sql: "SELECT id FROM run WHERE id = ?", arguments: [id]) == nil {
                throw StoreError("no run \(id) in the database")
            }
            func only(_ a: Int64, _ b: Int64) throws -> [ResolvedFinding] {
                try Row.fetchAll(db, sql: """
                    SELECT f.fingerprint, f.checkId, f.severity, f.mac, f.message, f.firstRunId FROM runFinding r JOIN finding f USING (fingerprint)
                    WHERE r.runId = ? AND r.fingerprint NOT IN (SELECT fingerprint FROM runFinding WHERE runId = ?)
                    ORDER BY f.checkId, f.mac, f.fingerprint
                    """, arguments: [a, b]).map {
                    ResolvedFinding(fingerprint: $0[0], check: $0[1], severity: Severity(rawValue: $0[2]) ?? .info, mac: $0[3], message: $0[4], firstRunId: $0[5])
                }
            }
            let persisted = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM runFinding a JOIN runFinding b ON a.fingerprint = b.fingerprint WHERE a.runId = ? AND b.runId = ?
                """, arguments: [older, newer]) ?? 0
            return RunDifference(older: older, newer: newer, appeared: try only(newer, older), disappeared: try only(older, newer), persisted: persisted)
        }
    }

    // MARK: - Baseline

    public func accept(_ entry: BaselineEntry) throws {
        try immediate { db in
            try db.execute(sql: """
                INSERT INTO baseline (fingerprint, reason, acceptedBy, acceptedAt, expiresAt) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(fingerprint) DO UPDATE SET reason = excluded.reason, acceptedBy = excluded.acceptedBy,
                    acceptedAt = excluded.acceptedAt, expiresAt = excluded.expiresAt
                """, arguments: [entry.id, entry.reason, entry.acceptedBy, StoredDate.text(entry.acceptedAt), entry.expires.map(StoredDate.text)])
        }
    }

    public func revoke(fingerprint: String) throws -> Bool {
        try immediate { db in
            try db.execute(sql: "DELETE FROM baseline WHERE fingerprint = ?", arguments: [fingerprint])
            return db.changesCount > 0
        }
    }

    public func baseline() throws -> [BaselineEntry] {
        try db.read { db in try baselineEntries(db) }
    }

    func baselineEntries(_ db: Database) throws -> [BaselineEntry] {
        try Row.fetchAll(db, sql: "SELECT fingerprint, reason, acceptedBy, acceptedAt, expiresAt FROM baseline ORDER BY fingerprint").map {
            BaselineEntry(id: $0[0], reason: $0[1], acceptedBy: $0[2], acceptedAt: StoredDate.date($0[3]) ?? Date(), expires: StoredDate.date($0[4]))
        }
    }

    private func activeBaseline(_ db: Database, at date: Date) throws -> [String: BaselineEntry] {
        Dictionary(try baselineEntries(db).filter { $0.isActive(at: date) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }
}
