import MACAuditModel

// The report's bulk — findings with their subjects and evidence, stations, proposals, resolved
// findings — written straight to the sink, members in sorted order as Foundation would sort them.
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
        if let firstRun { o.integer("firstRun", orNull: firstRun, into: &out) }
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

extension JSONReport.StationDTO {
    func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("dhcpHostName", ifPresent: dhcpHostName, into: &out)
        try o.value("evidence", evidence, into: &out)
        o.string("firstSeen", firstSeen, into: &out)
        o.integer("frames", orNull: frames, into: &out)
        try o.value("ips", ips, into: &out)
        o.string("lastSeen", lastSeen, into: &out)
        o.string("mac", mac, into: &out)
        try o.value("providers", providers, into: &out)
        try o.value("roles", roles, into: &out)
        o.string("vendor", ifPresent: vendor, into: &out)
        o.integer("vlan", orNull: vlan, into: &out)
        o.integer("vni", orNull: vni, into: &out)
        o.close(into: &out)
    }
}

extension JSONReport.ProposalDTO {
    func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("from", ifPresent: from, into: &out)
        o.string("interface", ifPresent: interface, into: &out)
        o.string("pool", ifPresent: pool, into: &out)
        o.string("reason", reason, into: &out)
        try o.value("resolves", resolves, into: &out)
        try o.value("subject", subject, into: &out)
        o.string("to", to, into: &out)
        o.close(into: &out)
    }
}

extension JSONReport.ResolvedDTO {
    public func write(json out: inout ReportSink, depth: Int) throws {
        var o = JSON.Object(depth: depth, into: &out)
        o.string("check", check, into: &out)
        o.integer("firstRun", orNull: firstRun, into: &out)
        o.string("id", id, into: &out)
        o.string("mac", ifPresent: mac, into: &out)
        o.string("message", message, into: &out)
        o.string("severity", severity, into: &out)
        o.close(into: &out)
    }
}
