import ArgumentParser
import Foundation
import MACAudit

extension Bench {
    /// Times loading the IEEE registry (every source the audit reads) and looking MACs up in it.
    struct RegistryRun: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "registry", abstract: "Benchmark loading the IEEE registry and vendor lookups.")
        @Option(help: "Registry files or folders (default: ieee-data and Wireshark's manuf).") var paths: [String] = []
        @Option(help: "Loads; the best is kept.") var repeats = 5

        func run() throws {
            var best = Double.infinity
            var registry: OUIRegistry?
            for _ in 0..<max(1, repeats) {
                let start = DispatchTime.now().uptimeNanoseconds
                registry = try OUIRegistry.load(paths: paths.isEmpty ? OUIRegistry.defaultPaths : paths)
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            guard let registry else { throw ValidationError("no registry found") }
            let lookups = 1_000_000
            var found = 0
            let start = DispatchTime.now().uptimeNanoseconds
            for i in 0..<lookups where registry.lookup(MACAddress(uncheckedValue: UInt64(i) &* 0x9E37_79B9_7F4A_7C15 & 0xFCFF_FFFF_FFFF)) != nil { found += 1 }
            let lookupNs = Double(DispatchTime.now().uptimeNanoseconds - start) / Double(lookups)
            print("machine: \(machine())")
            print(String(format: "registry: %@ (%d blocks) loaded in %.1f ms (best of %d); %.0f ns per lookup (%d of %d random MACs found)",
                         registry.label, registry.blockCount, best, repeats, lookupNs, found, lookups))
        }
    }
}
