import Foundation
import Testing
import TestSupport

/// What stays the same from one process to the next: reports byte for byte, and each check's
/// finding ids, which the database's history and every baseline are keyed by.
@Suite struct DeterminismCLITests {
    /// Finding ids of the sample cluster and captures, one per check. A change here orphans every
    /// admin's history and baseline: it must be deliberate and come with a database migration that
    /// maps the old ids. The last one (holder keys instead of hosts) is carried over by
    /// `Finding.legacyId`; `StoreTests/MigrationTests` audits a database of that release.
    static let pinned: [String: String] = [
        "duplicate-mac": "2bd19036ea20c944", "dynamic-mac-on-sdn": "0ece5d9396a771bf", "group-bit": "277cbd983d6803e4",
        "invalid-mac": "e2b42edf5a73f370", "ip-conflict": "2e47f6fa55dca042", "mac-mismatch": "c51d1eba54013d47",
        "out-of-pool": "32f287af1f3bdc83", "pool-overlap": "711c5075e2375841", "port-profile-mismatch": "8c77edf9a41364ed",
        "reserved-prefix": "3403a6f968a99a71", "wire-duplicate": "54ee3bcbaed95559", "ethernet-mismatch": "7b9544dfe3740575",
        "foreign-pool-dynamic": "5157f085a09c28ff", "nc-orphan": "2bae8a1af73476c3", "unmanaged-adapter": "3a9bdf819937468a",
        "wire-unknown-mac": "e552d1e7d7ef7927", "foreign-oui": "092a7d126ec3df6c", "unregistered-oui": "02e7b5f424b035f3",
    ]

