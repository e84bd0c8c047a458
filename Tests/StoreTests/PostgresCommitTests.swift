import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditPostgres
import TestSupport

/// A COMMIT whose answer never came is settled by asking the server, over a new connection,
/// what became of the transaction (the stop test cuts connections at random; this pins the answers).
@Suite struct PostgresCommitTests {
    struct Refused: Error {}

    @Test func aLostCommitIsSettledByWhatTheServerKept() throws {
        let server = try PostgresServer.shared.get()
        guard case .postgres(let target) = try DatabaseLocation.parse(server.url(try server.createDatabase(#function)), environment: [:]) else {
            Issue.record("not a PostgreSQL URL"); return
        }
        let store = try PostgresStore(target)
        var kept: Int64?, dropped: Int64?
        try store.writing("a write that commits") { kept = try store.scalar(Int64.self, "SELECT txid_current()") }
        #expect(throws: StoreError.self) {
            try store.writing("a write that is rolled back") {
                dropped = try store.scalar(Int64.self, "SELECT txid_current()")
                throw Refused()
            }
        }
        #expect(try store.outcome(of: kept, "recording the audit") == true)
        do {
            _ = try store.outcome(of: dropped, "recording the audit")
            Issue.record("a rolled-back transaction was taken for kept")
        } catch let error as StoreError {
            #expect("\(error)".contains("it was not kept (transaction \(dropped ?? 0): aborted)"), "\(error)")
        }
        do {
            _ = try store.outcome(of: nil, "recording the audit")
            Issue.record("a transaction without an id was taken for kept")
        } catch let error as StoreError {
            #expect("\(error)".contains("the connection to the server was lost while it committed"), "\(error)")
        }
    }
}
