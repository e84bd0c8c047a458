/// Where a fact came from: the file, the record's 1-based number and the line it starts on.
/// Every finding carries these so that an admin can open the export and see the evidence.
public struct SourceLocation: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var path: String
    // 32-bit storage: every adapter and interface carries one (a 4 GiB export has fewer than 2^31
    // lines; beyond that the numbers saturate rather than wrap).
    private var storedRecord: Int32
    private var storedLine: Int32
    public var record: Int { get { Int(storedRecord) } set { storedRecord = Int32(clamping: newValue) } }
    public var line: Int { get { Int(storedLine) } set { storedLine = Int32(clamping: newValue) } }

    public init(path: String, record: Int, line: Int) {
        self.path = path
        self.storedRecord = Int32(clamping: record)
        self.storedLine = Int32(clamping: line)
    }

    /// `record 12 (line 340)`, the `at` of a JSON report's evidence.
    public var description: String { line > 0 ? "record \(record) (line \(line))" : "record \(record)" }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.path, a.record) < (b.path, b.record)
    }
}

/// A MAC as an export states it: a valid address, a string that is not one (kept verbatim for the
/// `invalid-mac` finding), or nothing at all (a Dynamic NC interface before allocation).
public enum MACField: Hashable, Sendable {
    case valid(MACAddress)
    case invalid(raw: String, reason: MACParseError)
    case absent

    public init(parsing raw: String?) {
        guard let raw, !raw.isEmpty else { self = .absent; return }
        do { self = .valid(try MACAddress(parsing: raw)) } catch { self = .invalid(raw: raw, reason: error) }
    }

    /// The address when it is a real one: valid and not the all-zero placeholder.
    public var address: MACAddress? {
        if case .valid(let mac) = self, !mac.isPlaceholder { return mac }
        return nil
    }
}

/// A virtual network adapter as `Get-VMNetworkAdapter` exports it (VM NICs and host vNICs alike).
public final class Adapter: Hashable, Sendable {
    /// The Hyper-V host that reported it (`ComputerName`, else `PSComputerName`).
    public let host: String
    public let cluster: String
    /// Nil for a management-OS (host) vNIC.
    public let vmName: String?
    /// Lower-cased VM GUID. Not stored when the adapter's `Id` (`Microsoft:<VMId>\<GUID>`) holds
    /// it: 16 million adapters would otherwise keep 16 million copies of 36 characters.
    public var vmId: String? { vmIdIsInId ? Self.vmId(inAdapterId: id) : storedVMId }
    private let storedVMId: String?
    private let vmIdIsInId: Bool
    public let name: String
    /// `Microsoft:<VMId>\<GUID>`: the adapter's stable key (names are not unique within a VM).
    public let id: String?
    public let mac: MACField
    /// `DynamicMacAddressEnabled`; nil where the export does not say (host vNICs lack the field).
    public let dynamicMAC: Bool?
    public let isManagementOS: Bool
    public let switchName: String?
    /// Lower-cased switch GUID; in SDN Express it equals the NC server's resourceId.
    public let switchId: String?
    /// The access VLAN when the adapter is in access mode.
    public let vlan: Int?
    /// HNVv1 virtual subnet id (0 = none).
    public let virtualSubnetId: Int?
    public let ipAddresses: [String]
    /// True when the adapter's operational `Status` includes Ok (2) or `StatusDescription` says
    /// "OK": Hyper-V reports that only while the VM runs. Nil when the export has neither field.
    public let running: Bool?
    public let source: SourceLocation

