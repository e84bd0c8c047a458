import ArgumentParser
import Foundation
import MACAudit
import MACAuditPostgres
import MACAuditStore

extension Bench {
    /// Reservations from many clients at once: each client its own connection (its own SQLite
    /// handle, its own server session) on its own thread, each reserving the next free MAC of one
    /// shared pool one transaction at a time. Prints reservations per second per backend and
    /// checks that every MAC handed out is distinct.
    struct ReservationRun: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reservations",
                                                        abstract: "Benchmark concurrent reservations (SQLite, and PostgreSQL with --postgres).")
        @Option(help: "Concurrent clients.") var clients = 8
        @Option(help: "Reservations per client, one transaction each.") var count = 1000
        @Option(help: "Work folder for the SQLite file.") var work = "bench-out"
        @Option(help: ArgumentHelp("Also time a PostgreSQL database (a pool named bench-… is added to it).", valueName: "url")) var postgres: String?

        func run() throws {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            let file = "\(work)/reservations.sqlite"
            for suffix in ["", "-wal", "-shm", ".migrate-lock"] { try? FileManager.default.removeItem(atPath: file + suffix) }
            print("machine: \(machine())")
            print("| backend | clients | reservations | s | per second | distinct |")
            print("|---|---:|---:|---:|---:|---:|")
            try time("SQLite", { try SQLiteStore(path: file) })
            if let postgres {
                guard case .postgres(let target) = try DatabaseLocation.parse(postgres) else { throw ValidationError("--postgres takes a postgres:// URL") }
                try time("PostgreSQL", { try PostgresStore(target) })
            }
        }

        private func time(_ backend: String, _ open: @escaping @Sendable () throws -> any PoolStore) throws {
            let pool = "bench-\(UUID().uuidString.prefix(8))"
            let setup = try open()
            _ = try setup.addPool(PoolSpec(name: pool, scope: .fleet, source: "bench",
                                           ranges: [MACRange(prefix: MACAddress(value: 0x02BE_0000_0000 | UInt64.random(in: 0..<0xFF) << 24)!, bits: 24)]),
                                  allowOverlap: true)
            let stores = try (0..<clients).map { _ in try open() }
            let done = DispatchGroup(), failures = Failures()
            let start = DispatchTime.now().uptimeNanoseconds
            for (i, store) in stores.enumerated() {
                done.enter()
                let box = StoreBox(store)
                Thread {
                    defer { done.leave() }
                    do { for _ in 0..<count { _ = try box.store.reserveNext(inPool: pool, holder: "client-\(i)") } } catch { failures.add("\(error)") }
                }.start()
            }
            done.wait()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if let first = failures.first { throw ValidationError("\(backend): \(first)") }
            let macs = try setup.reservations(holder: nil).filter { $0.pool == pool }.map(\.mac)
            let total = clients * count
            print(String(format: "| %@ | %d | %d | %.2f | %.0f | %d%@ |", backend, clients, total, seconds, Double(total) / seconds, Set(macs).count,
                         Set(macs).count == total ? "" : " (expected \(total))"))
        }
    }
}

/// A store handed to one client thread (each thread uses only its own).
private final class StoreBox: @unchecked Sendable {
    let store: any PoolStore
    init(_ store: any PoolStore) { self.store = store }
}

private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var errors: [String] = []
    func add(_ e: String) { lock.lock(); errors.append(e); lock.unlock() }
    var first: String? { lock.lock(); defer { lock.unlock() }; return errors.first }
}
