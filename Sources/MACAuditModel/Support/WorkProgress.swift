import Foundation

/// How far long work has got — the phase, files and bytes of the inputs read, frames of the
/// captures — for a front end to show while it runs (`macaudit` draws it on a terminal).
///
/// The stages add to ``shared`` as they go, at most once per file or per megabyte of capture, so
/// counting costs nothing measurable; reading it is a copy under a lock.
public final class WorkProgress: @unchecked Sendable {
    public static let shared = WorkProgress()

    public struct Snapshot: Sendable, Equatable {
        public var phase = ""
        public var filesTotal = 0
        public var filesDone = 0
        public var bytesTotal: Int64 = 0
        public var bytesDone: Int64 = 0
        public var frames: Int64 = 0
    }

    private let lock = NSLock()
    private var state = Snapshot()

    public init() {}

    public var snapshot: Snapshot { lock.withLock { state } }

    /// A new phase; `files` and `bytes` are what it will read (0: nothing to count).
    public func begin(_ phase: String, files: Int = 0, bytes: Int64 = 0) {
        lock.withLock { state = Snapshot(phase: phase, filesTotal: files, bytesTotal: bytes, frames: state.frames) }
    }

    /// One input of `bytes` read whole.
    public func finishedFile(bytes: Int64) {
        lock.withLock { state.filesDone += 1; state.bytesDone += bytes }
    }

    /// Frames and bytes of a capture read.
    public func read(frames: Int64, bytes: Int64) {
        lock.withLock { state.frames += frames; state.bytesDone += bytes }
    }
}