    static var inputs: [String] {
        let wire = (try? FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("Captures/wire").path)) ?? []
        return ["Captures/sample-cluster"] + wire.filter { $0.hasSuffix(".pcap") || $0.hasSuffix(".pcapng") }.sorted().map { "Captures/wire/\($0)" }
    }

    @Test func theFirstFindingOfEachCheckKeepsItsPinnedId() throws {
        let r = try CLI.run(["audit"] + Self.inputs + ["--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        var first: [String: String] = [:]
        for f in report["findings"] as? [[String: Any]] ?? [] {
            if let check = f["check"] as? String, first[check] == nil { first[check] = f["id"] as? String }
        }
        #expect(first == Self.pinned)
    }

    /// Two processes (each with its own hash seed, so any iteration over a `Set` or `Dictionary`
    /// that reaches the output shows) write the same bytes, on the sample and on a generated fleet.
    @Test func twoProcessesWriteTheSameReport() throws {
        let dir = try CLI.temporaryDirectory()
        let bench = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("macaudit-bench").path
        let generated = try Subprocess.run(bench, ["generate", "--adapters", "20000", "--interfaces", "10000", "\(dir)/fleet"],
                                           environment: CLI.environment(), directory: CLI.root.path)
        #expect(generated.status == 0, "\(generated.stderr)")
        for inputs in [Self.inputs, ["\(dir)/fleet"]] {
            for format in ["json", "text", "csv", "markdown", "html"] {
                let args = ["audit"] + inputs + ["--format", format, "--plan", "--fail-on", "critical"]
                let a = try CLI.run(args), b = try CLI.run(args)
                #expect(a.status == b.status)
                #expect(!a.stdout.isEmpty)
                #expect(Self.withoutTimestamps(a.stdout) == Self.withoutTimestamps(b.stdout), "\(format) of \(inputs) differs between runs")
            }
        }
    }

    /// The report with its generation time blanked (the one thing that may differ between runs).
    static func withoutTimestamps(_ text: String) -> String {
        text.replacingOccurrences(of: #"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "<time>", options: .regularExpression)
    }
}

/// Exit code 2, one line on stderr naming what failed, for every kind of failure that is not a
/// finding: cron jobs read 1 as "findings" and must never see it for a fault.
@Suite struct FailureExitCodeCLITests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var arguments: @Sendable (String) -> [String]
        var setUp: @Sendable (String) throws -> Void = { _ in }
        var says: @Sendable (String) -> String
        var testDescription: String { name }
    }

    /// A pool database made by `pool init` in the folder.
    static let initialised: @Sendable (String) throws -> Void = { dir in
        let r = try CLI.run(["pool", "init", "--db", "\(dir)/pool.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    static let cases: [Case] = [
        Case(name: "a missing input", arguments: { ["audit", "\($0)/no-such-folder"] }, says: { "\($0)/no-such-folder" }),
        Case(name: "a broken rules file", arguments: { ["audit", "Captures/sample-cluster", "--rules", $0] },
             setUp: { try Data("version: 1\nchecks:\n  duplicate-mac: loud\n".utf8).write(to: URL(fileURLWithPath: "\($0)/severities.yaml")) },
             says: { "\($0)/severities.yaml: line 3" }),
        Case(name: "a database that is not one", arguments: { ["audit", "Captures/sample-cluster", "--db", "\($0)/pool.sqlite"] },
             setUp: { try Data(String(repeating: "not a database\n", count: 400).utf8).write(to: URL(fileURLWithPath: "\($0)/pool.sqlite")) },
             says: { "\($0)/pool.sqlite: cannot be opened as a pool database" }),
        Case(name: "a database path that is a folder", arguments: { ["audit", "Captures/sample-cluster", "--db", "\($0)/pool.sqlite"] },
             setUp: { try FileManager.default.createDirectory(atPath: "\($0)/pool.sqlite", withIntermediateDirectories: true) },
             says: { "\($0)/pool.sqlite: cannot be opened as a pool database: it is a folder, not a database file" }),
        Case(name: "a database path under a file", arguments: { ["pool", "list", "--db", "\($0)/file/pool.sqlite"] },
             setUp: { try Data("x".utf8).write(to: URL(fileURLWithPath: "\($0)/file")) },
             says: { "\($0)/file/pool.sqlite" }),
        Case(name: "a database server that does not resolve", arguments: { _ in ["audit", "Captures/sample-cluster", "--db", "postgres://macaudit:s3cret@db.invalid:5432/macaudit"] },
             says: { _ in "postgres://macaudit@db.invalid:5432/macaudit: cannot be opened as a pool database: cannot reach the server at db.invalid:5432: the host name 'db.invalid' does not resolve" }),
        Case(name: "a report in a missing folder", arguments: { ["audit", "Captures/sample-cluster", "-o", "\($0)/missing/report.txt"] },
             says: { "\($0)/missing/report.txt: the report cannot be written: the folder \($0)/missing does not exist" }),
        Case(name: "metrics in a missing folder", arguments: { ["audit", "Captures/sample-cluster", "--metrics", "\($0)/missing/m.prom"] },
             says: { "\($0)/missing/m.prom: the metrics cannot be written" }),
        Case(name: "scripts under a file", arguments: { ["audit", "Captures/sample-cluster", "--scripts", "\($0)/file/scripts"] },
             setUp: { try Data("x".utf8).write(to: URL(fileURLWithPath: "\($0)/file")) },
             says: { "\($0)/file/scripts: the scripts cannot be written: \($0)/file is not a folder" }),
        Case(name: "a malformed baseline file", arguments: { ["audit", "Captures/sample-cluster", "--baseline", "\($0)/baseline.json"] },
             setUp: { try Data("{\"id\": 1}".utf8).write(to: URL(fileURLWithPath: "\($0)/baseline.json")) },
             says: { "\($0)/baseline.json: not a baseline file" }),
        Case(name: "a pool that is not there", arguments: { ["pool", "show", "nope", "--db", "\($0)/pool.sqlite"] },
             setUp: initialised, says: { _ in "no pool named 'nope'" }),
        Case(name: "a run that is not there", arguments: { ["history", "--diff", "1", "2", "--db", "\($0)/pool.sqlite"] },
             setUp: initialised, says: { _ in "no run 1 in the database" }),
        Case(name: "a mistyped database path", arguments: { ["pool", "list", "--db", "\($0)/pool.sqlit"] },
             setUp: initialised, says: { "\($0)/pool.sqlit: no pool database there" }),
    ]

    @Test func failOnNewWithoutADatabaseIsRefused() throws {
        var env = CLI.environment()
        env.removeValue(forKey: "MACAUDIT_DB")
        let r = try Subprocess.run(CLI.binary, ["audit", "Captures/sample-cluster", "--fail-on-new"], environment: env, directory: CLI.root.path)
        #expect(r.status == 2 && r.stderr.contains("Please give --db (or set $MACAUDIT_DB) with --fail-on-new"), "\(r.stderr)")
    }

    @Test(arguments: cases) func aFailureExitsTwoWithOneLine(_ c: Case) throws {
        let dir = try CLI.temporaryDirectory()
        try c.setUp(dir)
        let r = try CLI.run(c.arguments(dir))
        #expect(r.status == 2, "exit \(r.status); stderr: \(r.stderr)")
        #expect(r.stderr.hasPrefix("macaudit: "), "stderr: \(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "stderr: \(r.stderr)")
        #expect(r.stderr.contains(c.says(dir)), "stderr: \(r.stderr)")
        #expect(!r.stderr.contains("DatabaseError") && !r.stderr.contains("SQLite error"), "a raw database error: \(r.stderr)")
        #expect(!r.stderr.contains("s3cret"), "a password in the output: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: CLI.root.appendingPathComponent("postgres:").path), "a folder named after a URL")
    }

    /// Planners racing for one small pool: each either reserves a plan (planning again around the
    /// MACs the others took) or says it could not; none exits 1, none reports a raw database error,
    /// and no MAC is reserved twice. Each planner audits the sample as a cluster of its own, so its
    /// holders without an adapter Id are holders of their own that want the same free MACs.
    @Test(.timeLimit(.minutes(5)))
    func racingPlannersRetryOrExitTwoNeverOne() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        #expect(try CLI.run(["pool", "add", "tiny", "02-1D-D8-00-90-00", "02-1D-D8-00-90-3F", "--db", db]).status == 0)
        var outcomes: [Int32] = []
        for round in 0..<3 {
            let planners = try (0..<4).map { i in
                try spawn(["audit", "Captures/sample-cluster", "--cluster", "site-\(i)", "--db", db, "--plan", "--fail-on", "critical",
                           "--format", "json", "-o", "\(dir)/plan-\(round)-\(i).json"])
            }
            for p in planners {
                let r = p.wait()
                outcomes.append(r.status)
                #expect(r.status == 0 || r.status == 2, "exit \(r.status): \(r.stderr)")
                if r.status == 2 { #expect(r.stderr.contains("other planners kept reserving"), "\(r.stderr)") }
                #expect(!r.stderr.contains("DatabaseError") && !r.stderr.contains("SQLite error"), "\(r.stderr)")
            }
        }
        #expect(outcomes.contains(0))
        let pending = try CLI.run(["pool", "reservations", "--pending", "--db", db]).stdout.split(separator: "\n").map { $0.split(separator: "\t")[0] }
        #expect(pending.count >= 4, "\(pending)")
        #expect(Set(pending).count == pending.count, "a MAC reserved twice: \(pending)")
    }
}

/// The fuzz harnesses compile from the package's own targets and run: a source file added to the
/// model or ingest stage can never leave them unbuilt (they are built here, in every test run), and
/// each target runs 30 seconds, so a crash within reach of the seeds fails the suite (the script
/// prints the input as base64).
@Suite struct FuzzHarnessTests {
    @Test(.timeLimit(.minutes(10)), arguments: ["frame", "json", "rules", "registry", "database"])
    func theHarnessBuildsAndRuns(_ target: String) throws {
        let r = try Subprocess.run("/bin/bash", ["Tests/Fuzz/run.sh", target, "30"], environment: CLI.environment(), directory: CLI.root.path)
        #expect(r.status == 0, "\(r.stdout.suffix(2000))\(r.stderr.suffix(2000))")
        let units = r.stdout.split(separator: "\n").first { $0.hasPrefix("stat::number_of_executed_units:") }
            .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
        #expect(units > 1000, "\(target) ran \(units) inputs")
    }
}

/// One export read twice is one export: the same folder named twice, a byte copy beside the
/// original, a second export of the same controller — the findings are those of one reading, and a
/// warning names both files.
@Suite struct RepeatedInputCLITests {
    static func errors(_ r: CLI.Result) throws -> [String] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        return (report["findings"] as? [[String: Any]] ?? []).compactMap { f in
            (f["severity"] as? String) == "error" ? "\(f["check"] ?? "") \(f["mac"] ?? "")" : nil
        }.sorted()
    }

    static func sampleCopy(_ dir: String) throws -> String {
        let folder = "\(dir)/sample-cluster"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Captures/sample-cluster").path, toPath: folder)
        return folder
    }

    @Test func theSameFolderNamedTwiceIsReadOnce() throws {
        let once = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json"])
        let twice = try CLI.run(["audit", "Captures/sample-cluster", "Captures/sample-cluster", "--format", "json"])
        #expect(try Self.errors(twice) == Self.errors(once))
        #expect(try Self.errors(once).count == 9)
        #expect(twice.stderr.contains("read once"), "\(twice.stderr)")
    }

    @Test func aCopyBesideTheOriginalIsReadOnce() throws {
        let dir = try CLI.temporaryDirectory()
        let folder = try Self.sampleCopy(dir)
        try FileManager.default.copyItem(atPath: "\(folder)/nc-networkInterfaces.json", toPath: "\(folder)/nc-networkInterfaces (1).json")
        let r = try CLI.run(["audit", folder, "--format", "json"])
        #expect(try Self.errors(r).count == 9)
        // Path order decides which is read: "nc-networkInterfaces (1).json" sorts first.
        #expect(r.stderr.contains("\(folder)/nc-networkInterfaces.json: has the same bytes as \(folder)/nc-networkInterfaces (1).json"), "\(r.stderr)")
        #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
    }

    /// A second export of the controller (other bytes, same interfaces): its records are dropped
    /// by resourceRef, with one warning for the pair of files.
    @Test func aSecondExportOfTheSameInterfacesAddsNoDuplicates() throws {
        let dir = try CLI.temporaryDirectory()
        let folder = try Self.sampleCopy(dir)
        let original = try String(contentsOfFile: "\(folder)/nc-networkInterfaces.json", encoding: .utf8)
        try Data(original.replacingOccurrences(of: "\n", with: "\r\n").utf8).write(to: URL(fileURLWithPath: "\(folder)/nc-networkInterfaces-again.json"))
        let r = try CLI.run(["audit", folder, "--format", "json"])
        #expect(try Self.errors(r).count == 9)
        #expect(r.stderr.contains("nc-networkInterfaces.json: repeats"), "\(r.stderr)")
        #expect(r.stderr.contains("record(s) of \(folder)/nc-networkInterfaces-again.json"), "\(r.stderr)")
    }
}

/// What a nightly job sees: nothing recorded when the run fails, nothing on stderr when it works,
/// no database made by a command that only reads one.
@Suite struct NightlyJobCLITests {
    /// A report that cannot be written fails the run before the database hears of it: the next
    /// night's `--fail-on-new` still sees every finding as new. /proc looks writable to root by its
    /// permission bits, yet takes no file.
    @Test(arguments: [["-o", "missing/report.html", "--format", "html"], ["--metrics", "missing/m.prom"], ["--scripts", "file/scripts"],
                      ["-o", "/proc/report.html", "--format", "html"], ["--metrics", "/proc/m.prom"]])
    func aRunWhoseOutputsCannotBeWrittenIsNotRecorded(_ outputs: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        try Data("x".utf8).write(to: URL(fileURLWithPath: "\(dir)/file"))
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        let failed = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "--fail-on-new"] + outputs.map { $0.contains("/") && !$0.hasPrefix("/") ? "\(dir)/\($0)" : $0 })
        #expect(failed.status == 2, "\(failed.stderr)")
        #expect(try CLI.run(["history", "--db", db]).stdout.isEmpty, "a failed run was recorded")
        let next = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "--fail-on-new", "-o", "\(dir)/report.txt"])
        #expect(next.status == 1, "the findings are new to the database, so --fail-on-new fires")
    }

    @Test func aSuccessfulNightPrintsNothingOnStderr() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        let first = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "-o", "\(dir)/r.json", "--format", "json", "--fail-on", "critical"])
        #expect(first.status == 0)
        #expect(first.stderr == "macaudit: created the pool database \(db)\n")
        let second = try CLI.run(["audit", "Captures/sample-cluster", "--db", db, "-o", "\(dir)/r.json", "--format", "json", "--fail-on", "critical"])
        #expect(second.status == 0)
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        let show = try CLI.run(["pool", "list", "--db", db])
        #expect(show.status == 0 && show.stderr.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: db + ".migrate-lock"), "the migration lock stays behind")
    }

    @Test(arguments: [["pool", "list"], ["pool", "reservations"], ["history"], ["baseline", "list"], ["pool", "show", "p"]])
    func aReadOnlyCommandNeverCreatesADatabase(_ command: [String]) throws {
        let dir = try CLI.temporaryDirectory()
        let r = try CLI.run(command + ["--db", "\(dir)/pool.sqlit"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("no pool database there"), "\(r.stderr)")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir)
        #expect(left.isEmpty, "left behind: \(left)")
    }
}

