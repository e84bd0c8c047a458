import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport
@testable import MACAuditCapture

enum Wire {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func path(_ name: String) -> String { root.appendingPathComponent("Captures/wire/\(name)").path }
    static var captures: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Captures/wire").path)) ?? []).sorted()
    }

    /// Reads captures with libpcap and runs every check on them alone.
    static func analyse(_ names: [String], inventory: Inventory = Inventory()) throws -> (WireSnapshot, [Finding]) {
        let wire = try Audit.readCaptures(names.map(path), with: { p, i, t in try CaptureReader.read(path: p, fileIndex: i, into: &t) })!
        let report = Audit.run(inventory: inventory, rules: Rules(), wire: wire)
        return (wire, report.findings)
    }

    static func station(_ wire: WireSnapshot, _ mac: String, vlan: UInt16? = nil, vni: UInt32? = nil) -> (Station, [String])? {
        JSONReport.stations(wire).first { $0.station.mac.description == mac && $0.station.scope == WireScope(vlan: vlan, vni: vni) }
            .map { ($0.station, $0.ips.map(\.description)) }
    }
}

@Suite struct SampleCaptureTests {
    @Test func dhcpAndARPFromDnsmasqDhclientAndArping() throws {
        let (wire, findings) = try Wire.analyse(["dhcp-arp.pcapng"])
        let client = try #require(Wire.station(wire, "02-1D-D8-00-01-01"))
        #expect(client.0.roles.isSuperset(of: [.dhcpClient, .arpSender, .arpProbe]))
        #expect(client.1.count == 1 && client.1[0].hasPrefix("10.50.0."))
        #expect(Wire.station(wire, "02-1D-D8-00-01-FE")?.1 == ["10.50.0.1"])
        #expect(findings.filter { $0.severity >= .warning }.isEmpty)
        #expect(wire.summaries[0].linkType == 1)
    }

    @Test func linuxCookedSLL2SeesTheSameStations() throws {
        let (wire, _) = try Wire.analyse(["dhcp-arp-any-sll2.pcap"])
        #expect(wire.summaries[0].linkType == 276)
        #expect(Wire.station(wire, "02-1D-D8-00-01-FE")?.1 == ["10.50.0.1"])
        #expect(Wire.station(wire, "02-1D-D8-00-01-01")?.0.roles.contains(.dhcpClient) == true)
    }

    @Test func ipv6DuplicateAddressDetectionAndNeighbourDiscovery() throws {
        let (wire, findings) = try Wire.analyse(["ipv6-dad-nd.pcap"])
        let b = try #require(Wire.station(wire, "02-1D-D8-00-06-0B"))
        #expect(b.0.roles.isSuperset(of: [.dadProbe, .ndOwner]))
        #expect(b.1.contains("2001:db8:6::b"))
        #expect(Wire.station(wire, "02-1D-D8-00-06-0A")?.0.roles.contains(.dadProbe) == true)
        #expect(findings.isEmpty)
    }

    @Test func oneMACInTwoNamespacesClaimsTwoAddresses() throws {
        let (wire, findings) = try Wire.analyse(["same-mac.pcap"])
        #expect(Wire.station(wire, "02-1D-D8-00-00-10")?.1 == ["10.60.0.11", "10.60.0.12"])
        #expect(findings.filter { $0.check == .ipConflict }.isEmpty)
        // Against an inventory that gives the MAC one address, the second is a wire-ip-mismatch.
        let inventory = Inventory(interfaces: [ControllerInterface(resourceId: "h1-nic", mac: MACField(parsing: "021DD8000010"), ipAddresses: ["10.60.0.11"])])
        let (_, judged) = try Wire.analyse(["same-mac.pcap"], inventory: inventory)
        #expect(judged.filter { $0.check == .wireIPMismatch }.map(\.macText) == ["02-1D-D8-00-00-10"])
    }

    @Test func anIPConflictIsAFlipFlop() throws {
        let (_, findings) = try Wire.analyse(["ip-conflict.pcap"])
        let conflict = try #require(findings.first { $0.check == .ipConflict })
        #expect(conflict.severity == .error)
        #expect(conflict.message.contains("10.60.0.11"))
        #expect(conflict.message.contains("flip flop"))
        #expect(Set(conflict.subjects.compactMap(\.id)) == ["02-1D-D8-00-00-10", "02-1D-D8-00-00-33"])
    }

