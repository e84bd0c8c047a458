import MACAuditModel
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The UTF-8 text of one export file, without reading the file into memory.
///
/// UTF-8 files (with or without BOM) are mapped and parsed in place. UTF-16 and Windows-1252 files
/// are transcoded once, a few MiB at a time: into memory when small, into an unlinked temporary
/// file (in `$TMPDIR`, else `/var/tmp`) that is then mapped when large, so that a multi-GiB UTF-16
/// export costs disk, not memory. While records are read, the pages behind them are handed back
/// (``release(upTo:)``): the resident size follows the records kept, not the file.
final class ExportText {
    let encoding: TextEncoding
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int
    /// Where the text starts in the mapping (after a BOM).
    private let start: Int
    private var memory: [UInt8] = []
    private var released = 0

    /// UTF-16 or Windows-1252 inputs up to this size are transcoded into memory; larger ones into
    /// a temporary file. `MACAUDIT_TRANSCODE_MEMORY_LIMIT` (bytes) overrides it.
    static let inMemoryLimit = ProcessInfo.processInfo.environment["MACAUDIT_TRANSCODE_MEMORY_LIMIT"].flatMap { Int($0) } ?? 256 << 20

    init(path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw IngestError(file: path, message: "cannot be read: \(POSIXFailure(code: errno))") }
        defer { close(fd) }
        let (map, length) = try Self.map(fd, path: path)
        let raw = UnsafeRawBufferPointer(start: map, count: length)
        let detected: (TextEncoding, Int)
        var checkedUpTo = 0
        do {
            detected = try TextEncoding.detect(raw) { offset in
                // Whole 64 MiB windows only: the last one's pages stay for the parse, which reads a
                // file of a few megabytes without mapping its pages in a second time.
                if let map { Self.handBack(map, from: &checkedUpTo, to: offset) }
            }
        } catch {
            if let map { munmap(map, length) }
            throw IngestError(file: path, message: error.message)
        }
        encoding = detected.0
        if encoding == .utf8 || encoding == .utf8BOM {
            (mapping, mappedLength, start) = (map, length, detected.1)
            // Detection read every byte (NUL and UTF-8 checks) and handed whole windows back as it went.
            if let map { madvise(map, length, MADV_SEQUENTIAL) }
            return
        }
        defer { if let map { munmap(map, length) } }
        do {
            if length <= Self.inMemoryLimit {
                try TextEncoding.transcode(raw, encoding, from: detected.1, into: &memory, flush: nil)
                (mapping, mappedLength, start) = (nil, 0, 0)
            } else {
                let temp = try Self.temporaryFile(path: path)
                defer { close(temp) }
                var out: [UInt8] = []
                var writeError: Int32 = 0
                try TextEncoding.transcode(raw, encoding, from: detected.1, into: &out) { (block: inout [UInt8]) throws(TextDecodingError) in
                    if writeError == 0, !Self.writeAll(temp, block) { writeError = errno }
                    block.removeAll(keepingCapacity: true)
                }
                if writeError != 0 {
                    throw IngestError(file: path, message: "cannot be transcoded to a temporary file: \(POSIXFailure(code: writeError))")
                }
                let (tmap, tlength) = try Self.map(temp, path: path)
                (mapping, mappedLength, start) = (tmap, tlength, 0)
                if let tmap { madvise(tmap, tlength, MADV_SEQUENTIAL) }
            }
        } catch let e as TextDecodingError {
            throw IngestError(file: path, message: e.message)
        }
    }

    deinit { if let mapping { munmap(mapping, mappedLength) } }

    /// Calls `body` with the UTF-8 text.
    func withUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let mapping { return try body(UnsafeRawBufferPointer(start: mapping + start, count: mappedLength - start)) }
        return try memory.withUnsafeBytes(body)
    }

    /// Hands the mapped pages before `offset` (of the UTF-8 text) back to the kernel. They are read
    /// again from the file if touched later (an error message counting lines), so this is only a
    /// hint about memory, never about content.
    func release(upTo offset: Int) {
        if let mapping { Self.handBack(mapping, from: &released, to: start + offset) }
    }

    static let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))

    /// `madvise(DONTNEED)` on the whole pages of `base[done..<end]` once at least 64 MiB of them
    /// have gathered (a call per record must stay cheap), or on what is left when `final`.
    private static func handBack(_ base: UnsafeMutableRawPointer, from done: inout Int, to end: Int, final: Bool = false) {
        let aligned = end / pageSize * pageSize
        guard aligned > done, final || aligned - done >= 64 << 20 else { return }
        madvise(base + done, aligned - done, MADV_DONTNEED)
        done = aligned
    }

    private static func map(_ fd: Int32, path: String) throws -> (UnsafeMutableRawPointer?, Int) {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw IngestError(file: path, message: "cannot be read: \(POSIXFailure(code: errno))") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw IngestError(file: path, message: "is not a regular file") }
        let length = Int(info.st_size)
        guard length > 0 else { return (nil, 0) }
        let map = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let map, map != MAP_FAILED else { throw IngestError(file: path, message: "cannot be mapped: \(POSIXFailure(code: errno))") }
        return (map, length)
    }

    /// An unlinked temporary file: it disappears when closed, whatever happens to the process.
    private static func temporaryFile(path: String) throws -> Int32 {
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/tmp"
        var template = Array("\(dir)/macaudit-transcode-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw IngestError(file: path, message: "needs a temporary file in \(dir) to transcode it: \(POSIXFailure(code: errno))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 { if errno == EINTR { continue }; return false }
                done += n
            }
            return true
        }
    }
}
