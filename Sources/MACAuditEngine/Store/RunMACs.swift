import MACAuditModel

/// The MAC this run saw for each holder, by key hash, as a recording walks the holders: it tells a
/// holder listed twice (one export read under two names) from a first sighting, and later which
/// holders took their reserved MAC. A flat table: a first audit fills it a million times, where a
/// `Dictionary` spends most of its time seeding and running SipHash (key hashes are FNV-1a already).
public struct RunMACs: Sendable {
    private var index: FlatIndex<Key1>
    private var macs: [Int64] = []

    public init(capacity: Int) {
        index = FlatIndex(capacity: capacity)
        macs.reserveCapacity(capacity)
    }

    /// What a holder's sighting is to the run so far.
    public enum Sighting: UInt8, Sendable {
        /// Its key's first sighting in this run.
        case first
        /// Its key was seen before with another MAC (now replaced by this one).
        case anotherMAC
        /// Its key was seen before with this MAC: the same holder listed twice.
        case repeated
    }

    /// Notes that holder `keyHash` has `mac` in this run.
    public mutating func note(keyHash: Int64, mac: Int64) -> Sighting {
        let next = Int32(macs.count)
        let (slot, isNew) = index.findOrInsert(Key1(a: UInt64(bitPattern: keyHash))) { next }
        if isNew { macs.append(mac); return .first }
        if macs[Int(slot)] == mac { return .repeated }
        macs[Int(slot)] = mac
        return .anotherMAC
    }

    /// ``note(keyHash:mac:)`` for each holder of a chunk, in order. One pass over the table alone
    /// lets the processor wait for many of its cache misses at once (the keys are random, and the
    /// table of a large run is megabytes), where a note between two database inserts waits for each.
    public mutating func note(_ summaries: [HolderSightings.Summary]) -> [Sighting] {
        summaries.map { note(keyHash: $0.keyHash, mac: $0.mac) }
    }

    /// The MAC this run last saw for `keyHash`.
    public func mac(of keyHash: Int64) -> Int64? {
        index.find(Key1(a: UInt64(bitPattern: keyHash))).map { macs[Int($0)] }
    }
}
