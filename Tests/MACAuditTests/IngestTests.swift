import Foundation
import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

@Suite struct IngestTests {
    /// Every real Network Controller export in ../shared/samples/nc ingests, in all three encodings
    /// and envelopes, with the record counts of the files (as Python's json module counts them).
    @Test(arguments: [
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/networkInterfaces.json", "nc-network-interfaces", 6, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/macPools.json", "nc-mac-pools", 1, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/servers.json", "nc-servers", 3, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/virtualNetworks.json", "nc-virtual-networks", 1, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/logicalNetworks.json", "nc-logical-networks", 4, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/accessControlLists.json", "empty", 0, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/virtualServers.json", "nc-other", 4, "UTF-16LE"),
        ("nc-sdndiagnostics-2021-real-ps51-utf16le/loadBalancerMuxes.json", "nc-other", 2, "UTF-16LE"),
        ("nc-sdndiagnostics-2026-mock-utf8/networkInterfaces.json", "nc-network-interfaces", 4, "UTF-8"),
        ("nc-sdndiagnostics-2026-mock-utf8/macPools.json", "nc-mac-pools", 1, "UTF-8"),
        ("nc-sdndiagnostics-2026-mock-utf8/servers.json", "nc-servers", 4, "UTF-8"),
        ("nc-sdndiagnostics-2026-mock-utf8/virtualNetworks.json", "nc-virtual-networks", 1, "UTF-8"),
        ("nc-hnvclient-2016-rest-utf8/network_interfaces.json", "nc-network-interfaces", 14, "UTF-8"),
        ("nc-hnvclient-2016-rest-utf8/logical_networks.json", "nc-logical-networks", 1, "UTF-8"),
        ("nc-hnvclient-2016-rest-utf8/virtual_networks.json", "nc-virtual-networks", 2, "UTF-8"),
    ])
    func realControllerExportsIngest(_ file: String, _ kind: String, _ records: Int, _ encoding: String) throws {
        let path = "\(Repo.sharedSamples)/\(file)"
        try #require(FileManager.default.fileExists(atPath: path), "sample \(file) is missing")
        let result = try ExportFile.read(path: path, cluster: "lab")
        #expect(result.summary.kind == kind)
        #expect(result.summary.records == records)
        #expect(result.summary.encoding == encoding)
    }

