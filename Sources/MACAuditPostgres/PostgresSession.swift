import Foundation
import Logging
import MACAudit
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// One connection to the server, used synchronously: every query is sent on the connection's
/// event loop and waited for on the calling thread (never on Swift's cooperative pool, so a
/// synchronous caller inside a task cannot starve the pool). Calls are serialised by a lock.
final class PostgresSession: @unchecked Sendable {
    let target: PostgresTarget
    private let connection: PostgresConnection
    private let lock = NSLock()
    private let logger: Logger
    private static let group = MultiThreadedEventLoopGroup.singleton

    /// Connects and logs in, within the target's connect timeout. Every way this can fail is a
    /// ``StoreError/cannotOpen(location:reason:)`` that names host, port, user and database, and
    /// never the password.
    init(_ target: PostgresTarget) throws {
        self.target = target
        var logger = Logger(label: "macaudit.postgres")
        logger.logLevel = .critical
        self.logger = logger
        let configuration = try Self.configuration(target)
        let loop = Self.group.next()
        let connected = loop.makePromise(of: PostgresConnection.self)
        // connect_timeout covers the whole login, as libpq's does: a server that accepts the TCP
        // connection and never answers must not hang a nightly job. Both callbacks run on `loop`,
        // so whichever comes first completes the promise and the other sees it done.
        let settled = Settled()
        Self.connect(target, configuration, on: loop, logger: logger).whenComplete { result in
            guard !settled.done else { if case .success(let late) = result { let _: EventLoopFuture<Void> = late.close() }; return }
            settled.done = true
            connected.completeWith(result)
        }
        if target.connectTimeout > 0 {
            loop.scheduleTask(in: .seconds(Int64(target.connectTimeout))) {
                guard !settled.done else { return }
                settled.done = true
                connected.fail(ConnectTimeout(seconds: target.connectTimeout))
            }
        }
        do {
            connection = try connected.futureResult.wait()
        } catch {
            throw StoreError.cannotOpen(location: target.display, reason: Self.connectFailure(error, target))
        }
    }