/// Pool commands happen whole or not at all, and never hand out what must not be used.
@Suite struct PoolCommandCLITests {
    static func database() throws -> (dir: String, db: String) {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        return (dir, db)
    }

    @Test func aPoolOverVRRPAddressesIsRefusedUnlessAllowed() throws {
        let (_, db) = try Self.database()
        let refused = try CLI.run(["pool", "add", "j", "00-00-5E-00-01-00", "00-00-5E-00-01-FF", "--db", db])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("pool 'j' is refused: range 00-00-5E-00-01-00…00-00-5E-00-01-FF covers VRRP IPv4 virtual router"), "\(refused.stderr)")
        let zero = try CLI.run(["pool", "add", "z", "00-00-00-00-00-00", "00-00-00-00-00-0F", "--db", db])
        #expect(zero.status == 2 && zero.stderr.contains("the all-zero placeholder"), "\(zero.stderr)")
        #expect(try CLI.run(["pool", "list", "--db", db]).stdout.isEmpty)
        // Allowed on purpose (a pool that documents the routers' MACs): it exists, and still no
        // reservation hands one of them out.
        #expect(try CLI.run(["pool", "add", "j", "00-00-5E-00-01-00", "00-00-5E-00-01-FF", "--allow-reserved", "--db", db]).status == 0)
        let more = try CLI.run(["pool", "reserve", "j", "--holder", "r1", "--db", db])
        #expect(more.status == 2 && more.stderr.contains("pool 'j' has room for 0 of the 1 MAC(s)"), "\(more.stderr)")
        // A pool next to the reserved range gives its own addresses and stops at the range.
        #expect(try CLI.run(["pool", "add", "k", "02-1D-D8-00-00-FE", "02-1D-D8-00-01-01", "--db", db]).status == 0)
        let rules = try CLI.temporaryDirectory()
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("rules/reserved-prefixes.yaml").path, toPath: "\(rules)/reserved-prefixes.yaml")
        let yaml = try String(contentsOfFile: "\(rules)/reserved-prefixes.yaml", encoding: .utf8)
        try Data((yaml + "  - name: lab routers\n    prefix: 02-1D-D8-00-01\n    severity: error\n    reason: the lab's routers\n").utf8)
            .write(to: URL(fileURLWithPath: "\(rules)/reserved-prefixes.yaml"))
        let got = try CLI.run(["pool", "reserve", "k", "--holder", "r1", "--count", "2", "--rules", rules, "--db", db])
        #expect(got.status == 0, "\(got.stderr)")
        #expect(got.stdout == "02-1D-D8-00-00-FE\n02-1D-D8-00-00-FF\n")
        let third = try CLI.run(["pool", "reserve", "k", "--holder", "r1", "--rules", rules, "--db", db])
        #expect(third.status == 2, "02-1D-D8-00-01-00 and -01 are the lab routers': \(third.stdout)")
    }

    @Test func reservingMoreThanThePoolHoldsReservesNothing() throws {
        let (_, db) = try Self.database()
        #expect(try CLI.run(["pool", "add", "tiny", "02-1D-D8-00-00-00", "02-1D-D8-00-00-03", "--db", db]).status == 0)
        let r = try CLI.run(["pool", "reserve", "tiny", "--holder", "h", "--count", "6", "--db", db])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pool 'tiny' has room for 4 of the 6 MAC(s) asked for; nothing was reserved"), "\(r.stderr)")
        #expect(try CLI.run(["pool", "reservations", "--db", db]).stdout.isEmpty)
    }

    @Test func anImportThatRefusesOnePoolImportsNone() throws {
        let (dir, db) = try Self.database()
        try Data("version: 1\npools:\n  - name: a\n    first: 02-1D-D8-00-00-00\n    last: 02-1D-D8-00-00-FF\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/a.yaml"))
        try Data("version: 1\npools:\n  - name: b\n    first: 02-1D-D8-00-00-80\n    last: 02-1D-D8-00-01-7F\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/b.yaml"))
        let r = try CLI.run(["pool", "import", "Captures/sample-cluster/nc-macPools.json", "\(dir)/a.yaml", "\(dir)/b.yaml", "--db", db])
        #expect(r.status == 2)
        #expect(r.stderr.contains("pool 'b' is refused") && r.stderr.contains("overlaps pool 'a'") && r.stderr.contains("nothing was imported"), "\(r.stderr)")
        #expect(r.stdout.isEmpty)
        #expect(try CLI.run(["pool", "list", "--db", db]).stdout.isEmpty)
    }

    @Test(arguments: [["--scope", "fleet", "--cluster", "c1"], ["--scope", "fleet", "--host", "HV01"]])
    func aFleetPoolWithAClusterOrHostIsRefused(_ options: [String]) throws {
        let (_, db) = try Self.database()
        let r = try CLI.run(["pool", "add", "p", "02-1D-D8-00-00-00", "02-1D-D8-00-00-FF", "--db", db] + options)
        #expect(r.status == 2 && r.stderr.contains("a fleet pool has neither"), "\(r.stderr)")
        let unnamed = try CLI.run(["pool", "add", "", "02-1D-D8-00-00-00", "02-1D-D8-00-00-FF", "--db", db])
        #expect(unnamed.status == 2 && unnamed.stderr.contains("Please give the pool a name"), "\(unnamed.stderr)")
    }
}

