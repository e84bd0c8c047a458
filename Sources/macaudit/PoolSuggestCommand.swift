import ArgumentParser
import Foundation
import MACAudit
import MACAuditCapture

extension MacAudit.PoolCommand {
    /// `macaudit pool suggest PATH…`: designs the seed plan for the clusters and hosts of the inputs
    /// (and the pool database) and writes it as `pools.yaml`.
    struct Suggest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Design the seed plan (prefix + cluster byte + host nibble + 12-bit VM number) for the hosts of the inputs; write it as pools.yaml.",
            discussion: """
                Clusters and hosts already in the plans of the rules' pools.yaml keep their bytes and nibbles; new ones are \
                appended (lowest free byte and nibble, in name order), and the rules' explicit pools are kept. A new plan \
                gets the lowest 24-bit prefix of the IEEE 802c AAI quadrant (x2-…) that overlaps no pool, reserved prefix \
                or other plan and holds no MAC in use outside the ranges it gives. Limits: 256 clusters a plan (more open \
                a second plan with its own prefix), 16 hosts a cluster (more are listed and get no range), 4,096 MACs a host.
                """)

        @Argument(help: ArgumentHelp("Export files or folders (as for audit).", valueName: "path")) var paths: [String]
        @Option(help: "Name the cluster of every input (instead of the folder names).") var cluster: String?
        @Option(help: ArgumentHelp("The prefix of a new plan, e.g. 02-1D-D8 (default: the lowest free one).", valueName: "prefix")) var prefix: String?
        @Option(help: ArgumentHelp("The name of a new plan.", valueName: "name")) var name = "seed"
        @Option(help: ArgumentHelp("Also avoid the MACs and pools of this pool database, and design for its hosts.", valueName: "path")) var db: String?
        @Option(name: .shortAndLong, help: ArgumentHelp("Write pools.yaml here (atomically) instead of stdout.", valueName: "file")) var output: String?
        @OptionGroup var ruleOptions: RuleOptions

        func run() throws {
            let rules = try ruleOptions.load()
            let chosen = try prefix.map(Self.parsePrefix)
            try OutputPaths.check(files: [(output, "pools file")], folder: nil)
            for path in paths where !FileManager.default.fileExists(atPath: path) { throw IngestError(file: path, message: "does not exist") }
            let store = try db.map { try PoolDatabase.open($0, create: false, forReading: true) }
            let report = try MACAudit.Audit.run(paths: paths, cluster: cluster, rules: rules, store: nil, baseline: [], captureReader: libpcapReader)
            var pools = report.snapshot.pools, used = Planner.designUsed(report.snapshot, [])
            if let store {
                pools += try store.pools().flatMap(\.pools)
                used += try store.usedMACs()
            }
            let design = PoolDesigner.suggest(places: PoolDesigner.places(report.snapshot), rules: rules, pools: pools, used: used,
                                              name: name, prefix: chosen)
            if let chosen, let planned = design.plans.first(where: { $0.prefix == chosen }),
               let clash = PoolDesigner.forbiddenRanges(pools: pools, rules: rules).first(where: { $0.overlaps(planned.span) }) {
                throw ValidationError("Please give another --prefix: \(planned.span) overlaps \(clash), which another pool or a reserved prefix covers.")
            }
            let text = PoolsFile.render(pools: PoolsFile.explicitPools(rules), plans: design.plans, header: [
                "Pools the admin defines (see rules/pools.yaml for the format). Written by `macaudit pool suggest`;",
                "edit freely: a later suggest keeps every cluster byte and host nibble written here and appends new ones.",
            ])
            let err = FileHandle.standardError
            for line in design.added { err.write(Data("macaudit: adds \(line)\n".utf8)) }
            for line in design.leftOut { err.write(Data("macaudit: warning: left out \(line)\n".utf8)) }
            if design.isEmpty { err.write(Data("macaudit: every host already has a range in the plans of the rules\n".utf8)) }
            try emit(text, to: output)
        }

        /// `02-1D-D8`, `02:1d:d8` or `021DD8`: three octets in the AAI quadrant.
        static func parsePrefix(_ text: String) throws -> UInt32 {
            let hex = text.filter { $0.isHexDigit }
            guard hex.count == 6, text.allSatisfy({ $0.isHexDigit || $0 == "-" || $0 == ":" }), let value = UInt32(hex, radix: 16) else {
                throw ValidationError("Please give --prefix as three octets, e.g. 02-1D-D8 (not '\(text)').")
            }
            if let problem = PoolDesigner.problem(with: value) { throw ValidationError("Please give another --prefix: \(text) \(problem).") }
            return value
        }
    }
}