    public convenience init(
        host: String, cluster: String = "", vmName: String? = nil, vmId: String? = nil, name: String = "Network Adapter",
        id: String? = nil, mac: MACField, dynamicMAC: Bool? = false, isManagementOS: Bool = false,
        switchName: String? = nil, switchId: String? = nil, vlan: Int? = nil, virtualSubnetId: Int? = nil,
        ipAddresses: [String] = [], running: Bool? = nil, source: SourceLocation = SourceLocation(path: "inline", record: 1, line: 1)
    ) {
        self.init(host: host, cluster: cluster, vmName: vmName, vmId: vmId, vmIdIsInId: vmId.map { Self.adapterId(id, holds: $0) } ?? false,
                  name: name, id: id, mac: mac, dynamicMAC: dynamicMAC, isManagementOS: isManagementOS, switchName: switchName,
                  switchId: switchId, vlan: vlan, virtualSubnetId: virtualSubnetId, ipAddresses: ipAddresses, running: running,
                  source: source)
    }

    /// As above, told whether the VM id is the one in `id` (the decoder compares the texts without
    /// building the VM id's string); `vmId` is kept only when it is not.
    package init(host: String, cluster: String, vmName: String?, vmId: String?, vmIdIsInId: Bool, name: String, id: String?,
         mac: MACField, dynamicMAC: Bool?, isManagementOS: Bool, switchName: String?, switchId: String?, vlan: Int?,
         virtualSubnetId: Int?, ipAddresses: [String], running: Bool?, source: SourceLocation) {
        self.host = host; self.cluster = cluster; self.vmName = vmName; self.name = name
        self.vmIdIsInId = vmIdIsInId
        self.storedVMId = vmIdIsInId ? nil : vmId
        self.id = id; self.mac = mac; self.dynamicMAC = dynamicMAC; self.isManagementOS = isManagementOS
        self.switchName = switchName; self.switchId = switchId; self.vlan = vlan
        self.virtualSubnetId = virtualSubnetId; self.ipAddresses = ipAddresses; self.running = running
        self.source = source
    }

    /// Whether `vmId(inAdapterId: id) == vmId`, without building the string in the common case
    /// (an ASCII id whose GUID has no braces or spaces).
    package static func adapterId(_ id: String?, holds vmId: String) -> Bool {
        guard var id else { return false }
        var vmId = vmId
        let fast = id.withUTF8 { b in vmId.withUTF8 { v in adapterId(UnsafeRawBufferPointer(b), holdsGUID: UnsafeRawBufferPointer(v)) } }
        return fast ?? (Self.vmId(inAdapterId: id) == vmId)
    }

    /// The same question on UTF-8 text: true when the id's 36 GUID bytes equal `v` but for the case
    /// of ASCII letters (both sides then normalise alike, braces or spaces included); false when the
    /// id is not of that form; nil otherwise, when strings must decide.
    package static func adapterId(_ b: UnsafeRawBufferPointer, holdsGUID v: UnsafeRawBufferPointer) -> Bool? {
        // `Microsoft:` (10 bytes), the 36-byte GUID, `\` and at least one more byte.
        guard b.count > 47, b[46] == UInt8(ascii: "\\"),
              b.loadUnaligned(as: UInt64.self) == Self.microsoftPrefix.0,
              b.loadUnaligned(fromByteOffset: 8, as: UInt16.self) == Self.microsoftPrefix.1 else { return false }
        guard v.count == 36 else { return nil }
        // Eight bytes at a time: 0…7, 8…15, 16…23, 24…31, then 28…35 (overlapping).
        for start in [0, 8, 16, 24, 28] {
            let x = b.loadUnaligned(fromByteOffset: 10 + start, as: UInt64.self)
            let y = v.loadUnaligned(fromByteOffset: start, as: UInt64.self)
            guard x == y || sameIgnoringLetterCase(UInt64(littleEndian: x), UInt64(littleEndian: y)) else { return nil }
        }
        return true
    }

    /// Whether two 8-byte words differ only in the case of ASCII letters.
    private static func sameIgnoringLetterCase(_ x: UInt64, _ y: UInt64) -> Bool {
        let difference = x ^ y
        guard difference & ~0x2020_2020_2020_2020 == 0 else { return false }
        var caseBits = difference
        while caseBits != 0 {
            let shift = UInt64(caseBits.trailingZeroBitCount & ~7)
            let letter = UInt8(truncatingIfNeeded: x >> shift) | 0x20
            guard letter >= UInt8(ascii: "a"), letter <= UInt8(ascii: "z") else { return false }
            caseBits &= caseBits &- 1
        }
        return true
    }

