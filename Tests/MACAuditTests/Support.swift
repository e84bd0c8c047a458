import Foundation
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// Paths into the repository, so tests read the shipped samples and rules themselves.
enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }
    /// Byte-for-byte copies of ../shared/samples/nc (real and mock NC exports; provenance in SOURCES.md).
    static let sharedSamples = path("Tests/Fixtures/nc")
    static var rules: Rules { get throws { try Rules.load(directory: path("rules")) } }
}

/// A fresh temporary directory per test (Swift Testing runs tests in parallel).
func temporaryDirectory(_ name: String = #function) throws -> String {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("macaudit-\(name.filter { $0.isLetter || $0.isNumber })-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func write(_ text: String, to path: String) throws {
    try Data(text.utf8).write(to: URL(fileURLWithPath: path))
}

func readExport(_ text: String, path: String = "test.json", cluster: String = "C1") throws -> ExportFile.Result {
    try ExportFile.read(bytes: Array(text.utf8), path: path, cluster: cluster)
}

func ingestError(_ text: String) -> IngestError? {
    do { _ = try readExport(text); return nil } catch let e as IngestError { return e } catch { return nil }
}
