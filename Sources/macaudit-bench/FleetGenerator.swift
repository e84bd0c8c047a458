import Foundation
import MACAudit

/// Writes a synthetic fleet as the exports admins produce, one folder per cluster (16 hosts, as the
/// seed plan has): per host a `Get-VMNetworkAdapter` file (`<host>-adapters.json`, PowerShell 7
/// layout, the full property set at default depth), per cluster one `Get-VMHost` file and the
/// cluster's NC `networkInterfaces` collection for its SDN-managed share of the adapters.
///
/// Deterministic for a given size. Plants duplicates (one adapter in 1,000 reuses another's MAC)
/// so that the audit and the jq baseline both have something to find.
struct FleetGenerator {
    var adapters: Int
    var interfaces: Int
    var adaptersPerHost = 250
    var hostsPerCluster = 16
    /// Another site of the same shape: its clusters, hosts, VM ids and MACs (prefix 02-1D-D8 + site)
    /// differ from site 0's, so two sites can share one pool database without colliding.
    var site = 0
    /// Also plants what a plan must fix beside duplicates: a multicast (group-bit) MAC on one adapter
    /// in 1,000, a VRRP MAC on one in 5,000, and in every cluster its last host cloned from its
    /// first (the same dynamic range).
    var faults = false
    /// Every SDN host also has its port-profile export (`portprofiles-<host>.json`, the collector's
    /// shape: ComputerName, VMName, Name, MacAddress, ProfileId, ProfileData), one profile per
    /// adapter, ProfileId = `{instanceId}` of its NC interface — as every SDN host has in the field.
    var portProfiles = false
    /// A neglected fleet's first audit, where tens of percent of holders have a finding: per cluster
    /// an NC macPool that none of the static MACs is in (an info `out-of-pool` for every NC
    /// interface), and of every 100 adapters 5 share a MAC with an adapter of the previous host, 2
    /// have a multicast MAC, and on SDN hosts 2 have an NC interface with another MAC, 2 a stale
    /// port profile and 2 a dynamic MAC.
    var messy = false
    /// Sites that draw on one central pool: every site's static MACs share one prefix (02-1D-D8)
    /// and alternate with the other site's (site 0 the even numbers, site 1 the odd), so each
    /// export's MAC range spans the other site's MACs.
    var interleaved = false

    private var namePrefix: String { site == 0 ? "" : "S\(site)" }
    private var idOffset: Int { site * 100_000_000 }

    struct Summary {
        var files: Int
        var bytes: Int
        var adapterBytes: Int
        var plantedDuplicates: Int
        var interfaces = 0
        var portProfiles = 0
    }

    /// The cluster folders of a fleet written to `dir`, for the jq baseline's file list.
    static let adapterGlob = "*/*-adapters.json"

    /// The fleet in `dir`: written once, then read back from its summary file (`DIR.fleet` beside
    /// the folder, where the audit does not read it; written last, so an interrupted generation is
    /// started again) as long as the shape is the same.
    func writeOnce(to dir: String) throws -> Summary {
        let marker = "\(dir).fleet"
        let shape = "\(adapters) \(interfaces) \(adaptersPerHost) \(hostsPerCluster) \(site) \(faults) \(portProfiles) \(messy)" + (interleaved ? " interleaved" : "")
        if let text = try? String(contentsOfFile: marker, encoding: .utf8) {
            let lines = text.split(separator: "\n").map(String.init)
            let n = lines.count == 2 ? lines[1].split(separator: " ").compactMap { Int($0) } : []
            if lines.first == shape, n.count == 6 {
                return Summary(files: n[0], bytes: n[1], adapterBytes: n[2], plantedDuplicates: n[3], interfaces: n[4], portProfiles: n[5])
            }
        }
        // Another shape's files must not stay behind: the folder is the benchmark's own.
        try? FileManager.default.removeItem(atPath: dir)
        let s = try write(to: dir)
        try "\(shape)\n\(s.files) \(s.bytes) \(s.adapterBytes) \(s.plantedDuplicates) \(s.interfaces) \(s.portProfiles)\n"
            .write(toFile: marker, atomically: true, encoding: .utf8)
        return s
    }

