/// Where a report is streamed: bytes gather in a buffer that is handed to `flush` each time it
/// passes 1 MiB, so a report of any size is written with that much memory and no whole-report
/// string. The CLI flushes to a file descriptor (`AtomicFile.write(to:_:)`, stdout); `collect`
/// gathers everything, for callers that want the text.
public struct ReportSink {
    /// Bytes not yet handed on.
    public internal(set) var buffer: [UInt8] = []
    private let flush: ([UInt8]) throws -> Void
    static let chunk = 1 << 20

    public init(flush: @escaping ([UInt8]) throws -> Void) {
        self.flush = flush
        buffer.reserveCapacity(Self.chunk + 4_096)
    }

    @inline(__always) public mutating func append(_ byte: UInt8) { buffer.append(byte) }

    public mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }

    public mutating func append(_ text: String) {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
    }

    public mutating func append<S: Sequence>(bytes: S) where S.Element == UInt8 { buffer.append(contentsOf: bytes) }

    /// Hands the buffer on once it holds a chunk; call between records.
    @inline(__always) public mutating func flushIfFull() throws {
        if buffer.count >= Self.chunk { try flushNow() }
    }

    /// Hands on whatever is buffered; call at the end.
    public mutating func finish() throws { try flushNow() }

    private mutating func flushNow() throws {
        guard !buffer.isEmpty else { return }
        try flush(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Runs `body` against a sink that keeps everything, and returns the text.
    public static func collect(_ body: (inout ReportSink) throws -> Void) rethrows -> String {
        final class Gathered { var bytes: [UInt8] = [] }
        let gathered = Gathered()
        var sink = ReportSink { gathered.bytes.append(contentsOf: $0) }
        try body(&sink)
        try? sink.finish()
        return String(decoding: gathered.bytes, as: UTF8.self)
    }
}