    @Test func vlanQinQNVGREAndNLB() throws {
        let (wire, findings) = try Wire.analyse(["vlan-nvgre-nlb.pcap"])
        #expect(Wire.station(wire, "02-1D-D8-00-20-01", vlan: 20)?.1 == ["10.20.0.1"])
        #expect(Wire.station(wire, "02-1D-D8-00-20-02", vlan: 20)?.1 == ["10.20.0.2"])   // QinQ 0x88A8 outer 100
        #expect(Wire.station(wire, "02-1D-D8-00-30-02", vlan: 30)?.1 == ["10.30.0.2"])   // 0x9100 outer 200
        let tenant = try #require(Wire.station(wire, "02-1D-D8-00-60-01", vni: 6001))
        #expect(tenant.0.providers.map(\.address.description) == ["10.10.0.1"])
        let mismatches = findings.filter { $0.check == .ethernetMismatch }
        #expect(mismatches.filter { $0.severity == .info }.count == 2)                     // NLB, exempt with the reason
        #expect(mismatches.filter { $0.severity == .warning }.map(\.macText) == ["02-1D-D8-00-0F-99"])
    }

    @Test func aVXLANTenantDuplicateBehindTwoHosts() throws {
        let (wire, findings) = try Wire.analyse(["vxlan-duplicate.pcap"])
        let dup = try #require(findings.first { $0.check == .wireDuplicate })
        #expect(dup.macText == "02-1D-D8-00-77-01")
        #expect(dup.message.contains("10.10.0.1") && dup.message.contains("10.10.0.2"))
        #expect(Wire.station(wire, "02-1D-D8-00-77-03", vni: 5001)?.1 == ["192.168.77.3"])
        // The provider NICs carry the overlay; they are not tenant stations.
        #expect(Wire.station(wire, "02-00-0A-0A-00-03")?.0.roles.contains(.overlayCarrier) == true)
    }
}

@Suite struct MalformedCaptureTests {
    func temporary(_ bytes: [UInt8], _ name: String = #function) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-\(name.filter { $0.isLetter })-\(UUID().uuidString).pcap").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    func read(_ bytes: [UInt8], _ name: String = #function) throws -> Result<CaptureSummary, IngestError> {
        let path = try temporary(bytes, name)
        var table = SightingTable()
        do { return .success(try CaptureReader.read(path: path, fileIndex: 0, into: &table)) } catch let e as IngestError { return .failure(e) }
    }

    static var good: [UInt8] { [UInt8](FileManager.default.contents(atPath: Wire.path("ip-conflict.pcap"))!) }

    @Test func aTruncatedHeaderIsAClearError() throws {
        guard case .failure(let e) = try read(Array(Self.good.prefix(10))) else { Issue.record("accepted"); return }
        #expect(e.message.contains("not a readable pcap"))
    }

    @Test func aRecordCutShortKeepsWhatCameBeforeAndWarns() throws {
        guard case .success(let s) = try read(Array(Self.good.dropLast(20))) else { Issue.record("refused"); return }
        #expect(s.frames >= 5)
        #expect(s.warnings.contains { $0.message.contains("frame \(s.frames + 1)") })
    }

    @Test func garbageAfterTheHeaderWarns() throws {
        var bytes = Array(Self.good.prefix(24))
        bytes += (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 7) }
        guard case .success(let s) = try read(bytes) else { Issue.record("refused"); return }
        #expect(!s.warnings.isEmpty)
    }

    @Test func aHugeCaplenWarnsInsteadOfAllocating() throws {
        var bytes = Array(Self.good.prefix(24))
        bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F] + [UInt8](repeating: 0, count: 64)
        guard case .success(let s) = try read(bytes) else { Issue.record("refused"); return }
        #expect(s.frames == 0)
        #expect(!s.warnings.isEmpty)
    }

    @Test func zeroLengthRecordsAreFrames() throws {
        var bytes = Array(Self.good.prefix(24))
        for _ in 0..<3 { bytes += [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }
        guard case .success(let s) = try read(bytes) else { Issue.record("refused"); return }
        #expect(s.frames == 3)
        #expect(s.truncatedFrames == 3)
    }

    /// Every prefix of every sample capture: warnings or clear errors, never a crash.
    @Test func everyPrefixOfEverySampleIsSafe() throws {
        for name in Wire.captures {
            let bytes = [UInt8](FileManager.default.contents(atPath: Wire.path(name))!)
            for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 40)) {
                _ = try read(Array(bytes.prefix(cut)))
            }
        }
    }
}

