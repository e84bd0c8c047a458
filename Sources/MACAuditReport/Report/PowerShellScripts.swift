import MACAuditModel
import MACAuditEngine
/// Writes the plan as PowerShell an admin reviews and runs on each host: `apply-HOST.ps1` and
/// `rollback-HOST.ps1`.
///
/// Safety: every value that comes from the inputs (VM, adapter, host and resource names, MACs) is
/// emitted only as a single-quoted literal through ``literal(_:)``, which doubles `'` and the
/// Unicode quotes PowerShell also ends such strings at (U+2018–U+201B). Nothing from the inputs is
/// ever placed in a double-quoted string, a here-string, a comment or a command position: each step
/// is a table of literals handed to the fixed functions of ``PowerShellLibrary``, which check the
/// step before touching anything, record the previous state in a state file, act in the SDN guide's
/// order and start a stopped VM again in a `finally`. Rollback restores the recorded state.
public enum PowerShellScripts {
    /// PowerShell's single-quoted string: `'…'` with `'`, `‘`, `’`, `‚`, `‛` doubled.
    public static func literal(_ value: String) -> String {
        var out = "'"
        for scalar in value.unicodeScalars {
            if scalar == "'" || (0x2018...0x201B).contains(scalar.value) { out.unicodeScalars.append(scalar) }
            out.unicodeScalars.append(scalar)
        }
        return out + "'"
    }

    public struct Script: Sendable {
        public var host: String
        public var apply: String
        public var rollback: String
    }

    /// What one host's scripts do, in rollout order: its range change, its moves, its profile repairs.
    struct HostSteps {
        var ranges: [PoolChange] = []
        var moves: [Proposal] = []
        var repairs: [ProfileRepair] = []
    }

    /// One pair of scripts per host, hosts sorted; range change first, then moves in plan order,
    /// then profile repairs.
    public static func render(_ plan: Plan, generatedAt: String, runId: Int64?) -> [Script] {
        var byHost: [String: HostSteps] = [:]
        for c in plan.poolChanges { byHost[c.host, default: HostSteps()].ranges.append(c) }
        for p in plan.proposals where p.vmName != nil { byHost[p.host, default: HostSteps()].moves.append(p) }
        for r in plan.repairs { byHost[r.host, default: HostSteps()].repairs.append(r) }
        return byHost.keys.sorted().map { host in
            let steps = byHost[host]!
            return Script(host: host,
                          apply: script(host, steps, generatedAt, runId, rollback: false),
                          rollback: script(host, steps, generatedAt, runId, rollback: true))
        }
    }

    /// A file name for the host: ASCII letters, digits, `-`, `_` kept, anything else `_`; when
    /// that changed the name, a hash of the real name follows, so that two hosts never share a file.
    public static func fileName(_ kind: String, _ host: String) -> String {
        let safe = String(host.unicodeScalars.map { s -> Character in
            (s.properties.isAlphabetic && s.isASCII) || ("0"..."9").contains(s) || s == "-" || s == "_" ? Character(s) : "_"
        })
        guard safe != host || safe.isEmpty else { return "\(kind)-\(safe).ps1" }
        var hash = FNV1a()
        hash.add(host.utf8)
        return "\(kind)-\(safe.prefix(40))-\(String(hash.value & 0xFFFF_FFFF, radix: 16).leftPadded(to: 8)).ps1"
    }