    /// `Microsoft:` as the eight and two bytes it is loaded as.
    private static let microsoftPrefix: (UInt64, UInt16) = {
        let bytes = Array("Microsoft:".utf8)
        return bytes.withUnsafeBytes { ($0.loadUnaligned(as: UInt64.self), $0.loadUnaligned(fromByteOffset: 8, as: UInt16.self)) }
    }()

    /// The lower-cased `<VMId>` of `Microsoft:<VMId>\<GUID>`, else nil.
    static func vmId(inAdapterId id: String?) -> String? {
        guard let id, id.hasPrefix("Microsoft:") else { return nil }
        let guid = id.utf8.dropFirst(10)
        guard guid.count > 37, guid.dropFirst(36).first == UInt8(ascii: "\\") else { return nil }
        return normalizedGUID(String(decoding: guid.prefix(36), as: UTF8.self))
    }

    /// The same adapter with another MAC (what a plan's move leaves): static unless told otherwise.
    public func with(mac newMAC: MACField, dynamicMAC newDynamic: Bool? = false) -> Adapter {
        Adapter(host: host, cluster: cluster, vmName: vmName, vmId: storedVMId, vmIdIsInId: vmIdIsInId, name: name, id: id,
                mac: newMAC, dynamicMAC: newDynamic, isManagementOS: isManagementOS, switchName: switchName, switchId: switchId,
                vlan: vlan, virtualSubnetId: virtualSubnetId, ipAddresses: ipAddresses, running: running, source: source)
    }

    public static func == (a: Adapter, b: Adapter) -> Bool {
        a === b || (a.host == b.host && a.cluster == b.cluster && a.vmName == b.vmName && a.vmId == b.vmId && a.name == b.name && a.id == b.id && a.mac == b.mac && a.dynamicMAC == b.dynamicMAC && a.isManagementOS == b.isManagementOS && a.switchName == b.switchName && a.switchId == b.switchId && a.vlan == b.vlan && a.virtualSubnetId == b.virtualSubnetId && a.ipAddresses == b.ipAddresses && a.running == b.running && a.source == b.source)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(id); hasher.combine(mac); hasher.combine(source) }
}

/// The Network Controller port profile of an adapter (`Get-SdnVMNetworkAdapterPortProfile` or
/// `Get-VMSwitchExtensionPortFeature` exports): `ProfileId` = `{instanceId}` of its NC interface.
public final class PortProfile: Hashable, Sendable {
    public let host: String?
    public let cluster: String
    public let vmName: String
    public let adapterName: String
    public let mac: MACField
    /// Lower-cased GUID without braces; nil when empty.
    public let profileId: String?
    /// 1 = VFP on (SDN policy), 2 = VFP off (infrastructure), 6 = logical network with DHCP.
    public let profileData: Int?
    public let source: SourceLocation

    public init(host: String? = nil, cluster: String = "", vmName: String, adapterName: String = "Network Adapter",
                mac: MACField, profileId: String?, profileData: Int? = 1,
                source: SourceLocation = SourceLocation(path: "inline", record: 1, line: 1)) {
        self.host = host; self.cluster = cluster; self.vmName = vmName; self.adapterName = adapterName
        self.mac = mac; self.profileId = profileId; self.profileData = profileData; self.source = source
    }

    /// The all-zero profile id SDN Express puts on infrastructure ports with VFP off.
    public var isNullProfile: Bool { profileId == nil || profileId == "00000000-0000-0000-0000-000000000000" }

    /// The same port profile naming another NC interface (a plan's profile repair) and the adapter's MAC.
    public func with(profileId newId: String?, mac newMAC: MACField) -> PortProfile {
        PortProfile(host: host, cluster: cluster, vmName: vmName, adapterName: adapterName, mac: newMAC, profileId: newId,
                    profileData: profileData, source: source)
    }

