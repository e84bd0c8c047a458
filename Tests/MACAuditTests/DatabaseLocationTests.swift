import Foundation
import Testing
@testable import MACAuditIngest

/// `--db` as libpq users expect: the URL first, then the PG* environment, then `.pgpass`.
@Suite struct DatabaseLocationTests {
    func target(_ text: String, _ env: [String: String] = [:], pgpass: String? = nil) throws -> PostgresTarget {
        guard case .postgres(let t) = try DatabaseLocation.parse(text, environment: env, passwordFile: { _ in pgpass }) else {
            Issue.record("\(text) was not read as a server")
            throw DatabaseLocationError(location: text, reason: "not a server")
        }
        return t
    }

    @Test func aPathIsAnSQLiteFileWhateverItLooksLike() throws {
        for path in ["pool.sqlite", "/var/lib/macaudit/pool.sqlite", "./postgres:/x", "./postgres//x", "C:\\db\\pool.sqlite"] {
            #expect(try DatabaseLocation.parse(path, environment: [:]) == .sqlite(path: path))
        }
        // A URL with a broken scheme is not made into a folder named `postgres:`.
        #expect(throws: DatabaseLocationError.self) { try DatabaseLocation.parse("postgres:/db.example.net/fleet", environment: [:]) }
    }

    @Test func aFullURLIsReadWithItsParameters() throws {
        let t = try target("postgresql://audit:s%3Acr%40t@db.example.net:6432/fleet?sslmode=verify-full&sslrootcert=/etc/ca.crt&connect_timeout=5&application_name=nightly")
        #expect(t == PostgresTarget(host: "db.example.net", port: 6432, user: "audit", password: "s:cr@t", database: "fleet", sslMode: .verifyFull,
                                    sslRootCert: "/etc/ca.crt", connectTimeout: 5, applicationName: "nightly"))
        #expect(t.display == "postgres://audit@db.example.net:6432/fleet")
    }

    @Test func whatTheURLLeavesOutComesFromTheEnvironmentThenPgpass() throws {
        let env = ["PGHOST": "10.0.0.5", "PGPORT": "5433", "PGUSER": "site", "PGDATABASE": "pools", "PGSSLMODE": "require", "HOME": "/home/a"]
        let t = try target("postgres://", env, pgpass: "# comment\n*:*:other:site:no\n10.0.0.5:5433:pools:site:pa\\:ss\n")
        #expect(t.host == "10.0.0.5" && t.port == 5433 && t.user == "site" && t.database == "pools" && t.sslMode == .require)
        #expect(t.password == "pa:ss")
        #expect(t.connectTimeout == 10 && t.applicationName == "macaudit")
        // The URL wins over the environment; PGPASSWORD over the file.
        let u = try target("postgres://other@h/d", env.merging(["PGPASSWORD": "envpw"]) { $1 }, pgpass: "*:*:*:*:filepw\n")
        #expect(u.host == "h" && u.port == 5433 && u.user == "other" && u.database == "d" && u.password == "envpw")
        // With nothing given: localhost, 5432, the login name as user and database.
        let v = try target("postgres://", ["USER": "ops"])
        #expect(v.host == "localhost" && v.port == 5432 && v.user == "ops" && v.database == "ops" && v.password == nil && v.sslMode == .prefer)
    }

    @Test func socketsAndIPv6Hosts() throws {
        let s = try target("postgres:///fleet?host=/run/postgresql", ["USER": "ops"])
        #expect(s.socketPath == "/run/postgresql/.s.PGSQL.5432")
        let six = try target("postgres://u@[fd00::5]:5444/x")
        #expect(six.host == "fd00::5" && six.port == 5444)
        #expect(six.display == "postgres://u@[fd00::5]:5444/x")
    }

    @Test func whatLibpqWouldRefuseIsRefusedWithoutThePassword() throws {
        for (url, words) in [("postgres://u:secret@h:99999/d", "is not a port number"), ("postgres://u:secret@h/d?sslmode=strict", "sslmode 'strict'"),
                             ("postgres://u:secret@h/d?gssencmode=disable", "'gssencmode' is not a connection parameter"),
                             ("postgres://u:secret@a,b/d", "several hosts"), ("postgres://u:secret@h/d?connect_timeout=soon", "connect_timeout 'soon'"),
                             ("redis://u:secret@h/0", "'redis://' is not a database")] {
            #expect {
                try DatabaseLocation.parse(url, environment: [:], passwordFile: { _ in nil })
            } throws: { error in
                let text = "\(error)"
                return text.contains(words) && !text.contains("secret")
            }
        }
    }

    @Test func passwordsAreRedactedInEveryShape() {
        #expect(PostgresTarget.redacted("postgres://u:secret@h:5432/d") == "postgres://u:***@h:5432/d")
        #expect(PostgresTarget.redacted("postgres://h/d?user=u&password=secret&sslmode=require") == "postgres://h/d?user=u&password=***&sslmode=require")
        #expect(PostgresTarget.redacted("postgres://u@h/d") == "postgres://u@h/d")
    }

    @Test func pgpassMatchesFieldByFieldWithWildcardsAndEscapes() {
        let file = "db:5432:fleet:audit:first\n*:*:fleet:audit:second\nweird\\:host:*:*:*:third\n"
        #expect(PasswordFile.password(in: file, host: "db", port: 5432, database: "fleet", user: "audit") == "first")
        #expect(PasswordFile.password(in: file, host: "db2", port: 6000, database: "fleet", user: "audit") == "second")
        #expect(PasswordFile.password(in: file, host: "weird:host", port: 1, database: "x", user: "y") == "third")
        #expect(PasswordFile.password(in: file, host: "db", port: 5432, database: "other", user: "audit") == nil)
        // A socket connection is matched as localhost.
        #expect(PasswordFile.password(in: "localhost:5432:*:*:sock\n", host: "/run/postgresql", port: 5432, database: "d", user: "u") == "sock")
    }
}
