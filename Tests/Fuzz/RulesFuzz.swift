// libFuzzer entry point for rule files: the first byte picks the kind (reserved prefixes,
// severities, pools and seed plans, keep order, database settings), the rest is the file's text,
// parsed by Yams and read by that kind's loader exactly as `Rules.load` does for a rules folder.
import MACAuditModel
import MACAuditIngest
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRules(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let name = Rules.fileNames[Int(data[0]) % Rules.fileNames.count]
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    let keys: Set<String> = ["duplicate-mac", "duplicate-mac.cross-cluster", "out-of-pool", "reserved-prefix", "invalid-mac"]
    if let rules = try? Rules.parse(name, text: text, file: "fuzz.yaml", severityKeys: keys) {
        for pool in rules.pools { _ = pool.range.description; _ = pool.allocation }
        if let vrrp = MACAddress(value: 0x0000_5E00_0101) {
            for prefix in rules.reservedPrefixes { _ = prefix.matches(vrrp) }
        }
        _ = rules.severities.severity(check: "duplicate-mac", default: .error)
    }
    return 0
}