/// A failed export is not a quiet skip, and every report says what was skipped.
@Suite struct InputWarningCLITests {
    static func folderWithErrorPage() throws -> String {
        let dir = try CLI.temporaryDirectory()
        let folder = "\(dir)/site"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Captures/sample-cluster").path, toPath: folder)
        try Data("<!DOCTYPE html>\r\n<html><head><title>401 - Unauthorized: Access is denied</title></head><body>…</body></html>\r\n".utf8)
            .write(to: URL(fileURLWithPath: "\(folder)/nc-servers-new.json"))
        try Data("[]".utf8).write(to: URL(fileURLWithPath: "\(folder)/.hidden-adapters.json"))
        return folder
    }

    @Test func anHTMLErrorPageInAFolderFailsTheRun() throws {
        let folder = try Self.folderWithErrorPage()
        let r = try CLI.run(["audit", folder])
        #expect(r.status == 2)
        #expect(r.stderr == "macaudit: \(folder)/nc-servers-new.json: is an HTML page, not an export (a failed Invoke-RestMethod or a proxy's error page?): '401 - Unauthorized: Access is denied'; export it again, or give --keep-going to audit without it\n", "\(r.stderr)")
    }

    @Test(arguments: ["text", "json", "csv", "markdown", "html"])
    func withKeepGoingEveryFormatShowsTheWarnings(_ format: String) throws {
        let folder = try Self.folderWithErrorPage()
        let dir = (folder as NSString).deletingLastPathComponent
        let r = try CLI.run(["audit", folder, "--keep-going", "--format", format, "-o", "\(dir)/report.\(format)"])
        #expect(r.status == 1, "\(r.stderr)")
        let written = try String(contentsOfFile: "\(dir)/report.\(format)", encoding: .utf8)
        // Markdown backslash-escapes punctuation from the inputs.
        let report = format == "markdown" ? written.replacingOccurrences(of: "\\", with: "") : written
        #expect(report.contains("nc-servers-new.json"), "\(format) does not name the skipped error page")
        #expect(report.contains("401 - Unauthorized"), "\(format) does not say what the page was")
        #expect(report.contains(".hidden-adapters.json"), "\(format) does not name the skipped hidden file")
    }
}

