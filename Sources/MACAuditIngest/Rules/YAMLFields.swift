import MACAuditModel
import Yams

/// Strict reading of a rule file's YAML: every mapping says which keys it allows, and an unknown
/// key is an error that names it with its file and line (Codable would silently ignore it).
struct YAMLFields {
    let mapping: Node.Mapping
    let file: String
    let context: String

    /// Reads the document at `text`; an empty document is an empty mapping.
    static func document(_ text: String, file: String) throws -> YAMLFields {
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch {
            throw RuleError(file: file, line: nil, message: "is not valid YAML: \(error)")
        }
        guard let node else { return YAMLFields(mapping: Node.Mapping([]), file: file, context: "top level") }
        guard case .mapping(let m) = node else {
            throw RuleError(file: file, line: node.mark?.line, message: "must be a mapping of keys at its top level")
        }
        return YAMLFields(mapping: m, file: file, context: "top level")
    }

    var line: Int? { mapping.mark?.line }

    /// Fails on the first key not in `allowed`, naming it.
    func allowOnly(_ allowed: Set<String>) throws {
        for (key, _) in mapping {
            let name = key.string ?? "?"
            guard allowed.contains(name) else {
                throw RuleError(file: file, line: key.mark?.line, message:
                    "unknown key '\(name)' in \(context); known keys: \(allowed.sorted().joined(separator: ", "))")
            }
        }
    }

    func node(_ key: String) -> Node? { mapping[Node(key)] }

    func string(_ key: String) throws -> String? {
        guard let n = node(key) else { return nil }
        guard case .scalar(let s) = n else { throw error(key, n, "must be a single value") }
        return s.string
    }

    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key), !s.isEmpty else {
            throw RuleError(file: file, line: line, message: "\(context) needs '\(key)'")
        }
        return s
    }

    func mac(_ key: String) throws -> MACAddress? {
        guard let s = try string(key) else { return nil }
        do { return try MACAddress(parsing: s) } catch {
            throw self.error(key, node(key)!, "'\(s)' is not a MAC address: it \(error)")
        }
    }

    /// `true`/`false` (also yes/no, on/off), as YAML 1.1 spells them.
    func bool(_ key: String) throws -> Bool? {
        guard let s = try string(key) else { return nil }
        switch s.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error(key, node(key)!, "'\(s)' is not true or false")
        }
    }

    func severity(_ key: String) throws -> Severity? {
        guard let s = try string(key) else { return nil }
        guard let severity = Severity(rawValue: s.lowercased()) else {
            throw error(key, node(key)!, "'\(s)' is not a severity (critical, error, warning, info)")
        }
        return severity
    }

    func list(_ key: String) throws -> [YAMLFields] {
        guard let n = node(key) else { return [] }
        if case .scalar(let s) = n, s.string.isEmpty || s.string == "null" { return [] }
        guard case .sequence(let seq) = n else { throw error(key, n, "must be a list") }
        return try seq.enumerated().map { i, item in
            guard case .mapping(let m) = item else {
                throw RuleError(file: file, line: item.mark?.line, message: "item \(i + 1) of '\(key)' must be a mapping")
            }
            return YAMLFields(mapping: m, file: file, context: "'\(key)' item \(i + 1)")
        }
    }

    /// A mapping of names to nested mappings or scalars, in file order.
    func entries(_ key: String) throws -> [(name: String, value: Node, line: Int?)] {
        guard let n = node(key) else { return [] }
        if case .scalar(let s) = n, s.string.isEmpty || s.string == "null" { return [] }
        guard case .mapping(let m) = n else { throw error(key, n, "must be a mapping") }
        return m.map { (k, v) in (k.string ?? "", v, k.mark?.line) }
    }

    func error(_ key: String, _ node: Node, _ message: String) -> RuleError {
        RuleError(file: file, line: node.mark?.line, message: "'\(key)' in \(context) \(message)")
    }
}

/// A rule file that cannot be used, with where in it.
public struct RuleError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var message: String

    public var description: String {
        "\(file)\(line.map { ": line \($0)" } ?? ""): \(message)"
    }
}

/// A whole number written in decimal or `0x` hex (cluster bytes and host nibbles read better in hex).
func parseInteger(_ text: String) -> Int? {
    let t = text.trimmingSpaces.lowercased()
    if t.hasPrefix("0x") { return Int(t.dropFirst(2), radix: 16) }
    return Int(t)
}
