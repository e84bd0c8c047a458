// libFuzzer entry point for JSON exports: the text decoding in front of the reader (BOMs, UTF-16,
// UTF-8 checks), the reader building whole values, and the large-export path — field offsets,
// values read back from them, classification and every record decoder — through ExportFile.
import MACAuditModel
import MACAuditIngest
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSONReader(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var reader = JSONReader(utf8: bytes)
    _ = try? reader.forEachRecord { value, position in _ = value.typeName; _ = position.path; _ = value.objectValue?["macaddress"] }
    if let result = try? ExportFile.read(bytes: Array(bytes), path: "fuzz.json", cluster: "C") {
        _ = result.inventory.adapters.map { ($0.vmId, $0.mac.address) }
    }
    return 0
}
