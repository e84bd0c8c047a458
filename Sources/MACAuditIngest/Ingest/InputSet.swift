import MACAuditModel
import Dispatch
import Foundation

/// The files an audit reads, found from what the user named, each with the cluster it belongs to.
///
/// A file named directly is always read, and fails the run if it is not an export. A folder is
/// walked: files directly in it belong to the cluster named after the folder, and each sub-folder
/// is a cluster of its own (`exports/clusterA/…`, `exports/clusterB/…`). In folders, hidden files
/// and files that are plainly not exports (they do not start with `[` or `{`, or are empty text
/// files named `*.md`/`*.txt`) are skipped with a warning. `--cluster` overrides every name.
public struct InputSet: Sendable {
    public struct Entry: Sendable, Hashable {
        public var path: String
        public var cluster: String
        /// True when the user named the file itself (never skipped).
        public var named: Bool
        /// A pcap or pcapng capture (by magic number), not a JSON export.
        public var isCapture = false
        /// The path as a pool database keeps it (``InputSet/storedPath(_:)``), found while the
        /// entries are made distinct.
        public var storedPath = ""
    }

    /// The capture files among the entries, in path order.
    public var captures: [String] { entries.filter(\.isCapture).map(\.path) }

    /// `paths` without the captures whose bytes equal an earlier one's (a copy beside the original
    /// would count every frame twice), with a warning for each left out.
    public static func distinctCaptures(_ paths: [String]) -> (paths: [String], warnings: [InputWarning]) {
        guard paths.count > 1 else { return (paths, []) }
        let entries = paths.map { Entry(path: $0, cluster: "", named: true, isCapture: true) }
        let distinct = RepeatedInputs.distinctContents(entries, sizes: paths.map(size))
        return (distinct.entries.map(\.path), distinct.warnings)
    }
    /// Each input's path as a pool database keeps it, by the path as given.
    public var storedPaths: [String: String] { Dictionary(entries.map { ($0.path, $0.storedPath) }, uniquingKeysWith: { a, _ in a }) }

    public var entries: [Entry] = []
    public var warnings: [InputWarning] = []
    private let keepGoing: Bool