    public static func == (a: PortProfile, b: PortProfile) -> Bool {
        a === b || (a.host == b.host && a.cluster == b.cluster && a.vmName == b.vmName && a.adapterName == b.adapterName && a.mac == b.mac && a.profileId == b.profileId && a.profileData == b.profileData && a.source == b.source)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(vmName); hasher.combine(mac); hasher.combine(source) }
}

/// How the Network Controller gives an interface its MAC.
public enum AllocationMethod: String, Hashable, Sendable {
    case `static` = "Static"
    case dynamic = "Dynamic"
    case unknown = "Unknown"
}

/// A Network Controller `networkInterfaces` resource.
public final class ControllerInterface: Hashable, Sendable {
    public let resourceId: String
    public let cluster: String
    /// Lower-cased instance GUID: what a port profile's ProfileId names.
    public let instanceId: String?
    public let mac: MACField
    public let allocation: AllocationMethod
    public let isHostVNIC: Bool
    public let ipAddresses: [String]
    /// Lower-cased `subnet.resourceRef` of the first IP configuration (the virtual or logical subnet).
    public let subnetRef: String?
    /// Lower-cased resourceId from `server.resourceRef`: where the NC last saw it.
    public let serverId: String?
    public let source: SourceLocation

    public init(resourceId: String, cluster: String = "", instanceId: String? = nil, mac: MACField,
                allocation: AllocationMethod = .static, isHostVNIC: Bool = false, ipAddresses: [String] = [],
                subnetRef: String? = nil, serverId: String? = nil,
                source: SourceLocation = SourceLocation(path: "inline", record: 1, line: 1)) {
        self.resourceId = resourceId; self.cluster = cluster; self.instanceId = instanceId; self.mac = mac
        self.allocation = allocation; self.isHostVNIC = isHostVNIC; self.ipAddresses = ipAddresses
        self.subnetRef = subnetRef; self.serverId = serverId; self.source = source
    }

    /// The same interface with another MAC and allocation method (a plan's move sets it Static).
    public func with(mac newMAC: MACField, allocation newAllocation: AllocationMethod = .static) -> ControllerInterface {
        ControllerInterface(resourceId: resourceId, cluster: cluster, instanceId: instanceId, mac: newMAC, allocation: newAllocation,
                            isHostVNIC: isHostVNIC, ipAddresses: ipAddresses, subnetRef: subnetRef, serverId: serverId, source: source)
    }

    public static func == (a: ControllerInterface, b: ControllerInterface) -> Bool {
        a === b || (a.resourceId == b.resourceId && a.cluster == b.cluster && a.instanceId == b.instanceId && a.mac == b.mac && a.allocation == b.allocation && a.isHostVNIC == b.isHostVNIC && a.ipAddresses == b.ipAddresses && a.subnetRef == b.subnetRef && a.serverId == b.serverId && a.source == b.source)
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(resourceId); hasher.combine(mac); hasher.combine(source) }
}

/// A Network Controller `servers` resource: one Hyper-V host (its resourceId is the host's vSwitch id).
public struct ControllerServer: Hashable, Sendable {
    public var resourceId: String
    public var cluster: String
    public var managementAddresses: [String]
    public var source: SourceLocation

    public init(resourceId: String, cluster: String, managementAddresses: [String], source: SourceLocation) {
        self.resourceId = resourceId; self.cluster = cluster; self.managementAddresses = managementAddresses; self.source = source
    }
}

/// A subnet of an NC virtual or logical network, for the VLAN / virtual-subnet scope of a MAC.
public struct ControllerSubnet: Hashable, Sendable {
    /// Lower-cased resourceRef, e.g. `/virtualnetworks/vnet1/subnets/subnet1`.
    public var ref: String
    public var cluster: String
    public var vlan: Int?
    public var virtualSubnetId: Int?

    public init(ref: String, cluster: String, vlan: Int?, virtualSubnetId: Int?) {
        self.ref = ref; self.cluster = cluster; self.vlan = vlan; self.virtualSubnetId = virtualSubnetId
    }
}

