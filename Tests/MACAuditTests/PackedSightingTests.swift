import Foundation
import Testing
@testable import MACAuditModel
@testable import MACAuditEngine
@testable import MACAuditIngest

/// What the database keeps of a holder comes back exactly as the audit saw it, whatever its texts
/// hold, and bytes it did not write are refused with a reason instead of read as a holder.
@Suite struct PackedSightingTests {
    static let place = PackedSighting.Place(kind: "adapter", cluster: "hci-a", host: "HCI-N01", source: "exports/hci-a/adapters-HCI-N01.json")

    static func sighting(key: String, alias: String? = nil, vm: String? = "web1", name: String = "Network Adapter", adapterId: String? = nil,
                         interfaceId: String? = nil, instanceId: String? = nil, interfaceMAC: MACAddress? = nil, allocation: String? = nil,
                         dynamicMAC: Bool? = false, managed: Bool = false, switchId: String? = nil, switchKey: String? = nil,
                         segment: String = "vlan:10", record: Int = 3, line: Int = 41) -> HolderSighting {
        HolderSighting(key: key, alias: alias, mac: MACAddress(value: 0x02AA_0000_0001)!, kind: place.kind, cluster: place.cluster,
                       host: place.host, vm: vm, name: name, adapterId: adapterId, interfaceId: interfaceId, instanceId: instanceId,
                       interfaceMAC: interfaceMAC, allocation: allocation, dynamicMAC: dynamicMAC, controllerManaged: managed,
                       switchId: switchId, switchKey: switchKey, segment: segment, source: SourceLocation(path: place.source, record: record, line: line))
    }

    static let cases: [HolderSighting] = [
        // A Hyper-V adapter as the reconciler makes it: its Id and switch key derivable.
        sighting(key: "adapter:microsoft:0c3a9e6b-0000-4000-8000-000000000001\\2f1e3d4c-5b6a-4789-8a7b-6c5d4e3f2a1b",
                 alias: "nc:hci-a/networkinterfaces/web1-nic", adapterId: "Microsoft:0C3A9E6B-0000-4000-8000-000000000001\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B",
                 interfaceId: "web1-nic", instanceId: "5a1c0000-0000-4000-8000-0000000000aa", interfaceMAC: MACAddress(value: 0x02AA_0000_0002),
                 allocation: "Static", dynamicMAC: false, managed: true, switchId: "5A1C0000-0000-4000-8000-000000000000",
                 switchKey: "hci-n01/5A1C0000-0000-4000-8000-000000000000"),
        // An Id written with braces and mixed-case GUIDs, a switch key of its own, a dynamic MAC.
        sighting(key: "adapter:microsoft:0c3a9e6b-0000-4000-8000-000000000001\\2f1e3d4c-5b6a-4789-8a7b-6c5d4e3f2a1b",
                 alias: "nc:hci-b/networkinterfaces/web1-nic", adapterId: "Microsoft:{0c3a9E6B-0000-4000-8000-000000000001}\\{2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B}",
                 interfaceId: "Web1-NIC", dynamicMAC: true,
                 switchId: "sw", switchKey: "elsewhere/sw"),
        // An NC interface alone; texts with the escape byte, non-ASCII names, no VM, unknown dynamic.
        sighting(key: "nc:hci-a/networkinterfaces/\u{1}odd\u{1}\u{1}", vm: nil, name: "Prüf-NIC “Ω” 🚀 \u{1}\u{0}",
                 interfaceId: "\u{1}", allocation: "Dynamic", dynamicMAC: nil, segment: "", record: 0, line: 0),
        // Common texts whole, as prefixes and alone; texts past 63 bytes (a two-byte length).
        sighting(key: "adapter:microsoft:", alias: "nc:", vm: String(repeating: "long-vm-name-", count: 12), name: "Network Adapter 2",
                 allocation: "Dynamic", switchId: String(repeating: "5A1C0000-0000-4000-8000-000000000000", count: 4), segment: "vlan:"),
        // Empty texts are not nil; GUIDs of digits only; a GUID cut one short is text.
        sighting(key: "legacy:2327201185792:web1 on HCI-N01", alias: "", vm: "", name: "", adapterId: "",
                 interfaceId: "00000000-0000-0000-0000-000000000000", instanceId: "0c3a9e6b-0000-4000-8000-00000000000",
                 record: Int(Int32.max), line: 1 << 40),
    ]

    @Test(arguments: cases)
    func aPackedHolderComesBackAsItWas(_ s: HolderSighting) throws {
        let bytes = PackedSighting.encode(s)
        let back = try PackedSighting.decode(bytes, mac: s.mac, place: Self.place)
        #expect(back == s)
        #expect(try bytes.withUnsafeBytes { try PackedSighting.key($0) } == s.key)
    }

