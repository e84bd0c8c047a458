import MACAuditModel
import MACAuditIngest
/// One holder of a MAC: a Hyper-V adapter joined with its Network Controller interface and port
/// profile where they exist, or an NC interface that no adapter claims.
///
/// A class, and immutable: checks pass holders around by the hundred thousand. The adapter, interface
/// and profile are shared references to the inventory's objects.
public final class Holder: Sendable {
    /// How the adapter and the NC interface were joined.
    public enum Link: String, Sendable {
        /// The port profile's ProfileId is the interface's `{instanceId}`: the join SDN itself uses.
        case portProfile = "port-profile"
        /// Same MAC in the same cluster, no port profile to say otherwise.
        case mac
        case none
    }

    public let adapter: Adapter?
    public let interface: ControllerInterface?
    public let profile: PortProfile?
    public let link: Link
    /// The host the holder is on now: the adapter's host, else where the NC last saw the interface.
    public let host: String
    public let cluster: String
    /// `host/switch`: adapters on one key share a virtual switch.
    public let switchKey: String?
    /// The L2 segment within the cluster: `vlan:20`, `vsid:5001`, or an NC subnet reference.
    public let segment: String
    /// Other hosts that reported the same adapter (a VM that moved while the export ran).
    public let alsoReportedBy: [String]
    /// True when an NC interface is joined or the port profile says SDN policy applies (ProfileData 1).
    public let isControllerManaged: Bool
    /// Where the holder is in `Snapshot.holders`: what a finding's ``HolderRef`` points at.
    public let position: Int
    /// Set when the holder comes from the pool database (a holder this run did not read), not from
    /// the inputs.
    public let recorded: RecordedHolder?

    // Derived from the joined objects (shared references, so reading them copies nothing); a
    // holder stores no copies, which keeps a 16-million-adapter fleet inside its memory budget.
    /// The MAC the holder uses on the wire: the adapter's when there is one.
    public var mac: MACField { adapter?.mac ?? interface?.mac ?? .absent }
    public var hasAdapter: Bool { adapter != nil }
    public var hasInterface: Bool { interface != nil }
    public var isManagementOS: Bool { adapter?.isManagementOS ?? false }
    public var dynamicMAC: Bool? { adapter?.dynamicMAC }
    public var adapterMAC: MACField? { adapter?.mac }
    public var interfaceMAC: MACField? { interface?.mac }
    public var allocation: AllocationMethod? { interface?.allocation }

    public init(adapter: Adapter?, interface: ControllerInterface?, profile: PortProfile?, link: Link, host: String,
                cluster: String, switchKey: String?, segment: String, alsoReportedBy: [String] = [], position: Int,
                recorded: RecordedHolder? = nil) {
        precondition(adapter != nil || interface != nil, "a holder has an adapter or an interface")
        self.adapter = adapter
        self.interface = interface
        self.profile = profile
        self.link = link
        self.host = host
        self.cluster = cluster
        self.switchKey = switchKey
        self.segment = segment
        self.alsoReportedBy = alsoReportedBy
        self.position = position
        self.recorded = recorded
        self.isControllerManaged = recorded?.sighting.controllerManaged
            ?? (interface != nil || (profile.map { !$0.isNullProfile && $0.profileData == 1 } ?? false))
    }

    /// A holder the pool database recorded, rebuilt as it was seen: its adapter and NC interface
    /// carry the recorded fields, and its evidence names the run and the export it came from.
    public convenience init(recorded r: RecordedHolder, position: Int) {
        let s = r.sighting
        let source = SourceLocation(path: r.evidenceSource, record: s.source.record, line: s.source.line)
        let adapter = s.kind == "interface" ? nil : Adapter(
            host: s.host, cluster: s.cluster, vmName: s.vm, vmId: nil, name: s.name, id: s.adapterId, mac: .valid(s.mac),
            dynamicMAC: s.dynamicMAC, isManagementOS: s.kind == "host-vnic", switchId: s.switchId, source: source)
        let nic = (s.interfaceId ?? (s.kind == "interface" ? s.name : nil)).map { id in
            ControllerInterface(resourceId: id, cluster: s.cluster, instanceId: s.instanceId,
                                mac: (s.interfaceMAC ?? (s.kind == "interface" ? s.mac : nil)).map(MACField.valid) ?? .absent,
                                allocation: s.allocation.flatMap(AllocationMethod.init(rawValue:)) ?? .unknown, source: source)
        }
        self.init(adapter: adapter, interface: nic, profile: nil, link: adapter != nil && nic != nil ? .portProfile : .none, host: s.host,
                  cluster: s.cluster, switchKey: s.switchKey, segment: s.segment, position: position, recorded: r)
    }

    public var subject: Subject {
        if let a = adapter {
            return Subject(kind: a.isManagementOS ? "host-vnic" : "adapter", cluster: cluster, host: host,
                           vm: a.vmName, name: a.name, id: a.id ?? interface?.resourceId, key: key)
        }
        let nic = interface!
        return Subject(kind: "interface", cluster: cluster, host: host.isEmpty ? nil : host, vm: nil,
                       name: nic.resourceId, id: nic.instanceId, key: key)
    }

    public var evidence: [Evidence] {
        [adapter?.source, interface?.source, profile?.source].compactMap { $0 }.map(Evidence.init)
    }

    /// `SQL01 / Network Adapter on HV01`, for messages.
    public var label: String { subject.label }
}
