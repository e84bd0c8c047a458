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
        FieldNames.shared.match(name)
    }

    static func matching(_ name: String) -> (field: Field, exact: Bool)? {
        var name = name
        return name.withUTF8 { matching(UnsafeRawBufferPointer($0)) }
    }
}

/// The field names laid out for matching a member name with no allocation and no reference
/// counting: a table keyed by the name's length and its first and last letters (case folded) gives
/// the first candidate, a chain the others (`MacAddressMinimum`/`MacAddressMaximum` share a key).
/// Built once; the reader fetches it once per object, not per member.
struct FieldNames: @unchecked Sendable {
    static let shared = FieldNames()
    static let maximumLength = 32

    private let head: UnsafeMutablePointer<Int8>
    private let chain: UnsafeMutablePointer<Int8>
    private let canonical: UnsafeMutablePointer<UInt8>
    private let lower: UnsafeMutablePointer<UInt8>

    private init() {
        let n = Field.allCases.count, width = Self.maximumLength
        head = .allocate(capacity: width << 10)
        head.initialize(repeating: -1, count: width << 10)
        chain = .allocate(capacity: n)
        chain.initialize(repeating: -1, count: n)
        canonical = .allocate(capacity: n * width)
        canonical.initialize(repeating: 0, count: n * width)
        lower = .allocate(capacity: n * width)
        lower.initialize(repeating: 0, count: n * width)
        for field in Field.allCases.reversed() {
            let utf8 = Array(field.name.utf8), i = Int(field.rawValue)
            precondition(utf8.count < width && utf8.allSatisfy { ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }, "field names are ASCII letters")
            for (k, b) in utf8.enumerated() { canonical[i * width + k] = b; lower[i * width + k] = b | 0x20 }
            let key = Self.key(utf8.count, utf8[0], utf8[utf8.count - 1])
            chain[i] = head[key]
            head[key] = Int8(i)
        }
    }

    @inline(__always)
    private static func key(_ length: Int, _ first: UInt8, _ last: UInt8) -> Int {
        length << 10 | Int(first & 0x1F) << 5 | Int(last & 0x1F)
    }

    @inline(__always)
    func match(_ name: UnsafeRawBufferPointer) -> (field: Field, exact: Bool)? {
        let length = name.count
        guard length > 0, length < Self.maximumLength else { return nil }
        var i = Int(head[Self.key(length, name[0], name[length - 1])])
        outer: while i >= 0 {
            let base = i * Self.maximumLength
            var exact = true
            for k in 0..<length {
                let b = name[k]
                if b != canonical[base + k] {
                    exact = false
                    guard b | 0x20 == lower[base + k] else { i = Int(chain[i]); continue outer }
                }
            }
            return (Field(rawValue: UInt8(i))!, exact)
        }
        return nil
    }
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
