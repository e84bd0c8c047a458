import Foundation
import Testing
@testable import MACAuditModel
@testable import MACAuditIngest

/// The IEEE registry: every CSV quirk, manuf's masks, longest prefix, newest source.
@Suite struct RegistryTests {
    static func mac(_ s: String) -> MACAddress { try! MACAddress(parsing: s) }
    static func registry(_ files: [(String, String, Double, String)]) throws -> OUIRegistry {
        try OUIRegistry.make(files.map { ($0.0, $0.1, Date(timeIntervalSince1970: $0.2), Array($0.3.utf8)) })
    }

    @Test func csvWithABOMCRLFQuotesCommasLineBreaksAndDuplicatesReadsEveryBlock() throws {
        let csv = "\u{FEFF}Registry,Assignment,Organization Name,Organization Address\r\n"
            + "MA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive San Jose CA US 94568\r\n"
            + "MA-L,5885E9,\"Realme \"\"Chongqing\"\" Ltd\",\"No.24 Nichang Boulevard,\r\nHuixing Block\"\r\n"
            + "MA-L,F4BD9E,\"Cisco Systems, Inc\",80 West Tasman Drive San Jose CA US 94568\r\n"
            + "MA-M,741AE09,Private,\r\n"
            + "\r\n"
            + "MA-S,70B3D5F2F,TELEPLATFORMS,\"Polbina st., 3/1 Moscow  RU 109388 \"\r\n"
        let r = try Self.registry([("oui.csv", "ieee-data", 0, csv)])
        #expect(r.lookup(Self.mac("F4-BD-9E-12-34-56"))?.vendor == "Cisco Systems, Inc")
        #expect(r.lookup(Self.mac("58-85-E9-00-00-01"))?.vendor == "Realme \"Chongqing\" Ltd")
        #expect(r.lookup(Self.mac("74-1A-E0-9F-FF-FF"))?.bits == 28)
        #expect(r.lookup(Self.mac("74-1A-E0-A0-00-00")) == nil, "outside the 28-bit block")
        let mas = try #require(r.lookup(Self.mac("70-B3-D5-F2-F0-07")))
        #expect(mas.vendor == "TELEPLATFORMS" && mas.registry == "MA-S" && mas.block.count == 4096)
        #expect(r.blockCount == 4, "the duplicate row is one block")
    }

    @Test func theLongestBlockWinsAcrossMALMAMMASAndIAB() throws {
        let csv = """
            Registry,Assignment,Organization Name,Organization Address
            MA-L,0050C2,IEEE Registration Authority,
            MA-M,0050C27,Seven Inc,
            IAB,0050C27D5,DEUTA-WERKE GmbH,Paffrather Strasse 140
            """
        let r = try Self.registry([("ieee.csv", "ieee-data", 0, csv)])
        #expect(r.lookup(Self.mac("00-50-C2-7D-50-01"))?.vendor == "DEUTA-WERKE GmbH")
        #expect(r.lookup(Self.mac("00-50-C2-7D-60-01"))?.vendor == "Seven Inc")
        #expect(r.lookup(Self.mac("00-50-C2-10-00-01"))?.vendor == "IEEE Registration Authority")
        #expect(r.lookup(Self.mac("00-50-C2-7D-50-01"))?.registry == "IAB")
    }

    @Test func manufsMasksAndTheNewerSourceWin() throws {
        let manuf = """
            # Wireshark manuf
            00:15:5D\tMicrosof\tMicrosoft Corporation
            00:1B:C5:00:00:00/36\tConvergi\tConverging Systems Inc.
            00:55:DA:50:00:00/28\tNanoleaf\tNanoleaf
            08:00:87\tXyplexTe
            00:80:C2\tIeee8021\tIEEE\t# 802.1 Committee
            00:00:D1\tAdaptec\t\tAdaptec, Inc.\t# "Nodem" product
            00:00:B7\tDoveFast\tDove  \t# Fastnet
            """
        let csv = "Registry,Assignment,Organization Name,Organization Address\nMA-L,00155D,Old Name,\n"
        let r = try Self.registry([("manuf", "wireshark-manuf", 2000, manuf), ("oui.csv", "ieee-data", 1000, csv)])
        #expect(r.lookup(Self.mac("00-15-5D-01-02-03"))?.vendor == "Microsoft Corporation", "the newer file's name")
        #expect(r.lookup(Self.mac("00-1B-C5-00-0F-FF"))?.vendor == "Converging Systems Inc.")
        #expect(r.lookup(Self.mac("00-1B-C5-00-10-00")) == nil)
        #expect(r.lookup(Self.mac("00-55-DA-5F-FF-FF"))?.bits == 28)
        #expect(r.lookup(Self.mac("08-00-87-00-00-01"))?.vendor == "XyplexTe", "the short name when there is no long one")
        #expect(r.lookup(Self.mac("00-80-C2-00-00-01"))?.vendor == "IEEE", "a comment after the name is not the name")
        #expect(r.lookup(Self.mac("00-00-D1-00-00-01"))?.vendor == "Adaptec, Inc.", "an empty field skipped")
        #expect(r.lookup(Self.mac("00-00-B7-00-00-01"))?.vendor == "Dove")
        #expect(r.sources.map(\.path) == ["oui.csv", "manuf"])
    }

    @Test(arguments: [
        ("Registry,Assignment,Organization Name\nMA-X,001122,Someone\n", "line 2: 'MA-X' is not MA-L"),
        ("Registry,Assignment,Organization Name\nMA-L,00112,Someone\n", "line 2: the assignment is not 6, 7 or 9 hex digits"),
        ("Registry,Assignment,Organization Name\nMA-L,001122,\"Someone\n", "line 2: a quoted field is not closed"),
    ])
    func aBrokenCSVNamesTheFileAndLine(_ text: String, _ message: String) {
        do {
            _ = try Self.registry([("broken.csv", "ieee-data", 0, text)])
            Issue.record("read a broken file")
        } catch let e as IngestError {
            #expect(e.file == "broken.csv" && e.message.hasPrefix(message), "\(e)")
        } catch { Issue.record("\(error)") }
    }

    /// Debian's ieee-data, as `.ci/setup` installs it.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/share/ieee-data/oui.csv")))
    func theRealDebianFilesRead() throws {
        let r = try #require(try OUIRegistry.load(paths: ["/usr/share/ieee-data"]))
        #expect(r.sources.count == 4)
        #expect(r.blockCount > 40_000)
        #expect(r.lookup(Self.mac("00-15-5D-0A-14-07"))?.vendor == "Microsoft Corporation")
        #expect(r.lookup(Self.mac("70-B3-D5-F2-F0-01"))?.registry == "MA-S")
        #expect(r.lookup(Self.mac("A8-3D-7E-5C-19-F2")) == nil, "the sample's made-up MAC stays unassigned")
    }
}
