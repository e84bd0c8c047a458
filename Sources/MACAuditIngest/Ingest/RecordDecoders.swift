import MACAuditModel
#if canImport(Glibc)
import Glibc
#endif
/// Turns classified records into inventory values. Each decoder reads only the fields macaudit uses
/// and treats every nested setting as possibly cut off by `ConvertTo-Json -Depth`.
enum RecordDecoders {
    /// `VMNetworkAdapterVlanMode` as ConvertTo-Json writes it without `-EnumsAsStrings`.
    static let vlanModes = [0: "Untagged", 1: "Access", 2: "Trunk", 3: "Private"]

    /// The reporting host: `ComputerName`, or `PSComputerName` when collected through Invoke-Command.
    static func host(_ f: RecordFields) throws -> String? {
        try f.string(.computerName) ?? f.string(.psComputerName)
    }

    static func adapter(_ f: RecordFields, cluster: String) throws -> Adapter {
        var strings = StringInterner()
        return try adapter(f, cluster: cluster, strings: &strings)
    }

    /// As above, sharing one copy of the values that repeat across a file (host, switch).
    static func adapter(_ f: RecordFields, cluster: String, strings: inout StringInterner) throws -> Adapter {
        let vmName = try f.string(.vmName)
        let isManagementOS = try f.bool(.isManagementOs) ?? (vmName == nil)
        let id = try f.string(.id)
        // Hyper-V's Id is `Microsoft:<VMId>\<GUID>`: when the texts say so, the VM id is not built.
        let vmIdIsInId = try f.guidText(.vmId, isInAdapterId: id)
        return Adapter(
            host: strings.intern(try host(f) ?? ""),
            cluster: cluster,
            vmName: isManagementOS ? nil : vmName,
            vmId: vmIdIsInId ? nil : try f.guid(.vmId),
            vmIdIsInId: vmIdIsInId,
            name: try f.string(.name) ?? "",
            id: id,
            mac: try f.mac(.macAddress),
            dynamicMAC: try f.bool(.dynamicMacAddressEnabled),
            isManagementOS: isManagementOS,
            switchName: try f.string(.switchName, interningIn: &strings),
            switchId: try f.guid(.switchId, interningIn: &strings),
            vlan: try accessVLAN(f),
            virtualSubnetId: try f.int(.virtualSubnetId).flatMap { $0 == 0 ? nil : $0 },
            ipAddresses: try f.strings(.ipAddresses),
            running: running(f),
            source: f.location
        )
    }

    /// Whether the adapter's VM runs, from its operational status: `Status` holds Ok (2, or "Ok"
    /// with -EnumsAsStrings or as a flattened column) or `StatusDescription` holds "OK". Hyper-V
    /// reports an empty status for the adapters of a VM that is off. Nil when neither field is there.
    static func running(_ f: RecordFields) -> Bool? {
        guard f.has(.status) || f.has(.statusDescription) else { return nil }
        func isOk(_ v: JSONValue) -> Bool {
            switch v {
            case .number(let n): return n == 2
            case .string(let s): return s.split(separator: " ").contains { $0.lowercased() == "ok" }
            case .array(let items): return items.contains(where: isOk)
            default: return false
            }
        }
        return f.contains(.status, where: isOk) || f.contains(.statusDescription, where: isOk)
    }

    /// The access VLAN, from an expanded `VlanSetting` or from the flat `VlanMode`/`AccessVlanId`
    /// columns of the collection command the README recommends.
    static func accessVLAN(_ f: RecordFields) throws -> Int? {
        let setting = f.child(.vlanSetting)
        // The mode as ConvertTo-Json writes it, a number, is compared as one (1 = Access).
        let numberedMode = setting?.plainInt(.operationMode)
        let mode = numberedMode != nil ? nil : try setting?.enumName(.operationMode, names: vlanModes) ?? f.enumName(.vlanMode, names: vlanModes)
        let vlan = try setting?.int(.accessVlanId) ?? f.int(.accessVlanId)
        guard let vlan, vlan != 0 else { return nil }
        if let numberedMode { return numberedMode == 1 ? vlan : nil }
        if let mode, mode != "Access", mode.lowercased() != "access" { return nil }
        return vlan
    }

