// libFuzzer entry point for the JSON reader, filtered (the large-export path, nested filter
// included) and unfiltered, and for the text decoding in front of it (BOMs, UTF-16, UTF-8 checks).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    _ = try? TextEncoding.decode(Array(bytes))
    for filtered in [false, true] {
        var reader = JSONReader(utf8: bytes)
        if filtered { reader.recordKeys = ["MacAddress", "properties"]; reader.nestedKeys = ["privateMacAddress", "properties"] }
        _ = try? reader.forEachRecord { value, position in _ = value.typeName; _ = position.path; _ = value.objectValue?["macaddress"] }
    }
    return 0
}
