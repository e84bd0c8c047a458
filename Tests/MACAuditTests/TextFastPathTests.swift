import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// The word-at-a-time text helpers the ingest path leans on, held against the plain definitions
/// they replace (the golden inventory covers them through whole records; these reach the edges).
@Suite struct TextFastPathTests {
    /// Texts of every length around the 8-byte word, with upper case, braces, spaces and non-ASCII.
    static let texts: [String] = {
        var out = ["", "A", "a{", "{AbC}", "0C3A9E6B-0000-4000-8000-00000006EA82", "0c3a9e6b-0000-4000-8000-00000006ea82",
                   "{5A1C0000-0000-4000-8000-000000000715}", "/Servers/HOST-ÄB/", "@[`{~ \t", "ÉTÉ été", "Z@[\\]^_`az{"]
        let alphabet = Array("aZ@[`{09-/é \t")
        for length in 0...20 { out.append(String((0..<length).map { alphabet[($0 * 7 + length) % alphabet.count] })) }
        return out
    }()

    @Test func lowercasingMatchesTheStandardLibrary() {
        for text in Self.texts {
            #expect(text.asciiLowercased == text.lowercased(), "\(text)")
        }
    }

    @Test func guidNormalisationMatchesTheGeneralPath() {
        for text in Self.texts {
            var s = String(text)
            let general: String? = {
                var t = text.trimmingSpaces
                if t.hasPrefix("{") { t.removeFirst() }
                if t.hasSuffix("}") { t.removeLast() }
                return t.isEmpty ? nil : t.lowercased()
            }()
            let fast = s.withUTF8 { normalizedGUID(utf8: UnsafeRawBufferPointer($0), original: nil) }
            if let fast { #expect(fast == general, "\(text)") }
            #expect(normalizedGUID(text) == general, "\(text)")
        }
    }

    /// Every field name in three spellings matches its field; a name one letter shorter or longer
    /// never matches (the hashed table chains names of other lengths into the same slot).
    @Test func fieldNamesMatchWholeNamesOnly() {
        let names = Set(Field.allCases.map { $0.name.lowercased() })
        for field in Field.allCases {
            #expect(Field.matching(field.name).map { $0.field } == field)
            #expect(Field.matching(field.name)?.exact == true)
            #expect(Field.matching(field.name.uppercased()).map { $0.field } == field)
            #expect(Field.matching(field.name.lowercased())?.exact == (field.name == field.name.lowercased()))
            for variant in [String(field.name.dropLast()), String(field.name.dropFirst()), field.name + "s", "x" + field.name]
            where !names.contains(variant.lowercased()) {
                #expect(Field.matching(variant) == nil, "\(variant)")
            }
        }
    }

    @Test func adapterIdHoldsAGUIDIgnoringLetterCaseOnly() {
        let id = "Microsoft:0C3A9E6B-0000-4000-8000-00000006EA82\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B"
        #expect(Adapter.adapterId(id, holds: "0c3a9e6b-0000-4000-8000-00000006ea82"))
        #expect(Adapter.adapterId(id, holds: "0C3A9E6B-0000-4000-8000-00000006EA82"))
        #expect(!Adapter.adapterId(id, holds: "0c3a9e6b-0000-4000-8000-00000006ea83"))
        #expect(!Adapter.adapterId(id, holds: "0c3a9e6b-0000-4000-8000-00000006ea8"))
        #expect(!Adapter.adapterId("Microsoft:short", holds: "0c3a9e6b-0000-4000-8000-00000006ea82"))
        // '@' and '`' differ in bit 5 as 'A' and 'a' do, but are not letters.
        let odd = "Microsoft:@C3A9E6B-0000-4000-8000-00000006EA82\\1"
        #expect(!Adapter.adapterId(odd, holds: "`c3a9e6b-0000-4000-8000-00000006ea82"))
        #expect(Adapter.adapterId(odd, holds: "@c3a9e6b-0000-4000-8000-00000006ea82"))
        // Braces: both sides normalise alike.
        let braced = "Microsoft:{C3A9E6B-0000-4000-8000-00000006EA8}\\1"
        #expect(Adapter.adapterId(braced, holds: "c3a9e6b-0000-4000-8000-00000006ea8"))
    }

    @Test func internerSharesLongStringsAndAnswersFromTheirBytes() {
        var interner = StringInterner()
        let refs = (0..<200).map { "/logicalnetworks/ln-\($0 % 70)/subnets/s" }
        var first: [String: String] = [:]
        for ref in refs {
            let shared = interner.intern(String(ref.utf8.map { Character(Unicode.Scalar($0)) }))  // a fresh copy each time
            if let earlier = first[ref] {
                #expect(shared == earlier)
                var a = shared, b = earlier
                #expect(a.withUTF8 { $0.baseAddress } == b.withUTF8 { $0.baseAddress }, "one shared buffer for \(ref)")
            } else {
                first[ref] = shared
            }
        }
        var last = refs.last!
        #expect(last.withUTF8 { interner.recent(matching: UnsafeRawBufferPointer($0)) } == last)
        var short = "HOST-A"
        #expect(short.withUTF8 { interner.recent(matching: UnsafeRawBufferPointer($0)) } == nil)
    }
}

/// The member-name table folds the case of letters only: names with digits and underscores are
/// found in any case of their letters, and a byte that only looks like a digit after folding
/// (`0x10 | 0x20 == '0'`) is not one.
@Suite struct FieldNameTableTests {
    static let names = ["vlanID", "ipv4Address", "ipv6AddressPrefix", "x2", "Mac_Address", "MacAddressMinimum", "MacAddressMaximum"]
    static let table = FieldNames(names: names)

