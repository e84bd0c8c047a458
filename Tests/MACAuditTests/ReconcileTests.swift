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