    /// The packer's buffer keeps every byte through its growth and through a length that grows
    /// in place (what ``PackedSighting`` does for a text past 63 bytes).
    @Test func theSinkKeepsEveryByteItIsGiven() {
        var sink = ByteSink(capacity: 16)
        var expected: [UInt8] = []
        for i in 0..<1_000 {
            let b = UInt8(truncatingIfNeeded: i &* 31)
            sink.append(b); expected.append(b)
            if i % 97 == 0 {
                let run = (0..<UInt8(i % 40)).map { $0 &+ b }
                run.withUnsafeBufferPointer { sink.append($0) }
                expected += run
            }
        }
        sink.replaceByte(at: 5, with: [0xAA, 0xBB, 0xCC])
        expected.replaceSubrange(5..<6, with: [0xAA, 0xBB, 0xCC])
        #expect(sink.count == expected.count)
        #expect(sink.bytes == expected)
        #expect(sink.withBytes(from: 100) { Array($0) } == Array(expected[100...]))
    }

    /// Digests taken four at a time are each range's own, whatever their lengths (empty ones too)
    /// and however many are left over after the last four.
    @Test func digestsFourAtATimeAreEachRangesOwn() {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for count in [0, 1, 3, 4, 5, 9, 17] {
            var ranges: [Range<Int>] = [], start = 0
            for _ in 0..<count {
                let length = Int.random(in: 0...120, using: &generator)
                ranges.append(start..<(start + length))
                start += length
            }
            bytes.withUnsafeBytes { all in
                let four = PackedSighting.digests(of: ranges, in: all)
                let one = ranges.map { PackedSighting.digest(UnsafeRawBufferPointer(rebasing: all[$0])) }
                #expect(four == one, "\(count) ranges")
            }
        }
    }

    @Test func aGUIDTakesEighteenBytesAndDerivableFieldsNone() {
        var packed: [UInt8] = []
        GUIDPacking.pack("5A1C0000-0000-4000-8000-000000000000", into: &packed)
        #expect(packed.count == 18)
        // The reconciler's adapter: about half the bytes of its texts (its Id and switch key are flags).
        let s = Self.cases[0]
        let textBytes = [s.key, s.alias, s.vm, s.name, s.adapterId, s.interfaceId, s.instanceId, s.allocation, s.switchId, s.switchKey, s.segment]
            .compactMap { $0?.utf8.count }.reduce(0, +)
        #expect(PackedSighting.encode(s).count * 2 < textBytes + 20, "\(PackedSighting.encode(s).count) of \(textBytes)")
    }