    func index(_ s: String) -> (index: Int, exact: Bool)? {
        var s = s
        return s.withUTF8 { Self.table.index(of: UnsafeRawBufferPointer($0)) }
    }

    @Test func namesWithDigitsMatchInAnyCaseOfTheirLetters() {
        #expect(index("ipv4Address").map { [$0.index, $0.exact ? 1 : 0] } == [1, 1])
        #expect(index("IPV4ADDRESS").map { [$0.index, $0.exact ? 1 : 0] } == [1, 0])
        #expect(index("Ipv6addressprefix")?.index == 2)
        #expect(index("X2")?.index == 3)
        #expect(index("mac_address")?.index == 4)
        #expect(index("MACADDRESSMAXIMUM")?.index == 6)
    }

    @Test func aDigitOrUnderscoreOnlyMatchesItself() {
        #expect(index("ipv\u{14}Address") == nil)
        #expect(index("ipv6Address\u{10}refix") == nil)
        #expect(index("x\u{12}") == nil)
        #expect(index("Mac\u{7F}Address") == nil)
        #expect(index("ipv5Address") == nil)
    }

    @Test func theSharedTableMatchesEveryFieldByItsName() {
        for field in Field.allCases { #expect(Field.matching(field.name)?.field == field) }
        for field in Field.allCases { #expect(Field.matching(field.name.uppercased()).map { [$0.field == field, $0.exact] } == [true, false]) }
    }
}

/// Report and database timestamps, held against Foundation's ISO 8601 formatter they replace.
@Suite struct UTCTimestampTests {
    @Test func timestampsMatchFoundationsFormatter() {
        let whole = ISO8601DateFormatter()
        whole.formatOptions = [.withInternetDateTime]
        whole.timeZone = TimeZone(identifier: "UTC")
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        fractional.timeZone = TimeZone(identifier: "UTC")
        // Whole milliseconds (so rounding cannot differ): epoch, leap days, year ends, far future, before 1970.
        var seconds: [Double] = [0, 951_782_400, 1_709_164_800.5, 1_767_225_599.999, 1_780_000_000.123, 4_102_444_800, -86_400.25]
        for i in 0..<2_000 { seconds.append(Double(i) * 1_234_567.891) }
        for s in seconds {
            let date = Date(timeIntervalSince1970: (s * 1000).rounded(.down) / 1000)
            #expect(UTCTimestamp.text(date) == whole.string(from: date))
            #expect(UTCTimestamp.text(date, milliseconds: true) == fractional.string(from: date))
        }
    }
}
