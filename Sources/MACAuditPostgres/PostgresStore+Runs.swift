import Foundation
import MACAudit
import PostgresNIO

/// Runs, findings and the baseline. Findings are written a set at a time (arrays bound to one
/// statement): a first audit of a messy fleet records tens of thousands.
extension PostgresStore {
    public func record(audit unchecked: AuditRecord, findings: () throws -> [Finding]) throws -> RunOutcome {
        let lap = Lap()
        defer { lap("commit") }
        return try writing("recording the audit") {
            guard let runId = try scalar(Int64.self, """
                INSERT INTO run (startedAt, inputsDigest, inputCount, clusters, critical, error, warning, info, hosts, reported)
                VALUES (\(unchecked.at), \(unchecked.inputsDigest), \(Int64(unchecked.inputCount)),
                        \(unchecked.clusters.sorted().joined(separator: "\n")), 0, 0, 0, 0,
                        \(unchecked.coverage.adapterHosts.sorted().joined(separator: "\n")), \(Int64(unchecked.reported ? 1 : 0)))
                RETURNING id
                """) else { throw StoreError.failed(location: location, operation: "recording the audit", reason: "no run id") }
            lap("run")
            let (events, tally) = try recordHolders(unchecked, runId: runId, lap: lap)
            var audit = unchecked
            audit.findings = try findings()
            lap("waiting for the checks")
            let counts = audit.severityCounts.mapValues(Int64.init)
            try run("""
                UPDATE run SET critical = \(counts[.critical] ?? 0), error = \(counts[.error] ?? 0), warning = \(counts[.warning] ?? 0),
                    info = \(counts[.info] ?? 0)
                WHERE id = \(runId)
                """)
            let history = try recordFindings(audit.findings, runId: runId, at: audit.at, clusters: audit.clusters)
            let resolved = try resolveMissing(audit, runId: runId)
            lap("findings")
            return RunOutcome(runId: runId, history: history, resolved: resolved, events: events, tally: tally)
        }
    }