/// A cron job that writes its reports into the folder it audits: the next night reads them back.
@Suite struct OwnReportCLITests {
    @Test func reportsWrittenIntoTheExportsFolderAreSkippedTheNextNight() throws {
        let dir = try CLI.temporaryDirectory()
        let folder = "\(dir)/site"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Captures/sample-cluster").path, toPath: folder)
        let first = try CLI.run(["audit", folder, "--format", "json", "-o", "\(folder)/report.json"])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(try CLI.run(["audit", folder, "--format", "html", "-o", "\(folder)/report.html"]).status == 1)
        let next = try CLI.run(["audit", folder, "--format", "json", "-o", "\(folder)/report.json"])
        #expect(next.status == 1, "\(next.stderr)")
        // The file this run replaces is skipped without a word on stderr (cron mails what is printed);
        // the report still lists it, and another report of macaudit's in the folder is named.
        #expect(!next.stderr.contains("report.json"), "\(next.stderr)")
        #expect(try String(contentsOfFile: "\(folder)/report.json", encoding: .utf8).contains("skipped: written by macaudit (macaudit.report/1), not an export"))
        #expect(next.stderr.contains("\(folder)/report.html: skipped: macaudit's own HTML report, not an export"), "\(next.stderr)")
        func findings(_ path: String) throws -> Int {
            let report = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
            return (report["findings"] as? [Any])?.count ?? -1
        }
        let again = try CLI.run(["audit", CLI.root.appendingPathComponent("Captures/sample-cluster").path, "--format", "json", "-o", "\(dir)/plain.json"])
        #expect(again.status == 1)
        #expect(try findings("\(folder)/report.json") == findings("\(dir)/plain.json"))
        // A scripts folder inside it, with the state file an apply script wrote (as ConvertTo-Json does).
        try FileManager.default.createDirectory(atPath: "\(folder)/scripts", withIntermediateDirectories: true)
        try Data("""
            {
                "schema":  "macaudit.state/1",
                "host":  "HCI-N01",
                "plan":  "2026-12-07T17:52:14Z run 3",
                "steps":  { "move-1": { "AdapterMac": "00155D0A1005", "Dynamic": false } }
            }
            """.utf8).write(to: URL(fileURLWithPath: "\(folder)/scripts/state-HCI-N01.json"))
        let withState = try CLI.run(["audit", folder, "--format", "json", "-o", "\(folder)/report.json"])
        #expect(withState.status == 1, "\(withState.stderr)")
        #expect(withState.stderr.contains("\(folder)/scripts/state-HCI-N01.json: skipped: written by macaudit (macaudit.state/1)"), "\(withState.stderr)")
        #expect(try findings("\(folder)/report.json") == findings("\(dir)/plain.json"))
        // Named on the command line, it is skipped the same way; any other unknown JSON still fails.
        let named = try CLI.run(["audit", "\(folder)/report.json", "\(folder)/adapters-HCI-N01.json"])
        #expect(named.status != 2, "\(named.stderr)")
        try Data(#"{"name": "not an export"}"#.utf8).write(to: URL(fileURLWithPath: "\(folder)/other.json"))
        #expect(try CLI.run(["audit", folder]).status == 2)
    }
}

/// A tenant names its VM with an escape sequence, a tab and a line feed: every text output shows
/// them (`\u{1B}`, `\t`, `\n`) and none acts on the admin's terminal or forges a line or a column.
@Suite struct ControlCharacterCLITests {
    static let name = "vr\u{1B}[2J\u{1B}[31mrp\tx\nrun 99"
    static let shown = "vr\\u{1B}[2J\\u{1B}[31mrp\\tx\\nrun 99"

