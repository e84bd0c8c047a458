// libFuzzer entry point for the frame decoder: the first byte picks the link type, the rest is a
// frame. Built by Tests/Fuzz/run.sh with the decoder's own sources (no libpcap involved).
import MACAuditModel
import MACAuditIngest
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let link: LinkType = [.ethernet, .linuxCooked, .linuxCooked2, .rawIP][Int(data[0] % 4)]
    var table = SightingTable()
    let frame = UnsafeRawBufferPointer(start: data + 1, count: size - 1)
    _ = FrameDecoder.decode(frame, link: link, time: 0, ref: FrameRef(file: 0, frame: 1), into: &table)
    for s in table.stations { _ = s.mac.description; _ = s.scope.label }
    for c in table.claims { _ = c.ip.description }
    return 0
}
