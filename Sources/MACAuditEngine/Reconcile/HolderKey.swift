import MACAuditModel

/// The stable identity of a MAC holder in the pool database, in findings and in reservations: it
/// survives a live migration, a VM rename and a re-export, where the display label (which names the
/// host) does not.
///
/// - A VM adapter: `adapter:` and its Hyper-V `Id` (`Microsoft:<VMId>\<adapter GUID>`), lower-cased
///   without braces. Hyper-V keeps the Id through migrations and renames.
/// - A host vNIC: `host-vnic:<host>/` and its Id; host vNICs never migrate, and hosts cloned from one
///   image may share vNIC ids.
/// - An adapter without an `Id` (a hand-made export): `adapter:<cluster>/<host>/<vm>/<name>`, the best
///   there is; such a holder looks new after a migration.
/// - An NC interface no adapter claims: `nc:<cluster>/networkinterfaces/<resourceId>` (its
///   `resourceRef`), lower-cased. An interface joined to an adapter is part of the adapter's holder,
///   whose key is the adapter's; the interface's own key is the holder's ``Holder/aliasKey``.
public enum HolderKey {
    public static func of(adapter a: Adapter, cluster: String, host: String) -> String {
        if let id = a.id, !id.isEmpty {
            return a.isManagementOS ? "host-vnic:\(HostName.key(host))/\(normalised(id))" : normalised(id, prefix: "adapter:")
        }
        let vm = (a.vmName ?? "").lowercased()
        return "\(a.isManagementOS ? "host-vnic" : "adapter"):\(cluster)/\(HostName.key(host))/\(vm)/\(a.name.lowercased())"
    }

    public static func of(interface nic: ControllerInterface) -> String {
        "nc:\(nic.cluster)/networkinterfaces/\(nic.resourceId.lowercased())"
    }

    /// Lower case, braces removed: `Microsoft:{6F…}\{A1…}` and `microsoft:6f…\a1…` are one id.
    static func normalised(_ id: String, prefix: String = "") -> String {
        var id = id, prefix = prefix
        if let ascii = id.withUTF8({ b in prefix.withUTF8 { asciiNormalised(b, prefix: $0) } }) { return ascii }
        var out = id.lowercased()
        out.removeAll { $0 == "{" || $0 == "}" }
        return prefix + out
    }

    /// The common case, ASCII text: the prefix and the text lower-cased without braces, built in
    /// one allocation; nil when the text is not ASCII.
    private static func asciiNormalised(_ b: UnsafeBufferPointer<UInt8>, prefix: UnsafeBufferPointer<UInt8>) -> String? {
        for c in b where c >= 0x80 { return nil }
        return String(unsafeUninitializedCapacity: prefix.count + b.count) { out in
            var n = 0
            for c in prefix { out[n] = c; n += 1 }
            for c in b where c != 0x7B && c != 0x7D {
                out[n] = c >= 0x41 && c <= 0x5A ? c | 0x20 : c
                n += 1
            }
            return n
        }
    }
}

extension Holder {
    /// The holder's ``HolderKey``: its adapter's when it has one, else its NC interface's.
    public var key: String {
        if let adapter { return HolderKey.of(adapter: adapter, cluster: cluster, host: host) }
        return HolderKey.of(interface: interface!)
    }

    /// The NC interface's own key when the holder joins an adapter and an interface; nil otherwise.
    /// The database knows an interface exported before its adapter under this key.
    public var aliasKey: String? {
        guard adapter != nil, let interface else { return nil }
        return HolderKey.of(interface: interface)
    }
}
