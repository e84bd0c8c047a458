import Foundation
import Testing

/// Inputs at the sizes of a large fleet's nightly export: files past 4 GiB, UTF-16 transcoded
/// through a temporary file, and memory that follows the records rather than the file.
@Suite(.serialized) struct ScaleCLITests {
    /// Peak resident size of the largest child this process has waited for, in bytes.
    static func childPeakRSS() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_CHILDREN.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    static func adapter(_ i: Int, mac: String) -> String {
        #"{"MacAddress":"\#(mac)","VMName":"vm\#(i)","ComputerName":"HV01","SwitchName":"S","Id":"Microsoft:\#(i)","DynamicMacAddressEnabled":false}"#
    }

    /// A 4.3 GiB export: 4,400 adapters, each followed by a MiB of indentation (PowerShell's
    /// `ConvertTo-Json` pads deep objects the same way). The last adapter repeats the first one's MAC,
    /// so the finding's evidence sits past the 4 GiB mark.
    @Test func anExportLargerThanFourGiBIsReadWithMemoryThatFollowsTheRecords() throws {
        let dir = (ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/tmp") + "/macaudit-4g-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/adapters.json"
        FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        let count = 4400
        let padding = Data(String(repeating: " ", count: (1 << 20) - 1).utf8 + [0x0A])
        try handle.write(contentsOf: Data("[\n".utf8))
        for i in 0..<count {
            let mac = i == count - 1 ? "02-1D-D8-00-00-00" : String(format: "02-1D-D8-00-%02X-%02X", i >> 8, i & 0xFF)
            try handle.write(contentsOf: Data((Self.adapter(i, mac: mac) + (i + 1 < count ? "," : "") + "\n").utf8))
            try handle.write(contentsOf: padding)
        }
        try handle.write(contentsOf: Data("]\n".utf8))
        try handle.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 4 << 30)

        let r = try CLI.run(["audit", path, "--format", "json"])
        #expect(r.status == 1, "\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs.first?["records"] as? Int == count)
        let duplicate = try #require((report["findings"] as? [[String: Any]])?.first { $0["check"] as? String == "duplicate-mac" })
        let evidence = try #require(duplicate["evidence"] as? [[String: Any]])
        // Record n starts on line 2n: "[" is line 1, and each record is followed by its padding line.
        #expect(evidence.contains { ($0["at"] as? String) == "record \(count) (line \(2 * count))" }, "\(evidence)")
        #expect(Self.childPeakRSS() < 1 << 30, "peak RSS \(Self.childPeakRSS() >> 20) MiB for a \(size >> 20) MiB file")
    }

    /// A large UTF-16 export (Windows PowerShell 5.1's `>`) goes through a temporary file; the
    /// findings are those of the same export in UTF-8.
    @Test func aLargeUTF16ExportIsTranscodedThroughATemporaryFile() throws {
        let dir = try CLI.temporaryDirectory()
        let records = (0..<2000).map { Self.adapter($0, mac: String(format: "02-1D-D8-00-%02X-%02X", ($0 % 1500) >> 8, $0 % 1500 & 0xFF)) }
        let text = "[\n" + records.joined(separator: ",\n") + "\n]\n"
        try Data(text.utf8).write(to: URL(fileURLWithPath: "\(dir)/utf8.json"))
        var utf16 = Data([0xFF, 0xFE])
        for unit in text.utf16 { utf16.append(UInt8(unit & 0xFF)); utf16.append(UInt8(unit >> 8)) }
        try FileManager.default.createDirectory(atPath: "\(dir)/u16", withIntermediateDirectories: true)
        try utf16.write(to: URL(fileURLWithPath: "\(dir)/u16/utf16.json"))
        let plain = try CLI.run(["audit", "\(dir)/utf8.json", "--format", "csv", "--cluster", "C"])
        let transcoded = try CLI.run(["audit", "\(dir)/u16/utf16.json", "--format", "csv", "--cluster", "C"],
                                     environment: ["MACAUDIT_TRANSCODE_MEMORY_LIMIT": "0", "TMPDIR": dir])
        #expect(transcoded.status == plain.status)
        #expect(plain.stdout.contains("duplicate-mac"))
        #expect(transcoded.stdout.replacingOccurrences(of: "u16/utf16.json", with: "utf8.json") == plain.stdout)
        // The temporary file was unlinked as soon as it was made.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["u16", "utf8.json"])
    }
}
