import Foundation

/// Where the pool database is, as `--db` (or `$MACAUDIT_DB`) names it: the path of an SQLite file,
/// or a PostgreSQL server by a `postgres://` / `postgresql://` URL read with libpq's conventions
/// (the URL first, then `PGHOST`, `PGPORT`, `PGUSER`, `PGDATABASE`, `PGPASSWORD`, `PGSSLMODE`,
/// `PGSSLROOTCERT`, `PGCONNECT_TIMEOUT`, `PGAPPNAME`, then `~/.pgpass` for the password).
public enum DatabaseLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    /// Reads a location. Anything that is not a `scheme://` URL is a file path; a URL of another
    /// scheme, or a PostgreSQL URL libpq would refuse, is an error saying what is wrong (never
    /// echoing a password).
    public static func parse(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                             passwordFile: ((String) -> String?)? = nil) throws -> DatabaseLocation {
        guard let scheme = scheme(of: text) else {
            let lower = text.lowercased()
            if lower.hasPrefix("postgres:") || lower.hasPrefix("postgresql:") {
                throw DatabaseLocationError(location: PostgresTarget.redacted(text),
                                            reason: "looks like a server URL with a broken scheme; write postgres://user@host:5432/database (or ./\(text) for a file)")
            }
            return .sqlite(path: text)
        }
        guard scheme == "postgres" || scheme == "postgresql" else {
            throw DatabaseLocationError(location: PostgresTarget.redacted(text),
                                        reason: "'\(scheme)://' is not a database this build knows; give an SQLite file's path or a postgres:// URL")
        }
        return .postgres(try PostgresTarget(url: text, environment: environment, passwordFile: passwordFile ?? PostgresTarget.readFile))
    }

    /// The scheme of a `scheme://…` text, if it is one (a path never has `://` after letters only).
    public static func scheme(of text: String) -> String? {
        guard let r = text.range(of: "://") else { return nil }
        let scheme = text[..<r.lowerBound]
        guard let first = scheme.first, first.isASCII, first.isLetter,
              scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return scheme.lowercased()
    }

    /// For messages: the path, or the server's URL without a password.
    public var display: String {
        switch self {
        case .sqlite(let path): return path
        case .postgres(let target): return target.display
        }
    }
}

/// A location that cannot be used, and why.
public struct DatabaseLocationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var reason: String
    public var description: String { "\(location): \(reason)" }
}

/// A PostgreSQL server and database, with how to reach and trust it.
public struct PostgresTarget: Sendable, Equatable {
    /// libpq's `sslmode`, from least to most demanding.
    public enum SSLMode: String, Sendable, CaseIterable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    /// A host name or address; a value starting with `/` is the folder of a Unix socket.
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslMode: SSLMode
    /// The CA certificates (PEM) a `verify-ca` / `verify-full` server certificate must chain to.
    public var sslRootCert: String?
    /// Seconds to wait for the server before giving up.
    public var connectTimeout: Int
    public var applicationName: String

