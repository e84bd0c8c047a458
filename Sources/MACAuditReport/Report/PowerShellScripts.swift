import MACAuditModel
import MACAuditEngine
/// Writes the plan as PowerShell an admin reviews and runs on each host: `apply-HOST.ps1` and
/// `rollback-HOST.ps1`.
///
/// Safety: every value that comes from the inputs (VM, adapter, host and resource names, MACs) is
/// emitted only as a single-quoted literal through ``literal(_:)``, which doubles `'` and the
/// Unicode quotes PowerShell also ends such strings at (U+2018–U+201B). Nothing from the inputs is
/// ever placed in a double-quoted string, a here-string or a command position. Each move checks
/// that the adapter still holds the expected MAC and stops otherwise; `-WhatIf` is supported.
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

    static func script(_ host: String, _ steps: HostSteps, _ at: String, _ runId: Int64?, rollback: Bool) -> String {
        let moves = steps.moves
        var s = """
            # macaudit \(rollback ? "rollback" : "remediation") plan for one Hyper-V host, generated \(at)\(runId.map { " from audit run \($0)" } ?? "").
            # \(steps.ranges.count) range change(s), \(moves.count) move(s), \(steps.repairs.count) port profile repair(s). Review, then run on the host
            # (or in a session to it); -WhatIf shows what would change.
            # Every step checks that the host or adapter still has the expected value and stops otherwise.
            [CmdletBinding(SupportsShouldProcess = $true)]
            param(
                # The Network Controller REST endpoint, for moves of SDN-managed adapters.
                [string] $NetworkControllerUri
            )
            $ErrorActionPreference = 'Stop'
            $macauditHost = \(literal(host))
            if ($env:COMPUTERNAME -and ($macauditHost -split '\\.')[0] -ne $env:COMPUTERNAME) {
                Write-Warning ('This script was written for host {0}; this is {1}.' -f $macauditHost, $env:COMPUTERNAME)
            }

            function Move-MacauditAdapter {
                [CmdletBinding(SupportsShouldProcess = $true)]
                param([string] $VMName, [string] $AdapterName, [string] $Expected, [string] $NewMac, [string] $InterfaceId)
                $adapter = Get-VMNetworkAdapter -VMName $VMName -Name $AdapterName
                if (@($adapter).Count -ne 1) { throw ('VM {0}: expected one adapter named {1}, found {2}; stopping.' -f $VMName, $AdapterName, @($adapter).Count) }
                if ($Expected -and $adapter.MacAddress -ne $Expected) {
                    throw ('VM {0} adapter {1}: expected MAC {2} but it has {3}; stopping, nothing changed for it.' -f $VMName, $AdapterName, $Expected, $adapter.MacAddress)
                }
                if (-not $PSCmdlet.ShouldProcess(('{0} / {1}' -f $VMName, $AdapterName), ('set static MAC {0}' -f $NewMac))) { return }
                $wasRunning = (Get-VM -Name $VMName).State -eq 'Running'
                if ($wasRunning) { Stop-VM -Name $VMName -Force }
                Set-VMNetworkAdapter -VMNetworkAdapter $adapter -StaticMacAddress $NewMac
                if ($InterfaceId) {
                    if (-not $NetworkControllerUri) { throw 'Give -NetworkControllerUri: this move updates a Network Controller interface.' }
                    $nic = Get-NetworkControllerNetworkInterface -ConnectionUri $NetworkControllerUri -ResourceId $InterfaceId
                    $nic.Properties.PrivateMacAddress = $NewMac
                    $nic.Properties.PrivateMacAllocationMethod = 'Static'
                    New-NetworkControllerNetworkInterface -ConnectionUri $NetworkControllerUri -ResourceId $InterfaceId -Properties $nic.Properties -Etag $nic.Etag -Force | Out-Null
                }
                if ($wasRunning) { Start-VM -Name $VMName }
            }

            function Set-MacauditHostRange {
                [CmdletBinding(SupportsShouldProcess = $true)]
                param([string] $ExpectedMinimum, [string] $ExpectedMaximum, [string] $Minimum, [string] $Maximum)
                $vmHost = Get-VMHost
                if ($vmHost.MacAddressMinimum -ne $ExpectedMinimum -or $vmHost.MacAddressMaximum -ne $ExpectedMaximum) {
                    throw ('Host range is {0}-{1}, expected {2}-{3}; stopping, nothing changed.' -f $vmHost.MacAddressMinimum, $vmHost.MacAddressMaximum, $ExpectedMinimum, $ExpectedMaximum)
                }
                if (-not $PSCmdlet.ShouldProcess($macauditHost, ('set dynamic MAC range {0}-{1}' -f $Minimum, $Maximum))) { return }
                Set-VMHost -MacAddressMinimum $Minimum -MacAddressMaximum $Maximum
            }

            function Repair-MacauditPortProfile {
                [CmdletBinding(SupportsShouldProcess = $true)]
                param([string] $VMName, [string] $AdapterName, [string] $Expected, [string] $ProfileId)
                $adapter = Get-VMNetworkAdapter -VMName $VMName -Name $AdapterName
                if (@($adapter).Count -ne 1) { throw ('VM {0}: expected one adapter named {1}, found {2}; stopping.' -f $VMName, $AdapterName, @($adapter).Count) }
                $feature = Get-VMSwitchExtensionPortFeature -FeatureId '9940cd46-8b06-43bb-b9d5-93d50381fd56' -VMNetworkAdapter $adapter
                $current = ([string] $feature.SettingData.ProfileId).Trim('{}').ToLowerInvariant()
                if ($Expected -and $current -ne $Expected) {
                    throw ('VM {0} adapter {1}: expected port profile {2} but it has {3}; stopping.' -f $VMName, $AdapterName, $Expected, $current)
                }
                if (-not $PSCmdlet.ShouldProcess(('{0} / {1}' -f $VMName, $AdapterName), ('set ProfileId {{{0}}}' -f $ProfileId))) { return }
                $feature.SettingData.ProfileId = ('{{{0}}}' -f $ProfileId)
                Set-VMSwitchExtensionPortFeature -VMSwitchExtensionFeature $feature -VMNetworkAdapter $adapter
            }


            """
        for c in steps.ranges {
            let (expected, target) = rollback ? (c.to, c.from) : (c.from, c.to)
            s += "# the host's dynamic MAC range: \(rollback ? "back to" : "to its range in the seed plan,") \(target)\n"
            s += "Set-MacauditHostRange -ExpectedMinimum \(literal(expected.lower.hyperVForm)) -ExpectedMaximum \(literal(expected.upper.hyperVForm))"
            s += " -Minimum \(literal(target.lower.hyperVForm)) -Maximum \(literal(target.upper.hyperVForm))\n\n"
        }
        for (i, p) in moves.enumerated() {
            let current = JSONReport.raw(p.from).flatMap { try? MACAddress(parsing: $0).hyperVForm }
            let (expected, target) = rollback ? (p.to.hyperVForm, current ?? "") : (current ?? "", p.to.hyperVForm)
            if rollback && current == nil {
                s += "# move \(i + 1): the adapter had no valid MAC before; nothing to roll back to.\n\n"
                continue
            }
            s += "# move \(i + 1): \(p.reason)\n"
            s += "Move-MacauditAdapter -VMName \(literal(p.vmName ?? "")) -AdapterName \(literal(p.adapterName))"
            s += " -Expected \(literal(expected)) -NewMac \(literal(target))"
            if let nic = p.interfaceResourceId { s += " -InterfaceId \(literal(nic))" }
            s += "\n\n"
        }
        for r in steps.repairs {
            if rollback && r.from == nil { s += "# port profile of \(r.vmName): it had no ProfileId before; nothing to roll back to.\n\n"; continue }
            let (expected, target) = rollback ? (r.to, r.from ?? "") : (r.from ?? "", r.to)
            s += "# port profile: \(rollback ? "back to the ProfileId it had" : "ProfileId = the instance id of the NC interface that holds the adapter's MAC")\n"
            s += "Repair-MacauditPortProfile -VMName \(literal(r.vmName)) -AdapterName \(literal(r.adapterName))"
            s += " -Expected \(literal(expected)) -ProfileId \(literal(target))\n\n"
        }
        return s
    }
}
