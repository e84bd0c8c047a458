import MACAuditModel

/// A holder sighting as bytes: what a store keeps per (holder, MAC) besides the integers it
/// searches by (MAC, key hash, place, state, runs). The place gives cluster, host, kind and file,
/// so they are not repeated; GUIDs (in keys, adapter Ids, switch ids, NC ids) take 18 bytes instead
/// of 36; an adapter Id or switch key that the key or the host gives is one flag. A holder takes
/// about half the bytes of its texts: that is most of what a first audit of a fleet writes.
///
/// Layout (format 1): the format byte, a flags byte, then the fields in the order of ``encode``;
/// texts as ``text(_:_:)`` writes them (nil, a common text's code and the rest, or a length and
/// the ``GUIDPacking`` bytes), numbers LEB128. ``decode`` refuses anything else, naming what it found.
public enum PackedSighting {
    static let format: UInt8 = 1

    private struct Flags: OptionSet {
        let rawValue: UInt8
        static let controllerManaged = Flags(rawValue: 1)
        static let dynamicKnown = Flags(rawValue: 2)
        static let dynamic = Flags(rawValue: 4)
        static let interfaceMAC = Flags(rawValue: 8)
        static let adapterIdFromKey = Flags(rawValue: 16)
        static let switchKeyFromHost = Flags(rawValue: 32)
        static let aliasFromInterface = Flags(rawValue: 64)
    }

    private static let adapterPrefix = "adapter:microsoft:"

    /// Packs sightings one after another (a first audit packs a million on all cores, one writer
    /// per core): remembers the last host's key, which most holders share with the one before.
    public struct Writer {
        private var host = "\u{0}", hostKey = ""

        public init() {}

        /// Appends the packed form of `s` to `out`.
        public mutating func append(_ s: HolderSighting, to out: inout [UInt8]) {
            var sink = ByteSink()
            append(s, to: &sink)
            sink.withBytes(from: 0) { out.append(contentsOf: $0) }
        }

        mutating func append(_ s: HolderSighting, to out: inout ByteSink) {
            if s.host != host { host = s.host; hostKey = HostName.key(s.host) }
            var flags: Flags = []
            if s.controllerManaged { flags.insert(.controllerManaged) }
            if let dynamic = s.dynamicMAC { flags.insert(.dynamicKnown); if dynamic { flags.insert(.dynamic) } }
            if s.interfaceMAC != nil { flags.insert(.interfaceMAC) }
            let idFromKey = s.adapterId.map { PackedSighting.isDerived(adapterId: $0, key: s.key) } ?? false
            if idFromKey { flags.insert(.adapterIdFromKey) }
            let keyFromHost = s.switchKey.map { PackedSighting.isDerived(switchKey: $0, hostKey: hostKey, switchId: s.switchId) } ?? false
            if keyFromHost { flags.insert(.switchKeyFromHost) }
            let aliasFromInterface = s.alias.map { PackedSighting.isDerived(alias: $0, cluster: s.cluster, interfaceId: s.interfaceId) } ?? false
            if aliasFromInterface { flags.insert(.aliasFromInterface) }
            out.append(format)
            out.append(flags.rawValue)
            text(s.key, &out); text(aliasFromInterface ? nil : s.alias, &out); text(s.vm, &out); text(s.name, &out)
            text(idFromKey ? nil : s.adapterId, &out); text(s.interfaceId, &out); text(s.instanceId, &out)
            if let mac = s.interfaceMAC { number(mac.value, &out) }
            text(s.allocation, &out); text(s.switchId, &out); text(keyFromHost ? nil : s.switchKey, &out); text(s.segment, &out)
            number(UInt64(max(s.source.record, 0)), &out); number(UInt64(max(s.source.line, 0)), &out)
        }

