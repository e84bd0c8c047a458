import ArgumentParser
import Foundation

/// `macaudit-bench`: generates fleets and times `macaudit audit` against the duplicate-only
/// baseline an admin would reach for, `cat */*-adapters.json | jq -r '.[].MacAddress' | sort | uniq -d`,
/// over the same files in the same run. Prints wall time, peak memory (max RSS), MB/s and the ratio.
///
/// Build in release first: `swift build -c release && .build/release/macaudit-bench run`.
@main
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "macaudit-bench",
        abstract: "Generate synthetic fleets and benchmark macaudit against the jq baseline.",
        subcommands: [Run.self, Generate.self, PoolDB.self, DatabaseRun.self, ReservationRun.self, CaptureRun.self, PlanRun.self, FixPlanRun.self, RegistryRun.self], defaultSubcommand: Run.self)

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write a synthetic fleet of exports to a folder.")
        @Option(help: "Number of VM adapters.") var adapters = 100_000
        @Option(help: "Number of NC interfaces (whole hosts are SDN-managed, spread evenly).") var interfaces = 50_000
        @Option(help: "Adapters per host (the seed plan's 12-bit VM number allows 4,096).") var perHost = 250
        @Flag(help: "A port-profile export for every SDN host.") var portProfiles = false
        @Flag(help: "A neglected fleet: tens of percent of holders with a finding (implies --port-profiles).") var messy = false
        @Argument(help: "Output folder.") var out: String

        func run() throws {
            var generator = FleetGenerator(adapters: adapters, interfaces: interfaces)
            generator.adaptersPerHost = perHost
            generator.portProfiles = portProfiles || messy
            generator.messy = messy
            let s = try generator.write(to: out)
            print("wrote \(s.files) files, \(s.bytes / 1_000_000) MB, \(s.plantedDuplicates) planted duplicates to \(out)")
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Generate fleets of the given sizes and time macaudit and the jq baseline on each.")
        @Option(help: "Adapter counts, comma-separated (NC interfaces = half).") var sizes = "10000,100000,1000000"
        @Option(help: "Frames of the capture benchmarked after the fleets (0 = none).") var frames = 2_000_000
        @Option(help: "Where to write the fleets (kept; reused when present).") var work = "bench-out"
        @Option(help: "Runs per measurement; the best wall time is kept.") var repeats = 3
        @Option(help: "Fleet shapes, comma-separated: plain (250 VMs a host, no port profiles), sdn (16 hosts a cluster, up to 4,000 VMs a host, 9 hosts in 16 SDN with a port-profile export each), messy (sdn with tens of percent of holders in a finding).")
        var fleets = "plain,sdn,messy"
        @Option(help: "Capture shapes benchmarked after the fleets, comma-separated: busy (40k TCP flows, 12k stations on 40 VLANs, QinQ, 5k tenant MACs in VXLAN and NVGRE behind 64 hosts), bursty, uniform.")
        var captures = "busy,bursty"

        func run() throws {
            let binary = try builtMacaudit()
            print("machine: \(machine())")
            print("| fleet | adapters | NC interfaces | port profiles | findings | input MB | tool | wall s | peak MiB | MB/s | time vs jq |")
            print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
            for shape in fleets.split(separator: ",").map(String.init) {
                for size in sizes.split(separator: ",").compactMap({ Int($0) }) {
                    try benchmark(binary, shape: shape, size: size)
                }
            }
            if frames > 0 {
                for shape in captures.split(separator: ",") {
                    print("")
                    let capture = try CaptureRun.parse(["--frames", String(frames), "--work", work, "--repeats", String(repeats), "--senders", String(shape)])
                    try capture.run()
                }
            }
        }

        /// The generator of one fleet shape at one size.
        static func generator(shape: String, size: Int) throws -> FleetGenerator {
            switch shape {
            case "plain": return FleetGenerator(adapters: size, interfaces: size / 2)
            case "sdn", "messy":
                var g = FleetGenerator(adapters: size, interfaces: size * 9 / 16)
                // 4 clusters of 16 hosts up to 100,000 adapters (1,563 VMs a host), 16 clusters above.
                let hosts = size > 100_000 ? 256 : 64
                g.adaptersPerHost = min(4_000, (size + hosts - 1) / hosts)
                g.portProfiles = true
                g.messy = shape == "messy"
                return g
            default: throw ValidationError("Please give fleet shapes among plain, sdn and messy (not '\(shape)').")
            }
        }

        func benchmark(_ binary: String, shape: String, size: Int) throws {
            let generator = try Self.generator(shape: shape, size: size)
            let dir = "\(work)/fleet-\(shape)-\(size)"
            let summary = try generator.writeOnce(to: dir)
            let findings = countFindings(binary, dir)
            let mb = Double(summary.bytes) / 1e6
            // Interleaved, jq then macaudit, so that both see the same machine: a shared VM's
            // speed drifts over minutes, and back-to-back blocks of runs would carry the drift
            // into the ratio.
            var jqRuns: [Measurement] = [], auditRuns: [Measurement] = []
            for _ in 0..<max(1, repeats) {
                jqRuns.append(measure("/bin/sh", ["-c", "cat \(dir)/\(FleetGenerator.adapterGlob) | jq -r '.[].MacAddress' | sort | uniq -d > /dev/null"]))
                auditRuns.append(measure("/bin/sh", ["-c", "'\(binary)' audit '\(dir)' --format json --fail-on critical > /dev/null"]))
            }
            let jq = best(jqRuns), audit = best(auditRuns)
            let pairs = zip(jqRuns, auditRuns).map { $0.wall / $1.wall }.sorted()
            let adapterMB = Double(summary.adapterBytes) / 1e6
            let lead = String(format: "| %@ | %d | %d | %d | %d | %.1f", shape, size, summary.interfaces, summary.portProfiles, findings, mb)
            row(lead, "jq baseline (duplicates only, adapters)", jq, adapterMB, ratio: 1)
            row(lead, "macaudit audit (all checks, JSON)", audit, mb, ratio: audit.wall / jq.wall)
            print(String(format: "| %@ | %d |  |  |  |  | **macaudit is %.1f× faster than the jq baseline** (best against best; each pair: %@) |  |  |  |  |",
                         shape, size, jq.wall / audit.wall, pairs.map { String(format: "%.1f×", $0) }.joined(separator: ", ")))
        }

        func row(_ lead: String, _ tool: String, _ r: Measurement, _ inputMB: Double, ratio: Double) {
            print(String(format: "%@ | %@ | %.2f | %.0f | %.0f | %.2f× |", lead, tool, r.wall, r.peakMiB, inputMB / r.wall, ratio))
        }

        /// How many findings the audit reports (its summary line on stderr-free text output).
        func countFindings(_ binary: String, _ dir: String) -> Int {
            let out = "\(work)/findings.csv"
            _ = measure("/bin/sh", ["-c", "'\(binary)' audit '\(dir)' --format csv --fail-on critical -o '\(out)'"])
            defer { unlink(out) }
            guard let text = try? String(contentsOfFile: out, encoding: .utf8) else { return -1 }
            return max(0, text.utf8.reduce(0) { $1 == 10 ? $0 + 1 : $0 } - 1)
        }
    }
}