    static func portProfile(_ f: RecordFields, cluster: String) throws -> PortProfile {
        // Get-VMSwitchExtensionPortFeature puts the profile under SettingData.
        let settings = f.child(.settingData) ?? f
        return PortProfile(
            host: try host(f),
            cluster: cluster,
            vmName: try f.string(.vmName) ?? "",
            adapterName: try f.string(.name) ?? f.string(.adapterName) ?? "",
            mac: try f.mac(.macAddress),
            profileId: try settings.guid(.profileId),
            profileData: try settings.int(.profileData),
            source: f.location
        )
    }

    static func hostPool(_ f: RecordFields, cluster: String) throws -> Pool {
        let host = try f.string(.name) ?? f.string(.computerName) ?? f.string(.psComputerName) ?? ""
        let range = try range(f, lowerKey: .macAddressMinimum, upperKey: .macAddressMaximum)
        return Pool(name: "\(host) dynamic", range: range, kind: .hostDynamic, host: host, cluster: cluster, source: f.location)
    }

    static func scvmmPool(_ f: RecordFields, cluster: String) throws -> Pool {
        let name = try f.string(.name) ?? "SCVMM pool \(f.location.record)"
        let range = try range(f, lowerKey: .macAddressRangeStart, upperKey: .macAddressRangeEnd)
        return Pool(name: name, range: range, kind: .scvmm, cluster: cluster, source: f.location)
    }

    static func controllerPool(_ f: RecordFields, cluster: String) throws -> Pool? {
        guard let properties = f.child(.properties) else { return nil }
        let range = try range(properties, lowerKey: .startMacAddress, upperKey: .endMacAddress)
        let name = try f.string(.resourceId) ?? "macPool \(f.location.record)"
        return Pool(name: name, range: range, kind: .controller, cluster: cluster, source: f.location)
    }

    static func range(_ f: RecordFields, lowerKey: Field, upperKey: Field) throws -> MACRange {
        func bound(_ key: Field) throws -> MACAddress {
            switch try f.mac(key) {
            case .valid(let mac): return mac
            case .absent: throw IngestError(location: f.location, path: "\(f.path).\(key.name)", message: "the pool has no \(key.name)")
            case .invalid(let raw, let reason):
                throw IngestError(location: f.location, path: "\(f.path).\(key.name)", message: "'\(raw)' is not a MAC address: it \(reason)")
            }
        }
        let lower = try bound(lowerKey), upper = try bound(upperKey)
        guard let range = MACRange(lower, upper) else {
            throw IngestError(location: f.location, path: f.path, message: "the pool's \(lowerKey.name) \(lower) is above its \(upperKey.name) \(upper)")
        }
        return range
    }

    static func controllerInterface(_ f: RecordFields, cluster: String) throws -> ControllerInterface? {
        var strings = StringInterner()
        return try controllerInterface(f, cluster: cluster, strings: &strings)
    }

    /// As above, sharing one copy of the values that repeat across a file (subnet, server).
    static func controllerInterface(_ f: RecordFields, cluster: String, strings: inout StringInterner) throws -> ControllerInterface? {
        guard let p = f.child(.properties) else { return nil }
        let configurations = p.children(.ipConfigurations).compactMap { $0.child(.properties) }
        let allocation = try p.string(.privateMacAllocationMethod).map {
            AllocationMethod(rawValue: $0) ?? AllocationMethod(rawValue: $0.capitalized) ?? .unknown
        } ?? .unknown
        return ControllerInterface(
            resourceId: try f.string(.resourceId) ?? f.string(.resourceRef) ?? "",
            cluster: cluster,
            instanceId: try f.guid(.instanceId),
            mac: try p.mac(.privateMacAddress),
            allocation: allocation,
            isHostVNIC: try p.bool(.isHostVirtualNetworkInterface) ?? false,
            ipAddresses: try configurations.compactMap { c throws in try c.string(.privateIPAddress) },
            subnetRef: strings.intern(try configurations.first?.child(.subnet)?.string(.resourceRef)?.asciiLowercased),
            serverId: strings.intern(try p.child(.server)?.string(.resourceRef).flatMap(lastSegment)),
            source: f.location
        )
    }