        /// Appends the packed form of reconciled holder `h` (one with a MAC), byte for byte what
        /// ``append(_:to:)`` writes for its ``HolderSighting``, and returns its key hash and its
        /// alias's (0 without one). The sighting is not made: a first audit packs every holder it
        /// read, and making each one's key (a new string), retaining its texts once more and
        /// reading its adapter `Id` twice (for the key, then to find it derivable) was most of that work.
        mutating func append(holder h: Holder, to out: inout ByteSink) -> (keyHash: Int64, aliasHash: Int64) {
            let a = h.adapter, nic = h.interface
            if h.host != host { host = h.host; hostKey = HostName.key(h.host) }
            var flags: Flags = []
            if h.isControllerManaged { flags.insert(.controllerManaged) }
            if let dynamic = a?.dynamicMAC { flags.insert(.dynamicKnown); if dynamic { flags.insert(.dynamic) } }
            let interfaceMAC = nic?.mac.address
            if interfaceMAC != nil { flags.insert(.interfaceMAC) }
            let switchId = a?.switchId
            let keyFromHost = h.switchKey.map { PackedSighting.isDerived(switchKey: $0, hostKey: hostKey, switchId: switchId) } ?? false
            if keyFromHost { flags.insert(.switchKeyFromHost) }
            // The NC interface's key, when an adapter's holder joins one: derivable from its id
            // when it is of the holder's cluster (the join is within a cluster), so only hashed.
            var alias: String?, aliasHash: Int64 = 0
            if a != nil, let nic {
                if nic.cluster == h.cluster {
                    flags.insert(.aliasFromInterface)
                    aliasHash = PackedSighting.interfaceKeyHash(nic)
                } else {
                    let key = HolderKey.of(interface: nic)
                    aliasHash = HolderSighting.keyHash(key)
                    if PackedSighting.isDerived(alias: key, cluster: h.cluster, interfaceId: nic.resourceId) {
                        flags.insert(.aliasFromInterface)
                    } else {
                        alias = key
                    }
                }
            }
            out.append(format)
            let flagsAt = out.count
            out.append(flags.rawValue)
            let (keyHash, idFromKey) = PackedSighting.appendKey(of: h, to: &out)
            if idFromKey { out[flagsAt] = flags.union(.adapterIdFromKey).rawValue }
            text(alias, &out); text(a?.vmName, &out); text(a?.name ?? nic?.resourceId ?? "", &out)
            text(idFromKey ? nil : a?.id, &out); text(nic?.resourceId, &out); text(nic?.instanceId, &out)
            if let mac = interfaceMAC { number(mac.value, &out) }
            text(nic?.allocation.rawValue, &out); text(switchId, &out); text(keyFromHost ? nil : h.switchKey, &out); text(h.segment, &out)
            let source = (a?.source ?? nic?.source)!
            number(UInt64(max(source.record, 0)), &out); number(UInt64(max(source.line, 0)), &out)
            return (keyHash, aliasHash)
        }
    }

    /// Packs `h`'s ``Holder/key`` as a text; returns its key hash and whether the adapter's `Id` is
    /// the one ``adapterId(fromKey:)`` gives. A VM adapter with an ASCII `Id` (nearly every one) has
    /// its key made on the stack, hashed and compared with the `Id` in one go.
    fileprivate static func appendKey(of h: Holder, to out: inout ByteSink) -> (keyHash: Int64, idFromKey: Bool) {
        if let a = h.adapter, !a.isManagementOS, var id = a.id, !id.isEmpty,
           let packed = id.withUTF8({ adapterKey(id: $0, to: &out) }) {
            return packed
        }
        let key = h.key
        text(key, &out)
        return (HolderSighting.keyHash(key), h.adapter?.id.map { isDerived(adapterId: $0, key: key) } ?? false)
    }

