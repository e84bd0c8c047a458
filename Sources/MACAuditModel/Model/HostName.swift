/// Host names compare by their first DNS label, case-insensitively: `HV01` = `hv01.corp.contoso.com`.
public enum HostName {
    public static func key(_ name: String) -> String {
        if name.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) { return name }  // an IP address
        let first = name.split(separator: ".", maxSplits: 1).first.map(String.init) ?? name
        return first.lowercased()
    }
}
