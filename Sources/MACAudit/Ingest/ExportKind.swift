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
        let first = resourceRef.utf8.split(separator: UInt8(ascii: "/"), maxSplits: 1).first.map { String(decoding: $0.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self) } ?? ""
        switch first {
        case "networkinterfaces": return .ncNetworkInterfaces
        case "macpools": return .ncMacPools
        case "virtualnetworks": return .ncVirtualNetworks
        case "logicalnetworks": return .ncLogicalNetworks
        case "servers": return .ncServers
        default: return .ncOther
        }
    }
}
