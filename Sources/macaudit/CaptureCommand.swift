import ArgumentParser
import Foundation
import MACAudit
import MACAuditCapture

/// libpcap's reader, handed to the core (which never links libpcap).
let libpcapReader: CaptureFileReader = { path, index, table in
    try CaptureReader.read(path: path, fileIndex: index, into: &table)
}

extension MacAudit {
    /// `macaudit capture FILE…` or `--interface IF --duration S`: what the wire says, without an inventory.
    struct Capture: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Analyse pcap/pcapng captures (or a live interface) alone: the stations seen and the wire checks.",
            discussion: "Reads Ethernet, Linux cooked (SLL, SLL2), 802.1Q/QinQ, ARP, DHCP, IPv6 ND, VXLAN and NVGRE. Give captures and exports together to `audit` to judge the wire against the inventory.")

        @Argument(help: ArgumentHelp("Capture files (pcap or pcapng) or folders of them.", valueName: "path"))
        var paths: [String] = []

        @Option(help: "Capture live from this interface instead of files.") var interface: String?
        @Option(help: "Seconds to capture live.") var duration: Double = 10
        @Option(help: "BPF filter for a live capture (e.g. 'arp or icmp6 or udp port 67 or udp port 4789').") var filter: String?
        @Option(help: "Output format: text, json, csv, markdown or html.") var format: MacAudit.Audit.Format = .text
        @Option(name: .shortAndLong, help: ArgumentHelp("Write the report to this file (atomically).", valueName: "file")) var output: String?
        @Option(name: .customLong("fail-on"), help: "Exit 1 when a finding is at or above this severity.") var failOn: Severity = .error
        @OptionGroup var ruleOptions: RuleOptions
        @OptionGroup var registryOptions: RegistryOptions
        @Flag(help: "No progress line on stderr (shown only on a terminal, once reading has taken 2 seconds).")
        var quiet = false

        func validate() throws {
            if paths.isEmpty && interface == nil { throw ValidationError("Please give capture files or --interface.") }
            if !paths.isEmpty && interface != nil { throw ValidationError("Please give either capture files or --interface, not both.") }
            if duration <= 0 { throw ValidationError("Please give a --duration above zero.") }
        }

        func run() throws {
            var rules = try ruleOptions.load()
            rules.registry = try registryOptions.load()
            let meter = interface == nil ? ProgressMeter.start(quiet: quiet) : nil
            defer { meter?.stop() }
            let report = MACAudit.Audit.run(capture: try readWire(), rules: rules)
            meter?.stop()
            for warning in report.warnings where format != .text || output != nil {
                FileHandle.standardError.write(Data("macaudit: warning: \(warning.description.terminalSafe)\n".utf8))
            }
            let colour = output == nil && isatty(STDOUT_FILENO) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let clock = PhaseClock()
            defer { clock.lap("write the report") }
            try emit(to: output) { try ReportFormats.write(report, format: format.rawValue, options: RenderOptions(colour: colour, captureOnly: true), to: &$0) }
            throw ExitCode(report.exitCode(failOn: failOn))
        }

        func readWire() throws -> WireSnapshot {
            if let interface {
                var wire = WireSnapshot(files: [interface])
                wire.summaries.append(try CaptureReader.live(interface: interface, duration: duration, filter: filter, fileIndex: 0, into: &wire.table))
                return wire
            }
            let set = try InputSet(paths: paths)
            let notCaptures = set.entries.filter { !$0.isCapture && $0.named }
            if let first = notCaptures.first { throw IngestError(file: first.path, message: "is not a pcap or pcapng capture") }
            guard let wire = try MACAudit.Audit.readCaptures(set.captures, with: libpcapReader) else {
                throw IngestError(file: paths[0], message: "holds no pcap or pcapng captures")
            }
            return wire
        }
    }
}