    @Test func aVMNameCannotDriveTheTerminalOrForgeALine() throws {
        let dir = try CLI.temporaryDirectory()
        let folder = "\(dir)/site"
        try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("Captures/sample-cluster").path, toPath: folder)
        let path = "\(folder)/adapters-HCI-N01.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        // vrrp01 holds a VRRP MAC: a finding names it in every report.
        let escaped = Self.name.unicodeScalars.map { $0.value < 0x20 ? String(format: "\\u%04x", $0.value) : String($0) }.joined()
        try Data(text.replacingOccurrences(of: "\"vrrp01\"", with: "\"\(escaped)\"").utf8).write(to: URL(fileURLWithPath: path))
        let db = "\(dir)/pool.sqlite"
        let outputs = [
            try CLI.run(["audit", folder, "--db", db]),
            try CLI.run(["audit", folder, "--format", "markdown"]),
            try CLI.run(["history", "--holder", "run 99", "--db", db]),
            try CLI.run(["mac", "00-00-5E-00-01-0A", "--db", db]),
        ]
        #expect(outputs[0].stdout.contains(Self.shown) && outputs[2].stdout.contains(Self.shown) && outputs[3].stdout.contains(Self.shown))
        for r in outputs {
            #expect(r.stdout.contains("vr\\u{1B}"), "the name is not shown: \(r.stdout.prefix(600))")
            #expect(!r.stdout.contains("\u{1B}") && !r.stderr.contains("\u{1B}"), "an escape sequence reached the output")
            #expect(!r.stdout.split(separator: "\n").contains { $0.hasPrefix("run 99") }, "a forged line")
        }
    }
}

