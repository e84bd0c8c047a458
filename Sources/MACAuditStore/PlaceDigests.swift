import GRDB
import MACAudit

extension SQLiteStore {
    /// What lets a re-audit skip the places whose holders did not change: per place, FNV-1a over
    /// each holder's key hash, MAC and digest in the order the run listed them. A place keeps the
    /// digest of its last reading (`place.holdersDigest`); a run that read the same export again and
    /// made the same digest saw exactly the live holders the database has there, so their rows are
    /// neither read back nor compared one by one (a nightly audit of an unchanged site reads its
    /// places, not its holders).
    ///
    /// The stored digest stays true only while nothing else changes the place's live rows: a
    /// recording that moves, ends or re-keys a row of a place it did not read forgets that place's
    /// digest (``touched``), and a place whose digest is unknown is compared row by row.
    struct PlaceDigests {
        /// Per place id: the digest of this run's holders there, in their order (but the current
        /// place's, which is in `current` until another place comes).
        private var ofRun: [Int64: UInt64] = [:]
        private var current: (placeId: Int64, digest: UInt64) = (-1, 0)
        /// Per holder (by number): its place id, when the digests were made before the recording.
        private(set) var placeOf: [Int64]?
        /// Covered places whose digest is the one stored: their holders are the database's.
        private(set) var unchanged = Set<Int64>()
        /// Per unchanged place: how many holders this run listed there (its live rows).
        private(set) var unchangedCounts: [Int64: Int] = [:]
        private var counts: [Int64: Int] = [:]
        /// Places of rows this recording wrote (moved away from, ended, re-keyed).
        var touched = Set<Int64>()

        static let empty = FNV1a().value

        /// Adds holder `summary` to the digest of its place.
        mutating func add(_ summary: HolderSightings.Summary, at placeId: Int64) {
            if placeId != current.placeId {  // a place's holders mostly come together: one lookup per stretch
                if current.placeId >= 0 { ofRun[current.placeId] = current.digest }
                current = (placeId, ofRun[placeId] ?? Self.empty)
            }
            Self.mix(&current.digest, summary.keyHash); Self.mix(&current.digest, summary.mac); Self.mix(&current.digest, summary.digest)
        }

        /// This run's digest of a place's holders.
        private func ofRun(_ placeId: Int64) -> UInt64 {
            placeId == current.placeId ? current.digest : ofRun[placeId] ?? Self.empty
        }

        /// FNV-1a over the eight bytes of `value`, lowest first.
        private static func mix(_ h: inout UInt64, _ value: Int64) {
            var v = UInt64(bitPattern: value)
            for _ in 0..<8 { h = (h ^ (v & 0xFF)) &* 0x0000_0100_0000_01B3; v >>= 8 }
        }

        /// Before the recording (all holders packed): every holder's place, new places added, each
        /// place's digest, and the covered places whose digest is the stored one.
        mutating func compare(_ holders: HolderSightings, _ places: inout Places, coverage: Coverage, _ db: Database) throws {
            var ids = [Int64](repeating: 0, count: holders.count)
            var last: (Place, Int64)?
            for c in 0..<holders.chunkCount {
                let chunk = holders.chunk(c)
                for (j, sum) in chunk.summaries.enumerated() {
                    let n = chunk.base + j, origin = holders.place(n)
                    let place = Place(cluster: origin.cluster, host: origin.host, kind: origin.kind, source: origin.source)
                    if last?.0 != place { last = (place, try places.id(place, db)) }
                    ids[n] = last!.1
                    add(sum, at: last!.1)
                    counts[last!.1, default: 0] += 1
                }
            }
            placeOf = ids
            for (id, stored) in places.holdersDigest {
                guard let place = places.byId[id], coverage.covers(kind: place.kind, cluster: place.cluster, host: place.host, source: place.source),
                      UInt64(bitPattern: stored) == ofRun(id) else { continue }
                unchanged.insert(id)
                unchangedCounts[id] = counts[id] ?? 0
            }
        }

        /// The digest to store for a place this run covered.
        func digest(of placeId: Int64) -> Int64 { Int64(bitPattern: ofRun(placeId)) }
    }
}
