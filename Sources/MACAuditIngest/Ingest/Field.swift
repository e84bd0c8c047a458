import MACAuditModel
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
/// counting: a 512-byte table (it stays in the L1 cache beside the text being read) hashed from
/// the name's length and its first and last letters (case folded) gives the first candidate, a
/// chain the others (`MacAddressMinimum`/`MacAddressMaximum` share a key). Built once; the reader
/// fetches it once per object, not per member.
///
/// Case is folded for letters only: each name has a mask with bit 5 set where it has a letter, so
/// a digit or `_` must match exactly (`ipv4Address` never matches `ipv\u{14}Address`).
struct FieldNames: @unchecked Sendable {
    static let shared = FieldNames(names: Field.allCases.map(\.name))
    static let maximumLength = 32

    private let head: UnsafeMutablePointer<Int8>
    private let chain: UnsafeMutablePointer<Int8>
    private let lengths: UnsafeMutablePointer<UInt8>
    private let canonical: UnsafeMutablePointer<UInt8>
    /// `canonical | mask`: the folded spelling.
    private let lower: UnsafeMutablePointer<UInt8>
    /// 0x20 where the name has an ASCII letter, 0 elsewhere.
    private let mask: UnsafeMutablePointer<UInt8>

    /// A table of `names` (ASCII, 1 to 31 bytes each, at most 127 of them); a name's index is its position.
    init(names: [String]) {
        let n = names.count, width = Self.maximumLength
        precondition(n < 128, "at most 127 field names")
        head = .allocate(capacity: Self.slots)
        head.initialize(repeating: -1, count: Self.slots)
        lengths = .allocate(capacity: n)
        chain = .allocate(capacity: n)
        chain.initialize(repeating: -1, count: n)
        canonical = .allocate(capacity: n * width)
        canonical.initialize(repeating: 0, count: n * width)
        lower = .allocate(capacity: n * width)
        lower.initialize(repeating: 0, count: n * width)
        mask = .allocate(capacity: n * width)
        mask.initialize(repeating: 0, count: n * width)
        for (i, name) in names.enumerated().reversed() {
            let utf8 = Array(name.utf8)
            precondition(!utf8.isEmpty && utf8.count < width && utf8.allSatisfy { $0 < 0x80 }, "field names are 1 to 31 ASCII bytes")
            for (k, b) in utf8.enumerated() {
                let letter = (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A
                mask[i * width + k] = letter ? 0x20 : 0
                canonical[i * width + k] = b
                lower[i * width + k] = letter ? b | 0x20 : b
            }
            lengths[i] = UInt8(utf8.count)
            let key = Self.key(utf8.count, utf8[0], utf8[utf8.count - 1])
            chain[i] = head[key]
            head[key] = Int8(i)
        }
    }

    @inline(__always)
    private static func key(_ length: Int, _ first: UInt8, _ last: UInt8) -> Int {
        let exact = UInt32(truncatingIfNeeded: length << 10 | Int(first & 0x1F) << 5 | Int(last & 0x1F))
        return Int((exact &* 0x9E37_79B1) >> 23)  // the top 9 bits: 0..<512
    }

    private static let slots = 512

    @inline(__always)
    func match(_ name: UnsafeRawBufferPointer) -> (field: Field, exact: Bool)? {
        index(of: name).flatMap { m in Field(rawValue: UInt8(m.index)).map { ($0, m.exact) } }
    }

    /// The position of the name `name` is, ignoring the case of letters, and whether exactly.
    @inline(__always)
    func index(of name: UnsafeRawBufferPointer) -> (index: Int, exact: Bool)? {
        let length = name.count
        guard length > 0, length < Self.maximumLength else { return nil }
        var i = Int(head[Self.key(length, name[0], name[length - 1])])
        while i >= 0 {
            if Int(lengths[i]) == length, let exact = matches(name, i) { return (i, exact) }
            i = Int(chain[i])
        }
        return nil
    }

    /// Whether `name` is name `i` ignoring the case of its letters, and whether exactly; eight
    /// bytes at a time, the last word overlapping.
    @inline(__always)
    private func matches(_ name: UnsafeRawBufferPointer, _ i: Int) -> Bool? {
        let length = name.count, base = i * Self.maximumLength
        guard length >= 8 else {
            var exact = true
            for k in 0..<length where name[k] != canonical[base + k] {
                guard name[k] | mask[base + k] == lower[base + k] else { return nil }
                exact = false
            }
            return exact
        }
        var exact = true, k = 0
        while true {
            let w = name.loadUnaligned(fromByteOffset: k, as: UInt64.self)
            let c = UnsafeRawPointer(canonical + base + k).loadUnaligned(as: UInt64.self)
            if w != c {
                let fold = UnsafeRawPointer(mask + base + k).loadUnaligned(as: UInt64.self)
                guard w | fold == UnsafeRawPointer(lower + base + k).loadUnaligned(as: UInt64.self) else { return nil }
                exact = false
            }
            if k + 8 == length { return exact }
            k = min(k + 8, length - 8)
        }
    }
}

/// The ``Field`` members of one record, at every depth below kept fields, in document order, as
/// offsets of their values in the text. One pass over the record finds everything a decoder reads:
/// nested objects (`VlanSetting`, `properties.ipConfigurations[]`) need no second scan, and no
/// value is built until a decoder asks for it.
///
/// Each node's subtree follows it; `end` is the index past the subtree, so the members of an
/// object are found by hopping from one to the next. Objects inside an array under a kept field
/// are nodes of their own (``element``), with their index in the array.
struct FieldTape {
    struct Node {
        /// A ``Field`` raw value, or ``FieldTape/element``.
        var field: UInt8
        /// Spelled canonically (the spelling that wins when a name comes twice).
        var exact: Bool
        /// For an element: its index in the array.
        var index: Int32
        /// The index past this node's subtree.
        var end: Int32
        /// Where the value starts in the text.
        var offset: Int
        /// A member of the record itself.
        var isRoot = false
    }

