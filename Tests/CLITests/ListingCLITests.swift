import Foundation
import Testing
import TestSupport

/// Every listing command speaks JSON for scripts (`--format json`), with the same facts as its text.
@Suite struct ListingCLITests {
    static func json(_ arguments: [String]) throws -> Any {
        let r = try CLI.run(arguments + ["--format", "json"])
        #expect(r.status == 0, "\(arguments): \(r.stderr)")
        return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8))
    }

    @Test func listingsHaveAJSONFormat() throws {
        let dir = try CLI.temporaryDirectory()
        let db = "\(dir)/pool.sqlite"
        #expect(try CLI.run(["pool", "init", "--db", db]).status == 0)
        #expect(try CLI.run(["pool", "import", "Captures/sample-cluster", "--allow-overlap", "--db", db]).status == 0)
        _ = try CLI.run(["audit", "Captures/sample-cluster", "--plan", "--db", db])
        _ = try CLI.run(["audit", "Captures/sample-cluster", "--db", db])

        let pools = try #require(try Self.json(["pool", "list", "--db", db]) as? [[String: Any]])
        #expect(pools.count == 4)
        #expect(pools.contains { $0["name"] as? String == "HCI-N01 dynamic" && $0["kind"] as? String == "host-dynamic" && $0["host"] as? String == "HCI-N01" })
        let show = try #require(try Self.json(["pool", "show", "HCI-N01 dynamic", "--db", db]) as? [String: Any])
        let size = try #require(show["size"] as? Int)
        let parts = ["inUse", "gone", "reserved", "free"].compactMap { show[$0] as? Int }
        #expect(parts.count == 4 && parts.reduce(0, +) == size)

        let reservations = try #require(try Self.json(["pool", "reservations", "--db", db]) as? [[String: Any]])
        let text = try CLI.run(["pool", "reservations", "--db", db]).stdout.split(separator: "\n")
        #expect(reservations.count == text.count && !text.isEmpty)
        #expect(reservations.allSatisfy { ($0["holder"] as? String)?.hasPrefix("adapter:") == true && $0["run"] as? Int == 1 })

        let runs = try #require(try Self.json(["history", "--db", db]) as? [[String: Any]])
        #expect(runs.map { $0["id"] as? Int } == [1, 2])
        #expect((runs.first?["summary"] as? [String: Int])?["error"] == 9)
        let diff = try #require(try Self.json(["history", "--diff", "1", "2", "--db", db]) as? [String: Any])
        #expect(diff["persisted"] as? Int == 15)
        let holder = try #require(try Self.json(["history", "--holder", "vrrp01", "--db", db]) as? [[String: Any]])
        #expect(holder.first?["state"] as? String == "live" && holder.first?["lastRun"] as? Int == 2)
        #expect(try Self.json(["history", "--events", "--db", db]) as? [Any] != nil)
        #expect(try Self.json(["baseline", "list", "--db", db]) as? [Any] != nil)

        let checks = try #require(try Self.json(["checks"]) as? [[String: Any]])
        let catalog = try CLI.run(["checks"]).stdout.split(separator: "\n").map { $0.split(separator: "\t")[0] }
        #expect(checks.compactMap { $0["id"] as? String } == catalog.map(String.init))
        #expect((checks.first { $0["id"] as? String == "duplicate-mac" }?["variants"] as? [String: String])?["switch"] == "critical")
    }

    /// The JSON report has the pool usage the Markdown report shows.
    @Test func theJSONReportHasPoolUsage() throws {
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let pools = try #require(report["pools"] as? [[String: Any]])
        let markdown = try CLI.run(["audit", "Captures/sample-cluster", "--format", "markdown"]).stdout.replacingOccurrences(of: "\\", with: "")
        #expect(!pools.isEmpty)
        for pool in pools {
            let name = try #require(pool["name"] as? String)
            let used = try #require(pool["used"] as? Int), size = try #require(pool["size"] as? Int), free = try #require(pool["free"] as? Int)
            #expect(used + free == size)
            #expect(markdown.contains(name), "\(name) is not in the Markdown report")
        }
    }
}

/// A capture's Markdown and HTML reports list its stations, as text and JSON do.
@Suite struct CaptureReportCLITests {
    @Test(arguments: ["markdown", "html"]) func captureReportsListTheStations(_ format: String) throws {
        let capture = "Captures/wire/dhcp-arp.pcapng"
        let json = try CLI.run(["capture", capture, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        let macs = try #require(report["stations"] as? [[String: Any]]).compactMap { $0["mac"] as? String }
        #expect(!macs.isEmpty)
        let page = try CLI.run(["capture", capture, "--format", format]).stdout.replacingOccurrences(of: "\\", with: "")
        #expect(page.contains(format == "html" ? "<h2>Stations (\(macs.count))</h2>" : "## Stations (\(macs.count))"))
        for mac in macs { #expect(page.contains(mac), "\(mac) is not in the \(format) report") }
    }
}
