import Foundation
import MACAuditModel

/// The IEEE registry of MAC address blocks, offline: Debian's `ieee-data` (MA-L `oui.csv`, MA-M
/// `mam.csv`, MA-S `oui36.csv`, IAB `iab.csv`) or Wireshark's `manuf` (its `/28` and `/36` blocks
/// too), whichever is newer, or the files an admin names; within the files read, where two give the
/// same block the newer file wins, and a lookup takes the longest block that holds the MAC (MA-S/IAB
/// 36 bits, MA-M 28, MA-L 24).
///
/// Vendors stay bytes of the files until asked for: a registry of 90,000 blocks costs a few sorted
/// integer arrays, not 90,000 strings.
public struct OUIRegistry: Sendable {
    /// One file the registry was read from.
    public struct Source: Sendable, Hashable {
        public var path: String
        /// `ieee-data` or `wireshark-manuf`.
        public var kind: String
        /// When the file was written (the registry's age).
        public var date: Date
        public var blocks: Int
    }

    /// What the registry says about one MAC.
    public struct Entry: Sendable, Hashable {
        public var vendor: String
        /// The block: its first address and prefix length (24, 28 or 36 bits).
        public var block: MACRange
        public var bits: Int
        /// `MA-L`, `MA-M`, `MA-S`, `IAB`, or `manuf`.
        public var registry: String
        public var source: String
    }

    public let sources: [Source]
    /// Per prefix length, longest first: sorted prefixes and, beside each, where its vendor is.
    private let tables: [Table]
    private let files: [[UInt8]]

    struct Table: Sendable {
        var bits: Int
        var prefixes: [UInt64]
        var vendors: [VendorRef]
    }

    struct VendorRef: Sendable {
        var file: Int32
        var start: Int32
        var length: Int32
        var registry: UInt8
    }

    static let registryNames = ["MA-L", "MA-M", "MA-S", "IAB", "manuf"]

    /// The default places: `/usr/share/ieee-data`, `/var/lib/ieee-data`, `/usr/share/wireshark/manuf`.
    public static let defaultPaths = ["/usr/share/ieee-data", "/var/lib/ieee-data", "/usr/share/wireshark/manuf"]

    /// The longest registered block holding `mac`, if any.
    public func lookup(_ mac: MACAddress) -> Entry? {
        for table in tables {
            let key = mac.value >> UInt64(48 - table.bits)
            var lo = 0, hi = table.prefixes.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if table.prefixes[mid] < key { lo = mid + 1 } else { hi = mid }
            }
            guard lo < table.prefixes.count, table.prefixes[lo] == key else { continue }
            let ref = table.vendors[lo]
            let bytes = files[Int(ref.file)][Int(ref.start)..<Int(ref.start + ref.length)]
            let first = key << UInt64(48 - table.bits)
            let last = first | ((1 << UInt64(48 - table.bits)) - 1)
            var vendor = String(decoding: bytes, as: UTF8.self)
            if bytes.contains(UInt8(ascii: "\"")) { vendor = vendor.replacingOccurrences(of: "\"\"", with: "\"") }  // CSV's doubled quote
            if bytes.contains(0x0A) || bytes.contains(0x0D) { vendor = vendor.split(whereSeparator: \.isNewline).joined(separator: " ") }
            return Entry(vendor: vendor,
                         block: MACRange(MACAddress(uncheckedValue: first), MACAddress(uncheckedValue: last))!, bits: table.bits,
                         registry: Self.registryNames[Int(ref.registry)], source: sources[Int(ref.file)].path)
        }
        return nil
    }

    /// What reports say when no registry was found.
    public static let missing = "no IEEE registry found (install Debian's ieee-data or Wireshark, or give --oui-data): vendors unknown, unregistered-oui and foreign-oui skipped"

    /// The newest source's date.
    public var date: Date? { sources.map(\.date).max() }
    public var blockCount: Int { tables.reduce(0) { $0 + $1.prefixes.count } }

    /// Reads every registry file found under `paths` (folders holding `oui.csv` and its siblings, or
    /// files); nil when there is none. A file that exists but cannot be read as a registry is an
    /// error naming it and the line.
    public static func load(paths: [String] = defaultPaths) throws -> OUIRegistry? {
        var found: [(path: String, kind: String, date: Date)] = []
        var seen = Set<String>()
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            let candidates = isDirectory.boolValue ? ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"].map { (path as NSString).appendingPathComponent($0) } : [path]
            for file in candidates where FileManager.default.fileExists(atPath: file) {
                let real = (file as NSString).resolvingSymlinksInPath
                guard seen.insert(real).inserted else { continue }
                let date = (try? FileManager.default.attributesOfItem(atPath: real)[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
                found.append((file, file.hasSuffix(".csv") ? "ieee-data" : "wireshark-manuf", date))
            }
        }
        guard !found.isEmpty else { return nil }
        // The newest source only: Wireshark's manuf is compiled from the IEEE's lists (MA-L, MA-M,
        // MA-S, IAB as /24, /28, /36), so when it is newer than ieee-data it holds everything
        // ieee-data does and more; reading one source keeps loading near 15 ms instead of 30.
        let newest = Dictionary(grouping: found, by: \.kind).max { a, b in a.value.map(\.date).max()! < b.value.map(\.date).max()! }!.key
        found.removeAll { $0.kind != newest }
        return try make(found.map { f in
            guard let data = FileManager.default.contents(atPath: f.path) else { throw IngestError(file: f.path, message: "cannot be read") }
            return (f.path, f.kind, f.date, [UInt8](data))
        })
    }

    /// A registry of files already read: `kind` `ieee-data` (CSV) or `wireshark-manuf`. Files are
    /// parsed on all cores; blocks are merged by sorting, not hashing.
    public static func make(_ contents: [(path: String, kind: String, date: Date, bytes: [UInt8])]) throws -> OUIRegistry {
        let found = contents.sorted { $0.date < $1.date }  // oldest first: a newer file's block replaces an older one's
        let parsed = concurrentMap(found.count) { i -> Result<[RegistryFiles.Block], Error> in
            let f = found[i]
            return Result { try f.kind == "ieee-data" ? RegistryFiles.csvBlocks(f.bytes, path: f.path) : RegistryFiles.manufBlocks(f.bytes, path: f.path) }
        }
        var sources: [Source] = []
        var entries: [Int: [(key: UInt64, ref: VendorRef)]] = [24: [], 28: [], 36: []]
        for (i, result) in parsed.enumerated() {
            let rows = try result.get()
            for row in rows {
                entries[row.bits]!.append((row.prefix, VendorRef(file: Int32(i), start: Int32(row.start), length: Int32(row.length), registry: row.registry)))
            }
            sources.append(Source(path: found[i].path, kind: found[i].kind, date: found[i].date, blocks: rows.count))
        }
        let tables = [36, 28, 24].map { bits -> Table in
            // Stable by key, so that for one key the newest file's row (appended last) comes last.
            let sorted = entries[bits]!.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
            var prefixes: [UInt64] = [], vendors: [VendorRef] = []
            prefixes.reserveCapacity(sorted.count); vendors.reserveCapacity(sorted.count)
            for e in sorted {
                if prefixes.last == e.key { vendors[vendors.count - 1] = e.ref } else { prefixes.append(e.key); vendors.append(e.ref) }
            }
            return Table(bits: bits, prefixes: prefixes, vendors: vendors)
        }
        return OUIRegistry(sources: sources, tables: tables, files: found.map(\.bytes))
    }
}

