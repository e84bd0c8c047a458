import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

/// Reads `text` and returns the records and the envelope, or the syntax error.
func readJSON(_ text: String) throws -> (records: [JSONValue], envelope: JSONReader.Envelope) {
    var records: [JSONValue] = []
    var bytes = Array(text.utf8)
    let envelope = try bytes.withUnsafeMutableBytes { buffer -> JSONReader.Envelope in
        var reader = JSONReader(utf8: UnsafeRawBufferPointer(buffer))
        return try reader.forEachRecord { value, _ in records.append(value) }.envelope
    }
    return (records, envelope)
}

func syntaxError(_ text: String) -> JSONSyntaxError? {
    do { _ = try readJSON(text); return nil } catch let e as JSONSyntaxError { return e } catch { return nil }
}

@Suite struct JSONReaderTests {
    /// Member names with escapes are decoded for the path; names of members already left do not
    /// linger in it.
    @Test func pathsNameEscapedMembers() throws {
        let e = try #require(syntaxError(#"[{"a\u0020b":{"ok":1},"odd\"name":{"x":[1,tru]}}]"#))
        #expect(e.path == #"$[0]['odd"name'].x[1]"#)
        let f = try #require(ingestError(#"[{"MacAddress":"00155D010101","VMName":"A","Mac\u0041ddress":"x","N\u006fise":[1,}]"#))
        #expect(f.path == "$[0].Noise[1]")
    }

    @Test(arguments: [
        ("[{\"a\":1},{\"a\":2}]", JSONReader.Envelope.array, 2),
        ("{\"a\":1}", .singleObject, 1),
        ("{\"value\":[{\"a\":1},{\"a\":2}],\"Count\":2}", .valueCollection, 2),
        ("{\"value\":[{\"a\":1}],\"nextLink\":\"\"}", .valueCollection, 1),
        ("{\"nextLink\": \"\"}", .emptyCollection, 0),
        ("", .empty, 0),
        ("  \r\n ", .empty, 0),
        ("[]", .array, 0),
    ])
    func everyEnvelopePowerShellAndTheControllerWrite(_ text: String, _ envelope: JSONReader.Envelope, _ count: Int) throws {
        let result = try readJSON(text)
        #expect(result.envelope == envelope)
        #expect(result.records.count == count)
    }

