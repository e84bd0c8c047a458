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
        /// Per place id: the digest of this run's holders there, in their order.
        private(set) var ofRun: [Int64: UInt64] = [:]
        /// Per holder (by number): its place id, when the digests were made before the recording.
        private(set) var placeOf: [Int64]?
        /// Covered places whose digest is the one stored: their holders are the database's.
        private(set) var unchanged = Set<Int64>()
        /// Places of rows this recording wrote (moved away from, ended, re-keyed).
        var touched = Set<Int64>()

        static let empty = FNV1a().value

        /// Adds holder `summary` to the digest of its place.
        mutating func add(_ summary: HolderSightings.Summary, at placeId: Int64) {
            var h = ofRun[placeId] ?? Self.empty
            Self.mix(&h, summary.keyHash); Self.mix(&h, summary.mac); Self.mix(&h, summary.digest)
            ofRun[placeId] = h
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
                }
            }
            placeOf = ids
            for (id, stored) in places.holdersDigest {
                guard let place = places.byId[id], coverage.covers(kind: place.kind, cluster: place.cluster, host: place.host, source: place.source),
                      UInt64(bitPattern: stored) == ofRun[id] ?? Self.empty else { continue }
                unchanged.insert(id)
            }
        }

        /// The digest to store for a place this run covered.
        func digest(of placeId: Int64) -> Int64 { Int64(bitPattern: ofRun[placeId] ?? Self.empty) }
    }
}
