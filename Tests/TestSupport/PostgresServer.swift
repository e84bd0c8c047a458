#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A throwaway PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster made by
/// `initdb` in a temporary folder, listening on a free port of 127.0.0.1 and on a socket in that
/// folder, SCRAM passwords for TCP logins and TLS with a self-signed certificate for `localhost`
/// (so `sslmode=verify-full` can be tested against it). Run as the `postgres` user when the tests
/// run as root (PostgreSQL refuses to run as root). Stopped when the test process exits.
public final class PostgresServer: @unchecked Sendable {
    /// The role the tests log in as (a superuser of the throwaway cluster), and its password.
    public static let user = "macaudit"
    public static let password = "pw:Ü@/ x"
    public let port: Int
    public let folder: String
    /// The server's certificate, which is its own CA: what `sslrootcert` names.
    public let certificate: String
    let binaries: String
    let data: String
    let tls: Bool

    /// The server all tests share, started on first use; the reason when it cannot be.
    public static let shared: Result<PostgresServer, ServerError> = Result { try PostgresServer(tls: true) }.mapError { $0 as? ServerError ?? ServerError("\($0)") }

    public struct ServerError: Error, CustomStringConvertible {
        public var description: String
        init(_ d: String) { description = d }
    }

    /// Starts a new server (`tls: false`: one that offers no TLS at all).
    public init(tls: Bool) throws {
        guard let binaries = Self.binaries() else {
            throw ServerError("no PostgreSQL server binaries (initdb) under /usr/lib/postgresql/*/bin: install Debian's postgresql (.ci/setup does)")
        }
        self.binaries = binaries
        self.tls = tls
        var template = Array("/tmp/macaudit-pg-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ServerError("cannot make a temporary folder") }
        folder = String(cString: made)
        chmod(folder, 0o755)
        data = "\(folder)/data"
        certificate = "\(folder)/server.crt"
        port = try Self.freePort()
        let pwfile = "\(folder)/pw"
        try Self.password.write(toFile: pwfile, atomically: true, encoding: .utf8)
        if tls {
            try Self.check(Subprocess.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(folder)/server.key",
                                                      "-out", certificate, "-days", "3", "-subj", "/CN=localhost",
                                                      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]), "openssl req")
            chmod("\(folder)/server.key", 0o600)
        }
        if geteuid() == 0 { try Self.check(Subprocess.run("chown", ["-R", "postgres:postgres", folder]), "chown") }
        try Self.check(asServer("\(binaries)/initdb", ["-D", data, "-U", Self.user, "--pwfile", pwfile, "--auth-host=scram-sha-256",
                                                        "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"]), "initdb")
        try start()
        Self.started.append(self)
        if Self.started.count == 1 { atexit { PostgresServer.stopAll() } }
    }

    /// `postgres://macaudit:…@127.0.0.1:PORT/DATABASE?…`.
    public func url(_ database: String, host: String = "127.0.0.1", sslmode: String = "require", extra: String = "") -> String {
        let pw = Self.password.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        return "postgres://\(Self.user):\(pw)@\(host):\(port)/\(database)?sslmode=\(sslmode)\(extra)"
    }

    /// A new, empty database on this server; its name.
    public func createDatabase(_ label: String) throws -> String {
        Self.counter.lock(); Self.next += 1; let n = Self.next; Self.counter.unlock()
        let name = "t\(n)_" + label.lowercased().filter { $0.isLetter || $0.isNumber }.prefix(40)
        try sql("CREATE DATABASE \(name)")
        return name
    }

    /// Runs SQL through psql on the server's socket, as the test superuser.
    @discardableResult
    public func sql(_ statement: String, database: String = "postgres") throws -> String {
        let r = try Subprocess.run("\(binaries)/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", folder, "-p", "\(port)",
                                                         "-U", Self.user, "-d", database, "-c", statement])
        guard r.status == 0 else { throw ServerError("psql: \(statement): \(r.stderr)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Stops the server at once (as a crash or `kill -9` of the postmaster would end it).
    public func stop() {
        _ = try? asServer("\(binaries)/pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"])
    }

    /// Starts it (again, after ``stop()``).
    /// (fsync is off: the tests stop the server, never the machine; commits stay synchronous, so a
    /// server stopped at once keeps every commit it acknowledged.)
    public func start() throws {
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder) -c fsync=off -c max_connections=200"
        if tls { options += " -c ssl=on -c ssl_cert_file=\(certificate) -c ssl_key_file=\(folder)/server.key" }
        try Self.check(asServer("\(binaries)/pg_ctl", ["-D", data, "-l", "\(folder)/log", "-o", options, "-w", "-t", "60", "start"]), "pg_ctl start")
    }

    nonisolated(unsafe) private static var started: [PostgresServer] = []
    private static let counter = NSLock()
    nonisolated(unsafe) private static var next = 0

    static func stopAll() {
        for server in started {
            server.stop()
            _ = try? Subprocess.run("rm", ["-rf", server.folder])
        }
    }

    private func asServer(_ tool: String, _ arguments: [String]) throws -> Subprocess.Result {
        if geteuid() == 0 { return try Subprocess.run("runuser", ["-u", "postgres", "--", tool] + arguments) }
        return try Subprocess.run(tool, arguments)
    }

    private static func check(_ r: Subprocess.Result, _ what: String) throws {
        guard r.status == 0 else { throw ServerError("\(what) failed (\(r.status)): \(r.stderr)\(r.stdout)") }
    }

    /// The newest `/usr/lib/postgresql/N/bin` with initdb.
    static func binaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap(Int.init).sorted(by: >)
        return versions.map { "\(root)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }

    /// A TCP port of 127.0.0.1 nobody listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ServerError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        guard bound == 0 else { throw ServerError("bind() failed") }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
