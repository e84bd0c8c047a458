import MACAuditModel

// The report's bulk written straight to the sink: findings with their subjects and evidence (the
// hottest, hundreds of thousands in a neglected fleet's report) by hand, members in sorted order;
// stations, proposals and resolved findings from member tables (`JSONObjectWritable`).
// `JSONReportLayoutTests` compares whole reports with Foundation's encoding of the same values.

extension Subject: JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("cluster", ifPresent: cluster, into: &out)
        o.string("host", ifPresent: host, into: &out)
        o.string("id", ifPresent: id, into: &out)
        o.string("key", ifPresent: key, into: &out)
        o.string("kind", kind, into: &out)
        o.string("name", ifPresent: name, into: &out)
        o.string("vm", ifPresent: vm, into: &out)
        o.close(into: &out)
    }
}

extension Evidence: JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("at", at, into: &out)
        o.string("source", source, into: &out)
        o.close(into: &out)
    }
}

extension InputSummary: JSONWritable {}
extension InputWarning: JSONWritable {}

extension Int64: JSONWritable {
    public func write(json out: inout ReportSink, depth: Int) throws { JSON.integer(self, into: &out) }
}

extension Dictionary: JSONWritable where Key == String, Value: Encodable {}

extension JSONReport.FindingDTO {
    func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("acceptedReason", ifPresent: acceptedReason, into: &out)
        o.string("check", check, into: &out)
        try o.value("evidence", evidence, into: &out)
        o.integer("firstRun", ifPresent: firstRun, into: &out)
        o.string("firstSeen", ifPresent: firstSeen, into: &out)
        o.string("id", id, into: &out)
        o.string("mac", orNull: mac, into: &out)
        o.string("message", message, into: &out)
        o.string("severity", severity, into: &out)
        o.string("status", ifPresent: status, into: &out)
        try o.value("subjects", subjects, into: &out)
        o.string("vendor", ifPresent: vendor, into: &out)
        o.close(into: &out)
    }
}

extension JSONReport.StationDTO: JSONObjectWritable {
    static let members: JSONMemberTable<Self> = JSON.members([
        ("mac", { .string($0.mac) }), ("vendor", { .optional($0.vendor) }), ("vlan", { .number($0.vlan) }), ("vni", { .number($0.vni) }),
        ("ips", { .strings($0.ips) }), ("roles", { .strings($0.roles) }), ("frames", { .number($0.frames) }), ("firstSeen", { .string($0.firstSeen) }),
        ("lastSeen", { .string($0.lastSeen) }), ("providers", { .strings($0.providers) }), ("evidence", { .value($0.evidence) }),
        ("dhcpHostName", { .optional($0.dhcpHostName) }),
    ])
}

extension JSONReport.ProposalDTO: JSONObjectWritable {
    static let members: JSONMemberTable<Self> = JSON.members([
        ("subject", { .value($0.subject) }), ("from", { .optional($0.from) }), ("to", { .string($0.to) }), ("pool", { .optional($0.pool) }),
        ("interface", { .optional($0.interface) }), ("reason", { .string($0.reason) }), ("resolves", { .strings($0.resolves) }),
    ])
}

extension JSONReport.ResolvedDTO: JSONObjectWritable {
    public static let members: JSONMemberTable<Self> = JSON.members([
        ("id", { .string($0.id) }), ("check", { .string($0.check) }), ("severity", { .string($0.severity) }), ("mac", { .optional($0.mac) }),
        ("message", { .string($0.message) }), ("firstRun", { .integer($0.firstRun) }),
    ])
}
