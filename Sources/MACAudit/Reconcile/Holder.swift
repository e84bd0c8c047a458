/// One holder of a MAC: a Hyper-V adapter joined with its Network Controller interface and port
/// profile where they exist, or an NC interface that no adapter claims.
public struct Holder: Sendable {
    /// How the adapter and the NC interface were joined.
    public enum Link: String, Sendable {
        /// The port profile's ProfileId is the interface's `{instanceId}`: the join SDN itself uses.
        case portProfile = "port-profile"
        /// Same MAC in the same cluster, no port profile to say otherwise.
        case mac
        case none
    }

    public var adapter: Adapter?
    public var interface: ControllerInterface?
    public var profile: PortProfile?
    public var link: Link
    /// The host the holder is on now: the adapter's host, else where the NC last saw the interface.
    public var host: String
    public var cluster: String
    /// `host/switch`: adapters on one key share a virtual switch.
    public var switchKey: String?
    /// The L2 segment within the cluster: `vlan:20`, `vsid:5001`, or an NC subnet reference.
    public var segment: String
    /// Other hosts that reported the same adapter (a VM that moved while the export ran).
    public var alsoReportedBy: [String] = []

    /// The MAC the holder uses on the wire: the adapter's when there is one.
    public var mac: MACField { adapter?.mac ?? interface?.mac ?? .absent }

    /// True when an NC interface is joined or the port profile says SDN policy applies (ProfileData 1).
    public var isControllerManaged: Bool {
        interface != nil || (profile.map { !$0.isNullProfile && $0.profileData == 1 } ?? false)
    }

    public var subject: Subject {
        if let a = adapter {
            return Subject(kind: a.isManagementOS ? "host-vnic" : "adapter", cluster: cluster, host: host,
                           vm: a.vmName, name: a.name, id: a.id ?? interface?.resourceId)
        }
        let nic = interface!
        return Subject(kind: "interface", cluster: cluster, host: host.isEmpty ? nil : host, vm: nil,
                       name: nic.resourceId, id: nic.instanceId)
    }

    public var evidence: [Evidence] {
        [adapter?.source, interface?.source, profile?.source].compactMap { $0 }.map(Evidence.init)
    }

    /// `SQL01 / Network Adapter on HV01`, for messages.
    public var label: String { subject.label }
}

/// Host names compare by their first DNS label, case-insensitively: `HV01` = `hv01.corp.contoso.com`.
public enum HostName {
    public static func key(_ name: String) -> String {
        if name.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { return name }  // an IP address
        let first = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        return first.lowercased()
    }
}
