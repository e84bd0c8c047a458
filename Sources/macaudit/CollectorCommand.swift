import ArgumentParser
import Foundation
import MACAudit

/// `macaudit collector`: prints the PowerShell script that gathers a cluster's inputs
/// (`Collect-MacAuditInputs.ps1`, embedded in the binary at build time by BuildInfoPlugin).
struct Collector: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the PowerShell script that gathers a cluster's exports into one folder.",
        discussion: """
            Save it on a management host and run it there (Windows PowerShell 5.1 or PowerShell 7): \
            it finds the cluster's nodes with Get-ClusterNode and, through Invoke-Command, writes each \
            node's adapters, dynamic MAC range and port profiles, plus the Network Controller's resources \
            with -NetworkController, into <OutputFolder>\\<cluster>\\. Then: macaudit audit that folder. \
            Get-Help .\\Collect-MacAuditInputs.ps1 -Full describes its parameters.
            """)

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the script to this file instead of stdout.", valueName: "file"))
    var output: String?

    func run() throws {
        guard let output else {
            FileHandle.standardOutput.write(Data(collectorScript.utf8))
            return
        }
        try OutputPaths.check(files: [(output, "script")], folder: nil)
        try AtomicFile.write(collectorScript, to: output)
    }
}

/// What `--version` prints: the release and the commit it was built from.
enum Release {
    static let version = "1.0.0"
    static var line: String { "macaudit \(version) (commit \(buildCommit))" }
}
