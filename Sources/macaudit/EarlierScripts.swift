import Foundation

/// Apply scripts an earlier plan left in the scripts folder.
///
/// A nightly `--scripts DIR` rewrites the scripts of the hosts its plan touches; a host the new plan
/// does not touch keeps yesterday's `apply-HOST.ps1`, and an admin running `apply-*.ps1` would run
/// yesterday's plan there. Such scripts are named in a warning, not deleted: if one was run, its
/// rollback script and state file are what undoes it.
enum EarlierScripts {
    /// The `apply-*.ps1` files in `folder` that macaudit wrote and this run did not (`written`: file
    /// names), each with when it was generated.
    static func left(in folder: String, written: Set<String>) -> [(path: String, generated: String)] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().filter { $0.hasPrefix("apply-") && $0.hasSuffix(".ps1") && !written.contains($0) }.compactMap { name in
            let path = (folder as NSString).appendingPathComponent(name)
            return generated(path).map { (path, $0) }
        }
    }

    /// The time in the header macaudit writes (`macaudit remediation for one Hyper-V host, generated
    /// 2026-12-07T17:52:14Z…`); nil for a file macaudit did not write.
    private static func generated(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 2048)) ?? Data(), as: UTF8.self)
        let marker = "macaudit remediation for one Hyper-V host, generated "
        guard let start = head.range(of: marker) else { return nil }
        return String(head[start.upperBound...].prefix { !$0.isWhitespace && $0 != "." })
    }
}