@Suite struct DecoderTests {
    @Test func randomBytesNeverTrap() {
        var rng = SystemRandomNumberGenerator()
        var table = SightingTable()
        for i in 0..<20_000 {
            let n = Int.random(in: 0..<200, using: &rng)
            var bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            if n > 14 && i % 2 == 0 { bytes[12] = [0x08, 0x81, 0x86, 0x88, 0x91].randomElement(using: &rng)!; bytes[13] = [0x00, 0x06, 0xDD, 0xA8].randomElement(using: &rng)! }
            bytes.withUnsafeBytes { b in
                for link in [LinkType.ethernet, .linuxCooked, .linuxCooked2] {
                    _ = FrameDecoder.decode(b, link: link, time: 0, ref: FrameRef(file: 0, frame: Int64(i)), into: &table)
                }
            }
        }
    }

    @Test func dhcpOptionsAreRead() {
        let client = FrameBuilder.mac("02-1D-D8-00-01-01")
        let wire = FrameBuilder.snapshot([
            FrameBuilder.dhcp(client: client, op: 1, type: 3, requested: "10.0.0.7", hostName: "web07", vlans: [20]),
            FrameBuilder.dhcp(client: client, op: 2, type: 5, yiaddr: "10.0.0.7", vlans: [20]),
        ])
        let s = wire.table.stations.first { $0.mac.value == client }
        #expect(s?.dhcpHostName == "web07")
        #expect(s?.dhcpRequestedIP?.description == "10.0.0.7")
        #expect(s?.dhcpClientId == "01:02:1d:d8:00:01:01")
        #expect(wire.table.claims.map { "\($0.mac) \($0.scope.label) \($0.ip)" } == ["02-1D-D8-00-01-01 VLAN 20 10.0.0.7"])
    }

    @Test func ipv6TextFollowsRFC5952() {
        #expect(IPAddress(parsing: "2001:db8:0:0:0:0:0:1")?.description == "2001:db8::1")
        #expect(IPAddress(parsing: "fe80::1:0:0:1")?.description == "fe80::1:0:0:1")
        #expect(IPAddress(parsing: "::")?.description == "::")
        #expect(IPAddress(parsing: "10.0.0.256") == nil)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [Int64(0), 951_782_400, 1_795_000_000, 4_102_444_799, -86_401])
    func wireTimestampsAgreeWithFoundation(_ seconds: Int64) {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        f.timeZone = TimeZone(identifier: "UTC")
        let expected = String(f.string(from: Date(timeIntervalSince1970: TimeInterval(seconds))).dropLast()) + ".000123Z"
        #expect(wireTimestamp(seconds * 1_000_000_000 + 123_000) == expected)
    }
}

@Suite struct LinkTypeTests {
    /// Linux cooked v1 (SLL, link type 113): packet type, ARPHRD, address length, address, protocol.
    @Test func linuxCookedV1CarriesTheSourceAndTheProtocol() {
        let arp = FrameBuilder.arp(sender: FrameBuilder.mac("02-1D-D8-00-11-01"), senderIP: "10.11.0.1", targetIP: "10.11.0.254")
        var sll: [UInt8] = [0, 4, 0, 1, 0, 6] + [0x02, 0x1D, 0xD8, 0x00, 0x11, 0x01, 0, 0] + [0x08, 0x06]
        sll += arp.dropFirst(14)
        var table = SightingTable()
        let outcome = sll.withUnsafeBytes { FrameDecoder.decode($0, link: .linuxCooked, time: 1, ref: FrameRef(file: 0, frame: 1), into: &table) }
        #expect(outcome == .decoded)
        #expect(table.stations.first?.mac.description == "02-1D-D8-00-11-01")
        #expect(table.claims.map(\.ip.description) == ["10.11.0.1"])
    }

