import Foundation
import Testing
import TestSupport

/// The README's nightly cron line, run by Debian's real `cron` daemon with a local mail sink (a
/// `sendmail` that files each message): a clean night sends nothing, a night with a new finding
/// sends one message. Needs root (to write `/etc/cron.d`) and the `cron` package (`.ci/setup`).
/// Whether this machine can run the cron recipe: root, Debian's cron, and no real MTA's sendmail.
enum CronMachine {
    static let sendmail = "/usr/sbin/sendmail"
    static var ready: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/cron")
            && (!FileManager.default.fileExists(atPath: sendmail) || ((try? String(contentsOfFile: sendmail, encoding: .utf8))?.contains("macaudit test mail sink") ?? false))
    }
}

@Suite(.enabled(if: CronMachine.ready, "needs root, /usr/sbin/cron and no other /usr/sbin/sendmail"))
struct CronRecipeTests {
    static let sendmail = CronMachine.sendmail

    /// The README's first cron line's command, with its paths pointed into `dir`.
    static func readmeCommand(_ dir: String) throws -> String {
        let readme = try String(contentsOf: CLI.root.appendingPathComponent("README.md"), encoding: .utf8)
        let line = try #require(readme.split(separator: "\n").first { $0.hasPrefix("15 2 * * *  macaudit audit /srv/exports --db") })
        var command = String(line.dropFirst("15 2 * * *  ".count))
        for (from, to) in [("/srv/exports", "\(dir)/exports"), ("/var/lib/macaudit/pool.sqlite", "\(dir)/pool.sqlite"),
                           ("/etc/macaudit/baseline.json", "\(dir)/baseline.json"), ("/srv/reports/macaudit.html", "\(dir)/report.html"),
                           ("/var/lib/node_exporter/textfile/macaudit.prom", "\(dir)/macaudit.prom")] {
            command = command.replacingOccurrences(of: from, with: to)
        }
        #expect(!command.contains("/srv/") && !command.contains("/var/lib/"), "\(command)")
        return command.replacingOccurrences(of: "macaudit audit", with: "'\(CLI.binary)' audit")
    }

    /// A night's folder: the sample cluster, without `leaveOut`; a database that recorded `first`.
    static func night(_ dir: String, leaveOut: String? = nil) throws {
        let exports = "\(dir)/exports/sample-cluster"
        try FileManager.default.createDirectory(atPath: exports, withIntermediateDirectories: true)
        let sample = CLI.root.appendingPathComponent("Captures/sample-cluster").path
        for name in try FileManager.default.contentsOfDirectory(atPath: sample) where name != leaveOut {
            try? FileManager.default.removeItem(atPath: "\(exports)/\(name)")
            try FileManager.default.copyItem(atPath: "\(sample)/\(name)", toPath: "\(exports)/\(name)")
        }
    }

    @Test(.timeLimit(.minutes(4))) func aCleanNightSendsNothingAndANewFindingOneMessage() throws {
        let root = try CLI.temporaryDirectory()
        let sink = "\(root)/mail"
        try FileManager.default.createDirectory(atPath: sink, withIntermediateDirectories: true)
        let clean = "\(root)/clean", fresh = "\(root)/new"
        // Clean: last night saw all of it. New: last night's exports lacked the port profiles.
        try Self.night(clean)
        try Self.night(fresh, leaveOut: "portprofiles.json")
        for dir in [clean, fresh] {
            _ = try CLI.run(["audit", "\(dir)/exports", "--db", "\(dir)/pool.sqlite"])
            try Data("[]\n".utf8).write(to: URL(fileURLWithPath: "\(dir)/baseline.json"))
        }
        try Self.night(fresh)

        // The mail sink, and the jobs in /etc/cron.d (cron reads the folder every minute).
        let ownSink = !FileManager.default.fileExists(atPath: Self.sendmail) || CronMachine.ready  // absent, or ours
        try """
            #!/bin/sh
            # macaudit test mail sink: files each message under the recipient's name
            for last; do :; done
            cat > "\(sink)/$last.$$"
            """.write(toFile: Self.sendmail, atomically: true, encoding: .utf8)
        chmod(Self.sendmail, 0o755)
        let cronFile = "/etc/cron.d/macaudit-test-\(UUID().uuidString.prefix(8))"
        defer {
            try? FileManager.default.removeItem(atPath: cronFile)
            if ownSink { try? FileManager.default.removeItem(atPath: Self.sendmail) }
        }
        let jobs = """
            SHELL=/bin/sh
            PATH=/usr/bin:/bin
            MAILTO=clean
            * * * * * root cd \(CLI.root.path) && \(try Self.readmeCommand(clean))
            MAILTO=new
            * * * * * root cd \(CLI.root.path) && \(try Self.readmeCommand(fresh))

            """
        try jobs.write(toFile: cronFile, atomically: true, encoding: .utf8)
        chmod(cronFile, 0o644)
        let daemon = try Self.startCron()
        defer { daemon?.kill(SIGKILL); _ = daemon?.wait() }  // SIGKILL: a signal mask inherited from the test runner cannot hold it

        // Both jobs have run when both reports are written; a mail would follow at once.
        let deadline = Date().addingTimeInterval(150)
        while Date() < deadline && !(FileManager.default.fileExists(atPath: "\(clean)/report.html")
                                     && FileManager.default.fileExists(atPath: "\(fresh)/report.html")) {
            usleep(500_000)
        }
        #expect(FileManager.default.fileExists(atPath: "\(clean)/report.html"), "cron did not run the clean night's job")
        #expect(FileManager.default.fileExists(atPath: "\(fresh)/report.html"), "cron did not run the new night's job")
        var mails: [String] = []
        while Date() < deadline {
            mails = try FileManager.default.contentsOfDirectory(atPath: sink)
            if !mails.isEmpty { break }
            usleep(500_000)
        }
        sleep(3)  // a clean night's mail, were there one, would have come with the other
        mails = try FileManager.default.contentsOfDirectory(atPath: sink).sorted()
        #expect(mails.filter { $0.hasPrefix("clean.") }.isEmpty, "the clean night sent mail")
        let sent = mails.filter { $0.hasPrefix("new.") }
        #expect(sent.count == 1, "\(mails)")
        let message = try sent.first.map { try String(contentsOfFile: "\(sink)/\($0)", encoding: .utf8) } ?? ""
        #expect(message.contains("macaudit: new findings at error or above: \(fresh)/report.html"), "\(message)")
        #expect(!message.contains("Traceback") && !message.contains("warning:"), "\(message)")
    }

    /// Starts cron in the foreground, unless one is running already (then nil).
    static func startCron() throws -> Subprocess? {
        if let pid = try? String(contentsOfFile: "/var/run/crond.pid", encoding: .utf8), let n = Int32(pid.trimmingCharacters(in: .whitespacesAndNewlines)),
           kill(n, 0) == 0 {
            return nil
        }
        return try Subprocess("/usr/sbin/cron", ["-f"], environment: CLI.environment(), directory: "/")
    }
}