    @Test func bytesItDidNotWriteAreRefused() {
        let bytes = PackedSighting.encode(Self.cases[0])
        for cut in 0..<bytes.count {
            #expect(throws: PackedSighting.DecodeError.self) {
                try PackedSighting.decode(Array(bytes[..<cut]), mac: Self.cases[0].mac, place: Self.place)
            }
        }
        var newer = bytes
        newer[0] = 9
        #expect(throws: PackedSighting.DecodeError.self) { try PackedSighting.decode(newer, mac: Self.cases[0].mac, place: Self.place) }
        #expect(throws: PackedSighting.DecodeError.self) { try PackedSighting.decode(bytes + [0], mac: Self.cases[0].mac, place: Self.place) }
        // Every byte changed in turn: a holder or a refusal, never a crash.
        for i in bytes.indices {
            var changed = bytes
            changed[i] ^= 0xFF
            _ = try? PackedSighting.decode(changed, mac: Self.cases[0].mac, place: Self.place)
        }
    }

    /// Holders of every shape: the sample cluster's, and made by hand where the reconciler would not
    /// (an Id with braces, lower case or not ASCII, a host vNIC, no Id, an interface of another cluster).
    static func holders() throws -> [Holder] {
        let sample = try InputSet(paths: [Repo.path("Captures/sample-cluster"), Repo.path("Tests/Fixtures/shapes")]).read().inventory
        var holders = Reconciler.join(sample)
        let source = SourceLocation(path: "exports/odd/adapters.json", record: 7, line: 70)
        func adapter(_ id: String?, vnic: Bool = false, mac: UInt64 = 0x02AA_0000_0010, switchId: String? = "5A1C0000-0000-4000-8000-000000000000",
                     vm: String? = "vm-1") -> Adapter {
            Adapter(host: "HCI-N01.corp.example", cluster: "hci-a", vmName: vm, id: id, mac: .valid(MACAddress(value: mac)!), dynamicMAC: nil,
                    isManagementOS: vnic, switchId: switchId, source: source)
        }
        func nic(_ id: String, cluster: String = "hci-a") -> ControllerInterface {
            ControllerInterface(resourceId: id, cluster: cluster, instanceId: "5a1c0000-0000-4000-8000-0000000000aa",
                                mac: .valid(MACAddress(value: 0x02AA_0000_0011)!), allocation: .dynamic, source: source)
        }
        let odd: [(Adapter?, ControllerInterface?, String?)] = [
            (adapter("Microsoft:0C3A9E6B-0000-4000-8000-000000000001\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B"), nic("Web1-NIC"), "hci-n01/5A1C0000-0000-4000-8000-000000000000"),
            (adapter("microsoft:{0c3a9e6b-0000-4000-8000-000000000001}\\{2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B}"), nic("web1-nic", cluster: "hci-b"), "elsewhere/sw"),
            (adapter("Microsoft:{0C3A9E6B-0000-4000-8000-000000000001}\\{2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B}"), nic("Prüf-NIC"), nil),
            (adapter("Microsoft:0c3a9e6b-0000-4000-8000-000000000001\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B"), nil, nil),
            (adapter("MICROSOFT:0C3A9E6B-0000-4000-8000-000000000001\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B"), nil, nil),
            (adapter("Microsoft"), nil, nil),
            (adapter("Microsoft:Prüf\\Ω"), nil, "hci-n01/5A1C0000-0000-4000-8000-000000000000"),
            (adapter("Microsoft:0C3A9E6B-0000-4000-8000-000000000001\\2F1E3D4C", vnic: true), nil, "hci-n01/5A1C0000-0000-4000-8000-000000000000"),
            (adapter(nil, vm: "Web “1”"), nil, nil),
            (adapter("", switchId: nil, vm: nil), nil, nil),
            (nil, nic("\u{1}Prüf"), nil),
            (nil, nic("NIC-7", cluster: "hci-b"), nil),
        ]
        for (a, n, switchKey) in odd {
            holders.append(Holder(adapter: a, interface: n, profile: nil, link: a != nil && n != nil ? .portProfile : .none,
                                  host: a?.host ?? "HCI-N02", cluster: a?.cluster ?? n!.cluster, switchKey: switchKey, segment: "vlan:10",
                                  position: holders.count))
        }
        return holders
    }

    /// Holders are packed straight from the reconciler's objects; the bytes and hashes are those of
    /// their sightings, which is what a database written before (or by a test's sightings) holds.
    @Test func aHolderPacksAsItsSighting() throws {
        let holders = try Self.holders()
        let sightings = holders.compactMap { HolderSighting($0) }
        #expect(sightings.count < holders.count, "a holder without a MAC takes part")
        #expect(sightings.count > 20)
        let packed = HolderSightings(holders), expected = HolderSightings(sightings)
        #expect(packed.count == expected.count)
        for n in 0..<packed.count {
            let got = packed.summary(n), want = expected.summary(n)
            let bytes = packed.withPacked(n) { Array($0) }
            #expect(bytes == PackedSighting.encode(sightings[n]), "holder \(n): \(sightings[n].key)")
            #expect(got.keyHash == want.keyHash && got.aliasHash == want.aliasHash && got.digest == want.digest, "holder \(n): \(sightings[n].key)")
            // Both taken from texts four at a time: each is the hash of its key, as a store looks it up.
            #expect(got.keyHash == HolderSighting.keyHash(sightings[n].key), "holder \(n): \(sightings[n].key)")
            #expect(got.aliasHash == (sightings[n].alias.map(HolderSighting.keyHash) ?? 0), "holder \(n): \(sightings[n].alias ?? "no alias")")
            #expect(got.digest == bytes.withUnsafeBytes { PackedSighting.digest($0) }, "holder \(n)")
            #expect(got.mac == want.mac && got.dynamicMAC == want.dynamicMAC && got.startsPlace == want.startsPlace, "holder \(n)")
        }
    }
}

/// Which of another cluster's places an audit's database read must look at, and how.
@Suite struct OtherClusterLookupTests {
    @Test func placesApartFromTheRunsMACsAreSkippedAndTheCheaperReadIsTaken() {
        let run: [UInt64] = [10, 11, 12, 500, 501, 9000]
        let lookup = OtherClusterLookup(runMACs: run, places: [
            .init(id: 1, lastRun: 1, low: 0, high: 9),          // below every MAC of the run
            .init(id: 2, lastRun: 1, low: 11, high: 600),       // 11, 12, 500, 501
            .init(id: 3, lastRun: 1, low: 500, high: 501),      // inside place 2's
            .init(id: 4, lastRun: 1, low: nil, high: nil),      // range not known: any MAC
            .init(id: 5, lastRun: 1, low: 9001, high: 20000),   // above
        ])
        #expect(lookup.places.map(\.id) == [2, 3, 4])
        #expect(lookup.macs == [10, 11, 12, 500, 501, 9000])
        #expect(lookup.looksUp(rows: 13) && !lookup.looksUp(rows: 12))
        let narrow = OtherClusterLookup(runMACs: run, places: [.init(id: 2, lastRun: 1, low: 11, high: 600), .init(id: 3, lastRun: 1, low: 500, high: 9000)])
        #expect(narrow.macs == [11, 12, 500, 501, 9000])
        #expect(OtherClusterLookup(runMACs: run, places: [.init(id: 6, lastRun: 1, low: 13, high: 499)]).places.isEmpty)
    }
}
