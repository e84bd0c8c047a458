import ArgumentParser
import Foundation
import MACAudit
import MACAuditStore

extension Bench {
    /// Times the pool database at fleet size: `pool show` on a pool of 16,777,216 addresses with up
    /// to 1,000,000 in use, and reserving the next free MAC at each fill level (it must stay flat:
    /// O(log n) index lookups, not a scan of the used MACs).
    struct PoolDB: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "pool", abstract: "Benchmark pool show and reservations on a /24 pool.")
        @Option(help: "In-use counts, comma-separated.") var used = "10000,100000,1000000"
        @Option(help: "Reservations timed at each size.") var reservations = 1000
        @Option(help: "Work folder.") var work = "bench-out"

        func run() throws {
            print("machine: \(machine())")
            print("| in use | pool size | fill s | pool show ms | reserve µs/MAC | free runs |")
            print("|---:|---:|---:|---:|---:|---:|")
            for n in used.split(separator: ",").compactMap({ Int($0) }) {
                let path = "\(work)/pool-\(n).sqlite"
                for suffix in ["", "-wal", "-shm", ".migrate-lock"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
                let store = try SQLiteStore(path: path)
                let base: Int64 = 0x021DD8_000000
                let start = DispatchTime.now().uptimeNanoseconds
                // n distinct in-use MACs spread over the 16M addresses, then the pool over them.
                let stride = Int64(16_777_216 / n)
                try store.importAssignments((0..<Int64(n)).map { MACAddress(value: UInt64(base + $0 * stride + ($0 * 7919) % stride))! },
                                            holder: "generated", at: Date())
                _ = try store.addPool(PoolSpec(name: "fleet", scope: .fleet, source: "bench",
                                               ranges: [MACRange(prefix: MACAddress(value: UInt64(base))!, bits: 24)]), allowOverlap: false)
                let fill = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let showStart = DispatchTime.now().uptimeNanoseconds
                let u = try store.utilisation(ofPool: "fleet")
                let show = Double(DispatchTime.now().uptimeNanoseconds - showStart) / 1e6
                let reserveStart = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<reservations { _ = try store.reserveNext(inPool: "fleet", holder: "bench") }
                let perReservation = Double(DispatchTime.now().uptimeNanoseconds - reserveStart) / 1e3 / Double(reservations)
                let runs = try store.freeRunCount(ofPool: "fleet")
                print(String(format: "| %d | %llu | %.1f | %.0f | %.0f | %d |", n, u.size, fill, show, perReservation, runs))
            }
        }
    }
}
