import ArgumentParser
import Foundation
import MACAudit
import MACAuditStore

extension MacAudit {
    /// `macaudit history`: the audits recorded in the pool database, and what changed between two.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List recorded audit runs, the difference between two, or what happened to holders.",
            discussion: """
                Holder events: mac-changed (a holder's MAC changed), moved (another host), gone (the export that should \
                list it did not), returned, released (gone past the grace period: its MAC is free), rekeyed (a row of an \
                older macaudit given its holder key), fulfilled (a reservation's MAC is now the holder's).
                """)
        @Option(name: .customLong("diff"), parsing: .upToNextOption, help: ArgumentHelp("Two run ids: what appeared and disappeared between them.", valueName: "run"))
        var diff: [Int64] = []
        @Flag(help: "List holder events (of every run, or of --run).") var events = false
        @Option(name: .customLong("run"), help: ArgumentHelp("With --events: only this run's.", valueName: "run")) var runId: Int64?
        @Option(help: ArgumentHelp("A holder's assignments and events: its key, VM or adapter name, or part of one.", valueName: "text"))
        var holder: String?
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var listing: ListingOptions

        func validate() throws {
            if !diff.isEmpty && diff.count != 2 { throw ValidationError("Please give --diff OLDER NEWER.") }
            if runId != nil && !events { throw ValidationError("--run goes with --events.") }
        }

        func run() throws {
            let store = try database.openForReading()
            if events {
                let found = try store.holderEvents(run: runId, holder: nil)
                // A run that is not there is a typo, not a quiet run (as with --diff).
                if found.isEmpty, let runId, try !store.runs().contains(where: { $0.id == runId }) {
                    throw Failure("no run \(runId) in the database")
                }
                if listing.json { try listing.print(found.map(JSONReport.EventDTO.init)); return }
                for e in found { print("\(JSONReport.timestamp(e.at))\t\(e.kind.rawValue)\t\(e.description.terminalSafe)") }
                if found.isEmpty, isatty(STDOUT_FILENO) == 1 {
                    FileHandle.standardError.write(Data("macaudit: no holder events\(runId.map { " in run \($0)" } ?? "")\n".utf8))
                }
                return
            }
            if let holder {
                let found = try store.assignments(matching: holder)
                guard !found.isEmpty else { throw Failure("no holder in the database matches '\(holder)'") }
                if listing.json { try listing.print(found.map(Listing.AssignmentRow.init)); return }
                for key in Set(found.map(\.sighting.key)).sorted() {
                    print(key.terminalSafe)
                    for a in found where a.sighting.key == key {
                        let s = a.sighting
                        print("  \(s.mac)\t\(a.state.rawValue)\t\(s.label.terminalSafe)\tfirst \(JSONReport.timestamp(a.firstSeen))\tlast \(JSONReport.timestamp(a.lastSeen)) (run \(a.lastRunId.map(String.init) ?? "-"))\t\(s.source.path.terminalSafe) record \(s.source.record)")
                    }
                    for e in try store.holderEvents(run: nil, holder: key) { print("  \(JSONReport.timestamp(e.at))\t\(e.kind.rawValue)\t\(e.description.terminalSafe)") }
                }
                return
            }
            if diff.count == 2 {
                let d = try store.difference(from: diff[0], to: diff[1])
                if listing.json {
                    try listing.print(Listing.Difference(older: d.older, newer: d.newer, appeared: d.appeared.map(JSONReport.ResolvedDTO.init),
                                                         disappeared: d.disappeared.map(JSONReport.ResolvedDTO.init), persisted: d.persisted))
                    return
                }
                print("run \(d.older) → run \(d.newer): \(d.appeared.count) appeared, \(d.disappeared.count) disappeared, \(d.persisted) persisted")
                for f in d.appeared { print("  + \(f.severity.rawValue)  \(f.check)  \(f.message.terminalSafe)  [\(f.fingerprint)]") }
                for f in d.disappeared { print("  - \(f.severity.rawValue)  \(f.check)  \(f.message.terminalSafe)  [\(f.fingerprint)]") }
                return
            }
            let runs = try store.runs()
            if listing.json { try listing.print(runs.map(Listing.RunRow.init)); return }
            for r in runs {
                let c = r.counts
                print("run \(r.id)\t\(JSONReport.timestamp(r.at))\t\(r.inputCount) inputs (\(r.inputsDigest))\t\(c[.critical] ?? 0) critical, \(c[.error] ?? 0) error, \(c[.warning] ?? 0) warning, \(c[.info] ?? 0) info\(r.reported ? "" : "\tits report was not written: its new findings count as new again")")
            }
        }
    }

    /// `macaudit baseline …`: accepted findings.
    struct Baseline: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Accept findings (an NLB cluster MAC, a VRRP pair) so they no longer fail the audit, until they expire.",
            subcommands: [Accept.self, List.self, Revoke.self])

        struct Accept: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Accept a finding by its id (shown in every report).")
            @Argument(help: "The finding id.") var id: String
            @Option(help: "Why it is accepted.") var reason: String
            @Option(help: "When the acceptance ends (YYYY-MM-DD, UTC); the finding comes back then.") var expires: String?
            @Option(help: "Who accepts it (default: $USER).") var by: String?
            @Flag(help: "Replace an acceptance that is already there (its reason, expiry and who).") var replace = false
            @OptionGroup var database: DatabaseOptions

            func validate() throws {
                if reason.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("Please give a --reason.") }
                if let expires, BaselineFile.parseDate(expires) == nil { throw ValidationError("Please give --expires as YYYY-MM-DD.") }
            }

            /// Keeps what it was told: an acceptance already there is changed only with `--replace`,
            /// an expiry in the past (an acceptance that would never apply) is refused, and an id no
            /// recorded run has is accepted with a warning (a typo, or a finding of another database).
            func run() throws {
                let expiry = expires.flatMap(BaselineFile.parseDate)
                if let expiry, expiry <= Date() {
                    throw Failure("--expires \(expires ?? "") is in the past: the acceptance would never apply")
                }
                let store = try database.open()
                if !replace, let existing = try store.baseline().first(where: { $0.id == id }) {
                    let until = existing.expires.map { "until \(JSONReport.timestamp($0))" } ?? "no expiry"
                    throw Failure("\(id) is already accepted ('\(existing.reason)', by \(existing.acceptedBy), \(until)); give --replace to change it")
                }
                if try store.finding(fingerprint: id) == nil {
                    FileHandle.standardError.write(Data("macaudit: warning: no recorded run has a finding \(id); accepted anyway\n".utf8))
                }
                let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                try store.accept(BaselineEntry(id: id, reason: reason, acceptedBy: who, expires: expiry))
                print("accepted \(id)\(expires.map { " until \($0)" } ?? "")")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List accepted findings; --json prints a baseline file for `audit --baseline`.")
            @Flag(help: "Print as a baseline file (JSON, sorted keys); the same as --format json.") var json = false
            @OptionGroup var database: DatabaseOptions
            @OptionGroup var listing: ListingOptions

            func run() throws {
                let entries = try database.openForReading().baseline()
                if json || listing.json { print(try BaselineFile.render(entries), terminator: ""); return }
                for e in entries {
                    print("\(e.id.terminalSafe)\t\(e.acceptedBy.terminalSafe)\t\(e.expires.map { "until " + JSONReport.timestamp($0) } ?? "no expiry")\t\(e.reason.terminalSafe)")
                }
            }
        }

        struct Revoke: ParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Withdraw an acceptance.")
            @Argument var id: String
            @OptionGroup var database: DatabaseOptions
            func run() throws {
                if try !database.open().revoke(fingerprint: id) { throw Failure("\(id) is not in the baseline") }
                print("revoked \(id)")
            }
        }
    }
}