    @Test func rawIPIsSkippedAndCounted() {
        var table = SightingTable()
        let outcome = [UInt8](repeating: 0x45, count: 40).withUnsafeBytes { FrameDecoder.decode($0, link: .rawIP, time: 1, ref: FrameRef(file: 0, frame: 1), into: &table) }
        #expect(outcome == .skippedRawIP)
        #expect(table.stations.isEmpty)
    }
}

/// Tags, sources and opcodes in the frames arpwatch's users meet: 802.1Q inside Linux cooked
/// captures (`tcpdump -i any` on a tagged interface), priority tags, the cooked header's source as
/// the frame's source, ARP opcodes no host acts on, and RARP.
@Suite struct WirePrecisionTests {
    static let a = FrameBuilder.mac("02-1D-D8-00-11-01"), b = FrameBuilder.mac("02-1D-D8-00-11-02")

    /// An Ethernet frame's payload behind a cooked header: v1 (SLL) or v2 (SLL2), source `source`.
    static func cooked(_ ethernet: [UInt8], source: UInt64, v2: Bool, protocolAt offset: Int = 12) -> [UInt8] {
        let address = (0..<6).map { UInt8(truncatingIfNeeded: source >> UInt64(8 * (5 - $0))) } + [0, 0]
        let proto = Array(ethernet[offset..<(offset + 2)])
        let rest = Array(ethernet[(offset + 2)...])
        if v2 { return proto + [0, 0] + [0, 0, 0, 2] + [0, 1] + [0] + [6] + address + rest }
        return [0, 0, 0, 1, 0, 6] + address + proto + rest
    }

    static func decode(_ frames: [[UInt8]], link: LinkType) -> (SightingTable, [FrameDecoder.Outcome]) {
        var table = SightingTable()
        let outcomes = frames.enumerated().map { i, f in
            f.withUnsafeBytes { FrameDecoder.decode($0, link: link, time: Int64(i), ref: FrameRef(file: 0, frame: Int64(i + 1)), into: &table) }
        }
        return (table, outcomes)
    }

    @Test(arguments: [false, true])
    func aTagInsideACookedFrameIsDecoded(_ v2: Bool) {
        let tagged = FrameBuilder.arp(sender: Self.a, senderIP: "10.20.0.1", targetIP: "10.20.0.254", vlans: [20])
        let (table, outcomes) = Self.decode([Self.cooked(tagged, source: Self.a, v2: v2)], link: v2 ? .linuxCooked2 : .linuxCooked)
        #expect(outcomes == [.decoded])
        #expect(table.claims.map { "\($0.ip) \($0.scope.label)" } == ["10.20.0.1 VLAN 20"])
        #expect(table.stations.map { "\($0.mac) \($0.scope.label)" } == ["02-1D-D8-00-11-01 VLAN 20"])
    }

    @Test(arguments: [false, true])
    func aCookedFrameWhoseARPSenderIsNotItsSourceIsAMismatch(_ v2: Bool) {
        let forged = FrameBuilder.arp(sender: Self.b, senderIP: "10.0.0.5", targetIP: "10.0.0.1")
        let (table, _) = Self.decode([Self.cooked(forged, source: Self.a, v2: v2)], link: v2 ? .linuxCooked2 : .linuxCooked)
        #expect(table.mismatches.map { "\($0.ethernetSource) \($0.arpSender)" } == ["02-1D-D8-00-11-01 02-1D-D8-00-11-02"])
        #expect(table.claims.map(\.confirmed) == [false])
    }

    @Test func aPriorityTagLeavesTheFrameInItsSegment() {
        let (table, _) = Self.decode([
            FrameBuilder.arp(sender: Self.a, senderIP: "10.0.0.5", targetIP: "10.0.0.1", vlans: [0]),
            FrameBuilder.arp(sender: Self.b, senderIP: "10.0.0.6", targetIP: "10.0.0.1", vlans: [30, 0]),
        ], link: .ethernet)
        #expect(table.stations.map { "\($0.mac) \($0.scope.label)" } == ["02-1D-D8-00-11-01 untagged", "02-1D-D8-00-11-02 VLAN 30"])
    }

