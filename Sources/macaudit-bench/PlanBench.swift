import ArgumentParser
import Foundation
import MACAudit

extension Bench {
    /// Times the planner: N moves (VMs holding a VRRP MAC) against one pool of 16,777,216 addresses
    /// with 90 % of it in use.
    struct PlanRun: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "plan", abstract: "Benchmark planning moves against a 90%-full /24 pool.")
        @Option(help: "Moves to plan.") var moves = 100_000

        func run() throws {
            var adapters: [Adapter] = []
            adapters.reserveCapacity(moves)
            for n in 0..<moves {
                adapters.append(Adapter(host: "HV0", cluster: "C1", vmName: "vm\(n)", id: "Microsoft:\(n)",
                                        mac: .valid(MACAddress(value: 0x0000_5E00_0100 + UInt64(n % 256))!),
                                        source: SourceLocation(path: "a.json", record: n + 1, line: n + 1)))
            }
            let pool = Pool(name: "fleet", range: MACRange(prefix: MACAddress(value: 0x021D_D800_0000)!, bits: 24), kind: .defined)
            let rules = Rules(reservedPrefixes: [ReservedPrefix(name: "VRRP", match: .range(ReservedPrefix.range(prefix: "00-00-5E-00-01")!),
                                                                severity: .error, reason: "VRRP")], pools: [pool])
            var used: [UInt64] = []
            used.reserveCapacity(15_100_000)
            for i in 0..<UInt64(16_777_216) where i % 10 != 3 { used.append(0x021D_D800_0000 + i) }
            let report = Audit.run(inventory: Inventory(adapters: adapters), rules: rules)
            let start = DispatchTime.now().uptimeNanoseconds
            let plan = Planner.plan(report.snapshot, findings: report.findings, rules: rules, alsoUsed: used)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print("machine: \(machine())")
            print(String(format: "planned %d moves against 16,777,216 addresses with %d in use in %.2f s", plan.proposals.count, used.count, seconds))
        }
    }
}