/// The two file formats, read at the byte level.
enum RegistryFiles {
    struct Block {
        var prefix: UInt64
        var bits: Int
        var start: Int
        var length: Int
        var registry: UInt8
    }

    /// IEEE CSV: `Registry,Assignment,Organization Name,Organization Address` (RFC 4180: quoted fields
    /// with commas, doubled quotes and line breaks inside, CRLF or LF, an optional BOM, the header row).
    static func csvBlocks(_ b: [UInt8], path: String) throws -> [Block] {
        var out: [Block] = []
        out.reserveCapacity(b.count / 80)
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        var fields: [(Int, Int)] = []
        while i < b.count {
            fields.removeAll(keepingCapacity: true)
            let rowLine = line
            // One record: fields until an unquoted line break.
            var atEnd = false
            while !atEnd {
                var start = i, end = i
                if i < b.count && b[i] == UInt8(ascii: "\"") {
                    i += 1; start = i
                    while true {
                        guard i < b.count else { throw IngestError(file: path, message: "line \(rowLine): a quoted field is not closed") }
                        if b[i] == UInt8(ascii: "\"") {
                            if i + 1 < b.count && b[i + 1] == UInt8(ascii: "\"") { i += 2; continue }
                            end = i; i += 1; break
                        }
                        if b[i] == 0x0A { line += 1 }
                        i += 1
                    }
                    while i < b.count && b[i] != UInt8(ascii: ",") && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
                } else {
                    while i < b.count && b[i] != UInt8(ascii: ",") && b[i] != 0x0A && b[i] != 0x0D { i += 1 }
                    end = i
                }
                fields.append((start, end))
                if i < b.count && b[i] == UInt8(ascii: ",") { i += 1; continue }
                if i < b.count && b[i] == 0x0D { i += 1 }
                if i < b.count && b[i] == 0x0A { i += 1 }
                line += 1
                atEnd = true
            }
            guard fields.count >= 3 else {
                if fields.count == 1 && fields[0].0 == fields[0].1 { continue }  // a blank line
                throw IngestError(file: path, message: "line \(rowLine): expected Registry,Assignment,Organization Name,…")
            }
            let (rs, re) = fields[0]
            func registryIs(_ name: StaticString) -> Bool {
                re - rs == name.utf8CodeUnitCount && (0..<(re - rs)).allSatisfy { b[rs + $0] == name.utf8Start[$0] }
            }
            let code: UInt8
            if registryIs("MA-L") { code = 0 } else if registryIs("MA-M") { code = 1 } else if registryIs("MA-S") { code = 2 }
            else if registryIs("IAB") { code = 3 } else if registryIs("Registry") && rowLine == 1 { continue }
            else { throw IngestError(file: path, message: "line \(rowLine): '\(String(decoding: b[rs..<re], as: UTF8.self))' is not MA-L, MA-M, MA-S or IAB") }
            guard let (prefix, digits) = hex(b, fields[1].0, fields[1].1), [6, 7, 9].contains(digits) else {
                throw IngestError(file: path, message: "line \(rowLine): the assignment is not 6, 7 or 9 hex digits")
            }
            var (start, end) = fields[2]
            while start < end && b[start] == 0x20 { start += 1 }
            while end > start && b[end - 1] == 0x20 { end -= 1 }
            out.append(Block(prefix: prefix, bits: digits * 4, start: start, length: end - start, registry: code))
        }
        return out
    }