/// Where a pool came from; the checks and the planner treat them differently.
public enum PoolKind: String, Hashable, Sendable, Comparable, Codable {
    /// A Hyper-V host's dynamic range (`Get-VMHost` MacAddressMinimum…Maximum).
    case hostDynamic = "host-dynamic"
    /// A Network Controller macPool.
    case controller = "nc-pool"
    /// An SCVMM MAC address pool.
    case scvmm = "scvmm-pool"
    /// Defined by the admin in `rules/pools.yaml` (a range or a plan-derived per-host range).
    case defined = "defined"
    /// A per-host range of the plan `macaudit pool suggest` designs, not yet in `rules/pools.yaml`:
    /// the planner draws from it when no defined pool applies, and a MAC inside it is accounted
    /// for, but it asks nothing of the holders of its cluster (only a defined pool does).
    case suggested = "suggested"

    public static func < (a: PoolKind, b: PoolKind) -> Bool { a.rawValue < b.rawValue }
}

/// A range of MACs that some allocator hands out, and whom it belongs to.
public struct Pool: Hashable, Sendable {
    public var name: String
    public var range: MACRange
    public var kind: PoolKind
    /// The host it serves (host pools, per-host plan ranges); nil for cluster or fleet pools.
    public var host: String?
    /// The cluster it serves; nil for fleet-wide pools.
    public var cluster: String?
    /// File (and record) that defined it.
    public var source: SourceLocation
    /// A defined pool with `strict: true`: every holder of its scope is expected inside the defined
    /// pools (a rollout), even one whose MAC its NC pool or its host's dynamic range accounts for.
    public var strict: Bool

    public init(name: String, range: MACRange, kind: PoolKind, host: String? = nil, cluster: String? = nil,
                source: SourceLocation = SourceLocation(path: "inline", record: 1, line: 1), strict: Bool = false) {
        self.name = name; self.range = range; self.kind = kind; self.host = host; self.cluster = cluster
        self.source = source; self.strict = strict
    }

    /// True when the pool serves `host` of `cluster`: a pool of that host, of the cluster, or of the fleet.
    public func serves(host h: String, cluster c: String) -> Bool {
        if let cluster, cluster != c { return false }
        if let host { return HostName.key(host) == HostName.key(h) }
        return true
    }
}

extension Pool {
    /// What a pool hands out, whatever it is called: kind, cluster, host (by ``HostName/key(_:)``)
    /// and range. One export read twice, or a pool imported into the database and read from its
    /// export again (the database prefixes an NC pool's name with its cluster), has one allocation.
    public struct Allocation: Hashable, Sendable, CustomStringConvertible {
        public var kind: PoolKind
        public var cluster: String
        public var host: String
        public var range: MACRange
        public var description: String { "\(kind.rawValue)|\(cluster)|\(host)|\(range)" }
    }

    public var allocation: Allocation {
        Allocation(kind: kind, cluster: cluster ?? "", host: host.map(HostName.key) ?? "", range: range)
    }
}

/// Everything read from the inputs, before reconciling.
public struct Inventory: Sendable {
    public var adapters: [Adapter] = []
    public var portProfiles: [PortProfile] = []
    public var interfaces: [ControllerInterface] = []
    public var servers: [ControllerServer] = []
    public var subnets: [ControllerSubnet] = []
    public var pools: [Pool] = []

    public init(adapters: [Adapter] = [], portProfiles: [PortProfile] = [], interfaces: [ControllerInterface] = [],
                servers: [ControllerServer] = [], subnets: [ControllerSubnet] = [], pools: [Pool] = []) {
        self.adapters = adapters; self.portProfiles = portProfiles; self.interfaces = interfaces
        self.servers = servers; self.subnets = subnets; self.pools = pools
    }

    public mutating func merge(_ other: Inventory) {
        adapters += other.adapters
        portProfiles += other.portProfiles
        interfaces += other.interfaces
        servers += other.servers
        subnets += other.subnets
        pools += other.pools
    }
}
