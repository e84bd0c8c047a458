import ArgumentParser
import Foundation
import MACAudit
import MACAuditCapture
import MACAuditStore

extension MacAudit {
    /// `macaudit audit PATH…`: read exports, reconcile, check, report.
    struct Audit: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Audit exported Hyper-V and Network Controller JSON (files or folders).",
            discussion: """
                Inputs are recognised by content: Get-VMNetworkAdapter, Get-VMHost, port-profile, SCVMM pool and \
                Network Controller (networkInterfaces, macPools, virtualNetworks, logicalNetworks, servers) exports, \
                in UTF-8 or UTF-16. A folder's files belong to the cluster named after the folder; each sub-folder \
                is a cluster of its own.
                """)

        @Argument(help: ArgumentHelp("Export files or folders.", valueName: "path"))
        var paths: [String]

        @Option(help: "Name the cluster of every input (instead of the folder names).")
        var cluster: String?

        @Option(help: "Output format: text, json, csv (a row per finding and subject), markdown or html (self-contained page).")
        var format: Format = .text

        @Option(help: ArgumentHelp("Also write Prometheus textfile metrics (for node_exporter) to this file, atomically.", valueName: "file"))
        var metrics: String?

        @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file (atomically) instead of stdout.", valueName: "file"))
        var output: String?

        @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity: critical, error, warning, info.")
        var failOn: Severity = .error

        @Option(help: "Colour on the terminal: auto, always or never.")
        var color: ColorChoice = .auto

        @OptionGroup var ruleOptions: RuleOptions
        @OptionGroup var registryOptions: RegistryOptions

        @Option(help: ArgumentHelp("Record the run in this pool database: pools join the inputs, findings get new/persisting/resolved (also $MACAUDIT_DB).", valueName: "path"))
        var db: String?

        @Option(name: .customLong("db-horizon"), help: ArgumentHelp("With a database: holders it recorded and this run did not read take part when seen within this many days (default: rules/database.yaml, else 30).", valueName: "days"))
        var dbHorizon: Int?

        @Option(name: .customLong("release-after"), help: ArgumentHelp("With a database: a gone holder's MAC returns to the free space after this many days (default: rules/database.yaml, else 7).", valueName: "days"))
        var releaseAfter: Int?

        @Option(help: ArgumentHelp("A reviewed baseline file of accepted findings (see `baseline list --json`).", valueName: "file"))
        var baseline: String?

        @Flag(name: .customLong("fail-on-new"), help: "With a database: exit 1 only for findings new in this run (at or above --fail-on).")
        var failOnNew = false

        @Flag(help: "Propose new static MACs for the findings that need one (reserved in the database, with --db).")
        var plan = false

        @Flag(help: "Apply the plan to what was read, run every check again and report what remains and what the plan would introduce (implies --plan).")
        var verify = false

        @Option(help: ArgumentHelp("Write apply-HOST.ps1 and rollback-HOST.ps1 for the plan into this folder (implies --plan).", valueName: "dir"))
        var scripts: String?

        @Flag(help: "Say on stderr which run was recorded (otherwise a successful audit prints nothing there but warnings).")
        var verbose = false

        @Flag(help: "No progress line on stderr (shown only on a terminal, once the audit has taken 2 seconds).")
        var quiet = false

        @Flag(name: .customLong("keep-going"), help: "Skip, with a warning, an input that is an HTML error page instead of failing the run.")
        var keepGoing = false

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, json, csv, markdown, html }

        /// `--db`, else `$MACAUDIT_DB` when set and not empty.
        var databasePath: String? { db ?? ProcessInfo.processInfo.environment["MACAUDIT_DB"].flatMap { $0.isEmpty ? nil : $0 } }

        func validate() throws {
            for (value, name) in [(dbHorizon, "--db-horizon"), (releaseAfter, "--release-after")] {
                if let value, value < 0 || value > 36_500 { throw ValidationError("\(name) takes a whole number of days from 0 to 36500, not \(value).") }
            }
            if failOnNew && databasePath == nil {
                throw ValidationError("Please give --db (or set $MACAUDIT_DB) with --fail-on-new: without a database there is no last run, so nothing is new or old.")
            }
        }
        enum ColorChoice: String, ExpressibleByArgument, CaseIterable { case auto, always, never }

        func run() throws {
            let setup = PhaseClock()
            let dbPath = databasePath
            let opening = openEarly(dbPath)
            var rules: Rules, accepted: [BaselineEntry]
            do {
                rules = try ruleOptions.load()
                rules.registry = try registryOptions.load()
                accepted = try baseline.map(BaselineFile.load) ?? []
                // Every output path is checked before anything is recorded: a run whose report cannot
                // be written must not be in the database (the next night's --fail-on-new would take its
                // new findings for old ones).
                try OutputPaths.check(files: [(output, "report"), (metrics, "metrics")], folder: scripts)
            } catch {
                _ = try? opening?.result()  // the database is not left half-opened
                throw error
            }
            // A mistyped input path stops the run before a database is created or touched.
            for path in paths where !FileManager.default.fileExists(atPath: path) { throw IngestError(file: path, message: "does not exist") }
            let creates = opening == nil && dbPath.map(PoolDatabase.wouldCreate) ?? false
            var store: (any PoolStore)? = try opening?.result().store ?? dbPath.map { try PoolDatabase.open($0, create: true) }
            if creates, let store { FileHandle.standardError.write(Data("macaudit: created the pool database \(store.location)\n".utf8)) }
            let meter = ProgressMeter.start(quiet: quiet)
            defer { meter?.stop() }
            setup.lap("rules, registry, database opened")
            let day = 86_400.0
            let database = MACAudit.Audit.DatabaseOptions(horizon: Double(dbHorizon ?? rules.database.horizonDays) * day,
                                                          releaseAfter: Double(releaseAfter ?? rules.database.releaseAfterDays) * day)
            var report = try MACAudit.Audit.run(paths: paths, cluster: cluster, rules: rules, store: store, baseline: accepted,
                                                captureReader: libpcapReader, plan: plan || scripts != nil, verify: verify, keepGoing: keepGoing,
                                                database: database, reportedLater: true)
            if verbose, let run = report.runId, let store { FileHandle.standardError.write(Data("macaudit: run \(run) recorded in \(store.location)\n".utf8)) }
            // Last night's report at tonight's --output, inside the audited folder, is skipped without
            // a word on stderr: a cron job mails whatever is printed, and this file is about to be replaced.
            let replaced = Set([output, metrics].compactMap { $0 }.compactMap(Self.realPath))
            for warning in report.warnings where (format != .text || output != nil) && !replaced.contains(Self.realPath(warning.source) ?? "") {
                FileHandle.standardError.write(Data("macaudit: warning: \(warning.description.terminalSafe)\n".utf8))
            }
            if format == .html, let store {
                WorkProgress.shared.begin("reading the database's history")
                report.history = try AuditHistory.read(from: store, pools: report.poolUsage.prefix(HTMLReport.drawnPools).map(\.pool))
            }
            // Scripts first: a scripts folder that cannot be made stops the run before a report says
            // there is a plan to apply.
            if let scripts { try writeScripts(report.plan, report, to: scripts) }
            if let metrics { try AtomicFile.write(try ReportFormats.render(report, format: PrometheusMetrics.format), to: metrics) }
            WorkProgress.shared.begin("writing the report")
            if output == nil { meter?.stop() }   // the progress line stays off a report on the terminal
            let clock = PhaseClock()
            try emit(to: output) { try ReportFormats.write(report, format: format.rawValue, options: RenderOptions(colour: useColour), to: &$0) }
            clock.lap("write the report")
            // Only now is the run's news out: until this, the next run takes its new findings as new.
            // Failing to say so (the server went away) costs only that: a warning, not a failed audit.
            if let run = report.runId, let store {
                do { try store.markReported(run: run) } catch {
                    FileHandle.standardError.write(Data("macaudit: warning: \(error); the report is written, but the next run will count this run's new findings as new again\n".utf8))
                }
                clock.lap("note the run as reported")
            }
            meter?.stop()
            let code = report.exitCode(failOn: failOn, onlyNew: failOnNew)
            // Everything is written. Close the database, then leave without tearing the report down:
            // freeing a million holders, adapters and their strings one by one takes as long as
            // running every check on them.
            withExtendedLifetime(report) {
                store = nil
                clock.lap("close the database")
                Foundation.exit(code)
            }
        }

        /// An existing database (SQLite file or PostgreSQL server) opened on a thread of its own
        /// while the rules and the registry load, when every input path exists. A database that
        /// would be made waits for every check of the run's arguments: a mistyped path or a
        /// broken rules file never creates one.
        func openEarly(_ location: String?) -> OnAnotherThread<OpenedStore>? {
            guard let location, !PoolDatabase.wouldCreate(location), paths.allSatisfy({ FileManager.default.fileExists(atPath: $0) }) else {
                return nil
            }
            return OnAnotherThread("macaudit open database") { OpenedStore(store: try PoolDatabase.open(location, create: true)) }
        }

        /// A store handed from the thread that opened it to the run, which alone uses it after.
        struct OpenedStore: @unchecked Sendable { let store: any PoolStore }

        /// `path` without `.`, `..` and symbolic links; nil when it does not exist.
        static func realPath(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }

        /// Each file through a temporary file and a rename; the folder is created when missing.
        /// Apply scripts of an earlier plan for hosts this one leaves alone are named in a warning.
        func writeScripts(_ plan: Plan?, _ report: AuditReport, to folder: String) throws {
            try OutputPaths.makeFolder(folder, what: "scripts")
            var written = Set<String>()
            do {
                for s in plan.map({ PowerShellScripts.render($0, generatedAt: JSONReport.timestamp(report.generatedAt), runId: report.runId) }) ?? [] {
                    let apply = PowerShellScripts.fileName("apply", s.host)
                    try AtomicFile.write(s.apply, to: (folder as NSString).appendingPathComponent(apply))
                    try AtomicFile.write(s.rollback, to: (folder as NSString).appendingPathComponent(PowerShellScripts.fileName("rollback", s.host)))
                    written.insert(apply)
                }
            } catch {
                throw OutputError(path: folder, what: "scripts", reason: Failure.sentence(for: error) ?? error.localizedDescription)
            }
            for earlier in EarlierScripts.left(in: folder, written: written) {
                FileHandle.standardError.write(Data("""
                    macaudit: warning: \(earlier.path) is an earlier plan's (generated \(earlier.generated)); this plan has no step \
                    for its host: delete it before running apply-*.ps1 (keep its rollback script and state file if it was run)\n
                    """.utf8))
            }
        }

        var useColour: Bool {
            switch color {
            case .always: return true
            case .never: return false
            case .auto: return output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            }
        }
    }

    /// `macaudit checks`: the check catalog.
    struct Checks: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every check: id, severity (per variant), remedy and summary, tab-separated.",
            discussion: "Remedies: move (a new static MAC), adopt-controller (the NC's MAC), repair-profile, repair-range, person.")

        @OptionGroup var listing: ListingOptions

        func run() throws {
            if listing.json {
                try listing.print(CheckRegistry.all.map { check in
                    let info = check.info
                    return Listing.CheckRow(id: info.id.rawValue, severity: info.severity.rawValue,
                                            variants: info.variants.mapValues(\.rawValue), remedy: info.remedy.rawValue,
                                            summary: info.summary, rationale: info.rationale)
                })
                return
            }
            for check in CheckRegistry.all {
                let info = check.info
                let variants = info.variants.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }
                let severity = variants.isEmpty ? info.severity.rawValue : variants.joined(separator: ",")
                print("\(info.id.rawValue)\t\(severity)\t\(info.remedy.rawValue)\t\(info.summary)")
            }
        }
    }
}
