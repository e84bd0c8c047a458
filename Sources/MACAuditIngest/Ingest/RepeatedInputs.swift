import MACAuditModel
import Foundation

/// One export read twice is one export. Admins name a folder and a file in it, copy
/// `nc-networkInterfaces.json` to `nc-networkInterfaces (1).json`, or export the controller twice
/// into one folder; counted twice, every NC interface would be its own duplicate.
///
/// Three levels, each with a warning that names both files:
/// - the same file named twice (one real path) is read once;
/// - a file with the same bytes as another of its cluster (a copy) is read once;
/// - Network Controller records (interfaces by resourceRef, servers, subnets, macPools) and host
///   and SCVMM pools that an earlier file of the same cluster already had are dropped from the later
///   one. Adapters are not: the reconciler already joins one adapter reported twice by its `Id`, and
///   two adapter records of one VM in one export are two adapters.
enum RepeatedInputs {
    /// The entries with the second and later namings of one real path removed, each with its
    /// real path as its ``InputSet/Entry/storedPath``.
    static func distinctPaths(_ entries: [InputSet.Entry]) -> (entries: [InputSet.Entry], warnings: [InputWarning]) {
        var seen: [String: String] = [:]
        var kept: [InputSet.Entry] = [], warnings: [InputWarning] = []
        for var entry in entries {
            let real = InputSet.storedPath(entry.path)
            entry.storedPath = real
            if let first = seen[real] {
                let message = first == entry.path ? "is named more than once; read once" : "is \(first) again; read once"
                warnings.append(InputWarning(source: entry.path, message: message))
                continue
            }
            seen[real] = entry.path
            kept.append(entry)
        }
        return (kept, warnings)
    }

    /// The entries without files whose bytes equal an earlier entry's of the same cluster (two
    /// clusters' controllers may well export the same `DefaultMacPool`). Only files of equal size are
    /// compared, first by their first 4 KiB (exports of different hosts differ in their first record),
    /// and only files whose beginnings agree are compared whole.
    static func distinctContents(_ entries: [InputSet.Entry], sizes: [Int64]) -> (entries: [InputSet.Entry], warnings: [InputWarning]) {
        struct Group: Hashable { var cluster: String; var size: Int64 }
        var bySize: [Group: [Int]] = [:]
        for (i, size) in sizes.enumerated() where size > 0 { bySize[Group(cluster: entries[i].cluster, size: size), default: []].append(i) }
        var dropped = Set<Int>(), warnings: [InputWarning] = []
        for group in bySize.values where group.count > 1 {
            var byHead: [Data: Int] = [:]
            for i in group.sorted() {
                guard let head = head(of: entries[i].path) else { continue }
                if let first = byHead[head], sameBytes(entries[first].path, entries[i].path) {
                    dropped.insert(i)
                    warnings.append(InputWarning(source: entries[i].path, message: "has the same bytes as \(entries[first].path) (a copy?); read once"))
                } else if byHead[head] == nil {
                    byHead[head] = i
                }
            }
        }
        return (entries.indices.filter { !dropped.contains($0) }.map { entries[$0] }, warnings)
    }

    /// NC records and pools that an earlier file of the same cluster already held, removed, with a
    /// warning per pair of files. Free when each cluster has one file of each kind.
    static func withoutRepeatedRecords(_ inventory: Inventory) -> (inventory: Inventory, warnings: [InputWarning]) {
        var out = inventory
        var repeats: [Pair: Int] = [:]
        out.interfaces = firstOfEach(inventory.interfaces, file: \.source.path, cluster: \.cluster,
                                     key: { $0.resourceId.lowercased() }, repeats: &repeats)
        out.servers = firstOfEach(inventory.servers, file: \.source.path, cluster: \.cluster,
                                  key: { $0.resourceId.lowercased() }, repeats: &repeats)
        // A subnet carries no file; one resourceRef in one cluster is one subnet wherever it was read.
        var seenSubnets = Set<[String]>()
        out.subnets = inventory.subnets.filter { seenSubnets.insert([$0.cluster, $0.ref]).inserted }
        out.pools = firstOfEach(inventory.pools, file: \.source.path, cluster: { $0.cluster ?? "" },
                                key: { "\($0.name)|\($0.allocation)" }, repeats: &repeats)
        let warnings = repeats.sorted { ($0.key.later, $0.key.earlier) < ($1.key.later, $1.key.earlier) }.map {
            InputWarning(source: $0.key.later, message: "repeats \($0.value) record(s) of \($0.key.earlier) (the same export twice?); each is read once")
        }
        return (out, warnings)
    }

    struct Pair: Hashable { var later: String; var earlier: String }
    struct RecordKey: Hashable { var cluster: String; var key: String }

    /// Records in order, without those whose (cluster, key) an earlier file already had; records
    /// repeated within one file are kept (that file says there are two).
    private static func firstOfEach<R>(_ records: [R], file: (R) -> String, cluster: (R) -> String, key: (R) -> String,
                                       repeats: inout [Pair: Int]) -> [R] {
        guard records.count > 1 else { return records }
        var fileOfCluster: [String: String] = [:]
        var several = false
        for r in records {
            let c = cluster(r), f = file(r)
            if let known = fileOfCluster[c] { if known != f { several = true; break } } else { fileOfCluster[c] = f }
        }
        guard several else { return records }
        var firstFile: [RecordKey: String] = [:]
        var kept: [R] = []
        kept.reserveCapacity(records.count)
        for r in records {
            let k = RecordKey(cluster: cluster(r), key: key(r)), f = file(r)
            if let earlier = firstFile[k] {
                if earlier != f {
                    repeats[Pair(later: f, earlier: earlier), default: 0] += 1
                    continue
                }
            } else {
                firstFile[k] = f
            }
            kept.append(r)
        }
        return kept
    }

    /// The file's first 4 KiB.
    private static func head(of path: String) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.read(upToCount: 4096)
    }

    private static func sameBytes(_ a: String, _ b: String) -> Bool {
        FileManager.default.contentsEqual(atPath: a, andPath: b)
    }
}