    /// Each finding's history; a new one is filed under the cluster of its first subject that this
    /// run audits. A finding that comes back after being resolved, or that only a run whose report
    /// was never written saw first, is new again, from this run.
    private func recordFindings(_ findings: [Finding], runId: Int64, at: Date, clusters: Set<String>) throws -> [String: FindingHistory] {
        var seen = Set<String>(), unique: [Finding] = []
        for f in findings where seen.insert(f.id).inserted { unique.append(f) }
        let ids = unique.map(\.id)
        var known: [String: (first: Int64, open: Bool)] = [:]
        for row in try rows("SELECT fingerprint, firstRunId, resolvedRunId IS NULL FROM finding WHERE fingerprint = ANY(\(ids))") {
            let (id, first, open) = try row.decode((String, Int64, Bool).self)
            known[id] = (first, open)
        }
        let baseline = Dictionary(try baselineEntries().filter { $0.isActive(at: at) }.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let runDates = try runDates()
        let unreported = Set(try rows("SELECT id FROM run WHERE reported = 0 AND id <> \(runId)").map { try $0.decode(Int64.self) })
        var history: [String: FindingHistory] = [:]
        var updates: (ids: [String], severities: [String], messages: [String], firsts: [Int64]) = ([], [], [], [])
        var inserts: (ids: [String], checks: [String], severities: [String], macs: [String], hasMAC: [Bool], messages: [String], clusters: [String],
                      hasCluster: [Bool]) = ([], [], [], [], [], [], [], [])
        for f in unique {
            var status = FindingHistory.Status.new, firstRun = runId
            if let k = known[f.id] {
                if k.open, !unreported.contains(k.first) { status = .persisting; firstRun = k.first }
                updates.ids.append(f.id); updates.severities.append(f.severity.rawValue); updates.messages.append(f.message); updates.firsts.append(firstRun)
            } else {
                let cluster = f.subjects.first { clusters.contains($0.cluster ?? "") }?.cluster ?? f.subjects.first?.cluster
                inserts.ids.append(f.id); inserts.checks.append(f.check.rawValue); inserts.severities.append(f.severity.rawValue)
                inserts.macs.append(f.macText ?? ""); inserts.hasMAC.append(f.macText != nil); inserts.messages.append(f.message)
                inserts.clusters.append(cluster ?? ""); inserts.hasCluster.append(cluster != nil)
            }
            guard let firstSeen = runDates[firstRun] else {
                throw StoreError.failed(location: location, operation: "recording the audit", reason: "finding \(f.id) names run \(firstRun), which is not there")
            }
            let accepted = baseline[f.id]
            history[f.id] = FindingHistory(status: accepted != nil ? .accepted : status, firstRunId: firstRun, firstSeen: firstSeen,
                                           acceptedReason: accepted?.reason)
        }
        if !updates.ids.isEmpty {
            try run("""
                UPDATE finding f SET severity = u.s, message = u.m, lastRunId = \(runId), resolvedRunId = NULL, firstRunId = u.first
                FROM unnest(\(updates.ids)::text[], \(updates.severities)::text[], \(updates.messages)::text[], \(updates.firsts)::bigint[]) AS u(id, s, m, first)
                WHERE f.fingerprint = u.id
                """)
        }
        if !inserts.ids.isEmpty {
            try run("""
                INSERT INTO finding (fingerprint, checkId, severity, mac, message, cluster, firstRunId, lastRunId)
                SELECT id, c, s, CASE WHEN hm THEN m END, msg, CASE WHEN hc THEN cl END, \(runId), \(runId)
                FROM unnest(\(inserts.ids)::text[], \(inserts.checks)::text[], \(inserts.severities)::text[], \(inserts.macs)::text[],
                            \(inserts.hasMAC)::boolean[], \(inserts.messages)::text[], \(inserts.clusters)::text[], \(inserts.hasCluster)::boolean[])
                     AS u(id, c, s, m, hm, msg, cl, hc)
                """)
        }
        if !ids.isEmpty {
            try run("INSERT INTO runFinding (runId, fingerprint) SELECT \(runId), id FROM unnest(\(ids)::text[]) AS id ON CONFLICT DO NOTHING")
        }
        return history
    }

    /// Open findings of the audited clusters that this run did not report are resolved by it, when it
    /// read every host the run that last reported them read (``Coverage/readsEveryHost(of:readBy:)``).
    private func resolveMissing(_ audit: AuditRecord, runId: Int64) throws -> [ResolvedFinding] {
        var resolved: [ResolvedFinding] = [], ids: [String] = [], hostsOfRun: [Int64: String] = [:]
        let clusters = audit.clusters.sorted()
        // Other clusters' open findings are not read at all (a fleet's database holds every site's).
        for row in try rows("""
            SELECT fingerprint, checkId, severity, mac, message, firstRunId, cluster, lastRunId FROM finding
            WHERE resolvedRunId IS NULL AND lastRunId < \(runId) AND (cluster IS NULL OR cluster = ANY(\(clusters)))
            ORDER BY severity COLLATE "C", checkId COLLATE "C", mac COLLATE "C"
            """) {
            let (f, cluster) = try finding(row)
            let lastRun = try row.decode((String, String, String, String?, String, Int64, String?, Int64).self).7
            if hostsOfRun[lastRun] == nil { hostsOfRun[lastRun] = try scalar(String.self, "SELECT hosts FROM run WHERE id = \(lastRun)") ?? "" }
            guard audit.coverage.readsEveryHost(of: cluster, readBy: hostsOfRun[lastRun]!) else { continue }
            resolved.append(f)
            ids.append(f.fingerprint)
        }
        if !ids.isEmpty { try run("UPDATE finding SET resolvedRunId = \(runId) WHERE fingerprint = ANY(\(ids))") }
        return resolved
    }

    /// A finding row (fingerprint, checkId, severity, mac, message, firstRunId[, cluster]).
    func finding(_ row: PostgresRow) throws -> (ResolvedFinding, cluster: String?) {
        let (id, check, severityText, mac, message, first) = try row.decode((String, String, String, String?, String, Int64).self)
        let cluster: String? = row.count > 6 ? try row.decode((String, String, String, String?, String, Int64, String?).self).6 : nil
        guard let severity = Severity(rawValue: severityText) else {
            throw StoreError.failed(location: location, operation: "reading finding \(id)", reason: "'\(severityText)' is not a severity this build knows")
        }
        return (ResolvedFinding(fingerprint: id, check: check, severity: severity, mac: mac, message: message, firstRunId: first), cluster)
    }

    public func markReported(run runId: Int64) throws {
        try writing("noting that run \(runId)'s report was written") {
            guard try scalar(Int64.self, "UPDATE run SET reported = 1 WHERE id = \(runId) RETURNING id") != nil else {
                throw StoreError.notFound("no run \(runId) in the database")
            }
        }
    }

    public func runs() throws -> [RunSummary] {
        try reading("listing runs") {
            try rows("SELECT id, startedAt, inputsDigest, inputCount, critical, error, warning, info, reported FROM run ORDER BY id").map { row in
                let (id, at, digest, inputs, c, e, w, i, reported) = try row.decode((Int64, Date, String, Int64, Int64, Int64, Int64, Int64, Int64).self)
                return RunSummary(id: id, at: at, inputsDigest: digest, inputCount: Int(inputs),
                                  counts: [.critical: Int(c), .error: Int(e), .warning: Int(w), .info: Int(i)], reported: reported != 0)
            }
        }
    }

    public func difference(from older: Int64, to newer: Int64) throws -> RunDifference {
        try reading("comparing runs \(older) and \(newer)") {
            for id in [older, newer] where try scalar(Int64.self, "SELECT id FROM run WHERE id = \(id)") == nil {
                throw StoreError.notFound("no run \(id) in the database")
            }
            func only(_ a: Int64, _ b: Int64) throws -> [ResolvedFinding] {
                try rows("""
                    SELECT f.fingerprint, f.checkId, f.severity, f.mac, f.message, f.firstRunId FROM runFinding r JOIN finding f USING (fingerprint)
                    WHERE r.runId = \(a) AND r.fingerprint NOT IN (SELECT fingerprint FROM runFinding WHERE runId = \(b))
                    ORDER BY f.checkId COLLATE "C", f.mac COLLATE "C", f.fingerprint COLLATE "C"
                    """).map { try finding($0).0 }
            }
            let persisted = try scalar(Int64.self, """
                SELECT count(*) FROM runFinding a JOIN runFinding b ON a.fingerprint = b.fingerprint WHERE a.runId = \(older) AND b.runId = \(newer)
                """) ?? 0
            return RunDifference(older: older, newer: newer, appeared: try only(newer, older), disappeared: try only(older, newer), persisted: Int(persisted))
        }
    }

    public func finding(fingerprint: String) throws -> ResolvedFinding? {
        try reading("reading finding \(fingerprint)") {
            try rows("SELECT fingerprint, checkId, severity, mac, message, firstRunId FROM finding WHERE fingerprint = \(fingerprint)").first
                .map { try finding($0).0 }
        }
    }

    public func findings(mac: MACAddress) throws -> [ResolvedFinding] {
        try reading("reading the findings of \(mac)") {
            try rows("""
                SELECT fingerprint, checkId, severity, mac, message, firstRunId FROM finding WHERE mac = \(mac.description)
                ORDER BY firstRunId, fingerprint COLLATE "C"
                """).map { try finding($0).0 }
        }
    }

    // MARK: - Baseline

    public func accept(_ entry: BaselineEntry) throws {
        try writing("accepting \(entry.id)") {
            try run("""
                INSERT INTO baseline (fingerprint, reason, acceptedBy, acceptedAt, expiresAt)
                VALUES (\(entry.id), \(entry.reason), \(entry.acceptedBy), \(entry.acceptedAt), \(entry.expires))
                ON CONFLICT (fingerprint) DO UPDATE SET reason = excluded.reason, acceptedBy = excluded.acceptedBy,
                    acceptedAt = excluded.acceptedAt, expiresAt = excluded.expiresAt
                """)
        }
    }

    public func revoke(fingerprint: String) throws -> Bool {
        try writing("revoking \(fingerprint)") { try run("DELETE FROM baseline WHERE fingerprint = \(fingerprint)") > 0 }
    }

    public func baseline() throws -> [BaselineEntry] {
        try reading("reading the baseline") { try baselineEntries() }
    }

    func baselineEntries() throws -> [BaselineEntry] {
        try rows("SELECT fingerprint, reason, acceptedBy, acceptedAt, expiresAt FROM baseline ORDER BY fingerprint COLLATE \"C\"").map { row in
            let (id, reason, by, at, expires) = try row.decode((String, String, String, Date, Date?).self)
            return BaselineEntry(id: id, reason: reason, acceptedBy: by, acceptedAt: at, expires: expires)
        }
    }
}
