import MACAuditModel
import MACAuditEngine
import Foundation

/// Writes a report or script so that readers see either the old file or the whole new one: the
/// bytes go to a temporary file in the same folder, are flushed, and the file is renamed over the
/// target. A failure leaves no partial file behind; so does a run killed while writing, where the
/// file system has unnamed files (Linux `O_TMPFILE`: the file gets a name only once it is whole).
///
/// A target that is not a regular file — `/dev/null`, `/dev/stdout`, a FIFO a collector reads — is
/// written in place (renaming over it would replace the device with a file); a symbolic link is
/// followed, so the file it points to is replaced and the link stays.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to requested: String) throws {
        try write(to: requested) { $0.append(bytes: bytes) }
    }

    /// Streams what `body` writes to its sink into `requested`, with the same guarantees: the file
    /// appears whole at the end or not at all (a device or FIFO is written as the bytes come).
    public static func write(to requested: String, _ body: (inout ReportSink) throws -> Void) throws {
        var info = stat()
        if stat(requested, &info) == 0, info.st_mode & S_IFMT != S_IFREG { return try writeInPlace(to: requested, body) }
        let path = linkTarget(requested)
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let name = (path as NSString).lastPathComponent
        func failed() -> AtomicFileError { AtomicFileError(path: requested, reason: String(cString: strerror(errno))) }
        let unnamed = openUnnamed(in: folder)
        var template = Array("\(folder)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = unnamed ?? template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw failed() }
        var tempPath = unnamed == nil ? String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self) : nil
        var ok = false
        defer { if !ok, let tempPath { unlink(tempPath) } }
        do { try stream(to: fd, path: requested, body) } catch { close(fd); throw error }
        fchmod(fd, 0o644)
        guard fsync(fd) == 0 else { close(fd); throw failed() }
        if unnamed != nil {
            // Named only now, whole: a link under a temporary name, then the rename over the target;
            // where the link is refused, a copy into a named temporary file.
            tempPath = link(fd, besides: "\(folder)/.\(name).tmp-")
            if tempPath == nil {
                tempPath = copyToNamedFile(fd, template: template)
                if tempPath == nil { close(fd); throw failed() }
            }
        }
        guard close(fd) == 0 else { throw failed() }
        guard rename(tempPath!, path) == 0 else { throw failed() }
        ok = true
    }

    /// An unnamed file in `folder`, or nil where the system or file system has none (then a named
    /// temporary file is used).
    private static func openUnnamed(in folder: String) -> Int32? {
        #if os(Linux)
        guard access("/proc/self/fd", F_OK) == 0 else { return nil }
        let fd = open(folder, O_WRONLY | O_CLOEXEC | O_DIRECTORY | 0o20000000, 0o600)   // O_TMPFILE
        return fd >= 0 ? fd : nil
        #else
        return nil
        #endif
    }

    /// The unnamed file `fd` copied into a new file made from `template` (mkstemp), flushed; its
    /// path, or nil (the new file removed).
    private static func copyToNamedFile(_ fd: Int32, template: [CChar]) -> String? {
        var template = template
        let copy = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard copy >= 0 else { return nil }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: off_t = 0, ok = true
        while ok {
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { ok = n == 0; break }
            do { try writeAll(Array(buffer[0..<n]), to: copy, path: path) } catch { ok = false }
            offset += off_t(n)
        }
        fchmod(copy, 0o644)
        if ok, fsync(copy) == 0, close(copy) == 0 { return path }
        close(copy)
        unlink(path)
        return nil
    }

    /// Links the unnamed file `fd` as `prefix` plus a free random suffix; the path, or nil.
    private static func link(_ fd: Int32, besides prefix: String) -> String? {
        for _ in 0..<16 {
            let candidate = prefix + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 { return candidate }
            if errno != EEXIST { return nil }
        }
        return nil
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }

    /// The file a chain of symbolic links ends at (which need not exist yet), or `path` itself.
    public static func linkTarget(_ path: String) -> String {
        var current = path
        for _ in 0..<16 {
            var info = stat()
            guard lstat(current, &info) == 0, info.st_mode & S_IFMT == S_IFLNK,
                  let target = try? FileManager.default.destinationOfSymbolicLink(atPath: current) else { return current }
            current = target.hasPrefix("/") ? target : ((current as NSString).deletingLastPathComponent as NSString).appendingPathComponent(target)
        }
        return current
    }

    /// Writes to a device or FIFO as it is.
    private static func writeInPlace(to path: String, _ body: (inout ReportSink) throws -> Void) throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        try stream(to: fd, path: path, body)
    }

    /// What `body` writes, to an open descriptor (`path` names it in errors): stdout, for one.
    public static func stream(to fd: Int32, path: String, _ body: (inout ReportSink) throws -> Void) throws {
        var sink = ReportSink { try writeAll($0, to: fd, path: path) }
        try body(&sink)
        try sink.finish()
    }

    /// Every byte to `fd`, through short writes and interruptions.
    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws {
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
                }
                written += n
            }
        }
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot be written: \(reason)" }
}