/// A reviewed baseline file committed next to the cron job: a JSON array of
/// `{"id", "reason", "acceptedBy", "acceptedAt", "expires"}`, sorted by id.
enum BaselineFile {
    static func load(_ path: String) throws -> [BaselineEntry] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Failure("\(path): the baseline file cannot be read") }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in
            let text = try d.singleValueContainer().decode(String.self)
            guard let date = parseDate(text) else {
                throw DecodingError.dataCorrupted(.init(codingPath: d.codingPath, debugDescription: "'\(text)' is not a date (YYYY-MM-DD or RFC 3339)"))
            }
            return date
        }
        do { return try decoder.decode([BaselineEntry].self, from: data) } catch let e as DecodingError {
            throw Failure("\(path): not a baseline file: \(describe(e))")
        } catch {
            throw Failure("\(path): not a baseline file: \(error.localizedDescription)")
        }
    }

    /// A decoding error in the words of the file: which entry, which key, what is wrong.
    static func describe(_ error: DecodingError) -> String {
        func place(_ path: [CodingKey]) -> String {
            guard let index = path.first?.intValue else { return "the file" }
            return "entry \(index + 1)"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(place(context.codingPath)) has no '\(key.stringValue)' (each entry needs id, reason, acceptedBy and acceptedAt)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            let key = context.codingPath.last.map { "'\($0.stringValue)'" } ?? "the value"
            return context.codingPath.isEmpty ? "expected a JSON array of accepted findings" : "\(place(context.codingPath)): \(key) has the wrong type"
        case .dataCorrupted(let context):
            let key = context.codingPath.last.map { "'\($0.stringValue)': " } ?? ""
            return context.codingPath.isEmpty ? "not JSON" : "\(place(context.codingPath)): \(key)\(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    static func render(_ entries: [BaselineEntry]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, e in
            var c = e.singleValueContainer()
            try c.encode(JSONReport.timestamp(date))
        }
        return String(decoding: try encoder.encode(entries.sorted { $0.id < $1.id }), as: UTF8.self) + "\n"
    }

    static func parseDate(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withFullDate]
        f.timeZone = TimeZone(identifier: "UTC")
        return f.date(from: text)
    }
}