    deinit { try? connection.close().wait() }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ query: PostgresQuery) throws -> PostgresQueryResult {
        lock.lock(); defer { lock.unlock() }
        return try answer(connection.query(query, logger: logger))
    }

    /// Waits on the calling thread for `future`, or for the connection to close: a statement sent
    /// on a connection the server has closed (it stopped, or was restarted) may never be answered
    /// by postgres-nio, so the close ends the wait as well.
    private func answer<T: Sendable>(_ future: EventLoopFuture<T>) throws -> T {
        let answered = connection.eventLoop.makePromise(of: T.self)
        let settled = Settled()
        future.hop(to: connection.eventLoop).whenComplete { result in  // on the connection's loop, as the close below
            guard !settled.done else { return }
            settled.done = true
            answered.completeWith(result)
        }
        connection.closeFuture.whenComplete { _ in
            guard !settled.done else { return }
            settled.done = true
            answered.fail(ConnectionClosed())
        }
        return try answered.futureResult.wait()
    }

    /// `COPY table (columns) FROM STDIN` in the text format, `parts` pieces of rows made by
    /// `part` one after another as the server takes them (a first audit's million holders are
    /// never all in memory as text). The way to load many rows: one statement, no parameter arrays.
    func copy(into table: String, columns: [String], parts: Int, _ part: @escaping @Sendable (Int) throws -> ByteBuffer) throws {
        lock.lock(); defer { lock.unlock() }
        let copying = connection.eventLoop.makePromise(of: Void.self)
        // postgres-nio's COPY is async only. It runs on a thread of its own, not on Swift's
        // cooperative pool: this caller waits synchronously, and when it is itself a task (a test
        // runner's) the pool may have no thread left to run the copy.
        Task(executorPreference: CopyExecutor.shared) { [connection, logger] in
            do {
                try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
                    for i in 0..<parts { try await writer.write(try part(i)) }
                }
                copying.succeed(())
            } catch {
                copying.fail(error)
            }
        }
        try answer(copying.futureResult)
    }

    /// Runs one statement without parameters. (Through the same path as ``query(_:)``: the
    /// legacy simple-query path never answers once the server has gone.)
    func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    // MARK: - Configuration

    /// A TCP connection is made here with TCP_NODELAY (postgres-nio leaves Nagle's algorithm on,
    /// and a transaction of small statements then waits on delayed ACKs: 12 reservations a second
    /// instead of hundreds), then handed to postgres-nio for TLS and the login.
    static func connect(_ target: PostgresTarget, _ configuration: PostgresConnection.Configuration, on loop: any EventLoop,
                        logger: Logger) -> EventLoopFuture<PostgresConnection> {
        guard target.socketPath == nil else { return PostgresConnection.connect(on: loop, configuration: configuration, id: 1, logger: logger) }
        var bootstrap = ClientBootstrap(group: loop).channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_keepalive), value: 1)
        if target.connectTimeout > 0 { bootstrap = bootstrap.connectTimeout(.seconds(Int64(target.connectTimeout))) }
        return bootstrap.connect(host: target.host, port: target.port).flatMap { channel in
            var established = PostgresConnection.Configuration(establishedChannel: channel, tls: configuration.tls, username: configuration.username,
                                                               password: configuration.password, database: configuration.database)
            established.options = configuration.options
            return PostgresConnection.connect(on: loop, configuration: established, id: 1, logger: logger)
        }
    }

    static func configuration(_ target: PostgresTarget) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socket = target.socketPath {
            configuration = .init(unixSocketPath: socket, username: target.user, password: target.password, database: target.database)
        } else {
            configuration = .init(host: target.host, port: target.port, username: target.user, password: target.password, database: target.database,
                                  tls: try tls(target))
            if target.sslMode == .verifyFull { configuration.options.tlsServerName = target.host }
        }
        if target.connectTimeout > 0 { configuration.options.connectTimeout = .seconds(Int64(target.connectTimeout)) }
        // No JIT: the store's statements are short, and the planner's guess of millions of rows for
        // a probe of a new site's MACs (which finds none) had PostgreSQL compile it: 0.13 s for nothing.
        configuration.options.additionalStartupParameters = [("application_name", target.applicationName), ("jit", "off")]
        return configuration
    }

    /// libpq's `sslmode` as NIOSSL: `disable`/`allow` plain, `prefer` TLS when offered, `require`
    /// TLS without checking the certificate, `verify-ca` the chain to `sslrootcert`, `verify-full`
    /// the chain and the host name.
    static func tls(_ target: PostgresTarget) throws -> PostgresConnection.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch target.sslMode {
        case .disable, .allow: return .disable
        case .prefer, .require: tls.certificateVerification = .none
        case .verifyCA, .verifyFull:
            tls.certificateVerification = target.sslMode == .verifyFull ? .fullVerification : .noHostnameVerification
            guard let root = target.sslRootCert, FileManager.default.fileExists(atPath: root) else {
                throw StoreError.cannotOpen(location: target.display,
                                            reason: "sslmode=\(target.sslMode.rawValue) needs the server's CA certificate: \(target.sslRootCert ?? "sslrootcert") is not there")
            }
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(root))
            } catch {
                throw StoreError.cannotOpen(location: target.display, reason: "\(root) holds no PEM certificate (\(error))")
            }
        }
        let context: NIOSSLContext
        do { context = try NIOSSLContext(configuration: tls) } catch {
            throw StoreError.cannotOpen(location: target.display, reason: "TLS cannot be set up: \(error)")
        }
        return target.sslMode == .prefer ? .prefer(context) : .require(context)
    }

    // MARK: - Errors in the admin's words

    struct ConnectTimeout: Error { var seconds: Int }
    struct ConnectionClosed: Error {}
    /// Whether the login finished or timed out (touched only on the connection's event loop).
    private final class Settled: @unchecked Sendable { var done = false }

    /// Why connecting failed, naming what the admin must check.
    static func connectFailure(_ error: Error, _ target: PostgresTarget) -> String {
        let server = target.socketPath ?? "\(target.host):\(target.port)"
        if "\(error)".contains("UnknownHost") || reason(error).contains("UnknownHost") { return "cannot reach the server at \(server): the host name '\(target.host)' does not resolve" }
        if let e = error as? PSQLError {
            if let sql = e.serverInfo?[.sqlState] {
                let message = e.serverInfo?[.message] ?? "refused"
                switch sql {
                case "28P01", "28000":
                    return "the server at \(server) refused user '\(target.user)' for database '\(target.database)': \(message)"
                case "3D000":
                    return "the server at \(server) has no database '\(target.database)' (user '\(target.user)'): create it with `createdb -O \(target.user) \(target.database)`"
                default:
                    return "the server at \(server) refused the connection of user '\(target.user)' to database '\(target.database)': \(message) (SQLSTATE \(sql))"
                }
            }
            switch e.code {
            case .authMechanismRequiresPassword:
                return "the server at \(server) wants a password for user '\(target.user)' and none was given (in the URL, $PGPASSWORD or ~/.pgpass)"
            case .sslUnsupported:
                return "the server at \(server) does not offer TLS, and sslmode=\(target.sslMode.rawValue) requires it"
            case .connectionError, .uncleanShutdown, .serverClosedConnection:
                guard let underlying = e.underlying else { return "cannot reach the server at \(server): the connection was closed before the login ended (is it a PostgreSQL server, and does it take connections from this host?)" }
                return "cannot reach the server at \(server): \(reason(underlying))"
            default:
                if let underlying = e.underlying { return "cannot connect to \(server) as '\(target.user)': \(reason(underlying))" }
                return "cannot connect to \(server) as '\(target.user)': \(e.code)"
            }
        }
        return "cannot reach the server at \(server): \(reason(error))"
    }

    /// An error in words: the system's for socket errors, NIOSSL's for TLS, the server's for SQL.
    static func reason(_ error: Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] {
                return "\(message)\(e.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? "")"
            }
            if e.code == .serverClosedConnection || e.code == .clientClosedConnection || e.code == .uncleanShutdown { return reason(ConnectionClosed()) }
            if let underlying = e.underlying { return reason(underlying) }
            return "\(e.code)"
        }
        if error is ConnectionClosed { return "the server closed the connection (it stopped or restarted); nothing of this transaction was kept" }
        if let e = error as? ConnectTimeout { return "no answer within \(e.seconds) s (connect_timeout)" }
        if let e = error as? IOError { return String(cString: strerror(e.errnoCode)) }
        if error is ChannelError, case ChannelError.connectTimeout(let t) = error as! ChannelError {
            return "no answer within \(t.nanoseconds / 1_000_000_000) s (connect_timeout)"
        }
        if let e = error as? NIOConnectionError {
            let first = e.connectionErrors.first.map { reason($0.error) } ?? e.dnsAAAAError.map(reason) ?? e.dnsAError.map(reason) ?? "\(e)"
            return first
        }
        if let e = error as? NIOSSLError { return "TLS: \(e)" }
        if let e = error as? BoringSSLError { return "TLS: \(e)" }
        return "\(error)"
    }

    /// Whether the error is the connection going (rather than the server refusing a statement).
    static func isConnectionLost(_ error: Error) -> Bool {
        if error is ConnectionClosed { return true }
        guard let e = error as? PSQLError, e.serverInfo?[.sqlState] == nil else { return false }
        return e.code == .serverClosedConnection || e.code == .clientClosedConnection || e.code == .uncleanShutdown || e.code == .connectionError
    }

    /// The SQLSTATE of a server error, if it is one.
    static func sqlState(_ error: Error) -> String? { (error as? PSQLError)?.serverInfo?[.sqlState] }
}

/// Runs tasks' jobs on one serial queue of its own (``PostgresSession/copy(into:columns:parts:_:)``).
final class CopyExecutor: TaskExecutor, @unchecked Sendable {
    static let shared = CopyExecutor()
    private let queue = DispatchQueue(label: "macaudit.postgres.copy")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
