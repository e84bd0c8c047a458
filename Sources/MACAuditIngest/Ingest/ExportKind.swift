import MACAuditModel
/// What kind of export a record (and so a file) is, told by the record's own fields.
public enum ExportKind: String, Sendable, CaseIterable {
    case hypervAdapters = "hyperv-adapters"
    case hypervHosts = "hyperv-hosts"
    case portProfiles = "port-profiles"
    case scvmmPools = "scvmm-mac-pools"
    case ncNetworkInterfaces = "nc-network-interfaces"
    case ncMacPools = "nc-mac-pools"
    case ncVirtualNetworks = "nc-virtual-networks"
    case ncLogicalNetworks = "nc-logical-networks"
    case ncServers = "nc-servers"
    /// Another NC resource (virtualServers, loadBalancerMuxes, accessControlLists…): read, not used.
    case ncOther = "nc-other"
    /// A file with no records: an empty file or an empty NC collection.
    case empty = "empty"

    /// Classifies one record by the keys it has; nil when it is none of the known shapes.
    static func classify(_ record: RecordFields) -> ExportKind? {
        if record.has(.macAddressMinimum) || record.has(.macAddressMaximum) { return .hypervHosts }
        if record.has(.profileId) { return .portProfiles }
        if record.has(.macAddressRangeStart) { return .scvmmPools }
        if let ref = record.plainString(.resourceRef) { return ncKind(resourceRef: ref) }
        if case .string(let ref)? = record.value(.resourceRef) { return ncKind(resourceRef: ref) }
        if record.has(.macAddress),
           record.has(.vmName) || record.has(.isManagementOs) || record.has(.switchName) || record.has(.vmId)
            || record.has(.computerName) || record.has(.dynamicMacAddressEnabled) {
            return .hypervAdapters
        }
        return nil
    }

    /// The NC collection a resourceRef belongs to, from its first segment (case varies in real data).
    static func ncKind(resourceRef: String) -> ExportKind {
        var ref = resourceRef
        return ref.withUTF8 { ncKind(resourceRef: UnsafeRawBufferPointer($0)) }
    }

    /// As above, on the ref's UTF-8 text.
    static func ncKind(resourceRef bytes: UnsafeRawBufferPointer) -> ExportKind {
        // The first non-empty segment.
        var start = 0
        while start < bytes.count, bytes[start] == UInt8(ascii: "/") { start += 1 }
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "/") { end += 1 }
        let first = UnsafeRawBufferPointer(rebasing: bytes[start..<end]).assumingMemoryBound(to: UInt8.self)
        func named(_ name: StaticString) -> Bool { name.withUTF8Buffer { asciiCaseInsensitiveEqual($0, first) } }
        if named("networkinterfaces") { return .ncNetworkInterfaces }
        if named("macpools") { return .ncMacPools }
        if named("virtualnetworks") { return .ncVirtualNetworks }
        if named("logicalnetworks") { return .ncLogicalNetworks }
        if named("servers") { return .ncServers }
        return .ncOther
    }
}
