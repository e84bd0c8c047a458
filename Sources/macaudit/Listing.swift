import ArgumentParser
import Foundation
import MACAudit

/// `--format text|json` for the listing commands (`pool list|show|reservations`, `history`,
/// `baseline list`, `checks`): text for people (tab-separated columns), JSON for scripts (sorted
/// keys, dates in ISO 8601 UTC, MACs as reports write them). The JSON of each listing is an array
/// of objects, or one object for a single thing (`pool show`, `history --diff`).
struct ListingOptions: ParsableArguments {
    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "Output format: text (tab-separated) or json (for scripts).")
    var format: Format = .text

    var json: Bool { format == .json }

    /// Prints `value` as JSON.
    func print<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        Swift.print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }
}

/// The JSON shapes of the listings.
enum Listing {

    struct PoolRow: Encodable {
        var name: String
        var scope: String
        var cluster: String?
        var host: String?
        var kind: String
        var source: String
        var ranges: [JSONReport.RangeDTO]

        init(_ s: PoolSpec) {
            name = s.name; scope = s.scope.rawValue; cluster = s.cluster; host = s.host; kind = s.kind.rawValue; source = s.source
            ranges = s.ranges.map(JSONReport.RangeDTO.init)
        }
    }

    struct PoolDetail: Encodable {
        var pool: PoolRow
        var size: UInt64
        var inUse: UInt64
        var gone: UInt64
        var reserved: UInt64
        var free: UInt64
        var largestFreeRun: UInt64
        var nextFree: String?
    }

    struct ReservationRow: Encodable {
        var mac: String
        var state: String
        var pool: String?
        var run: Int64?
        var createdAt: String
        var holder: String
        var label: String?

        init(_ r: Reservation) {
            mac = r.mac.description; state = r.state.rawValue; pool = r.pool; run = r.runId; createdAt = JSONReport.timestamp(r.createdAt)
            holder = r.holder; label = r.label
        }
    }

    struct RunRow: Encodable {
        var id: Int64
        var at: String
        var inputs: Int
        var inputsDigest: String
        var summary: [String: Int]
        /// False for a run whose report was never written (its new findings stay new).
        var reported: Bool

        init(_ r: RunSummary) {
            id = r.id; at = JSONReport.timestamp(r.at); inputs = r.inputCount; inputsDigest = r.inputsDigest; reported = r.reported
            summary = Dictionary(uniqueKeysWithValues: Severity.allCases.map { ($0.rawValue, r.counts[$0] ?? 0) })
        }
    }

    struct Difference: Encodable {
        var older: Int64
        var newer: Int64
        var appeared: [JSONReport.ResolvedDTO]
        var disappeared: [JSONReport.ResolvedDTO]
        var persisted: Int
    }

    struct AssignmentRow: Encodable {
        var holder: String
        var mac: String
        var state: String
        var label: String
        var firstSeen: String
        var lastSeen: String
        var lastRun: Int64?
        var source: String
        var record: Int

        init(_ a: Assignment) {
            holder = a.sighting.key; mac = a.sighting.mac.description; state = a.state.rawValue; label = a.sighting.label
            firstSeen = JSONReport.timestamp(a.firstSeen); lastSeen = JSONReport.timestamp(a.lastSeen); lastRun = a.lastRunId
            source = a.sighting.source.path; record = a.sighting.source.record
        }
    }

    struct CheckRow: Encodable {
        var id: String
        var severity: String
        var variants: [String: String]
        var remedy: String
        var summary: String
        var rationale: String
    }
}
