import ArgumentParser
import Foundation

extension Bench {
    /// Times `audit --plan --verify` against the audit alone, interleaved in one run, on the
    /// generated fleet with faults planted for a plan to fix (duplicates, group and VRRP MACs, a
    /// cloned host per cluster): the plan, its design of the seed plan (the fleet's rules define no
    /// pools) and the second reconcile and checks of the verification.
    struct FixPlanRun: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "fixes", abstract: "Benchmark audit --plan --verify against the audit alone on a generated fleet.")
        @Option(help: "Adapters of the fleet (NC interfaces = half).") var adapters = 1_000_000
        @Option(help: "Work folder (fleets are kept and reused).") var work = "bench-out"
        @Option(help: "Runs of each measurement, interleaved; the best is kept.") var repeats = 2

        func run() throws {
            let binary = try builtMacaudit()
            let fleet = "\(work)/faults-\(adapters)"
            var generator = FleetGenerator(adapters: adapters, interfaces: adapters / 2)
            generator.faults = true
            _ = try generator.write(to: fleet)
            let plan = "\(work)/fixes-\(adapters).json"
            func audit(_ extra: String, to output: String = "/dev/null") -> Measurement {
                measure("/bin/sh", ["-c", "'\(binary)' audit '\(fleet)' --format json --fail-on critical \(extra) > '\(output)'"])
            }
            var alone: [Measurement] = [], verified: [Measurement] = []
            for _ in 0..<max(1, repeats) {
                alone.append(audit(""))
                verified.append(audit("--plan --verify", to: plan))
            }
            let a = best(alone), v = best(verified)
            print("machine: \(machine())")
            print("| audit of \(adapters) adapters | wall s | peak MiB | ratio |")
            print("|---|---:|---:|---:|")
            print(String(format: "| alone | %.2f | %.0f | 1.00× |", a.wall, a.peakMiB))
            print(String(format: "| --plan --verify | %.2f | %.0f | %.2f× |", v.wall, v.peakMiB, v.wall / a.wall))
            if let data = FileManager.default.contents(atPath: plan),
               let report = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
                let count = { (key: String) in (report[key] as? [Any])?.count ?? 0 }
                let verification = report["verification"] as? [String: Any]
                print("\nplan: \(count("proposals")) moves, \(count("repairs")) profile repairs, \(count("poolChanges")) range changes, "
                      + "\(count("unplaced")) not fixed, of \(count("findings")) findings; verification: "
                      + "\((verification?["remaining"] as? [Any])?.count ?? -1) remaining, \((verification?["introduced"] as? [Any])?.count ?? -1) introduced")
            }
        }
    }
}
