import Foundation

/// The steps of recording an audit, timed on stderr under `MACAUDIT_PROFILE` (as the audit's
/// phases are): `macaudit:   record: holders 1.234 s (this thread's CPU 1.000 s)`. Both stores use it.
public final class Lap {
    private var last = Date()
    private var lastCPU = Lap.threadCPU()
    private let on = ProcessInfo.processInfo.environment["MACAUDIT_PROFILE"] != nil

    public init() {}

    public func callAsFunction(_ step: String) {
        guard on else { return }
        let now = Date(), cpu = Self.threadCPU()
        FileHandle.standardError.write(Data(String(format: "macaudit:   record: %@ %.3f s (this thread's CPU %.3f s)\n", step,
                                                   now.timeIntervalSince(last), cpu - lastCPU).utf8))
        last = now
        lastCPU = cpu
    }

    /// CPU seconds of the calling thread so far: what a step took besides waiting (for packing,
    /// for the disk, for a core).
    private static func threadCPU() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