    static func server(_ f: RecordFields, cluster: String) throws -> ControllerServer {
        var addresses: [String] = []
        for connection in f.child(.properties)?.children(.connections) ?? [] {
            addresses += try connection.strings(.managementAddresses)
        }
        return ControllerServer(resourceId: (try f.string(.resourceId) ?? "").lowercased(), cluster: cluster,
                                managementAddresses: addresses, source: f.location)
    }

    /// The subnets of a virtual or logical network, with their VLAN (`vlanID`, often a string) or VSID.
    static func subnets(_ f: RecordFields, cluster: String) throws -> [ControllerSubnet] {
        var out: [ControllerSubnet] = []
        for subnet in f.child(.properties)?.children(.subnets) ?? [] {
            guard let ref = try subnet.string(.resourceRef) else { continue }
            let p = subnet.child(.properties)
            out.append(ControllerSubnet(ref: ref.lowercased(), cluster: cluster,
                                        vlan: try p?.int(.vlanID).flatMap { $0 == 0 ? nil : $0 },
                                        virtualSubnetId: try p?.int(.vsid)))
        }
        return out
    }

    /// `/servers/19744aa5-…` → `19744aa5-…`, lower-cased.
    static func lastSegment(_ ref: String) -> String? {
        var ref = ref
        return ref.withUTF8 { b in
            var end = b.count
            if end > 0, b[end - 1] == UInt8(ascii: "/") { end -= 1 }
            var start = end
            while start > 0, b[start - 1] != UInt8(ascii: "/") { start -= 1 }
            return start == end ? nil : String(lowercasing: UnsafeBufferPointer(rebasing: b[start..<end]))
        }
    }
}

/// One shared copy of each repeated string of a file. Strings of up to 15 UTF-8 bytes live inside
/// the `String` value itself and are returned as they are; longer ones would each own a heap buffer,
/// which across a million adapters naming the same few switches is most of the model's memory.
struct StringInterner {
    private var table: [String: String] = [:]
    /// Recent answers in 64 slots picked by a few of their bytes: a file names a few switches,
    /// servers and subnets over and over, and comparing with one candidate is cheaper than hashing.
    private var recent = [String](repeating: "", count: 64)

    mutating func intern(_ s: String) -> String {
        guard s.utf8.count > 15 else { return s }
        var copy = s
        let slot = copy.withUTF8 { Self.slot(UnsafeRawBufferPointer($0)) }
        if recent[slot] == s { return recent[slot] }
        let shared: String
        if let known = table[s] { shared = known } else { shared = s; table[s] = s }
        recent[slot] = shared
        return shared
    }

    mutating func intern(_ s: String?) -> String? { s.map { intern($0) } }

    /// The recent value whose UTF-8 is `bytes`, if any (nil for text of 15 bytes or fewer: such
    /// strings are never shared, and an empty value reads as absent).
    func recent(matching bytes: UnsafeRawBufferPointer) -> String? {
        guard bytes.count > 15 else { return nil }
        var candidate = recent[Self.slot(bytes)]
        let same = candidate.utf8.count == bytes.count
            && candidate.withUTF8 { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
        return same ? candidate : nil
    }

    /// The slot of a string longer than 15 bytes, from its length and three of its bytes (ids and
    /// refs differ at the end).
    private static func slot(_ b: UnsafeRawBufferPointer) -> Int {
        let n = b.count
        return Int((UInt(n) &* 131 &+ UInt(b[n - 1]) &* 31 &+ UInt(b[n - 2]) &* 7 &+ UInt(b[n / 2])) & 63)
    }
}
