import Foundation

/// Work started on a thread of its own, whose value (or error) the caller takes when it needs it:
/// the audit reads the pool database this way while it joins the inputs' holders, and records its
/// run while the checks run (``AuditRecording``). What `work` captures (the store) is the thread's
/// until ``result()`` returns: the caller does not touch it meanwhile.
package final class OnAnotherThread<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Result<Value, any Error>?

    private struct Work: @unchecked Sendable { let run: () throws -> Value }

    package init(_ name: String, _ work: @escaping () throws -> Value) {
        let handed = Work(run: work)
        let thread = Thread { [self] in
            let outcome = Result { try handed.run() }
            condition.lock()
            self.outcome = outcome
            condition.broadcast()
            condition.unlock()
        }
        thread.name = name
        thread.stackSize = 8 << 20  // GRDB and the packing of holders recurse little, but a Thread's default is 512 KiB
        thread.start()
    }

    /// Waits for the work: its value, or the error it threw.
    package func result() throws -> Value {
        condition.lock()
        while outcome == nil { condition.wait() }
        let outcome = outcome!
        condition.unlock()
        return try outcome.get()
    }
}
