import Dispatch
import Foundation

/// `(0..<count).map(body)` on all cores, results in index order. For independent, pure work: the
/// checks of an audit, the files of an input set.
@inlinable public func concurrentMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    let slots = Slots<T>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { i in slots.set(i, body(i)) }
    return slots.values
}

/// The results of `body` over `0..<count` cut into ranges of `chunk`, run on all cores and joined
/// in order: for cheap work per element over large arrays (a closure per element would cost more
/// than the work), with room for state per range (a cache).
@inlinable public func concurrentChunks<T: Sendable>(_ count: Int, chunk: Int = 1 << 16, _ body: @Sendable (Range<Int>) -> [T]) -> [T] {
    Array(concurrentMap((count + chunk - 1) / chunk) { c in body(c * chunk..<min(count, (c + 1) * chunk)) }.joined())
}

/// Fixed slots that concurrent workers fill by index.
@usableFromInline final class Slots<T: Sendable>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()

    @usableFromInline init(count: Int) { slots = Array(repeating: nil, count: count) }

    @usableFromInline func set(_ i: Int, _ value: T) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }

    @usableFromInline var values: [T] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0! }
    }
}
