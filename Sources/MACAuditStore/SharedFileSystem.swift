import Foundation

/// Whether an SQLite database sits on a file system other machines can reach.
///
/// SQLite in WAL mode keeps its index in shared memory (the `-shm` file mapped by every process):
/// that works only among processes of one machine, and the file locks of network file systems are
/// not to be trusted either. Two machines running audits against one `pool.sqlite` on a share can
/// corrupt it. One machine using a database in its NFS home folder is fine, so this is a warning,
/// not a refusal; a database several machines share belongs on PostgreSQL.
public enum SharedFileSystem {
    /// What to call a file system type of `/proc/self/mountinfo` that other machines can reach;
    /// nil for a local one.
    public static func name(ofType type: String) -> String? {
        switch type {
        case "nfs", "nfs4": return "NFS"
        case "cifs", "smb3", "smbfs": return "SMB/CIFS"
        case "9p": return "9p (a virtual machine's shared folder)"
        case "ceph", "fuse.ceph": return "CephFS"
        case "afs": return "AFS"
        case "glusterfs", "fuse.glusterfs": return "GlusterFS"
        case "fuse.sshfs": return "sshfs"
        default: return nil
        }
    }

    /// The type of the file system holding `path` (an absolute path without symbolic links), by the
    /// longest mount point of `mountinfo` (`/proc/self/mountinfo`'s text) that contains it.
    public static func type(of path: String, mountinfo: String) -> String? {
        var best: (point: String, type: String)?
        for line in mountinfo.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard fields.count > 5, let dash = fields.firstIndex(of: "-"), dash + 1 < fields.count else { continue }
            let point = unescaped(fields[4])
            let inside = point == "/" || path == point || path.hasPrefix(point + "/")
            if inside, point.count >= (best?.point.count ?? -1) { best = (point, fields[dash + 1]) }
        }
        return best?.type
    }

    /// The warning to give for the SQLite database at `path`, or nil when its folder is local (or
    /// its file system cannot be told).
    public static func warning(for path: String) -> String? {
        let folder = (path as NSString).deletingLastPathComponent
        guard let resolved = realpath(folder.isEmpty ? "." : folder, nil) else { return nil }
        defer { free(resolved) }
        guard let mountinfo = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8),
              let type = type(of: String(cString: resolved), mountinfo: mountinfo), let name = name(ofType: type) else { return nil }
        return "\(path) is on \(name): SQLite needs every process that uses a database on one machine (its WAL index is shared memory), "
            + "so audits from two machines can corrupt it; a database that several machines share belongs on PostgreSQL (--db postgres://…)"
    }

    /// A mount point as mountinfo writes it, with `\040` (space), `\011`, `\012` and `\134` decoded.
    private static func unescaped(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var out = field
        for (code, character) in [("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")] {
            out = out.replacingOccurrences(of: code, with: character)
        }
        return out
    }
}
