// libFuzzer entry point for the IEEE registry readers: the first byte picks the format (even: the
// IEEE CSV of ieee-data, odd: Wireshark's manuf), the rest is the file. A file is read into a
// registry or refused with an IngestError; either way a few lookups must not crash.
import Foundation
import MACAuditModel
import MACAuditIngest
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRegistry(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let kind = data[0] % 2 == 0 ? "ieee-data" : "wireshark-manuf"
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    guard let registry = try? OUIRegistry.make([("fuzz", kind, Date(timeIntervalSince1970: 0), bytes)]) else { return 0 }
    for value: UInt64 in [0x0015_5D00_0000, 0x70B3_D5F2_F001, 0x0000_0000_0001, 0xFCFF_FFFF_FFFF] {
        if let entry = registry.lookup(MACAddress(uncheckedValue: value)) { _ = entry.vendor.count; _ = entry.block.description }
    }
    _ = registry.blockCount
    return 0
}