    /// One host's script: the header (what it does, where and how to run it), its parameters, the
    /// shared functions, then one step per range change, move and repair as data literals.
    static func script(_ host: String, _ steps: HostSteps, _ at: String, _ runId: Int64?, rollback: Bool) -> String {
        let stateFile = fileName("state", host).replacingOccurrences(of: ".ps1", with: ".json")
        let plan = "\(at)\(runId.map { " run \($0)" } ?? "")"
        let stops = Set(steps.moves.compactMap(\.vmName)).count
        var s = """
            #Requires -Version 5.1
            #Requires -PSEdition Desktop
            #Requires -RunAsAdministrator
            #Requires -Modules Hyper-V
            <#
            macaudit \(rollback ? "ROLLBACK" : "remediation") for one Hyper-V host, generated \(at)\(runId.map { " from audit run \($0)" } ?? "").
            \(steps.ranges.count) range change(s), \(steps.moves.count) move(s), \(steps.repairs.count) port profile repair(s).
            A move shuts its VM down if it runs (up to \(stops) VM(s) here) and starts it again, whatever happens.

            Run it on the host it was written for (its steps find VMs by id on the local host; a clustered VM
            whose role moved is reported with its owner node), in an elevated Windows PowerShell 5.1, as a
            member of Hyper-V Administrators (and of the cluster's administrators for clustered VMs). Steps that
            change a Network Controller interface need -NetworkControllerUri, the NetworkController module and,
            from a remote session (a second hop), -Credential or -CertificateThumbprint.
            -WhatIf says, step by step, what would change (the shutdown, the adapter, the NC write, the start).

            \(rollback
                ? "Rollback restores what apply recorded in the state file before each change, and refuses\nwithout it; a step apply never changed is skipped."
                : "Before each change the step writes what it found (adapter MAC and dynamic flag, NC MAC, method,\netag and tags, ProfileId, host range) to the state file beside this script; the rollback script\nrestores that. Run it again after a failure: finished steps are reported and skipped.")
            #>
            [CmdletBinding(SupportsShouldProcess = $true)]
            param(
                [string] $NetworkControllerUri,
                [pscredential] $Credential,
                [string] $CertificateThumbprint,
                [string] $StatePath = (Join-Path $PSScriptRoot \(literal(stateFile))),
                [int] $ProvisioningTimeoutSeconds = 300,
                # Run although this computer's name is not the host's (a renamed host).
                [switch] $AllowOtherHost
            )
            $ErrorActionPreference = 'Stop'
            $macauditHost = \(literal(host))
            $macauditPlan = \(literal(plan))
            if (-not $AllowOtherHost -and ($macauditHost -split '\\.')[0] -ne $env:COMPUTERNAME) {
                throw ('This script is for host {0}; this is {1}. Run it there, or give -AllowOtherHost.' -f $macauditHost, $env:COMPUTERNAME)
            }


            """
        s += PowerShellLibrary.functions + "\n\n$macauditSteps = @(\n"
        let repairsByKey = Dictionary(grouping: steps.repairs, by: \.holderKey)
        let moved = Set(steps.moves.map(\.holderKey))
        var blocks: [String] = []
        for (i, c) in steps.ranges.enumerated() { blocks.append(rangeStep("range \(i + 1)", c, rollback: rollback)) }
        for (i, p) in steps.moves.enumerated() {
            guard let block = moveStep("move \(i + 1)", p, repair: repairsByKey[p.holderKey]?.first, rollback: rollback) else { continue }
            blocks.append(block)
        }
        for (i, r) in steps.repairs.enumerated() where !moved.contains(r.holderKey) { blocks.append(repairStep("repair \(i + 1)", r, rollback: rollback)) }
        if rollback { blocks.reverse() }  // undo in the opposite order
        s += blocks.joined(separator: ",\n") + "\n)\nInvoke-MacauditSteps $macauditSteps\n"
        return s
    }

    /// `@{ Key = 'literal'; … }`: every value a single-quoted literal, booleans as `$true`/`$false`.
    static func table(_ pairs: [(String, String?)]) -> String {
        "@{ " + pairs.compactMap { k, v in v.map { "\(k) = \($0)" } }.joined(separator: "; ") + " }"
    }

    static func lit(_ value: String?) -> String? { value.map(literal) }
    static func bool(_ value: Bool) -> String { value ? "$true" : "$false" }

    static func rangeStep(_ step: String, _ c: PoolChange, rollback: Bool) -> String {
        let old = (c.from.lower.hyperVForm, c.from.upper.hyperVForm), new = (c.to.lower.hyperVForm, c.to.upper.hyperVForm)
        let s = table([("Step", literal(step))])
        if rollback {
            return """
                    {
                        # \(step): the host's dynamic MAC range back to what apply found
                        $before = Get-MacauditBefore \(literal(step))
                        if (-not $before) { Write-MacauditStep \(literal(step)) 'never applied; nothing to roll back'; return 'done' }
                        Invoke-MacauditRangeStep \(s) \(literal(new.0)) \(literal(new.1)) $before.minimum $before.maximum
                    }
                """
        }
        return """
                {
                    # \(step): the host's dynamic MAC range to the lower half of its range in the seed plan, \(c.to)
                    Invoke-MacauditRangeStep \(s) \(literal(old.0)) \(literal(old.1)) \(literal(new.0)) \(literal(new.1)) -Record
                }
            """
    }