    @Test func anARPOpcodeNoHostActsOnIsIgnoredAndCounted() {
        let (table, outcomes) = Self.decode([
            FrameBuilder.arp(ethernetSource: Self.a, sender: Self.b, senderIP: "10.0.0.5", targetIP: "10.0.0.1", op: 5),
            FrameBuilder.rarp(sender: Self.a, senderIP: "10.0.0.1", target: Self.b, targetIP: "10.0.0.9", reply: false),
        ], link: .ethernet)
        #expect(outcomes == [.malformedARP, .decoded])
        #expect(table.claims.isEmpty && table.mismatches.isEmpty)
        var summary = CaptureSummary(source: "x.pcap", linkType: 1)
        summary.malformedARP = outcomes.filter { $0 == .malformedARP }.count
        summary.finish(error: nil)
        #expect(summary.warnings.map(\.message) == ["1 ARP frames with an opcode other than request or reply were ignored (malformed)"])
    }

    @Test func aRARPReplyClaimsTheServersAndTheTargetsAddresses() {
        let (table, outcomes) = Self.decode([FrameBuilder.rarp(sender: Self.a, senderIP: "10.0.0.1", target: Self.b, targetIP: "10.0.0.9", reply: true)],
                                            link: .ethernet)
        #expect(outcomes == [.decoded])
        #expect(table.claims.map { "\($0.mac) \($0.ip)" }.sorted() == ["02-1D-D8-00-11-01 10.0.0.1", "02-1D-D8-00-11-02 10.0.0.9"])
    }

    /// The capture the issue describes: many frames whose ARP sender is forged (claimants that never
    /// send), one real change of owner, and frames with invalid opcodes. One ip-conflict, a warning.
    @Test func forgedSendersAndBadOpcodesLeaveOnlyTheRealOwnerChange() {
        var frames: [[UInt8]] = [FrameBuilder.arp(sender: Self.a, senderIP: "10.0.0.5", targetIP: "10.0.0.1")]
        for k in 0..<20 {
            let ghost = FrameBuilder.mac("02-66-00-00-00-\(String(format: "%02X", k))")
            frames.append(FrameBuilder.arp(ethernetSource: Self.a, sender: ghost, senderIP: "10.0.0.5", targetIP: "10.0.0.1"))
            frames.append(FrameBuilder.arp(ethernetSource: Self.a, sender: ghost, senderIP: "10.0.0.\(50 + k)", targetIP: "10.0.0.1", op: 8))
        }
        frames.append(FrameBuilder.arp(sender: Self.b, senderIP: "10.0.0.5", targetIP: "10.0.0.1"))
        let report = Audit.run(capture: FrameBuilder.snapshot(frames), rules: Rules())
        let conflicts = report.findings.filter { $0.check == .ipConflict }
        #expect(conflicts.map { "\($0.severity) \($0.message)" }.count == 1)
        #expect(conflicts.first?.severity == .warning)
        #expect(conflicts.first?.message.hasSuffix("changed ethernet address") == true, "\(conflicts.map(\.message))")
        #expect(report.findings.filter { $0.check == .ethernetMismatch }.count == 20)
    }

