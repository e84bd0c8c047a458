import MACAuditModel
import MACAuditEngine
import Foundation

/// Writes a report or script so that readers see either the old file or the whole new one: the
/// bytes go to a temporary file in the same folder, are flushed, and the file is renamed over the
/// target. A failure leaves no partial file behind.
public enum AtomicFile {
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        let name = (path as NSString).lastPathComponent
        var template = Array("\(folder)/.\(name).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        let tempPath = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var ok = false
        defer { if !ok { unlink(tempPath) } }
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    close(fd)
                    throw AtomicFileError(path: path, reason: String(cString: strerror(errno)))
                }
                written += n
            }
        }
        fchmod(fd, 0o644)
        guard fsync(fd) == 0, close(fd) == 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        guard rename(tempPath, path) == 0 else { throw AtomicFileError(path: path, reason: String(cString: strerror(errno))) }
        ok = true
    }

    public static func write(_ text: String, to path: String) throws {
        try write(Array(text.utf8), to: path)
    }
}

public struct AtomicFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): cannot be written: \(reason)" }
}