    /// The identity of an adapter step: the VM by id, the adapter by id (name and MAC when the
    /// export had no id), the NC interface, and what the export said the interface had.
    static func subjectTable(_ step: String, vmName: String, vmId: String?, adapterId: String?, adapterName: String,
                             interfaceId: String?, exportedInterfaceMac: String?, exportedMethod: String?) -> String {
        table([("Step", literal(step)), ("VMName", literal(vmName)), ("VMId", lit(vmId)), ("AdapterId", lit(adapterId)),
               ("AdapterName", literal(adapterName)), ("InterfaceId", lit(interfaceId)),
               ("ExportedInterfaceMac", lit(exportedInterfaceMac)), ("ExportedMethod", lit(exportedMethod))])
    }

    /// A move (with the profile repair of the same adapter, if any, in the same VM-off window).
    static func moveStep(_ step: String, _ p: Proposal, repair: ProfileRepair?, rollback: Bool) -> String? {
        guard let vm = p.vmName else { return nil }
        guard let vmId = p.vmId, let current = p.from.address?.hyperVForm else {
            let why = p.vmId == nil ? "the export has no VM id" : "the export has no valid current MAC to check"
            return """
                    {
                        # \(step): \(why) for this adapter, so no step can change it safely
                        throw ('VM {0}: \(why); change this adapter by hand (Set-VMNetworkAdapter -StaticMacAddress {1})' -f \(literal(vm)), \(literal(p.to.hyperVForm)))
                    }
                """
        }
        let subject = subjectTable(step, vmName: vm, vmId: vmId, adapterId: p.adapterId, adapterName: p.adapterName, interfaceId: p.interfaceResourceId,
                                   exportedInterfaceMac: p.interfaceMAC?.hyperVForm, exportedMethod: p.interfaceAllocation)
        let target = p.to.hyperVForm
        let applied = table([("Mac", literal(target)), ("Dynamic", bool(false)), ("InterfaceMac", p.interfaceResourceId == nil ? nil : literal(target)),
                             ("Method", p.interfaceResourceId == nil ? nil : literal("Static")), ("ProfileId", lit(repair?.to))])
        if rollback { return rollbackStep(step, subject: subject, applied: applied) }
        let found = table([("Mac", literal(current)), ("Dynamic", bool(p.wasDynamic ?? false)),
                           ("InterfaceMac", p.interfaceResourceId == nil ? nil : lit(p.interfaceMAC?.hyperVForm ?? "")),
                           ("Method", p.interfaceResourceId == nil ? nil : lit(p.interfaceAllocation ?? "")), ("ProfileId", lit(repair?.from))])
        return """
                {
                    # \(step): \(p.makesStatic ? "make the MAC static" : "a new static MAC") (\(p.reason))\(repair == nil ? "" : ", and the port profile")
                    Invoke-MacauditAdapterStep \(subject) `
                        \(found) `
                        \(applied) -Record
                }
            """
    }

    /// A port profile repair of an adapter that does not move: the adapter keeps its MAC, the VM runs.
    static func repairStep(_ step: String, _ r: ProfileRepair, rollback: Bool) -> String {
        let subject = subjectTable(step, vmName: r.vmName, vmId: r.vmId ?? "", adapterId: r.adapterId, adapterName: r.adapterName,
                                   interfaceId: nil, exportedInterfaceMac: nil, exportedMethod: nil)
        let mac = literal(r.mac.hyperVForm), dynamic = bool(r.wasDynamic ?? false)
        let applied = table([("Mac", mac), ("Dynamic", dynamic), ("ProfileId", literal(r.to))])
        if rollback { return rollbackStep(step, subject: subject, applied: applied) }
        return """
                {
                    # \(step): the port profile to the NC interface that holds the adapter's MAC (the VM keeps running)
                    Invoke-MacauditAdapterStep \(subject) `
                        \(table([("Mac", mac), ("Dynamic", dynamic), ("ProfileId", lit(r.from))])) `
                        \(applied) -Record
                }
            """
    }

    /// Undoes an adapter step from what apply recorded: the values apply set are what it expects to find.
    static func rollbackStep(_ step: String, subject: String, applied: String) -> String {
        """
                {
                    # \(step): back to what apply found
                    $s = \(subject)
                    $before = Get-MacauditBefore $s.Step
                    if (-not $before) { Write-MacauditStep $s.Step 'never applied; nothing to roll back'; return 'done' }
                    Invoke-MacauditAdapterStep $s `
                        \(applied) `
                        (ConvertTo-MacauditTarget $before $s)
                }
            """
    }
}