    /// The same through libpcap, on captures made by injecting those frames on a veth
    /// (`Captures/make-captures.sh`, section 4b): on the Ethernet and as `tcpdump -i any` wrote it.
    @Test(arguments: ["arp-precision.pcap", "arp-precision-any-sll.pcap"])
    func onACaptureOfForgedARPOnlyTheRealOwnerChangesAreConflicts(_ name: String) throws {
        let (wire, findings) = try Wire.analyse([name])
        let conflicts = findings.filter { $0.check == .ipConflict }.map { "\($0.severity) \($0.message.split(separator: " ")[0])" }.sorted()
        #expect(conflicts == ["error 10.70.0.7", "warning 10.70.0.10", "warning 10.70.0.5", "warning 10.70.0.9"])
        #expect(findings.filter { $0.check == .ipConflict }.first { $0.message.hasPrefix("10.70.0.5 ") }?.message.hasSuffix(": changed ethernet address") == true)
        #expect(findings.filter { $0.check == .ethernetMismatch }.count == 10)
        #expect(wire.summaries.map(\.malformedARP) == [10])
        #expect(wire.table.claims.contains { $0.ip.description == "10.40.0.1" && $0.scope.vlan == 40 })
    }
}

/// Several captures in one run: what admins bring from the hosts of one network, or a file and
/// its copy.
@Suite struct SeveralCapturesTests {
    static let a = FrameBuilder.mac("02-1D-D8-00-12-01"), b = FrameBuilder.mac("02-1D-D8-00-12-02")
    static let second: Int64 = 1_000_000_000, start: Int64 = 1_795_000_000 * 1_000_000_000

    static func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-captures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func conflicts(_ paths: [String]) throws -> (WireSnapshot, [String]) {
        let wire = try Audit.readCaptures(paths, with: { p, i, t in try CaptureReader.read(path: p, fileIndex: i, into: &t) })!
        let findings = Audit.run(inventory: Inventory(), rules: Rules(), wire: wire).findings.filter { $0.check == .ipConflict }
        return (wire, findings.map { "\($0.severity) \($0.message)" }.sorted())
    }

    /// A copy beside the original (`arp (1).pcap`) would count every frame twice and turn each
    /// change of owner into a flip flop.
    @Test func aCopyOfACaptureIsReadOnceWithAWarning() throws {
        let original = Wire.path("arp-precision.pcap")
        let copy = try Self.write([UInt8](FileManager.default.contents(atPath: original)!), "arp-precision (1).pcap")
        let (alone, expected) = try Self.conflicts([original])
        let (wire, found) = try Self.conflicts([original, copy])
        #expect(found == expected)
        #expect(wire.files == [original])
        #expect(wire.warnings.map(\.description).contains("\(copy): has the same bytes as \(original) (a copy?); read once"), "\(wire.warnings)")
        #expect(wire.table.claims.map(\.frames).reduce(0, +) == alone.table.claims.map(\.frames).reduce(0, +))
    }

    /// The same ARP seen on two hosts (here the Ethernet capture and `tcpdump -i any`'s of one
    /// exchange): one timeline, so each change of owner stays one change.
    @Test func twoCapturesOfOneNetworkAreOneTimeline() throws {
        let (_, one) = try Self.conflicts([Wire.path("arp-precision.pcap")])
        let (_, both) = try Self.conflicts([Wire.path("arp-precision.pcap"), Wire.path("arp-precision-any-sll.pcap")])
        let kinds = { (lines: [String]) in lines.map { "\($0.split(separator: " ")[0]) \($0.split(separator: " ")[1]) \($0.split(separator: ":").last!)" } }
        #expect(kinds(both) == kinds(one), "\(both)")
        #expect(both.filter { $0.hasPrefix("error") }.count == 1)
    }

    /// Host 1 saw A claim 10.0.0.5 at 0 s and 2 s, host 2 saw B claim it at 1 s: on the wire the
    /// claim went to B and came back, whichever capture is named first.
    @Test(arguments: [false, true])
    func aFlipFlopSpreadOverTwoHostsCapturesIsAFlipFlop(_ hostTwoFirst: Bool) throws {
        let claim = { (mac: UInt64) in FrameBuilder.arp(sender: mac, senderIP: "10.0.0.5", targetIP: "10.0.0.1") }
        let hostOne = try Self.write(FrameBuilder.pcapFile([(Self.start, claim(Self.a)), (Self.start + 2 * Self.second, claim(Self.a))]), "host1.pcap")
        let hostTwo = try Self.write(FrameBuilder.pcapFile([(Self.start + Self.second, claim(Self.b))]), "host2.pcap")
        let (_, found) = try Self.conflicts(hostTwoFirst ? [hostTwo, hostOne] : [hostOne, hostTwo])
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("error 10.0.0.5 ") == true, "\(found)")
        #expect(found.first?.hasSuffix("flip flop, the claimant changed 2 times and came back") == true, "\(found)")
    }
}