    @Test func escapesAndSurrogatesDecode() throws {
        let (records, _) = try readJSON(#"{"s":"a\u0027b\/c\"d\\e\n\ud83d\ude00é"}"#)
        guard case .string(let s)? = records.first?.objectValue?["s"] else { Issue.record("no string"); return }
        #expect(s == "a'b/c\"d\\e\n😀é")
    }

    @Test func numbersKeepTheirValue() throws {
        let (records, _) = try readJSON(#"{"a":-12,"b":1.5e3,"c":0,"d":12345678901234567}"#)
        let o = records[0].objectValue!
        if case .number(let a)? = o["a"] { #expect(a == -12) } else { Issue.record("a") }
        if case .number(let b)? = o["b"] { #expect(b == 1500) } else { Issue.record("b") }
        if case .number(let d)? = o["d"] { #expect(d == 12345678901234567) } else { Issue.record("d") }
    }

    @Test func keysMatchCaseInsensitivelyAfterAnExactMiss() throws {
        let (records, _) = try readJSON(#"{"numberofMacAddressesAllocated": 11}"#)
        #expect(records[0].objectValue?["numberOfMacAddressesAllocated"] != nil)
    }

    @Test func truncatedDocumentNamesLineColumnAndPath() throws {
        let e = try #require(syntaxError("[\n  {\"MacAddress\": \"00155D010203\",\n   \"VlanSetting\": {\"AccessVlanId\": 2"))
        #expect(e.line == 3)
        #expect(e.path == "$[0].VlanSetting.AccessVlanId")
        #expect(e.message.contains("ends"))
    }

    @Test func garbageAfterTheDocumentIsAnError() throws {
        let e = try #require(syntaxError("[] x"))
        #expect(e.column == 4)
        #expect(e.message.contains("after the end"))
    }

    @Test(arguments: ["[1,]", "{\"a\" 1}", "[01]", "[tru]", "[\"a\tb\"]", "{'a':1}", "[1 2]", "[\"\\x\"]", "[\"\\ud800\"]", "[-]", "[1.]"])
    func strictJSONIsEnforced(_ text: String) {
        #expect(syntaxError(text) != nil)
    }

    @Test func deepNestingStopsAtTheLimitWithoutOverflowingTheStack() throws {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let e = try #require(syntaxError("[{\"a\":" + deep + "}]"))
        #expect(e.message.contains("deeper than"))
    }

    @Test func recordPositionsCarryLinesAndPaths() throws {
        var positions: [JSONReader.RecordPosition] = []
        var bytes = Array("{\"value\": [\n{\"a\":1},\n\n{\"a\":2}]}".utf8)
        try bytes.withUnsafeMutableBytes { buffer in
            var reader = JSONReader(utf8: UnsafeRawBufferPointer(buffer))
            _ = try reader.forEachRecord { _, p in positions.append(p) }
        }
        #expect(positions.map(\.line) == [2, 4])
        #expect(positions.map(\.path) == ["$.value[0]", "$.value[1]"])
    }
}

@Suite struct TextEncodingTests {
    @Test func utf16LittleEndianWithBOMIsTranscoded() throws {
        let text = "[{\"VMName\":\"Zoë\"}]\r\n"
        var bytes: [UInt8] = [0xFF, 0xFE]
        for unit in text.utf16 { bytes += [UInt8(unit & 0xFF), UInt8(unit >> 8)] }
        let (utf8, encoding) = try TextEncoding.decode(bytes)
        #expect(encoding == .utf16LE)
        #expect(String(decoding: utf8, as: UTF8.self) == text)
    }

    @Test func utf16BigEndianWithBOMIsTranscoded() throws {
        var bytes: [UInt8] = [0xFE, 0xFF]
        for unit in "[1]".utf16 { bytes += [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        #expect(try TextEncoding.decode(bytes) == (Array("[1]".utf8), .utf16BE))
    }

    @Test func utf8BOMIsStripped() throws {
        let (utf8, encoding) = try TextEncoding.decode([0xEF, 0xBB, 0xBF] + Array("[]".utf8))
        #expect(utf8 == Array("[]".utf8) && encoding == .utf8BOM)
    }

    @Test func ansiFallsBackToWindows1252() throws {
        let (utf8, encoding) = try TextEncoding.decode(Array("[\"Caf".utf8) + [0xE9, 0x80] + Array("\"]".utf8))
        #expect(encoding == .windows1252)
        #expect(String(decoding: utf8, as: UTF8.self) == "[\"Café€\"]")
    }

    @Test func truncatedUTF16IsAnError() {
        #expect(throws: TextDecodingError.truncatedUTF16(offset: 4)) { try TextEncoding.decode([0xFF, 0xFE, 0x5B, 0x00, 0x5D]) }
    }

    @Test func binaryIsAnError() {
        #expect(throws: TextDecodingError.binary(offset: 4)) { try TextEncoding.decode([0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0x02]) }
    }

    /// A million records on one line (`ConvertTo-Json -Compress`): read in one pass, and an error at
    /// the very end names line 1 and the exact column.
    @Test func aMillionRecordArrayOnOneLine() throws {
        let hex = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = [UInt8(ascii: "[")]
        bytes.reserveCapacity(60_000_000)
        let head = Array(#"{"MacAddress":"02-1D-D8"#.utf8), tail = Array(#"","VMName":"v"}"#.utf8)
        for i in 0..<1_000_000 {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes += head
            for shift in [16, 8, 0] { bytes += [UInt8(ascii: "-"), hex[i >> (shift + 4) & 0xF], hex[i >> shift & 0xF]] }
            bytes += tail
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let result = try readExport(text + "]")
        #expect(result.inventory.adapters.count == 1_000_000)
        #expect(result.inventory.adapters.last?.source.line == 1)
        let e = try #require(ingestError(text + ",]"))
        #expect(e.position == "line 1, column \(text.utf8.count + 2), byte \(text.utf8.count + 1)")
        #expect(e.path == "$[1000000]")
    }
}