    /// `adapter:` and `id` lower-cased without braces (``HolderKey``'s key of a VM adapter), packed
    /// as a text; nil, with nothing written, when `id` is not ASCII. Made, hashed and checked in
    /// one pass: ``adapterId(fromKey:)`` gives `id` back exactly when `id` is `Microsoft:` and no
    /// brace and no lower-case letter (what ``isDerived(adapterId:key:)`` finds the long way).
    private static func adapterKey(id: UnsafeBufferPointer<UInt8>, to out: inout ByteSink) -> (keyHash: Int64, idFromKey: Bool)? {
        let prefix = adapterKeyPrefix, m = idPrefixBytes.count
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: prefix.count + id.count) { buffer -> (Int64, Bool)? in
            var n = 0, hash = FNV1a.basis
            var canonical = id.count >= m && matches(id, at: 0, idPrefixBytes)
            func add(_ c: UInt8) {
                buffer[n] = c; n += 1
                hash = FNV1a.step(hash, c)
            }
            for c in prefix { add(c) }
            for j in 0..<id.count {
                let c = id[j]
                if c >= 0x80 { return nil }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "}") { canonical = false; continue }
                if c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") {
                    add(c | 0x20)
                } else {
                    if j >= m && c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") { canonical = false }
                    add(c)
                }
            }
            text(UnsafeBufferPointer(rebasing: buffer[..<n]), &out)
            return (Int64(bitPattern: hash | 1), canonical)
        }
    }

    /// The key hash of an NC interface's key (``HolderKey/of(interface:)``), hashed as it is made.
    static func interfaceKeyHash(_ nic: ControllerInterface) -> Int64 {
        var id = nic.resourceId, cluster = nic.cluster
        let streamed: Int64? = id.withUTF8 { i in
            guard !i.contains(where: { $0 >= 0x80 }) else { return nil }
            var h = FNV1a.basis
            func add(_ b: UInt8) { h = FNV1a.step(h, b) }
            for c in ncPrefix { add(c) }
            cluster.withUTF8 { for c in $0 { add(c) } }
            for c in ncInterfaces { add(c) }
            for c in i { add(c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c) }
            return Int64(bitPattern: h | 1)
        }
        return streamed ?? HolderSighting.keyHash(HolderKey.of(interface: nic))
    }

    /// Appends the packed form of `s` to `out`.
    public static func encode(_ s: HolderSighting, into out: inout [UInt8]) {
        var writer = Writer()
        writer.append(s, to: &out)
    }

    public static func encode(_ s: HolderSighting) -> [UInt8] {
        var out: [UInt8] = []
        encode(s, into: &out)
        return out
    }

    /// Whether `id` is what ``adapterId(fromKey:)`` gives for `key`, compared byte by byte (ASCII
    /// keys; anything else through the strings).
    static func isDerived(adapterId id: String, key: String) -> Bool {
        var id = id, key = key
        let fast: Bool? = id.withUTF8 { i in key.withUTF8 { k in isDerived(adapterId: i, key: k) } }
        return fast ?? (id == derivedAdapterId(key))
    }

    /// The same on bytes; nil when the key is not ASCII (then the strings decide).
    private static func isDerived(adapterId i: UnsafeBufferPointer<UInt8>, key k: UnsafeBufferPointer<UInt8>) -> Bool? {
        let p = adapterPrefixBytes.count, m = idPrefixBytes.count
        guard k.count >= p, i.count == k.count - p + m, matches(k, at: 0, adapterPrefixBytes), matches(i, at: 0, idPrefixBytes) else {
            return false
        }
        for j in 0..<(k.count - p) {
            let c = k[p + j]
            if c >= 0x80 { return nil }
            let upper = c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z") ? c - 32 : c
            if i[m + j] != upper { return false }
        }
        return true
    }

    /// Whether `alias` is the key of the NC interface `interfaceId` of `cluster`, as ``HolderKey``
    /// makes it (`nc:<cluster>/networkinterfaces/<resourceId in lower case>`).
    static func isDerived(alias: String, cluster: String, interfaceId: String?) -> Bool {
        guard var id = interfaceId else { return false }
        var alias = alias, cluster = cluster
        let fast: Bool? = alias.withUTF8 { a in
            cluster.withUTF8 { c in
                id.withUTF8 { i in
                    guard a.count == 3 + c.count + ncInterfaces.count + i.count, matches(a, at: 0, ncPrefix), matches(a, at: 3, c),
                          matches(a, at: 3 + c.count, ncInterfaces) else { return false }
                    let start = 3 + c.count + ncInterfaces.count
                    for j in 0..<i.count {
                        let ch = i[j]
                        if ch >= 0x80 { return nil }
                        if a[start + j] != (ch >= UInt8(ascii: "A") && ch <= UInt8(ascii: "Z") ? ch + 32 : ch) { return false }
                    }
                    return true
                }
            }
        }
        return fast ?? (alias == derivedAlias(cluster: cluster, interfaceId: id))
    }

    static func derivedAlias(cluster: String, interfaceId: String?) -> String? {
        interfaceId.map { "nc:\(cluster)/networkinterfaces/\($0.lowercased())" }
    }

    /// Whether `switchKey` is `hostKey/switchId`.
    static func isDerived(switchKey: String, hostKey: String, switchId: String?) -> Bool {
        guard var id = switchId else { return false }
        var key = switchKey, host = hostKey
        return key.withUTF8 { k in
            host.withUTF8 { h in
                id.withUTF8 { i in
                    k.count == h.count + 1 + i.count && matches(k, at: 0, h) && k[h.count] == UInt8(ascii: "/") && matches(k, at: h.count + 1, i)
                }
            }
        }
    }

    /// Whether `whole` holds `part` at `offset` (the caller checked that it fits).
    private static func matches(_ whole: UnsafeBufferPointer<UInt8>, at offset: Int, _ part: UnsafeBufferPointer<UInt8>) -> Bool {
        for j in 0..<part.count where whole[offset + j] != part[j] { return false }
        return true
    }

    private static func matches(_ whole: UnsafeBufferPointer<UInt8>, at offset: Int, _ part: [UInt8]) -> Bool {
        part.withUnsafeBufferPointer { matches(whole, at: offset, $0) }
    }

    private static let ncPrefix = Array("nc:".utf8)
    private static let ncInterfaces = Array("/networkinterfaces/".utf8)
    private static let adapterPrefixBytes = Array("adapter:microsoft:".utf8)
    private static let adapterKeyPrefix = Array("adapter:".utf8)
    private static let idPrefixBytes = Array("Microsoft:".utf8)

    /// Where a packed sighting was seen: what the store keeps per place, not per holder.
    public struct Place: Sendable {
        public var kind: String, cluster: String, host: String, source: String
        public init(kind: String, cluster: String, host: String, source: String) {
            self.kind = kind; self.cluster = cluster; self.host = host; self.source = source
        }
    }

    /// The sighting packed in `bytes`, seen at `place` with `mac`. Throws ``DecodeError`` for
    /// bytes this build did not write.
    public static func decode(_ bytes: UnsafeRawBufferPointer, mac: MACAddress, place: Place) throws(DecodeError) -> HolderSighting {
        var r = Reader(bytes: bytes)
        let version = try r.byte()
        guard version == format else { throw DecodeError(reason: "packed holder format \(version) (this build reads \(format))") }
        let flags = Flags(rawValue: try r.byte())
        let key = try r.text() ?? ""
        let storedAlias = try r.text(), vm = try r.text(), name = try r.text() ?? ""
        let storedId = try r.text(), interfaceId = try r.text(), instanceId = try r.text()
        let alias = flags.contains(.aliasFromInterface) ? derivedAlias(cluster: place.cluster, interfaceId: interfaceId) : storedAlias
        let interfaceMAC = flags.contains(.interfaceMAC) ? MACAddress(value: try r.number()) : nil
        let allocation = try r.text(), switchId = try r.text(), storedSwitchKey = try r.text()
        let segment = try r.text() ?? ""
        let record = Int(clamping: try r.number()), line = Int(clamping: try r.number())
        guard r.atEnd else { throw DecodeError(reason: "\(bytes.count - r.offset) bytes after the packed holder") }
        return HolderSighting(
            key: key, alias: alias, mac: mac, kind: place.kind, cluster: place.cluster, host: place.host, vm: vm, name: name,
            adapterId: flags.contains(.adapterIdFromKey) ? derivedAdapterId(key) : storedId, interfaceId: interfaceId,
            instanceId: instanceId, interfaceMAC: interfaceMAC, allocation: allocation,
            dynamicMAC: flags.contains(.dynamicKnown) ? flags.contains(.dynamic) : nil, controllerManaged: flags.contains(.controllerManaged),
            switchId: switchId, switchKey: flags.contains(.switchKeyFromHost) ? derivedSwitchKey(host: place.host, switchId: switchId) : storedSwitchKey,
            segment: segment, source: SourceLocation(path: place.source, record: record, line: line))
    }

    public static func decode(_ bytes: [UInt8], mac: MACAddress, place: Place) throws(DecodeError) -> HolderSighting {
        do {
            return try bytes.withUnsafeBytes { b in try decode(b, mac: mac, place: place) }
        } catch let error as DecodeError { throw error } catch { throw DecodeError(reason: "\(error)") }
    }

    /// Only the key of a packed sighting (a key-hash match is confirmed by the key itself).
    public static func key(_ bytes: UnsafeRawBufferPointer) throws(DecodeError) -> String {
        var r = Reader(bytes: bytes)
        let version = try r.byte()
        guard version == format else { throw DecodeError(reason: "packed holder format \(version) (this build reads \(format))") }
        _ = try r.byte()
        return try r.text() ?? ""
    }

    /// What a store keeps beside the packed bytes to tell a changed holder from an unchanged one:
    /// FNV-1a of the bytes (everything but the MAC and the place, which are stored as they are).
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> Int64 {
        var h = FNV1a.basis  // in a local the optimiser keeps in a register
        for b in bytes { h = FNV1a.step(h, b) }
        return Int64(bitPattern: h)
    }

    /// ``digest(_:)`` of each range of `bytes` (a chunk's packed holders), four at a time: FNV-1a
    /// waits for each byte's multiplication before the next, and four hashes stepped side by side
    /// keep the multiplier busy with the others meanwhile, for the same values.
    static func digests(of ranges: [Range<Int>], in bytes: UnsafeRawBufferPointer) -> [Int64] {
        var out: [Int64] = []
        out.reserveCapacity(ranges.count)
        var n = 0
        while n + 4 <= ranges.count {
            let a = ranges[n], b = ranges[n + 1], c = ranges[n + 2], d = ranges[n + 3]
            var h = (FNV1a.basis, FNV1a.basis, FNV1a.basis, FNV1a.basis)
            let common = min(a.count, b.count, c.count, d.count)
            for k in 0..<common {
                h.0 = FNV1a.step(h.0, bytes[a.lowerBound + k])
                h.1 = FNV1a.step(h.1, bytes[b.lowerBound + k])
                h.2 = FNV1a.step(h.2, bytes[c.lowerBound + k])
                h.3 = FNV1a.step(h.3, bytes[d.lowerBound + k])
            }
            func rest(_ value: UInt64, _ r: Range<Int>) -> Int64 {
                var v = value
                for i in (r.lowerBound + common)..<r.upperBound { v = FNV1a.step(v, bytes[i]) }
                return Int64(bitPattern: v)
            }
            out.append(rest(h.0, a)); out.append(rest(h.1, b)); out.append(rest(h.2, c)); out.append(rest(h.3, d))
            n += 4
        }
        for r in ranges[n...] { out.append(digest(UnsafeRawBufferPointer(rebasing: bytes[r]))) }
        return out
    }

    public struct DecodeError: Error, Sendable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    /// An adapter's `Id` as Hyper-V writes it (`Microsoft:` and upper-case GUIDs), from its key.
    public static func adapterId(fromKey key: String) -> String? { derivedAdapterId(key) }

    /// A switch key as the reconciler builds it: the host's key and the switch id.
    public static func switchKey(host: String, switchId: String?) -> String? { derivedSwitchKey(host: host, switchId: switchId) }

    static func derivedAdapterId(_ key: String) -> String? {
        key.hasPrefix(adapterPrefix) ? "Microsoft:" + key.dropFirst(adapterPrefix.count).uppercased() : nil
    }

    static func derivedSwitchKey(host: String, switchId: String?) -> String? {
        switchId.map { "\(HostName.key(host))/\($0)" }
    }

    /// A text's length and packed bytes, packed in place behind a one-byte length that grows
    /// (rarely: past 126 bytes) once the length is known.
    /// Texts most holders share, whole or as a prefix: a text that starts with one is its code
    /// and the rest. Part of the format: codes are only ever added at the end.
    static let commonTexts: [[UInt8]] = ["adapter:microsoft:", "vlan:", "subnet:/virtualnetworks/", "Network Adapter", "Static", "Dynamic",
                                        "nc:"].map { Array($0.utf8) }

    /// The common text a text may start with, by its first byte (no two start alike).
    static let commonByFirstByte: [Int?] = {
        var table = [Int?](repeating: nil, count: 256)
        for (code, text) in commonTexts.enumerated() {
            precondition(table[Int(text[0])] == nil, "two common texts start with the same byte")
            table[Int(text[0])] = code
        }
        return table
    }()

    /// A text: 0 for nil; `2 × length + 1` and the packed bytes; or `2 × code` (a ``commonTexts``
    /// entry it starts with) and the rest as a text. Packed in place behind a one-byte length that
    /// grows (rarely: past 63 bytes) once the length is known.
    private static func text(_ value: String?, _ out: inout ByteSink) {
        guard var value else { out.append(0); return }
        value.withUTF8 { text($0, &out) }
    }

    private static func text(_ b: UnsafeBufferPointer<UInt8>, _ out: inout ByteSink) {
        var start = 0
        if let first = b.first, let code = commonByFirstByte[Int(first)], commonTexts[code].count <= b.count, matches(b, at: 0, commonTexts[code]) {
            number(UInt64(2 * (code + 1)), &out)
            start = commonTexts[code].count
        }
        let at = out.count
        out.append(0)
        GUIDPacking.pack(UnsafeBufferPointer(rebasing: b[start...]), into: &out)
        let length = UInt64(out.count - at - 1) * 2 + 1
        if length < 0x80 { out[at] = UInt8(length); return }
        var prefix = ByteSink(capacity: 16)
        number(length, &prefix)
        out.replaceByte(at: at, with: prefix.bytes)
    }

    private static func number(_ value: UInt64, _ out: inout ByteSink) {
        var v = value
        while v >= 0x80 { out.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0
        var atEnd: Bool { offset == bytes.count }

        mutating func byte() throws(DecodeError) -> UInt8 {
            guard offset < bytes.count else { throw DecodeError(reason: "packed holder cut short at byte \(offset)") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func number() throws(DecodeError) -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw DecodeError(reason: "a number too long at byte \(offset)") }
                value |= UInt64(b & 0x7F) << shift
                if b < 0x80 { return value }
                shift += 7
            }
        }

        mutating func text() throws(DecodeError) -> String? {
            let head = try number()
            guard head > 0 else { return nil }
            guard head & 1 == 1 else {
                let code = Int(clamping: head / 2) - 1
                guard code < PackedSighting.commonTexts.count else { throw DecodeError(reason: "text code \(code + 1) is not one this build knows, before byte \(offset)") }
                let restHead = try number()
                guard restHead & 1 == 1 else { throw DecodeError(reason: "a common text followed by another before byte \(offset)") }
                let rest = try literal(restHead / 2)
                return (String(validating: PackedSighting.commonTexts[code], as: UTF8.self) ?? "") + rest
            }
            return try literal(head / 2)
        }

        private mutating func literal(_ length: UInt64) throws(DecodeError) -> String {
            guard length <= UInt64(bytes.count - offset) else { throw DecodeError(reason: "a text runs past the packed holder at byte \(offset)") }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + Int(length))])
            offset += Int(length)
            guard let text = GUIDPacking.unpack(slice) else { throw DecodeError(reason: "a text that is not packed UTF-8 before byte \(offset)") }
            return text
        }
    }
}

