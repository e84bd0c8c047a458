// libFuzzer entry point for the database location reader: `--db` values and ~/.pgpass files. The
// first byte splits the input: even, the rest is a `--db` value (read with an environment the
// second byte picks); odd, the rest is a password file looked up for a fixed server. A value is
// read or refused with a DatabaseLocationError, and what is read shows no password.
import Foundation
import MACAuditIngest
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDatabaseLocation(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 1 else { return 0 }
    let text = String(decoding: UnsafeBufferPointer(start: data + 2, count: size - 2), as: UTF8.self)
    if data[0] % 2 == 1 {
        _ = PasswordFile.password(in: text, host: "db", port: 5432, database: "fleet", user: "audit")
        return 0
    }
    let env: [String: String] = data[1] % 2 == 0 ? [:] : ["PGHOST": "/run/postgresql", "PGUSER": "u", "PGPASSWORD": "envpw", "HOME": "/nonexistent"]
    do {
        let location = try DatabaseLocation.parse(text, environment: env, passwordFile: { _ in "*:*:*:*:filepw\n" })
        // The display form is postgres://user@…: a password would come as user:password@.
        if case .postgres(let target) = location, target.password != nil, target.display.hasPrefix("postgres://\(target.user):") {
            fatalError("password in display")
        }
    } catch let error as DatabaseLocationError {
        _ = error.description
    } catch {
        fatalError("not a DatabaseLocationError: \(error)")
    }
    return 0
}
