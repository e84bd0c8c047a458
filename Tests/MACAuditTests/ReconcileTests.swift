import Testing
@testable import MACAudit
@testable import MACAuditModel
@testable import MACAuditIngest
@testable import MACAuditEngine
@testable import MACAuditReport

@Suite struct ReconcileTests {
    @Test func portProfileJoinsAdapterAndInterfaceEvenWhenMACsDiffer() {
        let snapshot = Reconciler.reconcile(Inventory(
            adapters: [Example.vm("A", "00155D010101")],
            portProfiles: [Example.profile("A", "00155D010101", instance: "i-1")],
            interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1")]))
        #expect(snapshot.holders.count == 1)
        #expect(snapshot.holders[0].link == .portProfile)
        #expect(snapshot.holders[0].interface?.resourceId == "a-nic")
    }

    /// Profiles are found by VM name in any case (non-ASCII letters too) and MAC; a profile of another
    /// VM with the same MAC, or of the same VM with another MAC, is not the adapter's.
    @Test func aProfileIsFoundByItsVMNameInAnyCaseAndItsMAC() {
        let snapshot = Reconciler.reconcile(Inventory(
            adapters: [Example.vm("ÄPP-Sql01", "00155D010101"), Example.vm("web", "00155D010102")],
            portProfiles: [Example.profile("web", "00155D010109", instance: "i-3"), Example.profile("other", "00155D010102", instance: "i-4"),
                           Example.profile("äpp-sQL01", "00155D010101", instance: "i-1"), Example.profile("WEB", "00155D010102", instance: "i-2")],
            interfaces: [Example.nic("a-nic", "001DD8B71C21", instance: "i-1"), Example.nic("w-nic", "001DD8B71C22", instance: "i-2")]))
        let byVM = Dictionary(uniqueKeysWithValues: snapshot.holders.compactMap { h in h.adapter.map { ($0.vmName ?? "", h) } })
        #expect(byVM["ÄPP-Sql01"]?.profile?.profileId == "i-1")
        #expect(byVM["ÄPP-Sql01"]?.interface?.resourceId == "a-nic")
        #expect(byVM["web"]?.profile?.profileId == "i-2")
        #expect(byVM["web"]?.interface?.resourceId == "w-nic")
    }

    @Test func withoutAProfileTheJoinFallsBackToTheMACInTheSameCluster() {
        let snapshot = Reconciler.reconcile(Inventory(
            adapters: [Example.vm("A", "001DD8B71C21", cluster: "C1")],
            interfaces: [Example.nic("a-nic", "00-1D-D8-B7-1C-21", cluster: "C1"), Example.nic("b-nic", "001DD8B71C21", cluster: "C2")]))
        let a = snapshot.holders.first { $0.adapter != nil }
        #expect(a?.link == .mac)
        #expect(a?.interface?.resourceId == "a-nic")
        #expect(snapshot.holders.count == 2)
    }

    @Test func anAdapterReportedByTwoHostsIsOneHolder() {
        let snapshot = Reconciler.reconcile(Inventory(adapters: [
            Example.vm("A", "00155D010101", host: "HV01"), Example.vm("A", "00155D010101", host: "HV02"),
        ]))
        #expect(snapshot.holders.count == 1)
        #expect(snapshot.holders[0].alsoReportedBy == ["HV02"])
    }

    @Test func theSegmentComesFromTheNCSubnetFirst() {
        let inventory = Inventory(
            adapters: [Example.vm("A", "001DD8B71C21", vlan: 5)],
            portProfiles: [Example.profile("A", "001DD8B71C21", instance: "i-1")],
            interfaces: [Example.nic("n", "001DD8B71C21", instance: "i-1", subnet: "/logicalnetworks/pa/subnets/s")],
            subnets: [ControllerSubnet(ref: "/logicalnetworks/pa/subnets/s", cluster: "C1", vlan: 11, virtualSubnetId: nil)])
        #expect(Reconciler.reconcile(inventory).holders[0].segment == "vlan:11")
        #expect(Reconciler.reconcile(Inventory(adapters: [Example.vm("A", "001DD8B71C21", vlan: 5)])).holders[0].segment == "vlan:5")
    }

    @Test func hostNamesCompareByTheirFirstLabel() {
        #expect(HostName.key("HV01.corp.contoso.com") == HostName.key("hv01"))
        #expect(HostName.key("10.0.0.5") == "10.0.0.5")
    }
}
