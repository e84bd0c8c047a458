import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

@Suite struct MACAddressTests {
    @Test(arguments: ["00155D010203", "00-15-5D-01-02-03", "00:15:5d:01:02:03", "0015.5d01.0203", "00155d010203", "00-15-5d-01-02-03"])
    func everySpellingParsesToOneValue(_ text: String) throws {
        let mac = try MACAddress(parsing: text)
        #expect(mac.value == 0x0015_5D01_0203)
        #expect(mac.description == "00-15-5D-01-02-03")
        #expect(mac.hyperVForm == "00155D010203")
    }

    @Test(arguments: [
        ("001523be0c", MACParseError.wrongLength(digitCount: 10)),
        ("00155D0102030", .wrongLength(digitCount: 13)),
        ("00-15-5D-0G-02-03", .invalidCharacter("G")),
        ("00-15:5D-01-02-03", .mixedSeparators),
        ("0015-5D01-0203", .misplacedSeparator),
        ("00-15-5D-01-0203", .misplacedSeparator),
        ("", .wrongLength(digitCount: 0)),
        (" 00155D010203", .invalidCharacter(" ")),
        // A character past ASCII is named whole, not by its first byte.
        ("٠٢-AA-BB-CC-DD-EE", .invalidCharacter("٠")),
        ("00–15–5D–01–02–03", .invalidCharacter("–")),
    ])
    func malformedSpellingsAreRejectedWithAReason(_ text: String, _ expected: MACParseError) {
        #expect(throws: expected) { try MACAddress(parsing: text) }
    }

    @Test func groupAndLocalBits() throws {
        #expect(try MACAddress(parsing: "01-00-5E-00-00-01").isGroup)
        #expect(try !MACAddress(parsing: "00-15-5D-00-00-01").isGroup)
        #expect(try MACAddress(parsing: "02-1D-D8-00-00-01").isLocal)
        #expect(try !MACAddress(parsing: "00-1D-D8-00-00-01").isLocal)
        #expect(MACAddress.broadcast.isGroup && MACAddress.broadcast.isBroadcast)
    }

    @Test(arguments: [("02", SLAPQuadrant.administrativelyAssigned), ("0A", .extendedLocal), ("0E", .standardAssigned), ("06", .reserved), ("F6", .reserved)])
    func slapQuadrantFollowsTheSecondHexDigit(_ first: String, _ quadrant: SLAPQuadrant) throws {
        #expect(try MACAddress(parsing: "\(first)-00-00-00-00-01").slapQuadrant == quadrant)
    }

    @Test func universalAddressesHaveNoQuadrant() throws {
        #expect(try MACAddress(parsing: "00-15-5D-00-00-01").slapQuadrant == nil)
    }

    @Test func ouiIsTheFirstThreeOctets() throws {
        #expect(try MACAddress(parsing: "00-1D-D8-B7-1C-0D").oui == 0x001DD8)
    }

    @Test func placeholderIsNotAnAddress() {
        #expect(MACField(parsing: "000000000000").address == nil)
        #expect(MACField(parsing: "00-00-00-00-00-00") == .valid(.placeholder))
        #expect(MACField(parsing: nil) == .absent)
    }

    @Test func rangesAreInclusive() throws {
        let pool = MACRange(try MACAddress(parsing: "00-1D-D8-B7-1C-0D"), try MACAddress(parsing: "00-1D-D8-B7-1F-FF"))!
        #expect(pool.count == 1011)  // the real NC pool's numberOfMacAddresses
        #expect(pool.contains(try MACAddress(parsing: "001DD8B71C0D")))
        #expect(pool.contains(try MACAddress(parsing: "001DD8B71FFF")))
        #expect(!pool.contains(try MACAddress(parsing: "001DD8B71C0C")))
        #expect(pool.staysWithinOneOUI)
    }

    @Test func overlapAndIntersection() {
        let a = Example.range("00155D010000", "00155D0100FF"), b = Example.range("00155D0100FF", "00155D0101FF")
        let c = Example.range("00155D010100", "00155D0101FF")
        #expect(a.overlaps(b) && b.overlaps(a))
        #expect(a.intersection(b)?.count == 1)
        #expect(!a.overlaps(c))
        #expect(a.intersection(c) == nil)
        #expect(MACRange(try! MACAddress(parsing: "00155D0100FF"), try! MACAddress(parsing: "00155D010000")) == nil)
    }

    @Test func prefixRanges() {
        #expect(ReservedPrefix.range(prefix: "00-00-5E-00-01")?.count == 256)
        #expect(ReservedPrefix.range(prefix: "02-BF")?.description == "02-BF-00-00-00-00…02-BF-FF-FF-FF-FF")
        #expect(ReservedPrefix.range(prefix: "xyz") == nil)
    }

    @Test func poolIndexFindsOverlappingPools() {
        let wide = Example.ncPool("wide", "000000000000", "00FFFFFFFFFF")
        let narrow = Example.hostPool("HV01", "00155D010000", "00155D0100FF")
        let later = Example.hostPool("HV02", "00155D020000", "00155D0200FF")
        let index = PoolIndex([later, narrow, wide])
        #expect(index.pools(containing: try! MACAddress(parsing: "00155D010010")).map(\.name) == ["wide", "HV01 dynamic"])
        #expect(index.pools(containing: try! MACAddress(parsing: "00155D020010")).map(\.name) == ["wide", "HV02 dynamic"])
        #expect(index.pools(containing: try! MACAddress(parsing: "02155D020010")).isEmpty)
    }
}
