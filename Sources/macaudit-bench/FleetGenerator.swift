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

    private var namePrefix: String { site == 0 ? "" : "S\(site)" }
    private var idOffset: Int { site * 100_000_000 }

    struct Summary {
        var files: Int
        var bytes: Int
        var adapterBytes: Int
        var plantedDuplicates: Int
    }

    /// The cluster folders of a fleet written to `dir`, for the jq baseline's file list.
    static let adapterGlob = "*/*-adapters.json"

    func write(to dir: String) throws -> Summary {
        let hostCount = (adapters + adaptersPerHost - 1) / adaptersPerHost
        var files = 0, bytes = 0, adapterBytes = 0, planted = 0
        for cluster in 0..<(hostCount + hostsPerCluster - 1) / hostsPerCluster {
            let folder = String(format: "%@/%@C%03d", dir, namePrefix, cluster)
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var hostRecords: [String] = []
            var nicRecords: [String] = []
            for h in cluster * hostsPerCluster..<min(hostCount, (cluster + 1) * hostsPerCluster) {
                let host = String(format: "%@C%03d-N%02d", namePrefix, cluster, h % hostsPerCluster)
                let switchId = String(format: "5a1c0000-0000-4000-8000-%012x", h)
                var out = "[\n"
                let first = h * adaptersPerHost, last = min(adapters, first + adaptersPerHost)
                for i in first..<last {
                    var mac = macFor(i)
                    if i % 1000 == 999 { mac = macFor(i - 500); planted += 1 }
                    if faults && i % 1000 == 500 { mac = hex((0x031DD8 + UInt64(site)) << 24 + UInt64(i)); planted += 1 }
                    if faults && i % 5000 == 2500 { mac = hex(0x0000_5E00_0100 + UInt64(i / 5000 % 256)); planted += 1 }
                    let vm = String(format: "vm%07d", i)
                    out += adapterRecord(host: host, vm: vm, index: i, mac: mac, switchId: switchId)
                    out += i + 1 < last ? ",\n" : "\n"
                    if isControllerManaged(host: h, of: hostCount) { nicRecords.append(interfaceRecord(index: i, mac: mac, switchId: switchId)) }
                }
                out += "]\n"
                try out.write(toFile: "\(folder)/\(host)-adapters.json", atomically: false, encoding: .utf8)
                files += 1; bytes += out.utf8.count; adapterBytes += out.utf8.count
                let cloned = faults && h % hostsPerCluster == hostsPerCluster - 1
                let base = 0x00155D00_0000 + UInt64(cloned ? h - (hostsPerCluster - 1) : h) << 8
                hostRecords.append("""
                      {"Name": "\(host)", "ComputerName": "\(host)", "MacAddressMinimum": "\(hex(base))", "MacAddressMaximum": "\(hex(base + 0xFF))", "LogicalProcessorCount": 64}
                    """)
            }
            let hostsText = "[\n" + hostRecords.joined(separator: ",\n") + "\n]\n"
            try hostsText.write(toFile: "\(folder)/vmhosts.json", atomically: false, encoding: .utf8)
            let nicsText = "{\n  \"value\": [\n" + nicRecords.joined(separator: ",\n") + "\n  ],\n  \"nextLink\": \"\"\n}\n"
            try nicsText.write(toFile: "\(folder)/nc-networkInterfaces.json", atomically: false, encoding: .utf8)
            files += 2; bytes += hostsText.utf8.count + nicsText.utf8.count
        }
        return Summary(files: files, bytes: bytes, adapterBytes: adapterBytes, plantedDuplicates: planted)
    }

    /// Whether host `h`'s VMs are SDN-managed: whole hosts are (an SDN host's tenant VMs all have
    /// NC interfaces), spread evenly so that about `interfaces` adapters are.
    func isControllerManaged(host h: Int, of hostCount: Int) -> Bool {
        interfaces > 0 && (h * interfaces / adapters) != ((h + 1) * interfaces / adapters) || interfaces >= adapters
    }

    /// Static MACs from the seed plan's shape: 02-1D-D8 + 24-bit VM number.
    func macFor(_ i: Int) -> String { hex((0x021DD8 + UInt64(site)) << 24 + UInt64(i)) }

    func hex(_ v: UInt64) -> String { String(format: "%012llX", v) }

    func adapterRecord(host: String, vm: String, index i: Int, mac: String, switchId: String) -> String {
        let vmId = String(format: "0c3a9e6b-0000-4000-8000-%012x", i + idOffset)
        return """
          {
            "ClusterMonitored": true,
            "MacAddress": "\(mac)",
            "MediaType": 0,
            "DynamicMacAddressEnabled": false,
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
