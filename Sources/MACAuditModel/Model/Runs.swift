/// Helpers for data that comes in runs: holders follow the input files, so consecutive holders
/// share their cluster, host and switch. Asking about each run once instead of each holder turns
/// a million string hashes into a few thousand.
extension Set {
    /// The distinct values of `values`, hashing one value per run of equal ones.
    @inlinable public init(runs values: some Sequence<Element>) {
        self.init()
        var last: Element? = nil
        for v in values where v != last {
            insert(v)
            last = v
        }
    }
}

/// A one-entry memo of a function: the answer for the last key, recomputed when the key changes.
public struct LastAnswer<Key: Equatable, Value> {
    @usableFromInline var last: (Key, Value)?
    @usableFromInline let compute: (Key) -> Value

    @inlinable public init(_ compute: @escaping (Key) -> Value) { self.compute = compute }

    @inlinable public mutating func callAsFunction(_ key: Key) -> Value {
        if let last, last.0 == key { return last.1 }
        let value = compute(key)
        last = (key, value)
        return value
    }
}
