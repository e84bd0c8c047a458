import Foundation
import Testing
import TestSupport

/// The fleet database on a real PostgreSQL server, through the binary: how it is named and logged
/// into, what an admin reads when the server cannot be used, and what a server that stops in the
/// middle of a recording leaves behind.
@Suite(.serialized) struct PostgresCLITests {
    static func server() throws -> PostgresServer { try PostgresServer.shared.get() }

    /// `history` against `url`: what an admin sees first when the database cannot be used.
    static func open(_ url: String, environment: [String: String] = [:]) throws -> CLI.Result {
        try CLI.run(["history", "--db", url], environment: environment)
    }

    @Test func anAuditRecordsIntoTheServerAndANightLaterKnowsItsFindings() throws {
        let server = try Self.server()
        let url = server.url(try server.createDatabase(#function))
        let first = try CLI.run(["audit", "Captures/sample-cluster", "--db", url])
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stdout.contains("run 1: 15 new, 0 resolved"), "\(first.stdout.suffix(300))")
        let second = try CLI.run(["audit", "Captures/sample-cluster", "--db", url, "--fail-on-new"])
        #expect(second.status == 0, "\(second.stdout.suffix(300))")
        #expect(second.stdout.contains("run 2: 0 new, 0 resolved"))
        let rows = try server.sql("SELECT count(*) FROM assignment WHERE state = 'live'", database: String(url.split(separator: "/").last!.split(separator: "?")[0]))
        #expect(rows == "19")
        #expect(!first.stdout.contains(PostgresServer.password) && !first.stderr.contains(PostgresServer.password))
    }

    /// `--db` naming another application's database: refused, and nothing added to it.
    @Test func anotherApplicationsDatabaseIsLeftAsItIs() throws {
        let server = try Self.server()
        let name = try server.createDatabase(#function)
        try server.sql("CREATE TABLE customers (id serial PRIMARY KEY, name text); INSERT INTO customers (name) VALUES ('acme')", database: name)
        for arguments in [["history"], ["audit", "Captures/sample-cluster"], ["pool", "init"]] {
            let r = try CLI.run(arguments + ["--db", server.url(name)])
            #expect(r.status == 2, "\(arguments): \(r.stderr)")
            #expect(r.stderr.contains("it is another application's database (tables: customers), not a pool database"), "\(r.stderr)")
        }
        #expect(try server.sql("SELECT string_agg(table_name::text, ',') FROM information_schema.tables WHERE table_schema = 'public'", database: name) == "customers")
    }

    /// An SQLite database moved into PostgreSQL and back: the same runs, holders, reservations and
    /// baseline, each copy verified; a destination with data is refused unless told.
    @Test func aDatabaseCopiedToPostgresAndBackKeepsEverything() throws {
        let server = try Self.server()
        let dir = try CLI.temporaryDirectory()
        let sqlite = "\(dir)/pool.sqlite", back = "\(dir)/back.sqlite"
        #expect(try CLI.run(["audit", "Captures/sample-cluster", "--db", sqlite]).status == 1)
        #expect(try CLI.run(["audit", "Captures/sample-cluster", "--db", sqlite, "--plan"]).status == 1)
        #expect(try CLI.run(["pool", "import", "Captures/sample-cluster", "--allow-overlap", "--db", sqlite]).status == 0)
        let url = server.url(try server.createDatabase(#function))
        let copy = try CLI.run(["db", "copy", sqlite, url])
        #expect(copy.status == 0, "\(copy.stderr)")
        #expect(copy.stdout.contains("assignment") && copy.stdout.contains("reservation") && copy.stdout.contains("integrity: ok"), "\(copy.stdout)")
        let again = try CLI.run(["db", "copy", sqlite, url])
        #expect(again.status == 2)
        #expect(again.stderr.contains("is not empty") && again.stderr.contains("--replace"), "\(again.stderr)")
        #expect(try CLI.run(["db", "copy", sqlite, url, "--replace"]).status == 0)
        #expect(try CLI.run(["db", "copy", url, back]).status == 0)
        for command in [["history"], ["history", "--events"], ["pool", "reservations"], ["pool", "list"], ["history", "--holder", ""]] {
            let a = try CLI.run(command + ["--db", sqlite]), b = try CLI.run(command + ["--db", url]), c = try CLI.run(command + ["--db", back])
            #expect(a.status == 0 && a.stdout == b.stdout && b.stdout == c.stdout, "\(command): \(a.stdout) | \(b.stdout) | \(c.stdout)")
        }
        // The next night against the copy knows every finding.
        let night = try CLI.run(["audit", "Captures/sample-cluster", "--db", url, "--fail-on-new"])
        #expect(night.status == 0, "\(night.stdout.suffix(300))")
    }

    /// Many processes at once on a new database: first opens migrate once; two sites' audits,
    /// a planning audit and reservations run side by side without a deadlock or a lost write, and
    /// afterwards each site sees the other's holder.
    @Test(.timeLimit(.minutes(5))) func writersAtOnceQueueAndSeeEachOthersCommits() throws {
        let server = try Self.server()
        let name = try server.createDatabase(#function)
        let url = server.url(name)
        let opens = try (0..<4).map { _ in try spawn(["pool", "init", "--db", url]) }
        for process in opens { let r = process.wait(); #expect(r.status == 0, "\(r.stderr)") }
        // Four first opens at once: each migration applied once, in order.
        #expect(try server.sql("SELECT string_agg(name, ',' ORDER BY appliedAt, name) FROM schemaMigration", database: name)
                == "v1-fleet,v2-assignment-references,v3-place-holders-digest,v4-run-reported")

        let dir = try CLI.temporaryDirectory()
        typealias VM = HolderDatabaseCLITests.VM
        let siteA = try HolderDatabaseCLITests.export("\(dir)/a", cluster: "site-a", ["A-N01": [VM(name: "web1", mac: "02AA00000001", host: "A-N01", n: 1)]])
        let siteB = try HolderDatabaseCLITests.export("\(dir)/b", cluster: "site-b", ["B-N01": [VM(name: "db9", mac: "02AA00000001", host: "B-N01", n: 2)]])
        #expect(try CLI.run(["pool", "add", "shared", "02-1D-D8-00-00-00", "02-1D-D8-00-FF-FF", "--db", url]).status == 0)
        let writers = try [spawn(["audit", siteA, "--db", url]), spawn(["audit", siteB, "--db", url]),
                           spawn(["audit", "Captures/sample-cluster", "--db", url, "--plan"])]
            + (0..<3).map { i in try spawn(["pool", "reserve", "shared", "--holder", "planner-\(i)", "--count", "100", "--db", url]) }
        for process in writers { let r = process.wait(); #expect(r.status != 2, "\(r.stderr)") }
        #expect(try server.sql("SELECT count(*) FROM run", database: name) == "3")
        #expect(try server.sql("SELECT count(DISTINCT mac) FROM reservation WHERE state = 'pending' AND holderKey LIKE 'planner-%'", database: name) == "300")
        // Whichever audited first, each site's next audit finds the cross-site duplicate.
        for site in [siteA, siteB] {
            let r = try CLI.run(["audit", site, "--db", url, "--format", "json"])
            let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            #expect(HolderDatabaseCLITests.findings(report, "duplicate-mac").count == 1, "\(site): \(r.stderr)")
        }
    }

    @Test func theLibpqEnvironmentAndPgpassNameTheServer() throws {
        let server = try Self.server()
        let name = try server.createDatabase(#function)
        let dir = try CLI.temporaryDirectory()
        let pgpass = "\(dir)/pgpass"
        let escaped = PostgresServer.password.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ":", with: "\\:")
        try Data("# fleet database\n127.0.0.1:\(server.port):\(name):\(PostgresServer.user):\(escaped)\n".utf8).write(to: URL(fileURLWithPath: pgpass))
        chmod(pgpass, 0o600)
        let env = ["PGHOST": "127.0.0.1", "PGPORT": "\(server.port)", "PGUSER": PostgresServer.user, "PGDATABASE": name, "PGPASSFILE": pgpass,
                   "PGSSLMODE": "require", "MACAUDIT_DB": "postgres://"]
        let r = try CLI.run(["pool", "init"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("postgres://\(PostgresServer.user)@127.0.0.1:\(server.port)/\(name)"), "\(r.stdout)")
        // A password file others can read is not used (libpq's rule), and the admin is told.
        chmod(pgpass, 0o644)
        let refused = try CLI.run(["pool", "init"], environment: env)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("can be read by others"), "\(refused.stderr)")
        #expect(refused.stderr.contains("wants a password for user '\(PostgresServer.user)'"), "\(refused.stderr)")
    }

    @Test func verifyFullChecksTheCertificateAgainstItsCA() throws {
        let server = try Self.server()
        let name = try server.createDatabase(#function)
        let ok = try Self.open(server.url(name, host: "localhost", sslmode: "verify-full", extra: "&sslrootcert=\(server.certificate)"))
        #expect(ok.status == 0, "\(ok.stderr)")
        // Another CA: the server's certificate does not chain to it.
        let dir = try CLI.temporaryDirectory()
        let other = try Subprocess.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(dir)/k", "-out", "\(dir)/ca.crt",
                                                   "-days", "1", "-subj", "/CN=elsewhere"])
        #expect(other.status == 0)
        let wrong = try Self.open(server.url(name, host: "localhost", sslmode: "verify-full", extra: "&sslrootcert=\(dir)/ca.crt"))
        #expect(wrong.status == 2)
        #expect(wrong.stderr.contains("TLS"), "\(wrong.stderr)")
        let missing = try Self.open(server.url(name, sslmode: "verify-full", extra: "&sslrootcert=\(dir)/nothing.crt"))
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("\(dir)/nothing.crt is not there"), "\(missing.stderr)")
    }

    @Test func whatCannotBeUsedIsNamedWithExitTwoAndNoPassword() throws {
        let server = try Self.server()
        let name = try server.createDatabase(#function)
        let refused = try Self.open("postgres://\(PostgresServer.user):secret@127.0.0.1:\(try PostgresServer.freePort())/\(name)")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("cannot reach the server at 127.0.0.1:"), "\(refused.stderr)")
        let badPassword = try Self.open("postgres://\(PostgresServer.user):wrong-secret@127.0.0.1:\(server.port)/\(name)?sslmode=require")
        #expect(badPassword.status == 2)
        #expect(badPassword.stderr.contains("refused user '\(PostgresServer.user)' for database '\(name)'"), "\(badPassword.stderr)")
        #expect(!badPassword.stderr.contains("wrong-secret"))
        let noDatabase = try Self.open(server.url("nosuchdb"))
        #expect(noDatabase.status == 2)
        #expect(noDatabase.stderr.contains("has no database 'nosuchdb' (user '\(PostgresServer.user)')"), "\(noDatabase.stderr)")
        let scheme = try Self.open("mysql://root@db/pool")
        #expect(scheme.status == 2)
        #expect(scheme.stderr.contains("'mysql://' is not a database this build knows"))
        // No folder named `postgres:` appears: a URL is never taken for a path.
        #expect(!FileManager.default.fileExists(atPath: CLI.root.appendingPathComponent("postgres:").path))
    }

    /// A server that accepts the connection and never answers: given up after connect_timeout.
    @Test func aServerThatNeverAnswersIsGivenUpOnAfterTheConnectTimeout() throws {
        let port = try PostgresServer.freePort()
        let listener = try Subprocess("python3", ["-c", "import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1',\(port)))\ns.listen(8)\nprint('up',flush=True)\ntime.sleep(60)"])
        defer { listener.kill(SIGKILL); _ = listener.wait() }
        usleep(500_000)
        let start = Date()
        let r = try Self.open("postgres://u:p@127.0.0.1:\(port)/db?connect_timeout=2&sslmode=disable")
        let took = Date().timeIntervalSince(start)
        #expect(r.status == 2)
        #expect(r.stderr.contains("no answer within 2 s (connect_timeout)"), "\(r.stderr)")
        #expect(took < 6, "took \(took) s")
    }

    /// A server without TLS: `sslmode=require` refuses it, `prefer` uses it in the clear. Then the

    /// A URL with the port of something else (a web server answers and hangs up): exit 2 at once,
    /// naming the host and port and what to check, and nothing created on disk.
    @Test func aPortWhereSomethingElseAnswersIsNamed() throws {
        let port = try PostgresServer.freePort()
        let listener = try Subprocess("python3", ["-c", """
            import socket
            s=socket.socket()
            s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
            s.bind(('127.0.0.1',\(port)))
            s.listen(8)
            print('up',flush=True)
            while True:
                c,_=s.accept()
                c.recv(4096)
                c.sendall(b'HTTP/1.1 400 Bad Request\\r\\nConnection: close\\r\\n\\r\\n')
                c.close()
            """])
        defer { listener.kill(SIGKILL); _ = listener.wait() }
        usleep(500_000)
        let start = Date()
        let r = try Self.open("postgres://u:p@127.0.0.1:\(port)/db?connect_timeout=5&sslmode=disable")
        #expect(r.status == 2)
        #expect(r.stderr.contains("cannot reach the server at 127.0.0.1:\(port)"), "\(r.stderr)")
        #expect(r.stderr.contains("is it a PostgreSQL server"), "\(r.stderr)")
        #expect(!r.stderr.contains(":p@"))
        #expect(Date().timeIntervalSince(start) < 4)
    }
    /// same server is stopped at moments during audits' recordings: each audit either reported its
    /// run recorded or exited 2 naming the server, and afterwards the database holds exactly the
    /// runs that were reported.
    @Test(.timeLimit(.minutes(5))) func aServerStoppedMidRecordingKeepsExactlyTheCommittedRuns() throws {
        let plain = try PostgresServer(tls: false)
        defer { plain.stop() }
        let name = try plain.createDatabase("stops")
        let required = try Self.open(plain.url(name, sslmode: "require"))
        #expect(required.status == 2)
        #expect(required.stderr.contains("does not offer TLS, and sslmode=require requires it"), "\(required.stderr)")
        let url = plain.url(name, sslmode: "prefer")
        #expect(try CLI.run(["pool", "init", "--db", url]).status == 0)
        // A cluster big enough that recording takes a moment: 20,000 VMs on 8 hosts.
        let dir = try CLI.temporaryDirectory()
        var hosts: [String: [HolderDatabaseCLITests.VM]] = [:]
        for n in 0..<20_000 {
            let host = "N0\(n % 8)"
            hosts[host, default: []].append(.init(name: "vm\(n)", mac: String(format: "02AB%08X", n), host: host, n: n + 1))
        }
        let cluster = try HolderDatabaseCLITests.export(dir, cluster: "big", hosts)
        let noRegistry = "\(dir)/no-registry"
        try FileManager.default.createDirectory(atPath: noRegistry, withIntermediateDirectories: true)
        // An audit cut off while its COMMIT was on the way cannot tell whether the server kept it
        // (the server is down until the audit has exited): it says so, and may or may not be there.
        var reported: Set<Int> = [], failed = 0, unknown = 0
        for round in 0..<6 {
            let audit = try spawn(["audit", cluster, "--db", url, "--verbose", "--oui-data", noRegistry])
            usleep(UInt32(300_000 + round * 700_000))  // 0.3–3.8 s: an audit of these takes about 3 s in a debug build
            plain.stop()
            let r = audit.wait()
            if let line = r.stderr.split(separator: "\n").first(where: { $0.contains("recorded in") }),
               let n = line.split(separator: " ").dropFirst(2).first.flatMap({ Int($0) }) {
                reported.insert(n)
            } else {
                #expect(r.status == 2, "\(r.stderr.suffix(400))")
                #expect(r.stderr.contains("127.0.0.1:\(plain.port)") || r.stderr.contains(plain.url(name).split(separator: "@")[1].split(separator: "/")[0]),
                        "\(r.stderr.suffix(400))")
                if r.stderr.contains("was kept is unknown") { unknown += 1 }
                failed += 1
            }
            try plain.start()
        }
        let runs = try CLI.run(["history", "--db", url]).stdout.split(separator: "\n").compactMap { line in
            line.split(separator: "\t").first.flatMap { Int($0.dropFirst(4)) }
        }
        #expect(reported.isSubset(of: Set(runs)) && Set(runs).subtracting(reported).count <= unknown,
                "reported \(reported.sorted()), \(unknown) unknown, in the database \(runs)")
        let orphans = try plain.sql("SELECT count(*) FROM assignment WHERE firstRunId NOT IN (SELECT id FROM run)", database: name)
        #expect(orphans == "0")
        #expect(failed > 0, "the server never stopped during a recording; the timing needs a look")
        print("server-stop test: \(failed) of 6 audits cut off (\(unknown) during their commit), \(reported.count) recorded")
    }
}