    func write(to dir: String) throws -> Summary {
        let hostCount = (adapters + adaptersPerHost - 1) / adaptersPerHost
        var files = 0, bytes = 0, adapterBytes = 0, planted = 0, interfaceCount = 0, profileCount = 0
        for cluster in 0..<(hostCount + hostsPerCluster - 1) / hostsPerCluster {
            let folder = String(format: "%@/%@C%03d", dir, namePrefix, cluster)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var hostRecords: [String] = []
            var nicRecords: [String] = []
            for h in cluster * hostsPerCluster..<min(hostCount, (cluster + 1) * hostsPerCluster) {
                let host = String(format: "%@C%03d-N%02d", namePrefix, cluster, h % hostsPerCluster)
                let switchId = String(format: "5a1c0000-0000-4000-8000-%012x", h)
                let sdn = isControllerManaged(host: h, of: hostCount)
                var out = "[\n"
                var profiles: [String] = []
                let first = h * adaptersPerHost, last = min(adapters, first + adaptersPerHost)
                for i in first..<last {
                    var mac = macFor(i)
                    if i % 1000 == 999 { mac = macFor(i - 500); planted += 1 }
                    if faults && i % 1000 == 500 { mac = hex((0x031DD8 + UInt64(site)) << 24 + UInt64(i)); planted += 1 }
                    if faults && i % 5000 == 2500 { mac = hex(0x0000_5E00_0100 + UInt64(i / 5000 % 256)); planted += 1 }
                    var fault = MessyFault.none
                    if messy { fault = MessyFault(index: i, sdn: sdn, firstHost: h % hostsPerCluster == 0) }
                    switch fault {
                    case .duplicate: mac = macFor(i - adaptersPerHost); planted += 1
                    case .multicast: mac = hex((0x031DD8 + UInt64(site)) << 24 + UInt64(i)); planted += 1
                    default: break
                    }
                    let vm = String(format: "vm%07d", i)
                    out += adapterRecord(host: host, vm: vm, index: i, mac: mac, switchId: switchId, dynamic: fault == .dynamic)
                    out += i + 1 < last ? ",\n" : "\n"
                    if sdn {
                        let nicMAC = fault == .controllerMismatch ? hex(macBase + 0x80_0000 * (interleaved ? 2 : 1) + macStep * UInt64(i)) : mac
                        nicRecords.append(interfaceRecord(index: i, mac: nicMAC, switchId: switchId))
                        if portProfiles { profiles.append(portProfileRecord(host: host, vm: vm, index: i, mac: mac, stale: fault == .staleProfile)) }
                    }
                }
                out += "]\n"
                try out.write(toFile: "\(folder)/\(host)-adapters.json", atomically: false, encoding: .utf8)
                files += 1; bytes += out.utf8.count; adapterBytes += out.utf8.count
                profileCount += profiles.count
                if !profiles.isEmpty {
                    let text = "[\n" + profiles.joined(separator: ",\n") + "\n]\n"
                    try text.write(toFile: "\(folder)/portprofiles-\(host).json", atomically: false, encoding: .utf8)
                    files += 1; bytes += text.utf8.count
                }
                let cloned = faults && h % hostsPerCluster == hostsPerCluster - 1
                let base = 0x00155D00_0000 + UInt64(cloned ? h - (hostsPerCluster - 1) : h) << 8
                hostRecords.append("""
                      {"Name": "\(host)", "ComputerName": "\(host)", "MacAddressMinimum": "\(hex(base))", "MacAddressMaximum": "\(hex(base + 0xFF))", "LogicalProcessorCount": 64}
                    """)
            }
            let hostsText = "[\n" + hostRecords.joined(separator: ",\n") + "\n]\n"
            try hostsText.write(toFile: "\(folder)/vmhosts.json", atomically: false, encoding: .utf8)
            interfaceCount += nicRecords.count
            let nicsText = "{\n  \"value\": [\n" + nicRecords.joined(separator: ",\n") + "\n  ],\n  \"nextLink\": \"\"\n}\n"
            try nicsText.write(toFile: "\(folder)/nc-networkInterfaces.json", atomically: false, encoding: .utf8)
            files += 2; bytes += hostsText.utf8.count + nicsText.utf8.count
            if messy {
                // The controller's pool, which the static MACs (02-1D-D8-00-…) were never taken from.
                let pools = """
                {"value": [{"resourceRef": "/macPools/DefaultMacPool", "resourceId": "DefaultMacPool", "instanceId": "f2ab8569-7570-57d8-9065-\(String(format: "%012x", cluster))",
                  "properties": {"provisioningState": "Succeeded", "startMacAddress": "00-1D-D8-B7-1C-00", "endMacAddress": "00-1D-D8-F4-FF-FF"}}]}

                """
                try pools.write(toFile: "\(folder)/nc-macPools.json", atomically: false, encoding: .utf8)
                files += 1; bytes += pools.utf8.count
            }
        }
        return Summary(files: files, bytes: bytes, adapterBytes: adapterBytes, plantedDuplicates: planted, interfaces: interfaceCount, portProfiles: profileCount)
    }

    /// Whether host `h`'s VMs are SDN-managed: whole hosts are (an SDN host's tenant VMs all have
    /// NC interfaces), spread evenly so that about `interfaces` adapters are.
    func isControllerManaged(host h: Int, of hostCount: Int) -> Bool {
        interfaces > 0 && (h * interfaces / adapters) != ((h + 1) * interfaces / adapters) || interfaces >= adapters
    }

    /// Static MACs from the seed plan's shape: 02-1D-D8 + 24-bit VM number.
    func macFor(_ i: Int) -> String { hex(macBase + macStep * UInt64(i)) }

