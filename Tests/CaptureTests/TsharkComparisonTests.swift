import Foundation
import Testing
import TestSupport
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport
@testable import MACAuditCapture

/// For every capture in Captures/wire, the (MAC, VLAN, IP) tuples macaudit reports equal what
/// tshark reports for the same frames: ARP senders with an address (requests, replies, RARP
/// replies and their targets), DHCP ACKs, neighbour
/// advertisements with a target link-layer option, and solicitations with a source one.
/// Runs when tshark is installed (CI installs it; `.ci/setup` too).
@Suite(.enabled(if: Tshark.path != nil, "tshark is not installed"), .serialized) struct TsharkComparisonTests {
    @Test(arguments: Wire.captures)
    func macVLANIPTuplesMatchTshark(_ name: String) throws {
        let ours = try Set(Wire.analyse([name]).0.table.claims.map { "\($0.mac) \($0.scope.vlan.map(String.init) ?? "-") \($0.ip)" })
        let theirs = try Tshark.tuples(Wire.path(name))
        #expect(ours == theirs, "only macaudit: \(ours.subtracting(theirs).sorted()); only tshark: \(theirs.subtracting(ours).sorted())")
        #expect(!ours.isEmpty)
    }
}

enum Tshark {
    static let path: String? = ["/usr/bin/tshark", "/usr/local/bin/tshark"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// Display filter → the three fields that make a (MAC, VLAN, IP) tuple.
    static let queries: [(filter: String, mac: String, ip: String)] = [
        // ARP requests and replies and RARP replies claim the sender's address; a RARP reply also the
        // target's; other opcodes nothing (macaudit ignores them, arpwatch calls them "wrong arp op").
        ("arp && (arp.opcode == 1 || arp.opcode == 2 || arp.opcode == 4) && arp.src.proto_ipv4 != 0.0.0.0", "arp.src.hw_mac", "arp.src.proto_ipv4"),
        ("arp.opcode == 4 && arp.dst.proto_ipv4 != 0.0.0.0", "arp.dst.hw_mac", "arp.dst.proto_ipv4"),
        ("dhcp.option.dhcp == 5 && dhcp.ip.your != 0.0.0.0", "dhcp.hw.mac_addr", "dhcp.ip.your"),
        ("icmpv6.type == 136 && icmpv6.opt.type == 2", "icmpv6.opt.linkaddr", "icmpv6.nd.na.target_address"),
        ("icmpv6.type == 135 && icmpv6.opt.type == 1 && ipv6.src != ::", "icmpv6.opt.linkaddr", "ipv6.src"),
    ]

    static func tuples(_ capture: String) throws -> Set<String> {
        var out = Set<String>()
        for q in queries {
            let text = try run(["-r", capture, "-Y", q.filter, "-T", "fields", "-E", "separator=|", "-e", q.mac, "-e", "vlan.id", "-e", q.ip])
            for line in text.split(separator: "\n") {
                let f = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
                guard f.count == 3 else { continue }
                // Several occurrences (VXLAN inner and outer, QinQ tags): the innermost is the last;
                // VLAN id 0 is a priority tag, which leaves the frame in the segment it was in.
                let mac = f[0].split(separator: ",").last.map(String.init) ?? ""
                let vlan = f[1].split(separator: ",").last { $0 != "0" }.map(String.init) ?? "-"
                let ip = f[2].split(separator: ",").last.map(String.init) ?? ""
                guard let m = try? MACAddress(parsing: mac), let address = IPAddress(parsing: ip) else { continue }
                out.insert("\(m) \(vlan.isEmpty ? "-" : vlan) \(address)")
            }
        }
        return out
    }

    static func run(_ arguments: [String]) throws -> String {
        try Subprocess.run(path!, arguments).stdout
    }
}