/// A rule that names a cluster or host no input has is said, not silently applied to nobody.
@Suite struct RuleNameCLITests {
    @Test func aPlanNamingAMistypedClusterOrHostIsWarnedAbout() throws {
        let dir = try CLI.temporaryDirectory()
        for name in try FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("rules").path) where name != "pools.yaml" {
            try FileManager.default.copyItem(atPath: CLI.root.appendingPathComponent("rules/\(name)").path, toPath: "\(dir)/\(name)")
        }
        try Data("""
            version: 1
            plans:
              - name: seed
                prefix: 02-1D-D8
                clusters:
                  sample-clustr:
                    byte: 1
                    hosts: {HCI-N01: 0}
                  sample-cluster:
                    byte: 2
                    hosts: {HCI-N01: 0, HCI-N2: 1}

            """.utf8).write(to: URL(fileURLWithPath: "\(dir)/pools.yaml"))
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--rules", dir, "--format", "json"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("\(dir)/pools.yaml: names cluster 'sample-clustr', which no input has (inputs have: sample-cluster)"), "\(r.stderr)")
        #expect(r.stderr.contains("\(dir)/pools.yaml: names host 'HCI-N2' in cluster 'sample-cluster', which no input of that cluster has"), "\(r.stderr)")
        #expect(!r.stderr.contains("'HCI-N01'"), "\(r.stderr)")
    }
}

