import Foundation
import Testing
import TestSupport

/// `-o` targets an admin gives besides a plain file: a FIFO (or /dev/null) is written in place,
/// not replaced by a file; a symbolic link is followed and stays a link.
@Suite struct OutputTargetTests {
    @Test func aFIFOIsWrittenInPlace() throws {
        let dir = try CLI.temporaryDirectory()
        let fifo = "\(dir)/report.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = try Subprocess("sh", ["-c", "cat '\(fifo)' > '\(dir)/read.json'"])
        let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "json", "-o", fifo])
        #expect(r.status == 1, "\(r.stderr)")
        _ = reader.wait()
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO is still a FIFO")
        let read = try String(contentsOfFile: "\(dir)/read.json", encoding: .utf8)
        #expect(read.contains("\"schema\" : \"macaudit.report/1\"") || read.contains("\"schema\":\"macaudit.report/1\""), "\(read.prefix(200))")
    }

    @Test func aSymbolicLinkIsFollowedAndKept() throws {
        let dir = try CLI.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/www", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: "\(dir)/latest.html", withDestinationPath: "www/report.html")
        for _ in 0..<2 {  // dangling at first, then pointing at the report
            let r = try CLI.run(["audit", "Captures/sample-cluster", "--format", "html", "-o", "\(dir)/latest.html"])
            #expect(r.status == 1, "\(r.stderr)")
            #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(dir)/latest.html") == "www/report.html")
            #expect(try String(contentsOfFile: "\(dir)/www/report.html", encoding: .utf8).hasPrefix("<!DOCTYPE html>"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(dir)/www") == ["report.html"], "no temporary file left")
    }
}