    @Test(arguments: [
        (#""Status": [2], "StatusDescription": ["OK"]"#, true),
        (#""Status": [], "StatusDescription": []"#, false),   // the adapter of a VM that is off
        (#""Status": ["Ok"]"#, true),                          // -EnumsAsStrings
        (#""Status": "Ok""#, true),                            // the flattened column of the README's command
        (#""Status": [10]"#, false),                           // Stopped
        (#""VMId": "x""#, nil),
    ] as [(String, Bool?)])
    func runningComesFromTheAdaptersOperationalStatus(_ fields: String, _ running: Bool?) throws {
        let r = try readExport(#"[{"MacAddress": "00155D010203", "VMName": "vm", "ComputerName": "HV1", "#+fields+"}]")
        #expect(r.inventory.adapters.first?.running == running)
    }

    @Test func realInterfacesKeepTheirMACsAndJoinKeys() throws {
        let result = try ExportFile.read(path: "\(Repo.sharedSamples)/nc-sdndiagnostics-2021-real-ps51-utf16le/networkInterfaces.json", cluster: "lab")
        let nic = try #require(result.inventory.interfaces.first { $0.resourceId == "tenantvm1" })
        #expect(nic.mac == .valid(try MACAddress(parsing: "001122334455")))
        #expect(nic.allocation == .static)
        #expect(nic.ipAddresses == ["192.168.33.4"])
        #expect(nic.subnetRef == "/virtualnetworks/vnet1/subnets/subnet1")
        #expect(nic.instanceId != nil && nic.instanceId == nic.instanceId?.lowercased())
    }

    @Test func realMacPoolIsInclusiveAndDashed() throws {
        let result = try ExportFile.read(path: "\(Repo.sharedSamples)/nc-sdndiagnostics-2021-real-ps51-utf16le/macPools.json", cluster: "lab")
        #expect(result.inventory.pools.map(\.range.count) == [1011])
        #expect(result.inventory.pools.first?.name == "DefaultMacPool")
    }

    @Test func realLogicalSubnetVLANIsAString() throws {
        let result = try ExportFile.read(path: "\(Repo.sharedSamples)/nc-sdndiagnostics-2021-real-ps51-utf16le/logicalNetworks.json", cluster: "lab")
        #expect(result.inventory.subnets.contains { $0.vlan == 2 })
    }

    @Test func hostVNICsFromAnAllExportLackSeveralFields() throws {
        let r = try readExport(#"[{"MacAddress":"00155D204002","IsManagementOs":true,"Name":"vSMB1","VMName":"","ComputerName":"HV01","SwitchName":"S"}]"#)
        let a = try #require(r.inventory.adapters.first)
        #expect(a.isManagementOS && a.vmName == nil && a.dynamicMAC == nil)
    }

    @Test func enumsAsIntegersOrStrings() throws {
        let ints = try readExport(#"{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H","VlanSetting":{"OperationMode":1,"AccessVlanId":20}}"#)
        let strings = try readExport(#"{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H","VlanSetting":{"OperationMode":"Access","AccessVlanId":"20"}}"#)
        let trunk = try readExport(#"{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H","VlanSetting":{"OperationMode":2,"AccessVlanId":20}}"#)
        #expect(ints.inventory.adapters[0].vlan == 20)
        #expect(strings.inventory.adapters[0].vlan == 20)
        #expect(trunk.inventory.adapters[0].vlan == nil)
    }

    @Test func settingsCutByDepthReadAsAbsent() throws {
        let r = try readExport(#"{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H","VlanSetting":"Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting","IPAddresses":"10.0.0.5 fe80::1"}"#)
        #expect(r.inventory.adapters[0].vlan == nil)
        #expect(r.inventory.adapters[0].ipAddresses == ["10.0.0.5", "fe80::1"])
    }

    @Test func remotingAddsPSComputerName() throws {
        let r = try readExport(#"[{"MacAddress":"00155D010101","VMName":"A","PSComputerName":"HV07","RunspaceId":"x"}]"#)
        #expect(r.inventory.adapters[0].host == "HV07")
    }

    @Test func powerShellDatesInEitherFormDoNotDisturbReading() throws {
        let r = try readExport(#"[{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H","Created":"\/Date(1584553200000)\/"},{"MacAddress":"00155D010102","VMName":"B","ComputerName":"H","Created":"2021-08-05T16:13:05.6394416-07:00"}]"#)
        #expect(r.inventory.adapters.count == 2)
    }

    @Test func vmHostExportIsThatHostsDynamicPool() throws {
        let r = try readExport(#"{"Name":"HV01","MacAddressMinimum":"00155D020600","MacAddressMaximum":"00155D0206FF"}"#)
        #expect(r.summary.kind == "hyperv-hosts")
        #expect(r.inventory.pools.first?.host == "HV01")
        #expect(r.inventory.pools.first?.range.count == 256)
    }

    @Test func portProfilesKeepTheirGUIDWithoutBraces() throws {
        let r = try readExport(#"[{"VMName":"A","Name":"Network Adapter","MacAddress":"001DD8B71C10","ProfileId":"{BA4FA6D0-DCF9-4006-B133-BE870575B71F}","ProfileData":1,"PortName":"X"}]"#)
        #expect(r.inventory.portProfiles[0].profileId == "ba4fa6d0-dcf9-4006-b133-be870575b71f")
    }

    @Test func scvmmPoolsIngest() throws {
        let r = try readExport(#"{"Name":"Default MAC address pool","MACAddressRangeStart":"00:1D:D8:B7:1C:00","MACAddressRangeEnd":"00:1D:D8:F4:1F:FF"}"#)
        #expect(r.inventory.pools.first?.range.count == 3_998_720)
    }

    @Test func anEmptyFileIsAWarningNotAnError() throws {
        let r = try readExport("")
        #expect(r.summary.kind == "empty")
        #expect(r.warnings.count == 1)
    }

    @Test func aNonEmptyNextLinkWarnsThatPagesAreMissing() throws {
        let r = try readExport(#"{"value":[],"nextLink":"https://nc/networking/v1/networkInterfaces?page=2"}"#)
        #expect(r.warnings.contains { $0.message.contains("paged") })
    }

    // MARK: - Bad input: one clear line naming the file and where in it.

    @Test func wrongTypeNamesRecordAndPath() throws {
        let e = try #require(ingestError("[\n{\"MacAddress\":\"00155D010101\",\"VMName\":\"A\"},\n{\"MacAddress\": 42, \"VMName\":\"B\"}]"))
        #expect(e.description == "test.json: record 2 (line 3), at $[1].MacAddress: expected a MAC address string, found a number")
    }

    @Test func unknownShapeNamesItsKeys() throws {
        let e = try #require(ingestError(#"[{"Hostname":"x","Uptime":5}]"#))
        #expect(e.description.contains("$[0]"))
        #expect(e.message.contains("keys: Hostname, Uptime"))
    }

    @Test func aRecordThatIsNotAnObjectIsAnError() throws {
        let e = try #require(ingestError(#"["00155D010101"]"#))
        #expect(e.message.contains("found a string"))
    }

    @Test func truncatedJSONNamesLineAndColumn() throws {
        let e = try #require(ingestError("[{\"MacAddress\":\"00155D010101\",\n\"VMName\":\"A"))
        #expect(e.position == "line 2, column 10, byte 40")
        #expect(e.path == "$[0].VMName")
    }

    @Test func theByteOffsetCountsTheFilesBytes() throws {
        let text = Array("[{\"MacAddress\":\"00155D010101\",\n\"VMName\":\"A".utf8)
        func position(_ bytes: [UInt8]) -> String? {
            do { _ = try ExportFile.read(bytes: bytes, path: "t", cluster: "C"); return nil } catch { return (error as? IngestError)?.position }
        }
        #expect(position([0xEF, 0xBB, 0xBF] + text) == "line 2, column 10, byte 43")  // after the three BOM bytes
        var utf16: [UInt8] = [0xFF, 0xFE]
        for b in text { utf16 += [b, 0] }  // ASCII in UTF-16LE
        #expect(position(utf16) == "line 2, column 10")  // transcoded: no byte offset of the file to give
    }

    @Test func aPoolWithBoundsReversedIsRefused() throws {
        let e = try #require(ingestError(#"{"Name":"HV01","MacAddressMinimum":"00155D0206FF","MacAddressMaximum":"00155D020600"}"#))
        #expect(e.message.contains("above"))
    }

    @Test func binaryFileIsRefused() throws {
        do {
            _ = try ExportFile.read(bytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00], path: "x.png", cluster: "C")
            Issue.record("a binary file was accepted")
        } catch let e as IngestError {
            #expect(e.description.hasPrefix("x.png: "))
            #expect(e.message.contains("binary"))
        }
    }

    // MARK: - Folders

    @Test func foldersNameClustersAndSkipNonExports() throws {
        let dir = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: "\(dir)/fleet/east", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/fleet/west", withIntermediateDirectories: true)
        try write(#"[{"MacAddress":"00155D010101","VMName":"A","ComputerName":"H1"}]"#, to: "\(dir)/fleet/east/a.json")
        try write(#"[{"MacAddress":"00155D010102","VMName":"B","ComputerName":"H2"}]"#, to: "\(dir)/fleet/west/b.txt")
        try write("notes about the export\n", to: "\(dir)/fleet/west/README.md")
        let set = try InputSet(paths: ["\(dir)/fleet"])
        #expect(set.entries.map(\.cluster) == ["east", "west"])
        #expect(set.warnings.count == 1)
        let (inventory, _, _) = try set.read()
        #expect(Set(inventory.adapters.map(\.cluster)) == ["east", "west"])
    }

    @Test func aFolderWithoutExportsIsAnError() throws {
        let dir = try temporaryDirectory()
        try write("hello", to: "\(dir)/notes.md")
        #expect(throws: IngestError.self) { try InputSet(paths: [dir]) }
    }

    @Test func aMissingPathIsAnError() throws {
        #expect(throws: IngestError.self) { try InputSet(paths: ["/nonexistent/exports"]) }
    }
}

@Suite struct SkippedValueTests {
    @Test func skippedValuesAreStillCheckedForSyntax() throws {
        let e = try #require(ingestError(#"[{"MacAddress":"00155D010101","VMName":"A","Noise":{"x":[1,2,}}]"#))
        #expect(e.path == "$[0].Noise.x[2]")  // the record is read again to name the place in a skipped value
        #expect(e.position == "line 1, column 62, byte 61")
    }
}