    /// `postgres://user@host:port/database`: never the password.
    public var display: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return host.hasPrefix("/") ? "postgres://\(user)@/\(database)?host=\(host)&port=\(port)" : "postgres://\(user)@\(h):\(port)/\(database)"
    }

    /// The Unix socket file of a socket-folder host.
    public var socketPath: String? { host.hasPrefix("/") ? "\(host)/.s.PGSQL.\(port)" : nil }

    public init(host: String, port: Int = 5432, user: String, password: String? = nil, database: String, sslMode: SSLMode = .prefer,
                sslRootCert: String? = nil, connectTimeout: Int = 10, applicationName: String = "macaudit") {
        self.host = host; self.port = port; self.user = user; self.password = password; self.database = database; self.sslMode = sslMode
        self.sslRootCert = sslRootCert; self.connectTimeout = connectTimeout; self.applicationName = applicationName
    }

    /// Reads `postgres[ql]://[user[:password]@][host][:port][/database][?param=value&…]`.
    /// Parameters: `host`, `port`, `user`, `password`, `dbname`, `sslmode`, `sslrootcert`,
    /// `connect_timeout`, `application_name`; any other is refused, as libpq refuses it.
    public init(url: String, environment: [String: String], passwordFile: (String) -> String?) throws {
        let shown = Self.redacted(url)
        func fail(_ reason: String) -> DatabaseLocationError { DatabaseLocationError(location: shown, reason: reason) }
        guard let sep = url.range(of: "://") else { throw fail("not a URL") }
        var rest = Substring(url[sep.upperBound...])
        var query: Substring = ""
        if let q = rest.firstIndex(of: "?") { query = rest[rest.index(after: q)...]; rest = rest[..<q] }
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        var path: Substring = ""
        if let slash = rest.firstIndex(of: "/") { path = rest[rest.index(after: slash)...]; rest = rest[..<slash] }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") { userInfo = rest[..<at]; rest = rest[rest.index(after: at)...] }

        var values: [String: String] = [:]
        if let userInfo {
            if let colon = userInfo.firstIndex(of: ":") {
                values["user"] = try Self.decode(userInfo[..<colon], fail)
                values["password"] = try Self.decode(userInfo[userInfo.index(after: colon)...], fail)
            } else {
                values["user"] = try Self.decode(userInfo, fail)
            }
        }
        // host[:port], [v6]:port; a comma means several hosts, which this build does not try in turn.
        guard !rest.contains(",") else { throw fail("several hosts are not supported; name one") }
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw fail("an IPv6 address is missing its ']'") }
            values["host"] = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw fail("unexpected '\(after)' after the IPv6 address") }
                values["port"] = String(after.dropFirst())
            }
        } else if let colon = rest.firstIndex(of: ":") {
            values["host"] = try Self.decode(rest[..<colon], fail)
            values["port"] = String(rest[rest.index(after: colon)...])
        } else if !rest.isEmpty {
            values["host"] = try Self.decode(rest, fail)
        }
        if !path.isEmpty { values["dbname"] = try Self.decode(path, fail) }
        for pair in query.split(separator: "&") where !pair.isEmpty {
            guard let eq = pair.firstIndex(of: "=") else { throw fail("the parameter '\(pair)' has no value") }
            let name = try Self.decode(pair[..<eq], fail), value = try Self.decode(pair[pair.index(after: eq)...], fail)
            guard Self.parameters.contains(name) else {
                throw fail("'\(name)' is not a connection parameter macaudit knows (\(Self.parameters.sorted().joined(separator: ", ")))")
            }
            values[name] = value
        }
        try self.init(values: values, environment: environment, passwordFile: passwordFile, shown: shown)
    }

    static let parameters: Set<String> = ["host", "port", "user", "password", "dbname", "sslmode", "sslrootcert", "connect_timeout", "application_name"]

    /// The URL's values, completed from the environment as libpq completes them.
    private init(values: [String: String], environment env: [String: String], passwordFile: (String) -> String?, shown: String) throws {
        func fail(_ reason: String) -> DatabaseLocationError { DatabaseLocationError(location: shown, reason: reason) }
        func value(_ name: String, _ variable: String) -> String? {
            if let v = values[name], !v.isEmpty { return v }
            if let v = env[variable], !v.isEmpty { return v }
            return nil
        }
        let host = value("host", "PGHOST") ?? "localhost"
        let portText = value("port", "PGPORT") ?? "5432"
        guard let port = Int(portText), (1...65535).contains(port) else { throw fail("'\(portText)' is not a port number") }
        let user = value("user", "PGUSER") ?? Self.systemUser(env)
        let database = value("dbname", "PGDATABASE") ?? user
        let modeText = value("sslmode", "PGSSLMODE") ?? "prefer"
        guard let mode = SSLMode(rawValue: modeText) else {
            throw fail("sslmode '\(modeText)' is not one of \(SSLMode.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let timeoutText = value("connect_timeout", "PGCONNECT_TIMEOUT") ?? "10"
        guard let timeout = Int(timeoutText), timeout >= 0 else { throw fail("connect_timeout '\(timeoutText)' is not a number of seconds") }
        var rootCert = value("sslrootcert", "PGSSLROOTCERT")
        if rootCert == nil, mode == .verifyCA || mode == .verifyFull, let home = env["HOME"] {
            rootCert = "\(home)/.postgresql/root.crt"
        }
        self.init(host: host, port: port, user: user, password: nil, database: database, sslMode: mode, sslRootCert: rootCert,
                  // libpq treats a timeout below 2 s as 2 s; 0 means wait as long as the system does.
                  connectTimeout: timeout == 0 ? 0 : max(timeout, 2), applicationName: value("application_name", "PGAPPNAME") ?? "macaudit")
        password = values["password"].flatMap { $0.isEmpty ? nil : $0 } ?? value("password", "PGPASSWORD")
        if password == nil {
            let file = env["PGPASSFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["HOME"].map { "\($0)/.pgpass" }
            if let file, let text = passwordFile(file) {
                password = PasswordFile.password(in: text, host: host, port: port, database: database, user: user)
            }
        }
    }

    /// The login name, as libpq takes it when no user is given.
    static func systemUser(_ env: [String: String]) -> String {
        if let u = env["USER"], !u.isEmpty { return u }
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return "postgres"
    }

    static func decode(_ text: Substring, _ fail: (String) -> DatabaseLocationError) throws -> String {
        guard let decoded = String(text).removingPercentEncoding else { throw fail("'\(text)' has a broken %-escape") }
        return decoded
    }

    /// A password file's text, if it may be used: libpq ignores one that others can read.
    public static func readFile(_ path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
        guard info.st_mode & 0o077 == 0 else {
            FileHandle.standardError.write(Data("macaudit: warning: \(path) can be read by others (chmod 0600 it); its passwords are not used\n".utf8))
            return nil
        }
        return try? String(contentsOfFile: path, encoding: .utf8)
    }

    /// The text with any password (`user:secret@host`, `password=secret`) replaced by `***`.
    public static func redacted(_ text: String) -> String {
        var out = text
        if let r = out.range(of: "://") {
            let afterScheme = out[r.upperBound...]
            let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" }) ?? afterScheme.endIndex
            if let at = afterScheme[..<authorityEnd].lastIndex(of: "@"), let colon = afterScheme[..<at].firstIndex(of: ":") {
                out.replaceSubrange(out.index(after: colon)..<at, with: "***")
            }
        }
        if let p = out.range(of: "password=") {
            let end = out[p.upperBound...].firstIndex(of: "&") ?? out.endIndex
            out.replaceSubrange(p.upperBound..<end, with: "***")
        }
        return out
    }
}

/// `~/.pgpass`: lines of `hostname:port:database:username:password`, `*` matching anything,
/// `\:` and `\\` escaping; the first line that matches gives the password.
public enum PasswordFile {
    public static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        // libpq matches a socket connection's host as "localhost".
        let hostName = host.hasPrefix("/") ? "localhost" : host
        for line in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r" }) where !line.hasPrefix("#") {
            let fields = split(line)
            guard fields.count == 5 else { continue }
            let wanted = [hostName, String(port), database, user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The fields of a line, with `\` escapes undone.
    static func split(_ line: Substring) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false; continue }
            switch c {
            case "\\": escaped = true
            case ":" where fields.count < 4: fields.append(current); current = ""
            default: current.append(c)
            }
        }
        fields.append(current)
        return fields
    }
}
