import ArgumentParser
import Foundation
import MACAudit

/// `--oui-data PATH`, else the system's registries (Debian's ieee-data, Wireshark's manuf).
struct RegistryOptions: ParsableArguments {
    @Option(name: .customLong("oui-data"), help: ArgumentHelp("IEEE registry files or folders (oui.csv, mam.csv, oui36.csv, iab.csv, manuf); default: ieee-data and Wireshark's manuf.", valueName: "path"))
    var ouiData: [String] = []

    func load() throws -> OUIRegistry? {
        for path in ouiData where !FileManager.default.fileExists(atPath: path) { throw IngestError(file: path, message: "does not exist") }
        return try OUIRegistry.load(paths: ouiData.isEmpty ? OUIRegistry.defaultPaths : ouiData)
    }
}

extension MacAudit {
    /// `macaudit mac MAC…`: everything macaudit knows about one address.
    struct Mac: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Everything known about a MAC: its forms and bits, the IEEE registry's vendor, reserved prefixes, pools and, with --db, its holders now and before, reservations and findings.",
            discussion: "Exit 0 when the MAC is known anywhere (registry, reserved prefix, pool, database), 1 when unknown, 2 for a malformed MAC.")

        @Argument(help: "MAC addresses, in any common spelling.") var macs: [String]
        @Option(help: ArgumentHelp("The pool database (also $MACAUDIT_DB).", valueName: "path")) var db: String?
        @Flag(help: "Write JSON.") var json = false
        @OptionGroup var ruleOptions: RuleOptions
        @OptionGroup var registryOptions: RegistryOptions

        struct About: Encodable {
            var mac: String
            var spellings: [String: String]
            var group: Bool
            var locallyAdministered: Bool
            var slapQuadrant: String?
            var registry: RegistryEntry?
            var reserved: [String]
            var pools: [PoolEntry]
            var holders: [HolderEntry]?
            var reservations: [ReservationEntry]?
            var findings: [FindingEntry]?
            var known: Bool { registry != nil || !reserved.isEmpty || !pools.isEmpty || !(holders ?? []).isEmpty || !(reservations ?? []).isEmpty }
        }
        struct RegistryEntry: Encodable {
            var vendor: String; var block: String; var bits: Int; var size: UInt64; var registry: String; var source: String
            /// True when the address is a group address of the block (its I/G bit set on the
            /// block's individual addresses: `01-00-5E-…` is IANA's `00-00-5E` block).
            var groupOfBlock: Bool
        }
        struct PoolEntry: Encodable { var name: String; var kind: String; var range: String; var source: String }
        struct HolderEntry: Encodable {
            var key: String; var kind: String; var cluster: String; var host: String; var vm: String?; var adapter: String
            var state: String; var firstSeen: String; var lastSeen: String
        }
        struct ReservationEntry: Encodable { var holder: String; var state: String; var pool: String?; var run: Int64? }
        struct FindingEntry: Encodable { var id: String; var check: String; var severity: String; var message: String; var firstRun: Int64 }

        var databasePath: String? { db ?? ProcessInfo.processInfo.environment["MACAUDIT_DB"].flatMap { $0.isEmpty ? nil : $0 } }

        func run() throws {
            var addresses: [MACAddress] = []
            for text in macs {
                switch MACField(parsing: text) {
                case .valid(let mac): addresses.append(mac)
                case .invalid(_, let reason): throw ValidationError("'\(text)' is not a MAC address: it \(reason).")
                case .absent: throw ValidationError("Please give a MAC address, not an empty string.")
                }
            }
            let rules = try ruleOptions.load()
            let registry = try registryOptions.load()
            let store = try databasePath.map { try PoolDatabase.open($0, create: false, forReading: true) }
            let pools = rules.pools + (try store?.pools().flatMap(\.pools) ?? [])
            let about = try addresses.map { try describe($0, rules: rules, registry: registry, pools: pools, store: store) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(about), as: UTF8.self))
            } else {
                for a in about { print(Self.text(a, registry: registry)) }
            }
            throw ExitCode(about.allSatisfy(\.known) ? 0 : 1)
        }

        func describe(_ mac: MACAddress, rules: Rules, registry: OUIRegistry?, pools: [Pool], store: (any PoolStore)?) throws -> About {
            let v = mac.value
            let hex = String(format: "%012llx", v)
            let cisco = "\(hex.prefix(4)).\(hex.dropFirst(4).prefix(4)).\(hex.suffix(4))"
            var about = About(
                mac: mac.description,
                spellings: ["hyper-v": mac.hyperVForm, "network-controller": mac.description, "cisco": cisco, "colons": mac.formatted(separator: ":").lowercased()],
                group: mac.isGroup, locallyAdministered: mac.isLocal, slapQuadrant: mac.slapQuadrant?.rawValue,
                registry: Self.registryEntry(of: mac, in: registry),
                reserved: rules.reservedPrefixes.filter { $0.matches(mac) }.map { "\($0.name) (\($0.severity.rawValue)): \($0.reason)" },
                pools: pools.filter { $0.range.contains(mac) }.map { PoolEntry(name: $0.name, kind: $0.kind.rawValue, range: $0.range.description, source: $0.source.path) })
            if let store {
                about.holders = try store.assignments(of: mac).map { a in
                    let s = a.sighting
                    return HolderEntry(key: s.key, kind: s.kind, cluster: s.cluster, host: s.host, vm: s.vm, adapter: s.name, state: a.state.rawValue,
                                       firstSeen: JSONReport.timestamp(a.firstSeen), lastSeen: JSONReport.timestamp(a.lastSeen))
                }
                about.reservations = try store.reservations(holder: nil).filter { $0.mac == mac }
                    .map { ReservationEntry(holder: $0.holder, state: $0.state.rawValue, pool: $0.pool, run: $0.runId) }
                about.findings = try store.findings(mac: mac).map {
                    FindingEntry(id: $0.fingerprint, check: $0.check, severity: $0.severity.rawValue, message: $0.message, firstRun: $0.firstRunId)
                }
            }
            return about
        }

        /// The registry's block of `mac`; for a group address no block lists itself, the block
        /// of its individual twin (the I/G bit cleared): the group addresses an organisation's
        /// OUI gives it, as IANA's `01-00-5E` multicast range is its `00-00-5E` block.
        static func registryEntry(of mac: MACAddress, in registry: OUIRegistry?) -> RegistryEntry? {
            var groupOfBlock = false
            var entry = registry?.lookup(mac)
            if entry == nil, mac.isGroup, !mac.isBroadcast {
                entry = registry?.lookup(MACAddress(uncheckedValue: mac.value & ~(UInt64(1) << 40)))
                groupOfBlock = entry != nil
            }
            return entry.map { RegistryEntry(vendor: $0.vendor, block: "\($0.block.lower)/\($0.bits)", bits: $0.bits, size: $0.block.count,
                                             registry: $0.registry, source: $0.source, groupOfBlock: groupOfBlock) }
        }

        static func text(_ a: About, registry: OUIRegistry?) -> String {
            var out = "\(a.mac)  (Hyper-V \(a.spellings["hyper-v"]!), Cisco \(a.spellings["cisco"]!), \(a.spellings["colons"]!))\n"
            out += "  \(a.group ? "group (multicast)" : "unicast"), \(a.locallyAdministered ? "locally administered" + (a.slapQuadrant.map { ", SLAP quadrant \($0)" } ?? "") : "universal (IEEE-assigned)")\n"
            if let r = a.registry {
                out += "  vendor: \(r.vendor) (\(r.registry) \(r.block), \(r.size) addresses; \(r.source))"
                    + (r.groupOfBlock ? ": a group address of that block\n" : "\n")
            } else if a.locallyAdministered {
                out += "  vendor: none (a locally administered address is not the IEEE's to assign)\n"
            } else {
                out += registry == nil ? "  vendor: unknown (\(OUIRegistry.missing))\n" : "  vendor: no registry assigns this block (\(registry!.label)): a made-up address\n"
            }
            for r in a.reserved { out += "  reserved: \(r)\n" }
            for p in a.pools { out += "  in pool '\(p.name.terminalSafe)' (\(p.kind), \(p.range)) from \(p.source.terminalSafe)\n" }
            if let holders = a.holders {
                if holders.isEmpty { out += "  no holder in the pool database\n" }
                for h in holders {
                    out += "  holder \(h.kind) \(h.vm.map { "\($0.terminalSafe) / " } ?? "")\(h.adapter.terminalSafe) on \(h.host.terminalSafe) (cluster \(h.cluster.terminalSafe)): \(h.state), seen \(h.firstSeen) … \(h.lastSeen)\n"
                }
            }
            for r in a.reservations ?? [] { out += "  reserved for \(r.holder.terminalSafe): \(r.state)\(r.pool.map { " in '\($0.terminalSafe)'" } ?? "")\(r.run.map { ", run \($0)" } ?? "")\n" }
            for f in a.findings ?? [] { out += "  finding \(f.id) \(f.check) (\(f.severity), since run \(f.firstRun)): \(f.message.terminalSafe)\n" }
            return out
        }
    }
}
