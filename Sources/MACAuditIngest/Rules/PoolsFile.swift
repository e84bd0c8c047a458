import MACAuditModel
/// Writes `pools.yaml` in the form ``PoolDefinitions`` reads: explicit pools, then plans. Every
/// name is a double-quoted YAML string, so a cluster called `yes` or `0x10` stays a name.
public enum PoolsFile {
    /// The file text. `pools` are the explicit (non-plan) pools to keep, `plans` every plan.
    public static func render(pools: [Pool], plans: [PoolPlan], header: [String] = []) -> String {
        var out = header.map { "# \($0)\n" }.joined()
        out += "version: 1\n"
        out += pools.isEmpty ? "pools: []\n" : "pools:\n"
        for p in pools {
            out += "  - name: \(quoted(p.name))\n    first: \(p.range.lower)\n    last: \(p.range.upper)\n"
            if let host = p.host {
                out += "    scope: host\n    host: \(quoted(host))\n"
                if let cluster = p.cluster { out += "    cluster: \(quoted(cluster))\n" }
            } else if let cluster = p.cluster {
                out += "    scope: cluster\n    cluster: \(quoted(cluster))\n"
            } else {
                out += "    scope: fleet\n"
            }
            if p.strict { out += "    strict: true\n" }
        }
        out += plans.isEmpty ? "plans: []\n" : "plans:\n"
        for plan in plans {
            let prefix = MACAddress(uncheckedValue: UInt64(plan.prefix) << 24).description.prefix(8)
            out += "  - name: \(quoted(plan.name))\n    prefix: \(prefix)\n"
            if plan.strict { out += "    strict: true\n" }
            out += plan.clusters.isEmpty ? "    clusters: {}\n" : "    clusters:\n"
            for c in plan.clusters {
                out += "      \(quoted(c.name)):\n        byte: 0x\(hex(c.byte))\n"
                out += c.hosts.isEmpty ? "        hosts: {}\n" : "        hosts:\n"
                for h in c.hosts { out += "          \(quoted(h.name)): \(h.nibble)\n" }
            }
        }
        return out
    }

    /// The pools of `rules` that are not derived from one of its plans.
    public static func explicitPools(_ rules: Rules) -> [Pool] {
        let derived = Set(rules.plans.flatMap { plan in plan.clusters.flatMap { c in c.hosts.map { plan.poolName(cluster: c.name, host: $0.name) } } })
        return rules.pools.filter { $0.kind == .defined && !derived.contains($0.name) }
    }

    /// A YAML double-quoted scalar: `"` and `\` escaped, control characters as `\xNN`/`\uNNNN`.
    static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value)
                || scalar.value == 0x2028 || scalar.value == 0x2029 || scalar.value == 0xFEFF:
                out += scalar.value <= 0xFF ? "\\x" + hex(UInt8(scalar.value)) : "\\u" + String(scalar.value, radix: 16, uppercase: true).leftPad(4)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    static func hex(_ b: UInt8) -> String { String(b, radix: 16, uppercase: true).leftPad(2) }
}

private extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
