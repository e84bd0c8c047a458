/// Bytes appended through a pointer: what the packer writes holders into.
///
/// An `Array`'s `append` checks, for every byte, that its buffer is its own and has room, and a
/// holder packs in dozens of appends; a first audit packs every holder it read. This buffer
/// checks room only, grows by doubling, and frees itself.
struct ByteSink: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(to: count + 1) }
        base[count] = byte
        count += 1
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let from = bytes.baseAddress, !bytes.isEmpty else { return }
        if count + bytes.count > capacity { grow(to: count + bytes.count) }
        (base + count).initialize(from: from, count: bytes.count)
        count += bytes.count
    }

    /// The byte at `offset` (below ``count``).
    subscript(offset: Int) -> UInt8 {
        get { base[offset] }
        set { base[offset] = newValue }
    }

    /// Puts `bytes` in place of the one byte at `offset`, moving what follows.
    mutating func replaceByte(at offset: Int, with bytes: [UInt8]) {
        let extra = bytes.count - 1
        if count + extra > capacity { grow(to: count + extra) }
        UnsafeMutableRawPointer(base + offset + bytes.count).copyMemory(from: base + offset + 1, byteCount: count - offset - 1)  // memmove
        for (k, b) in bytes.enumerated() { base[offset + k] = b }
        count += extra
    }

    /// Bytes `start ..< count`, for the duration of `body`.
    func withBytes<R>(from start: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: base + start, count: count - start))
    }

    /// The bytes written, as an array of exactly that size.
    var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    private mutating func grow(to needed: Int) {
        var size = capacity * 2
        while size < needed { size *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        larger.initialize(from: base, count: count)
        base.deallocate()
        base = larger
        capacity = size
    }
}
