// libFuzzer entry point for the JSON reader, filtered (the large-export path) and unfiltered.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for filtered in [false, true] {
        var reader = JSONReader(utf8: bytes)
        if filtered { reader.recordKeys = ["MacAddress", "properties"]; reader.nestedKeys = ["privateMacAddress", "properties"] }
        _ = try? reader.forEachRecord { value, position in _ = value.typeName; _ = position.path }
    }
    return 0
}
