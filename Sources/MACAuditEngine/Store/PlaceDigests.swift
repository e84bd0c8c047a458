import MACAuditModel

/// What lets a re-audit skip the places whose holders did not change: per place, FNV-1a over each
/// holder's key hash, MAC and digest in the order the run listed them. A store keeps, per place, the
/// digest of its last reading; a run that read the same export again and made the same digest saw
/// exactly the live holders the database has there, so their rows are neither read back nor
/// compared one by one (a nightly audit of an unchanged site reads its places, not its holders).
///
/// The stored digest stays true only while nothing else changes the place's live rows: a recording
/// that moves, ends or re-keys a row of a place it did not read forgets that place's digest
/// (``touched``), and a place whose digest is unknown is compared row by row. Both stores use this.
public struct PlaceDigests: Sendable {
    /// Per place id: the digest of this run's holders there, in their order (but the current
    /// place's, which is in `current` until another place comes).
    private var ofRun: [Int64: FNV1a] = [:]
    private var current: (placeId: Int64, digest: FNV1a) = (-1, FNV1a())
    private var counts: [Int64: Int] = [:]
    /// Per holder (by number): its place id, when the digests were made before the recording.
    public private(set) var placeOf: [Int64]?
    /// Covered places whose digest is the one stored: their holders are the database's.
    public private(set) var unchanged = Set<Int64>()
    /// Per unchanged place: how many holders this run listed there (its live rows).
    public private(set) var unchangedCounts: [Int64: Int] = [:]
    /// Places of rows this recording wrote (moved away from, ended, re-keyed).
    public var touched = Set<Int64>()

    public init() {}

    /// Adds holder `summary` to the digest of its place.
    public mutating func add(_ summary: HolderSightings.Summary, at placeId: Int64) {
        if placeId != current.placeId {  // a place's holders mostly come together: one lookup per stretch
            if current.placeId >= 0 { ofRun[current.placeId] = current.digest }
            current = (placeId, ofRun[placeId] ?? FNV1a())
        }
        current.digest.add(littleEndian: summary.keyHash); current.digest.add(littleEndian: summary.mac); current.digest.add(littleEndian: summary.digest)
    }

    /// Before the recording (every holder packed): each holder's place (by `placeId`, which may
    /// add new places, asked where a place may start: ``HolderSightings/Summary/startsPlace``), each place's digest, and the covered places whose digest is the stored one.
    public mutating func compare(_ holders: HolderSightings, stored: [Int64: Int64], covered: (Int64) -> Bool,
                                 placeId: (Int) throws -> Int64) rethrows {
        var ids = [Int64](repeating: 0, count: holders.count)
        var id: Int64 = -1
        for c in 0..<holders.chunkCount {
            let chunk = holders.chunk(c)
            for (j, sum) in chunk.summaries.enumerated() {
                let n = chunk.base + j
                if sum.startsPlace { id = try placeId(n) }
                ids[n] = id
                add(sum, at: id)
                counts[id, default: 0] += 1
            }
        }
        placeOf = ids
        for (id, digest) in stored where covered(id) && UInt64(bitPattern: digest) == ofRun(id).value {
            unchanged.insert(id)
            unchangedCounts[id] = counts[id] ?? 0
        }
    }

    /// The digest to store for a place this run covered.
    public func digest(of placeId: Int64) -> Int64 { Int64(bitPattern: ofRun(placeId).value) }

    /// Whether holder `n` is at an unchanged place (known only after ``compare``).
    public func isUnchanged(_ n: Int) -> Bool { placeOf.map { unchanged.contains($0[n]) } ?? false }

    private func ofRun(_ placeId: Int64) -> FNV1a {
        placeId == current.placeId ? current.digest : ofRun[placeId] ?? FNV1a()
    }
}