    /// - Parameter keepGoing: an input that is recognisably an error page (HTML where an export
    ///   should be: what a failed `Invoke-RestMethod … > file` leaves) is skipped with a warning
    ///   instead of failing the run.
    public init(paths: [String], clusterOverride: String? = nil, keepGoing: Bool = false) throws {
        self.keepGoing = keepGoing
        let fm = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory) else {
                throw IngestError(file: path, message: "does not exist")
            }
            if !isDirectory.boolValue {
                entries.append(Entry(path: path, cluster: clusterOverride ?? Self.clusterName(ofFolder: (path as NSString).deletingLastPathComponent),
                                     named: true, isCapture: CaptureMagic.isCapture(path)))
                continue
            }
            let before = entries.count
            try walk(folder: path, cluster: clusterOverride ?? Self.clusterName(ofFolder: path), depth: 0, clusterOverride: clusterOverride)
            if entries.count == before {
                throw IngestError(file: path, message: "holds no export files (expected Get-VMNetworkAdapter, Get-VMHost, port-profile or Network Controller JSON, or pcap/pcapng captures)")
            }
        }
        entries.sort { $0.path < $1.path }
        let distinct = RepeatedInputs.distinctPaths(entries)
        entries = distinct.entries
        warnings += distinct.warnings
    }

    private mutating func walk(folder: String, cluster: String, depth: Int, clusterOverride: String?) throws {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        } catch {
            throw IngestError(file: folder, message: "cannot be listed: \(error.localizedDescription)")
        }
        for name in names {
            let path = (folder as NSString).appendingPathComponent(name)
            if name.hasPrefix(".") {
                warnings.append(InputWarning(source: path, message: "skipped: a hidden file or folder"))
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if isDirectory.boolValue {
                guard depth < 8 else { continue }
                let sub = depth == 0 ? (clusterOverride ?? name) : cluster
                try walk(folder: path, cluster: sub, depth: depth + 1, clusterOverride: clusterOverride)
            } else if CaptureMagic.isCapture(path) {
                entries.append(Entry(path: path, cluster: cluster, named: false, isCapture: true))
            } else if Self.looksLikeExport(path) {
                entries.append(Entry(path: path, cluster: cluster, named: false))
            } else if let page = Self.errorPage(path) {
                if page == HTMLReportTitle.text {
                    warnings.append(InputWarning(source: path, message: "skipped: macaudit's own HTML report, not an export"))
                    continue
                }
                let message = "is an HTML page, not an export (a failed Invoke-RestMethod or a proxy's error page?)\(page.isEmpty ? "" : ": '\(page)'")"
                guard keepGoing else { throw IngestError(file: path, message: message + "; export it again, or give --keep-going to audit without it") }
                warnings.append(InputWarning(source: path, message: "skipped: " + message))
            } else {
                warnings.append(InputWarning(source: path, message: "skipped: not a JSON export"))
            }
        }
    }

    /// The first bytes decide: JSON (after an optional BOM and whitespace) starts with `[` or `{`;
    /// an empty file counts as an (empty) export.
    public static func looksLikeExport(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return true }  // let the reader report it
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 256)) ?? Data())
        if head.isEmpty { return true }
        guard let text = try? TextEncoding.decode(head.count % 2 == 1 && head.starts(with: [0xFF, 0xFE]) ? Array(head.dropLast()) : head).utf8 else {
            return false
        }
        guard let first = text.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) else { return true }
        return first == UInt8(ascii: "[") || first == UInt8(ascii: "{")
    }

    /// The title of an HTML page (`401 Unauthorized`), "" when it has none; nil when the file is not
    /// HTML (its first text is not `<`, or no `<html`/`<!doctype`/`<head`/`<body`/`<title` follows).
    static func errorPage(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 4096)) ?? Data())
        guard let text = try? TextEncoding.decode(head.count % 2 == 1 && head.starts(with: [0xFF, 0xFE]) ? Array(head.dropLast()) : head).utf8,
              let first = text.firstIndex(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }), text[first] == UInt8(ascii: "<") else { return nil }
        let page = String(decoding: text[first...], as: UTF8.self)
        guard ["<html", "<!doctype html", "<head", "<body", "<title"].contains(where: { page.range(of: $0, options: .caseInsensitive) != nil }) else {
            return nil
        }
        guard let open = page.range(of: "<title>", options: .caseInsensitive),
              let close = page.range(of: "</title>", options: .caseInsensitive, range: open.upperBound..<page.endIndex) else { return "" }
        return String(page[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines).prefix(80))
    }

    /// An input's path as a pool database keeps it: absolute, without `.`, `..` or symbolic links
    /// (`realpath(3)`), so that `exports/site-a` and `/srv/exports/site-a` are one place, whichever
    /// folder the audit ran from. A path that no longer resolves is made absolute as written.
    static func storedPath(_ path: String) -> String {
        if let resolved = realpath(path, nil) {
            defer { free(resolved) }
            return String(cString: resolved)
        }
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (absolute as NSString).standardizingPath
    }

    /// A file's size in bytes (0 when it cannot be read).
    package static func size(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    static func clusterName(ofFolder folder: String) -> String {
        let resolved = folder.isEmpty ? FileManager.default.currentDirectoryPath : (folder as NSString).standardizingPath
        let name = (resolved == "." ? FileManager.default.currentDirectoryPath : resolved as NSString as String)
        return (name as NSString).lastPathComponent
    }

    /// Reads every entry on all cores, largest files first (so that one big NC export does not
    /// start last and run alone), and merges them in path order.
    public func read() throws -> (inventory: Inventory, inputs: [InputSummary], warnings: [InputWarning]) {
        let all = entries.filter { !$0.isCapture }
        let allSizes = all.map { Self.size($0.path) }  // once per file, not once per comparison
        let copies = RepeatedInputs.distinctContents(all, sizes: allSizes)
        let exports = copies.entries
        let sizes = exports.count == all.count ? allSizes : exports.map { Self.size($0.path) }
        let order = exports.indices.sorted { sizes[$0] > sizes[$1] }
        var results = [Result<ExportFile.Result, IngestError>?](repeating: nil, count: exports.count)
        WorkProgress.shared.begin("reading exports", files: exports.count, bytes: sizes.reduce(0, +))
        for (i, result) in concurrentMap(exports.count, { k in
            let entry = exports[order[k]]
            defer { WorkProgress.shared.finishedFile(bytes: sizes[order[k]]) }
            return (order[k], Result { () throws(IngestError) in try ExportFile.readTyped(path: entry.path, cluster: entry.cluster) })
        }) { results[i] = result }
        var inventory = Inventory()
        var inputs: [InputSummary] = []
        var warnings = self.warnings + copies.warnings
        for case let result? in results {
            let file = try result.get()
            if file.isOwnReport { warnings += file.warnings; continue }
            inventory.merge(file.inventory)
            inputs.append(file.summary)
            warnings += file.warnings
        }
        let distinct = RepeatedInputs.withoutRepeatedRecords(inventory)
        return (distinct.inventory, inputs, warnings + distinct.warnings)
    }
}