    /// VM number 0's MAC and the step between VM numbers.
    private var macBase: UInt64 { interleaved ? 0x021DD8 << 24 + UInt64(site) : (0x021DD8 + UInt64(site)) << 24 }
    private var macStep: UInt64 { interleaved ? 2 : 1 }

    /// The site's MAC pool, as its Network Controller hands static MACs out: every address under
    /// its prefix (`pool add` arguments: name, first, last).
    var macPool: [String] {
        let prefix: UInt64 = interleaved ? 0x021DD8 << 24 : (0x021DD8 + UInt64(site)) << 24
        return [interleaved ? "central" : "site\(site)", hex(prefix), hex(prefix + 0xFF_FFFF)]
    }

    func hex(_ v: UInt64) -> String { String(format: "%012llX", v) }

    /// What a messy fleet plants on adapter `i` (5 + 2 + 3 × 2 of every 100 on SDN hosts).
    enum MessyFault {
        case none, duplicate, multicast, controllerMismatch, staleProfile, dynamic

        init(index i: Int, sdn: Bool, firstHost: Bool) {
            switch i % 100 {
            case 3, 23, 43, 63, 83: self = firstHost ? .none : .duplicate
            case 11, 61: self = .multicast
            case 17, 67: self = sdn ? .controllerMismatch : .none
            case 29, 79: self = sdn ? .staleProfile : .none
            case 37, 87: self = sdn ? .dynamic : .none
            default: self = .none
            }
        }
    }

    /// The collector's port-profile row for adapter `i`: its NC interface's instance id, or for a
    /// stale profile one no interface has.
    func portProfileRecord(host: String, vm: String, index i: Int, mac: String, stale: Bool) -> String {
        let instance = String(format: stale ? "dead0000-0000-4000-8000-%012x" : "1b5c0000-0000-4000-8000-%012x", i + idOffset)
        return """
          {
            "ComputerName": "\(host)",
            "VMName": "\(vm)",
            "Name": "Network Adapter",
            "MacAddress": "\(mac)",
            "ProfileId": "{\(instance)}",
            "ProfileData": 1
          }
        """
    }

    func adapterRecord(host: String, vm: String, index i: Int, mac: String, switchId: String, dynamic: Bool = false) -> String {
        let vmId = String(format: "0c3a9e6b-0000-4000-8000-%012x", i + idOffset)
        return """
          {
            "ClusterMonitored": true,
            "MacAddress": "\(mac)",
            "MediaType": 0,
            "DynamicMacAddressEnabled": \(dynamic),
            "IsLegacy": false,
            "IsSynthetic": true,
            "IPAddresses": ["10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)", "fe80::\(String(i, radix: 16))"],
            "PoolName": "Primordial",
            "Connected": true,
            "SwitchName": "ConvergedSwitch(compute)",
            "AdapterId": "\(vmId.uppercased())",
            "StatusDescription": ["OK"],
            "Status": [2],
            "IsManagementOs": false,
            "IsExternalAdapter": false,
            "Id": "Microsoft:\(vmId.uppercased())\\\\2F1E3D4C-5B6A-4789-8A7B-6C5D4E3F2A1B",
            "SwitchId": "\(switchId)",
            "VlanSetting": {"OperationMode": 1, "AccessVlanId": \(10 + i % 50), "NativeVlanId": 0, "ParentAdapter": "VMNetworkAdapter (Name = 'Network Adapter', VMName = '\(vm)') [VMId = '\(vmId)']", "CimSession": "CimSession: ."},
            "MacAddressSpoofing": 1,
            "DhcpGuard": 1,
            "RouterGuard": 1,
            "VirtualSubnetId": 0,
            "Name": "Network Adapter",
            "VMId": "\(vmId)",
            "VMName": "\(vm)",
            "VMSnapshotId": "00000000-0000-0000-0000-000000000000",
            "VMSnapshotName": "",
            "ComputerName": "\(host)",
            "IsDeleted": false
          }
        """
    }

    func interfaceRecord(index i: Int, mac: String, switchId: String) -> String {
        let rid = String(format: "%@vm%07d-nic", namePrefix, i)
        let instance = String(format: "1b5c0000-0000-4000-8000-%012x", i + idOffset)
        return """
            {
              "resourceRef": "/networkInterfaces/\(rid)",
              "resourceId": "\(rid)",
              "etag": "W/\\"\(instance)\\"",
              "instanceId": "\(instance)",
              "properties": {
                "provisioningState": "Succeeded",
                "privateMacAddress": "\(mac)",
                "privateMacAllocationMethod": "Static",
                "isHostVirtualNetworkInterface": false,
                "isPrimary": true,
                "ipConfigurations": [{"resourceId": "ip1", "properties": {"privateIPAddress": "10.\(i >> 16 & 255).\(i >> 8 & 255).\(i & 255)", "privateIPAllocationMethod": "Static", "subnet": {"resourceRef": "/virtualNetworks/vnet\(i % 50)/subnets/s1"}}}],
                "server": {"resourceRef": "/servers/\(switchId)"}
              }
            }
        """
    }
}
