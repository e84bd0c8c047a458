import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Starts the disk writes of files that another thread is still filling, so that the `fsync`
/// which ends the work finds most of their pages already on disk.
///
/// An audit's recording appends tens to hundreds of megabytes to the WAL, and its checkpoint
/// copies them into the database file; with `synchronous = NORMAL` nothing reaches the disk until
/// the checkpoint's two `fsync`s, which then write it all while the command waits (0.5 s each for
/// a million holders here). Every `interval`, this asks Linux to start writing the files' dirty
/// pages (`sync_file_range` with `SYNC_FILE_RANGE_WRITE`, which does not wait), through read-only
/// descriptors of its own. It is advice only: durability still comes from SQLite's `fsync`s, and a
/// file that cannot be opened or a call that fails changes nothing.
final class Writeback: @unchecked Sendable {
    private let descriptors: [Int32]
    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchGroup()

    /// Starts nudging the files at `paths` that exist (and those made later are not followed).
    init(_ paths: [String], every interval: TimeInterval = 0.01) {
        descriptors = paths.map { open($0, O_RDONLY | O_CLOEXEC) }.filter { $0 >= 0 }
        guard !descriptors.isEmpty else { return }
        let fds = descriptors, stopped = stopped
        finished.enter()
        let thread = Thread { [finished] in
            defer { finished.leave() }
            while stopped.wait(timeout: .now() + interval) == .timedOut {
                for fd in fds { _ = Self.startWriting(fd) }
            }
        }
        thread.name = "macaudit writeback"
        thread.start()
    }

    /// Stops, waiting for the last round, and closes the descriptors. Call it once.
    func stop() {
        if !descriptors.isEmpty {
            stopped.signal()
            finished.wait()
        }
        for fd in descriptors { close(fd) }
    }

    private static func startWriting(_ fd: Int32) -> Int32 {
        syncFileRange.map { $0(fd, 0, 0, 2) } ?? 0  // 2: SYNC_FILE_RANGE_WRITE
    }

    /// glibc's `sync_file_range`, looked up at run time: Swift's Glibc module leaves out what
    /// `_GNU_SOURCE` declares. Nil where there is none (then nothing is nudged).
    private static let syncFileRange: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "sync_file_range") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32, Int64, Int64, UInt32) -> Int32).self)
    }()
}