/// Texts with their GUIDs in 18 bytes: each `8-4-4-4-12` hex GUID whose letters are all lower or
/// all upper case becomes 0x01, a case byte (0 lower, 1 upper) and its 16 bytes; a 0x01 of the
/// text itself becomes 0x01 0x02. Everything else is the text's UTF-8, unchanged.
enum GUIDPacking {
    private static let escape: UInt8 = 0x01

    static func pack(_ text: String, into out: inout [UInt8]) {
        var text = text, sink = ByteSink()
        text.withUTF8 { pack($0, into: &sink) }
        out.append(contentsOf: sink.bytes)
    }

    static func pack(_ b: UnsafeBufferPointer<UInt8>, into out: inout ByteSink) {
        var i = 0, literal = 0  // bytes literal..<i are copied as they are when a GUID or an escape comes
        while i < b.count {
            let c = b[i]
            if c == escape {
                out.append(UnsafeBufferPointer(rebasing: b[literal..<i]))
                out.append(escape); out.append(2)
                i += 1; literal = i
            } else if i + 36 <= b.count, b[i + 8] == UInt8(ascii: "-"), b[i + 23] == UInt8(ascii: "-"), let guid = guid(b, at: i) {
                out.append(UnsafeBufferPointer(rebasing: b[literal..<i]))
                out.append(escape); out.append(guid.upper ? 1 : 0)
                withUnsafeBytes(of: (guid.bytes.0.littleEndian, guid.bytes.1.littleEndian)) { out.append($0.assumingMemoryBound(to: UInt8.self)) }
                i += 36; literal = i
            } else {
                i += 1
            }
        }
        out.append(UnsafeBufferPointer(rebasing: b[literal..<b.count]))
    }

