/// A member name that a decoder reads, at the top of a record or nested inside one
/// (`VlanSetting.AccessVlanId`, `properties.ipConfigurations[].properties.subnet.resourceRef`, …).
///
/// Records are read keeping only these: the reader notes where each one's value starts and steps
/// over everything else without building it. A decoder can only ask for a `Field`, so it cannot ask
/// for a member the reader threw away. Names match ASCII case-insensitively (PowerShell property names
/// are case-insensitive, and the NC spells some both ways); the spelling here is the canonical one,
/// which wins when a record has the same name twice in different cases.
enum Field: UInt8, CaseIterable, Sendable {
    // Get-VMNetworkAdapter, Get-VMHost, port profiles, SCVMM pools
    case macAddress, vmName, isManagementOs, vmId, name, id, dynamicMacAddressEnabled, switchName, switchId
    case vlanSetting, vlanMode, operationMode, accessVlanId, virtualSubnetId, ipAddresses, computerName, psComputerName
    case status, statusDescription, profileId, profileData, settingData, adapterName
    case macAddressMinimum, macAddressMaximum, macAddressRangeStart, macAddressRangeEnd
    // Network Controller resources
    case resourceRef, resourceId, instanceId, properties, privateMacAddress, privateMacAllocationMethod
    case isHostVirtualNetworkInterface, ipConfigurations, privateIPAddress, subnet, server, connections
    case managementAddresses, subnets, vlanID, vsid, startMacAddress, endMacAddress

    /// The canonical spelling, as Hyper-V and the NC write it.
    var name: String {
        switch self {
        case .macAddress: "MacAddress"
        case .vmName: "VMName"
        case .isManagementOs: "IsManagementOs"
        case .vmId: "VMId"
        case .name: "Name"
        case .id: "Id"
        case .dynamicMacAddressEnabled: "DynamicMacAddressEnabled"
        case .switchName: "SwitchName"
        case .switchId: "SwitchId"
        case .vlanSetting: "VlanSetting"
        case .vlanMode: "VlanMode"
        case .operationMode: "OperationMode"
        case .accessVlanId: "AccessVlanId"
        case .virtualSubnetId: "VirtualSubnetId"
        case .ipAddresses: "IPAddresses"
        case .computerName: "ComputerName"
        case .psComputerName: "PSComputerName"
        case .status: "Status"
        case .statusDescription: "StatusDescription"
        case .profileId: "ProfileId"
        case .profileData: "ProfileData"
        case .settingData: "SettingData"
        case .adapterName: "AdapterName"
        case .macAddressMinimum: "MacAddressMinimum"
        case .macAddressMaximum: "MacAddressMaximum"
        case .macAddressRangeStart: "MACAddressRangeStart"
        case .macAddressRangeEnd: "MACAddressRangeEnd"
        case .resourceRef: "resourceRef"
        case .resourceId: "resourceId"
        case .instanceId: "instanceId"
        case .properties: "properties"
        case .privateMacAddress: "privateMacAddress"
        case .privateMacAllocationMethod: "privateMacAllocationMethod"
        case .isHostVirtualNetworkInterface: "isHostVirtualNetworkInterface"
        case .ipConfigurations: "ipConfigurations"
        case .privateIPAddress: "privateIPAddress"
        case .subnet: "subnet"
        case .server: "server"
        case .connections: "connections"
        case .managementAddresses: "managementAddresses"
        case .subnets: "subnets"
        case .vlanID: "vlanID"
        case .vsid: "vsid"
        case .startMacAddress: "startMacAddress"
        case .endMacAddress: "endMacAddress"
        }
    }

    /// The field a member name is, ignoring ASCII case; `exact` when spelled canonically.
    static func matching(_ name: UnsafeRawBufferPointer) -> (field: Field, exact: Bool)? {
        guard name.count < byLength.count else { return nil }
        outer: for candidate in byLength[name.count] {
            var exact = true
            for i in 0..<name.count {
                let b = name[i]
                if b != candidate.spelling[i] {
                    exact = false
                    guard b | 0x20 == candidate.lower[i] else { continue outer }
                }
            }
            return (candidate.field, exact)
        }
        return nil
    }

    static func matching(_ name: String) -> (field: Field, exact: Bool)? {
        var name = name
        return name.withUTF8 { matching(UnsafeRawBufferPointer($0)) }
    }

    private struct Spelling {
        let field: Field
        let spelling: [UInt8]
        /// The spelling with ASCII letters in lower case (non-letters unchanged: `b | 0x20` of a
        /// non-letter byte never equals a letter here, so only letters fold).
        let lower: [UInt8]
    }

    /// Fields by the length of their name: a member name is compared with a handful at most.
    private static let byLength: [[Spelling]] = {
        var buckets = [[Spelling]](repeating: [], count: 32)
        for field in Field.allCases {
            let utf8 = Array(field.name.utf8)
            buckets[utf8.count].append(Spelling(field: field, spelling: utf8, lower: Array(field.name.lowercased().utf8)))
        }
        return buckets
    }()
}

/// Where the values of an object's ``Field`` members start in the text. At most one entry per
/// field: the first member spelled canonically, else the first spelled any other way (the same
/// choice as ``JSONObject``'s lookup).
struct FieldOffsets {
    private var entries: [(field: Field, exact: Bool, offset: Int)] = []

    init() { entries.reserveCapacity(16) }

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    mutating func note(_ field: Field, exact: Bool, offset: Int) {
        if let i = entries.firstIndex(where: { $0.field == field }) {
            if exact && !entries[i].exact { entries[i] = (field, exact, offset) }
            return
        }
        entries.append((field, exact, offset))
    }

    /// The offset of the first byte of the field's value.
    @inline(__always)
    subscript(field: Field) -> Int? {
        for e in entries where e.field == field { return e.offset }
        return nil
    }
}
