import Foundation
import Testing
@testable import MACAuditIngest
@testable import MACAuditModel

/// The collector's property lists (``CollectedFields``) against the decoders: every property the
/// collector writes is one the decoders read (leaving it out changes what is decoded), and every
/// Hyper-V field the reader keeps is either collected or a documented alternate.
struct CollectedFieldsTests {
    /// Rows as the collector writes them: a VM adapter on a trunk, a host vNIC on an access VLAN.
    static var adapterRows: [[String: Any]] { [
        ["ComputerName": "HV01", "VMName": "web1", "VMId": "6f225311-b793-49cf-98a3-0a32108e49bb", "Name": "Network Adapter",
         "Id": "Microsoft:6F225311-B793-49CF-98A3-0A32108E49BB\\1A2B3C4D-0000-4000-8000-000000000001", "IsManagementOs": false,
         "MacAddress": "02AA00000001", "DynamicMacAddressEnabled": false, "SwitchName": "SDN", "SwitchId": "19744aa5-1111-4222-8333-444455556666",
         "VlanMode": "Trunk", "AccessVlanId": 12, "VirtualSubnetId": 5001, "IPAddresses": ["10.0.0.5"], "Status": [2]],
        ["ComputerName": "HV01", "VMName": "HV01", "VMId": NSNull(), "Name": "Management", "Id": "Microsoft:1A2B3C4D-0000-4000-8000-0000000000AA",
         "IsManagementOs": true, "MacAddress": "00155D010203", "DynamicMacAddressEnabled": true, "SwitchName": "SDN",
         "SwitchId": "19744aa5-1111-4222-8333-444455556666", "VlanMode": "Access", "AccessVlanId": 7, "VirtualSubnetId": 0,
         "IPAddresses": [], "Status": [2]],
    ] }
    static var hostRows: [[String: Any]] { [["Name": "HV01", "MacAddressMinimum": "00155D010200", "MacAddressMaximum": "00155D0102FF"]] }
    static var profileRows: [[String: Any]] { [
        ["ComputerName": "HV01", "VMName": "web1", "Name": "Network Adapter", "MacAddress": "02AA00000001",
         "ProfileId": "{ba4fa6d0-dcf9-4006-b133-be870575b71f}", "ProfileData": 1],
    ] }

    /// The three Hyper-V exports the collector writes.
    enum Export: String, CaseIterable, Sendable {
        case adapters, hosts, portProfiles
        var properties: [String] {
            switch self {
            case .adapters: CollectedFields.adapters
            case .hosts: CollectedFields.hosts
            case .portProfiles: CollectedFields.portProfiles
            }
        }
        var rows: [[String: Any]] {
            switch self {
            case .adapters: CollectedFieldsTests.adapterRows
            case .hosts: CollectedFieldsTests.hostRows
            case .portProfiles: CollectedFieldsTests.profileRows
            }
        }
    }

    /// What one export decodes to, as comparable text.
    static func decoded(_ rows: [[String: Any]]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.sortedKeys])
        let inventory = try ExportFile.read(bytes: Array(data), path: "export.json", cluster: "C1").inventory
        return "\(inventory.adapters.map(describe))|\(inventory.pools)|\(inventory.portProfiles.map(describe))"
    }

    static func describe(_ a: Adapter) -> String {
        "\(a.host) \(a.vmName ?? "-") \(a.vmId ?? "-") \(a.name) \(a.id ?? "-") \(a.mac) \(a.dynamicMAC.map(String.init) ?? "-") \(a.isManagementOS) "
            + "\(a.switchName ?? "-") \(a.switchId ?? "-") \(a.vlan.map(String.init) ?? "-") \(a.virtualSubnetId.map(String.init) ?? "-") \(a.ipAddresses) \(a.running.map(String.init) ?? "-")"
    }

    static func describe(_ p: PortProfile) -> String {
        "\(p.host ?? "-") \(p.vmName) \(p.adapterName) \(p.mac) \(p.profileId ?? "-") \(p.profileData.map(String.init) ?? "-")"
    }

    @Test(arguments: Export.allCases)
    func everyCollectedPropertyIsRead(export: Export) throws {
        let properties = export.properties, rows = export.rows
        #expect(Set(rows.flatMap(\.keys)) == Set(properties), "the sample rows of \(export) have exactly the collected properties")
        let whole = try Self.decoded(rows)
        for property in properties {
            let without = rows.map { $0.filter { $0.key != property } }
            let decoded = try? Self.decoded(without)
            #expect(decoded != whole, "\(export): leaving out \(property) changes nothing the audit sees, so the collector need not collect it")
        }
    }

    @Test func everyHyperVFieldIsCollectedOrAnAlternate() {
        let known = Set(CollectedFields.adapters + CollectedFields.hosts + CollectedFields.portProfiles + CollectedFields.alternates)
        for field in CollectedFields.hypervFields {
            #expect(known.contains(field), "the reader keeps \(field) but neither the collector collects it nor is it a listed alternate")
        }
        #expect(Set(CollectedFields.alternates).isDisjoint(with: CollectedFields.adapters + CollectedFields.hosts + CollectedFields.portProfiles))
    }

    @Test func theControllerCollectionsAreTheOnesTheIngestTellsApart() {
        let kinds = CollectedFields.controllerResources.map { ExportKind.ncKind(resourceRef: "/\($0)/x") }
        #expect(kinds == [.ncNetworkInterfaces, .ncMacPools, .ncVirtualNetworks, .ncLogicalNetworks, .ncServers])
    }
}
