import Foundation
import MACAudit

/// Draws ``WorkProgress`` on stderr while an audit or a capture analysis runs: one line, redrawn
/// four times a second and erased at the end. Only on a terminal, never with `--quiet`, and only
/// once the work has taken `MACAUDIT_PROGRESS_DELAY` seconds (default 2), so quick runs and cron
/// jobs print nothing.
final class ProgressMeter: @unchecked Sendable {
    private let lock = NSLock()
    private var running = true
    private var drawn = false
    private let started = Date()

    /// A meter drawing from now on, or nil when it must not (not a terminal, `--quiet`).
    static func start(quiet: Bool) -> ProgressMeter? {
        guard !quiet, isatty(STDERR_FILENO) == 1 else { return nil }
        let delay = ProcessInfo.processInfo.environment["MACAUDIT_PROGRESS_DELAY"].flatMap(Double.init) ?? 2
        let meter = ProgressMeter()
        let thread = Thread { meter.loop(after: delay) }
        thread.start()
        return meter
    }

    private func loop(after delay: Double) {
        while Date().timeIntervalSince(started) < delay {
            guard lock.withLock({ running }) else { return }
            usleep(50_000)
        }
        while lock.withLock({ draw() }) { usleep(250_000) }
    }

    /// Draws the current line; false once stopped.
    private func draw() -> Bool {
        guard running else { return false }
        let line = "macaudit: " + Self.describe(WorkProgress.shared.snapshot, elapsed: Date().timeIntervalSince(started))
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
        drawn = true
        return true
    }

    /// Stops drawing and erases the line (so the report or an error starts on a clean line).
    func stop() {
        lock.withLock {
            running = false
            if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            drawn = false
        }
    }

    /// "reading exports: 12 of 64 files, 1.2 of 4.0 GB", "reading captures: 1 of 2 files, 1,234,567
    /// frames, 850 MB", "reconciling and checking", each with the time so far.
    static func describe(_ p: WorkProgress.Snapshot, elapsed: Double) -> String {
        var parts: [String] = []
        if p.filesTotal > 0 { parts.append("\(p.filesDone) of \(p.filesTotal) files") }
        if p.frames > 0 {
            parts.append("\(p.frames.grouped) frames, \(bytes(p.bytesDone))")
        } else if p.bytesTotal > 0 {
            parts.append("\(bytes(p.bytesDone)) of \(bytes(p.bytesTotal))")
        }
        parts.append(String(format: "%.0f s", elapsed))
        return (p.phase.isEmpty ? "starting" : p.phase) + ": " + parts.joined(separator: ", ")
    }

    static func bytes(_ n: Int64) -> String {
        let units = ["bytes", "KB", "MB", "GB", "TB"]
        var value = Double(n), unit = 0
        while value >= 1000, unit < units.count - 1 { value /= 1000; unit += 1 }
        return unit == 0 ? "\(n) bytes" : String(format: "%.1f %@", value, units[unit])
    }
}