    static func unpack(_ b: UnsafeRawBufferPointer) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(b.count + 40)
        var i = 0
        while i < b.count {
            guard b[i] == escape else { out.append(b[i]); i += 1; continue }
            guard i + 1 < b.count else { return nil }
            switch b[i + 1] {
            case 2: out.append(escape); i += 2
            case 0, 1:
                guard i + 18 <= b.count else { return nil }
                let digits = Array((b[i + 1] == 1 ? "0123456789ABCDEF" : "0123456789abcdef").utf8)
                for k in 0..<16 {
                    if k == 4 || k == 6 || k == 8 || k == 10 { out.append(UInt8(ascii: "-")) }
                    let v = b[i + 2 + k]
                    out.append(digits[Int(v >> 4)]); out.append(digits[Int(v & 0xF)])
                }
                i += 18
            default: return nil
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    /// The GUID (`8-4-4-4-12` hex digits) that starts at `i`, read in one pass: its 16 bytes (the
    /// first eight, then the last eight, each in text order from the low byte up) and whether its
    /// letters are upper case (one of digits only counts as lower case); nil if there is none there
    /// or its letters mix cases.
    private static func guid(_ b: UnsafeBufferPointer<UInt8>, at i: Int) -> (bytes: (UInt64, UInt64), upper: Bool)? {
        hexDigits.withUnsafeBufferPointer { table -> (bytes: (UInt64, UInt64), upper: Bool)? in
            var bytes: (UInt64, UInt64) = (0, 0)
            var seen: UInt8 = 0  // the digits' flags or'ed: lowerCase, upperCase, notHex
            var p = i
            for k in 0..<16 {
                if k == 4 || k == 6 || k == 8 || k == 10 {
                    guard b[p] == UInt8(ascii: "-") else { return nil }
                    p += 1
                }
                let high = table[Int(b[p])], low = table[Int(b[p + 1])]
                seen |= high | low
                let byte = UInt64((high & 0xF) << 4 | (low & 0xF))
                if k < 8 { bytes.0 |= byte << (8 * UInt64(k)) } else { bytes.1 |= byte << (8 * UInt64(k - 8)) }
                p += 2
            }
            guard seen & notHex == 0, seen & (lowerCase | upperCase) != lowerCase | upperCase else { return nil }
            return (bytes, seen & upperCase != 0)
        }
    }

    private static let lowerCase: UInt8 = 0x10, upperCase: UInt8 = 0x20, notHex: UInt8 = 0x40

    /// Each byte's value as a hex digit (low four bits) with its flags: a lower- or upper-case
    /// letter, or no hex digit at all. One load per digit, where comparing its ranges took a branch
    /// the processor guessed wrong for every third digit of a random GUID.
    private static let hexDigits: [UInt8] = (0..<256).map { c -> UInt8 in
        switch UInt8(c) {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt8(c) - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt8(c) - UInt8(ascii: "a") + 10 | lowerCase
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt8(c) - UInt8(ascii: "A") + 10 | upperCase
        default: return notHex
        }
    }
}
