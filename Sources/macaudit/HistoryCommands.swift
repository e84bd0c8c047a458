import ArgumentParser
import Foundation
import MACAudit
import MACAuditStore

extension MacAudit {
    /// `macaudit history`: the audits recorded in the pool database, and what changed between two.
    struct History: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List recorded audit runs, or the difference between two.")
        @Option(name: .customLong("diff"), parsing: .upToNextOption, help: ArgumentHelp("Two run ids: what appeared and disappeared between them.", valueName: "run"))
        var diff: [Int64] = []
        @OptionGroup var database: DatabaseOptions

        func validate() throws {
            if !diff.isEmpty && diff.count != 2 { throw ValidationError("Please give --diff OLDER NEWER.") }
        }

        func run() throws {
            let store = try database.open()
            if diff.count == 2 {
                let d = try store.difference(from: diff[0], to: diff[1])
                print("run \(d.older) → run \(d.newer): \(d.appeared.count) appeared, \(d.disappeared.count) disappeared, \(d.persisted) persisted")
                for f in d.appeared { print("  + \(f.severity.rawValue)  \(f.check)  \(f.message)  [\(f.fingerprint)]") }
                for f in d.disappeared { print("  - \(f.severity.rawValue)  \(f.check)  \(f.message)  [\(f.fingerprint)]") }
                return
            }
            for r in try store.runs() {
                let c = r.counts
                print("run \(r.id)\t\(JSONReport.timestamp(r.at))\t\(r.inputCount) inputs (\(r.inputsDigest))\t\(c[.critical] ?? 0) critical, \(c[.error] ?? 0) error, \(c[.warning] ?? 0) warning, \(c[.info] ?? 0) info")
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
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                var expiry: Date?
                if let expires {
                    guard let d = BaselineFile.parseDate(expires) else { throw ValidationError("Please give --expires as YYYY-MM-DD.") }
                    expiry = d
                }
                let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
                try database.open().accept(BaselineEntry(id: id, reason: reason, acceptedBy: who, expires: expiry))
                print("accepted \(id)\(expires.map { " until \($0)" } ?? "")")
            }
        }

        struct List: ParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "List accepted findings; --json prints a baseline file for `audit --baseline`.")
            @Flag(help: "Print as a baseline file (JSON, sorted keys).") var json = false
            @OptionGroup var database: DatabaseOptions

            func run() throws {
                let entries = try database.open().baseline()
                if json { print(try BaselineFile.render(entries), terminator: ""); return }
                for e in entries {
                    print("\(e.id)\t\(e.acceptedBy)\t\(e.expires.map { "until " + JSONReport.timestamp($0) } ?? "no expiry")\t\(e.reason)")
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
        do { return try decoder.decode([BaselineEntry].self, from: data) } catch { throw Failure("\(path): not a baseline file: \(error)") }
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
