import MACAuditModel
import Foundation

/// Reads one export file into inventory values.
public enum ExportFile {
    public struct Result: Sendable {
        public var summary: InputSummary
        public var inventory: Inventory
        public var warnings: [InputWarning]
        /// A file macaudit wrote (its JSON report, a script's state file) where exports are:
        /// skipped, with a warning.
        public var isOwnReport = false
    }

    /// Thrown by the reader when the file is one macaudit wrote (its `schema` is `macaudit.…`).
    struct OwnReport: Error { var schema: String }

    /// Reads `path` (already known to be a file) as an export of `cluster`.
    /// As ``read(path:cluster:)``, with every failure an ``IngestError``.
    static func readTyped(path: String, cluster: String) throws(IngestError) -> Result {
        do { return try read(path: path, cluster: cluster) } catch let e as IngestError { throw e } catch {
            throw IngestError(file: path, message: "\(error)")
        }
    }

    public static func read(path: String, cluster: String) throws -> Result {
        let text = try ExportText(path: path)
        return try text.withUTF8 { utf8 in
            try read(utf8: utf8, encoding: text.encoding, path: path, cluster: cluster, release: text.release(upTo:))
        }
    }

    /// Reads an export from memory.
    public static func read(bytes: [UInt8], path: String, cluster: String) throws -> Result {
        let text: [UInt8]
        let encoding: TextEncoding
        do {
            (text, encoding) = try TextEncoding.decode(bytes)
        } catch {
            throw IngestError(file: path, message: error.message)
        }
        return try text.withUnsafeBytes { utf8 in
            try read(utf8: utf8, encoding: encoding, path: path, cluster: cluster, release: { _ in })
        }
    }

    /// Reads the records of UTF-8 `text`; `release` is told, now and then, how far the reader got.
    static func read(utf8 text: UnsafeRawBufferPointer, encoding: TextEncoding, path: String, cluster: String,
                     release: (Int) -> Void) throws -> Result {
        var builder = Builder(path: path, cluster: cluster, text: text)
        let outcome = Swift.Result<(JSONReader.Envelope, JSONObject), any Error> {
            var reader = JSONReader(utf8: text)
            return try reader.forEachRecordFields { fields, position in
                try builder.add(fields, at: position)
                release(position.offset)
            }
        }
        var warnings: [InputWarning] = []
        switch outcome {
        case .failure(let e as JSONSyntaxError):
            // The byte offset in the file, for UTF-8 files (an editor may not open a 4 GiB export;
            // `tail -c +N` or `dd skip=N` will). Transcoded files have line and column only.
            let byte = encoding == .utf8 ? e.offset : encoding == .utf8BOM ? e.offset + 3 : nil
            throw IngestError(file: path, position: "line \(e.line), column \(e.column)" + (byte.map { ", byte \($0)" } ?? ""), path: e.path,
                              message: "not valid JSON: \(e.message)")
        case .failure(let e as OwnReport):
            let skipped = InputWarning(source: path, message: "skipped: written by macaudit (\(e.schema)), not an export")
            return Result(summary: InputSummary(path: path, kind: ExportKind.empty.rawValue, records: 0, encoding: encoding.rawValue, cluster: cluster),
                          inventory: Inventory(), warnings: [skipped], isOwnReport: true)
        case .failure(let e as IngestError):
            throw e
        case .failure(let e):
            throw IngestError(file: path, message: "\(e)")
        case .success(let (envelope, topLevel)):
            if envelope == .empty || builder.records == 0 {
                warnings.append(InputWarning(source: path, message: "holds no records (an empty export: a host with no adapters writes one)"))
            }
            if case .string(let next)? = topLevel["nextLink"], !next.isEmpty {
                warnings.append(InputWarning(source: path, message: "is one page of a paged NC collection (nextLink '\(next)'); later pages are missing"))
            }
        }
        let summary = InputSummary(path: path, kind: builder.kindName, records: builder.records,
                                   encoding: encoding.rawValue, cluster: cluster)
        return Result(summary: summary, inventory: builder.inventory, warnings: warnings)
    }

    /// Accumulates the records of one file.
    struct Builder {
        let path: String
        let cluster: String
        /// The export's text, valid while records are delivered.
        let text: UnsafeRawBufferPointer
        var inventory = Inventory()
        var records = 0
        var kinds: Set<ExportKind> = []
        /// The kind of the record before: a file is one kind, and `kinds` needs no update per record.
        private var lastKind: ExportKind?
        var strings = StringInterner()

        static let unknownShape = "not a record macaudit knows"

        init(path: String, cluster: String, text: UnsafeRawBufferPointer) {
            self.path = path
            self.cluster = cluster
            self.text = text
        }

        var kindName: String {
            if kinds.isEmpty { return ExportKind.empty.rawValue }
            if kinds.count == 1 { return kinds.first!.rawValue }
            return "mixed"
        }

        mutating func add(_ tape: FieldTape?, at position: JSONReader.RecordPosition) throws {
            let location = SourceLocation(path: path, record: position.index + 1, line: position.line)
            // The record's own text is still there (pages are handed back only behind it): errors
            // read it whole to say what it is.
            var whole: JSONValue? {
                var reader = JSONReader(utf8: text, at: position.offset)
                return try? reader.readValue(depth: 1)
            }
            guard let tape else {
                throw IngestError(location: location, path: position.path,
                                  message: "expected a record (a JSON object), found \(whole?.typeName ?? "something else")")
            }
            let f = RecordFields(text: text, tape: tape, node: FieldTape.root, record: position, subpath: FieldPath(), location: location)
            guard let kind = ExportKind.classify(f) else {
                // A report written into the folder of the exports it audits, read back the next night,
                // or the state file of a script run from a scripts folder inside it.
                if position.path == "$", case .string(let schema)? = whole?.objectValue?["schema"], schema.hasPrefix("macaudit.") {
                    throw OwnReport(schema: schema)
                }
                let keys = (whole?.objectValue?.keys ?? []).prefix(6).joined(separator: ", ")
                throw IngestError(location: location, path: position.path, message:
                    "\(Self.unknownShape) (keys: \(keys.isEmpty ? "none" : keys)); expected Get-VMNetworkAdapter, Get-VMHost, port-profile, SCVMM pool or Network Controller records")
            }
            records += 1
            if kind != lastKind { kinds.insert(kind); lastKind = kind }
            switch kind {
            case .hypervAdapters: inventory.adapters.append(try RecordDecoders.adapter(f, cluster: cluster, strings: &strings))
            case .portProfiles: inventory.portProfiles.append(try RecordDecoders.portProfile(f, cluster: cluster))
            case .hypervHosts: inventory.pools.append(try RecordDecoders.hostPool(f, cluster: cluster))
            case .scvmmPools: inventory.pools.append(try RecordDecoders.scvmmPool(f, cluster: cluster))
            case .ncMacPools:
                if let pool = try RecordDecoders.controllerPool(f, cluster: cluster) { inventory.pools.append(pool) }
            case .ncNetworkInterfaces:
                if let nic = try RecordDecoders.controllerInterface(f, cluster: cluster, strings: &strings) { inventory.interfaces.append(nic) }
            case .ncServers: inventory.servers.append(try RecordDecoders.server(f, cluster: cluster))
            case .ncVirtualNetworks, .ncLogicalNetworks: inventory.subnets += try RecordDecoders.subnets(f, cluster: cluster)
            case .ncOther, .empty: break
            }
        }
    }
}

struct POSIXFailure: Error, CustomStringConvertible {
    let code: Int32
    var description: String { String(cString: strerror(code)) }
}