    static let element: UInt8 = 0xFF
    /// The record itself, as a parent.
    static let root = -1

    private(set) var nodes: [Node] = []
    /// The record's own members by field (-1: absent): decoders look up ~20 of them per record.
    private var rootMembers = [Int32](repeating: -1, count: Field.allCases.count)

    init() { nodes.reserveCapacity(64) }

    /// Empties the tape for the next record, keeping its storage.
    mutating func removeAll() {
        for i in nodes.indices where nodes[i].isRoot { rootMembers[Int(nodes[i].field)] = -1 }
        nodes.removeAll(keepingCapacity: true)
    }

    /// Adds a node; its subtree is what is added until ``close(_:)``.
    mutating func open(_ field: UInt8, exact: Bool = true, index: Int = 0, offset: Int) -> Int {
        nodes.append(Node(field: field, exact: exact, index: Int32(clamping: index), end: 0, offset: offset))
        return nodes.count - 1
    }

    mutating func close(_ node: Int) { nodes[node].end = Int32(nodes.count) }

    /// Marks `node` as a member of the record: the first spelled canonically, else the first, is
    /// the one ``member(of:_:)`` finds.
    mutating func noteRootMember(_ node: Int) {
        nodes[node].isRoot = true
        let slot = Int(nodes[node].field), known = Int(rootMembers[slot])
        if known < 0 || (!nodes[known].exact && nodes[node].exact) { rootMembers[slot] = Int32(node) }
    }

    /// The member `field` of the object at `parent`: the first spelled canonically, else the first.
    func member(of parent: Int, _ field: Field) -> Int? {
        if parent == Self.root {
            let known = Int(rootMembers[Int(field.rawValue)])
            return known < 0 ? nil : known
        }
        var i = parent + 1
        let end = Int(nodes[parent].end)
        var folded: Int? = nil
        while i < end {
            let node = nodes[i]
            if node.field == field.rawValue {
                if node.exact { return i }
                if folded == nil { folded = i }
            }
            i = Int(node.end)
        }
        return folded
    }

    /// The object elements of the array at `node`.
    func elements(of node: Int) -> [Int] {
        var out: [Int] = []
        var i = node + 1
        while i < Int(nodes[node].end) {
            out.append(i)
            i = Int(nodes[i].end)
        }
        return out
    }
}