    /// Wireshark `manuf`: `00:15:5D<TAB>Short<TAB>Long name`, or `00:1B:C5:00:00:00/36<TAB>…`; `#` comments.
    static func manufBlocks(_ b: [UInt8], path: String) throws -> [Block] {
        var out: [Block] = []
        out.reserveCapacity(b.count / 40)
        var i = 0, line = 0
        while i < b.count {
            line += 1
            let start = i
            while i < b.count && b[i] != 0x0A { i += 1 }
            var end = i
            i += 1
            if end > start && b[end - 1] == 0x0D { end -= 1 }
            guard end > start, b[start] != UInt8(ascii: "#") else { continue }
            // Up to three tab-separated columns: prefix, short name, long name.
            var tab1 = start
            while tab1 < end && b[tab1] != 0x09 { tab1 += 1 }
            guard tab1 < end else { throw IngestError(file: path, message: "line \(line): expected a prefix and a vendor, tab-separated") }
            let columns = [(start, tab1)] + Self.manufNames(b, from: tab1 + 1, to: end)
            // The prefix: hex octets separated by ':', '-' or '.', and an optional /bits.
            var value: UInt64 = 0, digits = 0, bits: Int? = nil
            var p = columns[0].0
            while p < columns[0].1 {
                let ch = b[p]
                if let d = hexDigit(ch) { value = value << 4 | UInt64(d); digits += 1 }
                else if ch == UInt8(ascii: "/") {
                    var n = 0
                    for q in (p + 1)..<columns[0].1 {
                        // Digits only, and few: a mask is at most 48 (a longer run is no mask).
                        guard let d = hexDigit(b[q]), d < 10, n < 100 else { n = -1; break }
                        n = n * 10 + Int(d)
                    }
                    bits = n
                    break
                } else if ch != UInt8(ascii: ":") && ch != UInt8(ascii: "-") && ch != UInt8(ascii: ".") {
                    throw IngestError(file: path, message: "line \(line): '\(String(decoding: b[columns[0].0..<columns[0].1], as: UTF8.self))' is not a MAC prefix")
                }
                p += 1
            }
            let length = bits ?? digits * 4
            guard digits >= 6, digits <= 12, [24, 28, 36].contains(length), length <= digits * 4 else {
                if let bits, ![24, 28, 36].contains(bits) { continue }  // other mask lengths (/40, /45 …) are rare; not used here
                throw IngestError(file: path, message: "line \(line): a prefix of \(digits) hex digits and /\(length) bits")
            }
            let prefix = (value << UInt64(48 - digits * 4)) >> UInt64(48 - length)
            guard columns.count > 1 else { continue }  // a prefix and only a comment names no vendor
            let vendor = columns.count > 2 ? columns[2] : columns[1]
            out.append(Block(prefix: prefix, bits: length, start: vendor.0, length: vendor.1 - vendor.0, registry: 4))
        }
        return out
    }

    /// The names after a manuf prefix: the tab-separated fields up to a `#` comment (`00:80:C2
    /// <TAB>Ieee8021<TAB>IEEE<TAB># 802.1 Committee`), empty fields skipped (`Adaptec<TAB><TAB>
    /// Adaptec, Inc.`), each without its trailing blanks: the short name, then the long one.
    static func manufNames(_ b: [UInt8], from start: Int, to end: Int) -> [(Int, Int)] {
        var names: [(Int, Int)] = []
        var p = start
        while p < end, names.count < 2 {
            var q = p
            while q < end && b[q] != 0x09 { q += 1 }
            if q > p, b[p] == UInt8(ascii: "#") { break }
            var last = q
            while last > p, b[last - 1] == 0x20 { last -= 1 }
            if last > p { names.append((p, last)) }
            p = q + 1
        }
        return names
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    static func hex(_ b: [UInt8], _ start: Int, _ end: Int) -> (UInt64, Int)? {
        var value: UInt64 = 0
        guard end > start, end - start <= 12 else { return nil }
        for i in start..<end {
            guard let d = hexDigit(b[i]) else { return nil }
            value = value << 4 | UInt64(d)
        }
        return (value, end - start)
    }
}
