import Foundation
import MACAuditModel

/// An audit's recording in the pool database, started as soon as its holders are reconciled.
///
/// Writing a new site's holders into a database of a million is most of what `--db` costs, and it
/// needs nothing from the checks. So the run and its holders are written on a thread of their own
/// while the checks run; the findings are handed over when the checks are done (``hand(_:)``), and
/// the store records them in the same transaction (``AuditLog/record(audit:findings:)``).
/// ``outcome()`` waits for the commit. The store is used by no other thread meanwhile: the audit
/// reads what it needs from the database before, and asks it again only after the outcome.
final class AuditRecording: @unchecked Sendable {
    private let condition = NSCondition()
    private var findings: [Finding]?
    private var recording: OnAnotherThread<RunOutcome>!

    init(store: any PoolStore, record: AuditRecord) {
        recording = OnAnotherThread("macaudit recording") { [self] in
            try store.record(audit: record) { self.waitForFindings() }
        }
    }

    /// The checks' findings, for the recording to file (once).
    func hand(_ findings: [Finding]) {
        condition.lock()
        self.findings = findings
        condition.broadcast()
        condition.unlock()
    }

    /// The recorded run, once committed; the store's error when it failed (nothing of the run kept).
    func outcome() throws -> RunOutcome { try recording.result() }

    private func waitForFindings() -> [Finding] {
        condition.lock()
        defer { condition.unlock() }
        while findings == nil { condition.wait() }
        return findings!
    }
}