/// Metrics per cluster: two clusters, each with its own NC `DefaultMacPool` and a different use,
/// are two series, and the file passes Prometheus's own checker.
@Suite struct MetricsCLITests {
    @Test func twoClustersWithOnePoolNameAreTwoSeriesThatPromtoolAccepts() throws {
        let dir = try CLI.temporaryDirectory()
        let sample = CLI.root.appendingPathComponent("Captures/sample-cluster").path
        try FileManager.default.copyItem(atPath: sample, toPath: "\(dir)/exports/hci-a")
        try FileManager.default.createDirectory(atPath: "\(dir)/exports/hci-b", withIntermediateDirectories: true)
        // hci-b: the same DefaultMacPool (SDN Express's default range), and no interface of it in use yet.
        try FileManager.default.copyItem(atPath: "\(sample)/nc-macPools.json", toPath: "\(dir)/exports/hci-b/nc-macPools.json")
        let r = try CLI.run(["audit", "\(dir)/exports", "--metrics", "\(dir)/macaudit.prom", "-o", "\(dir)/report.txt"])
        #expect(r.status == 1, "\(r.stderr)")
        let text = try String(contentsOfFile: "\(dir)/macaudit.prom", encoding: .utf8)
        let pools = text.split(separator: "\n").filter { $0.hasPrefix("macaudit_pool_free{") && $0.contains("DefaultMacPool") }
        #expect(pools.count == 2, "\(pools)")
        #expect(Set(pools.compactMap { $0.split(separator: " ").last }).count == 2, "each cluster's own free count: \(pools)")
        let series = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ")[0] }
        #expect(Set(series).count == series.count, "a series twice")
        #expect(text.contains("macaudit_findings{cluster=\"hci-a\",check=\"duplicate-mac\",severity=\"error\"} 1"))
        let check = try Subprocess.run("/bin/sh", ["-c", "promtool check metrics < macaudit.prom"], environment: CLI.environment(), directory: dir)
        #expect(check.status == 0, "promtool: \(check.stdout)\(check.stderr)")
    }
}

/// A pool imported into the database and read from its export again is one pool: the findings,
/// their ids and the pool count are those of the audit without the database.
@Suite struct ImportedPoolCLITests {
    @Test func aPoolFromTheDatabaseAndFromTheInputsIsOnePool() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        let imported = try CLI.run(["pool", "import", "Captures/sample-cluster/vmhosts.json", "Captures/sample-cluster/nc-macPools.json",
                                    "--allow-overlap", "--db", db])
        #expect(imported.status == 0, "\(imported.stderr)")
        func ids(_ args: [String]) throws -> (ids: [String], pools: String) {
            let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json"] + args)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let ids = (report["findings"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }.sorted()
            let text = try CLI.run(["audit", "Captures/sample-cluster"] + args).stdout
            return (ids, String(text.split(separator: "\n").last ?? ""))
        }
        let without = try ids([])
        let with = try ids(["--db", db])
        #expect(with.ids == without.ids)
        #expect(with.pools.contains("4 pool(s)"), "\(with.pools)")
    }
}