struct Measurement {
    var wall: Double
    var peakMiB: Double
    var status: Int32
}

func best(_ n: Int, _ body: () -> Measurement) -> Measurement {
    best((0..<max(1, n)).map { _ in body() })
}

/// The fastest run, with the highest peak memory of all.
func best(_ runs: [Measurement]) -> Measurement {
    let results = runs.sorted { $0.wall < $1.wall }
    return Measurement(wall: results[0].wall, peakMiB: results.map(\.peakMiB).max() ?? 0, status: results[0].status)
}

/// Runs a command, returns its wall time and the peak RSS of it and its waited-for children.
///
/// The peak comes from GNU time (`/usr/bin/time -f %M`) when it is installed: posix_spawn starts
/// children with the benchmark's own memory mapped until they exec, and Linux counts that towards a
/// child's peak (a benchmark that has just generated a million-adapter fleet made every child look
/// 981 MiB large). GNU time forks its command from a small process.
func measure(_ path: String, _ arguments: [String]) -> Measurement {
    let time = "/usr/bin/time"
    guard FileManager.default.isExecutableFile(atPath: time) else { return spawnAndWait(path, arguments) }
    let report = FileManager.default.temporaryDirectory.appendingPathComponent("macaudit-bench-rss-\(getpid())").path
    defer { unlink(report) }
    var m = spawnAndWait(time, ["-f", "%M", "-o", report, path] + arguments)
    if let text = try? String(contentsOfFile: report, encoding: .utf8),
       let kb = text.split(separator: "\n").last(where: { Double($0) != nil }).flatMap({ Double($0) }) {
        m.peakMiB = kb / 1024
    }
    return m
}

/// Runs a command and waits: its wall time, its peak RSS as wait4 reports it, its status.
func spawnAndWait(_ path: String, _ arguments: [String]) -> Measurement {
    var pid: pid_t = 0
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    let start = DispatchTime.now().uptimeNanoseconds
    guard posix_spawn(&pid, path, nil, nil, argv, environ) == 0 else { return Measurement(wall: .nan, peakMiB: .nan, status: -1) }
    var status: Int32 = 0
    var usage = rusage()
    wait4(pid, &status, 0, &usage)
    let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    return Measurement(wall: wall, peakMiB: Double(usage.ru_maxrss) / 1024, status: status)
}

/// The `macaudit` built beside this benchmark, which every benchmark that runs the CLI times.
func builtMacaudit() throws -> String {
    let binary = siblingBinary("macaudit")
    guard FileManager.default.isExecutableFile(atPath: binary) else {
        throw ValidationError("Please build first: swift build -c release (no \(binary)).")
    }
    return binary
}

func siblingBinary(_ name: String) -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    return URL(fileURLWithPath: exe).deletingLastPathComponent().appendingPathComponent(name).path
}

func machine() -> String {
    let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
        .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "?"
    return "\(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores, \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
}
