/// The functions every apply and rollback script carries: fixed text, with no value from the inputs
/// in it (those are in each script's data tables, as single-quoted literals).
///
/// Every step is checked before anything is touched (the VM found by its id on this host, its state,
/// the adapter found by its id, the MACs and the NC interface as the plan expects), then its previous
/// state is written to the state file, then it acts; a VM that was running is started again in a
/// `finally`, whatever happened. A step already done is reported and skipped, and a step that would
/// change nothing never stops its VM, so a script can be run again after a failure.
enum PowerShellLibrary {
    static let functions = #"""
    function Write-MacauditStep([string] $Step, [string] $Text) { Write-Host ('[{0}] {1}' -f $Step, $Text) }

    function Get-MacauditNcArgs {
        if (-not $NetworkControllerUri) { throw 'this step changes a Network Controller interface: give -NetworkControllerUri (and -Credential or -CertificateThumbprint when the current user is not authorised)' }
        if (-not (Get-Command -Name Get-NetworkControllerNetworkInterface -ErrorAction SilentlyContinue)) {
            throw 'the NetworkController module is not available here (install RSAT-NetworkController, or run this script where it is)'
        }
        $ncArgs = @{ ConnectionUri = $NetworkControllerUri }
        if ($Credential) { $ncArgs.Credential = $Credential }
        if ($CertificateThumbprint) { $ncArgs.CertificateThumbprint = $CertificateThumbprint }
        $ncArgs
    }

    function ConvertTo-MacauditMac([string] $Mac) { ($Mac -replace '[-:.]', '').ToUpperInvariant() }

    function Read-MacauditState {
        if (Test-Path -LiteralPath $StatePath) { Get-Content -LiteralPath $StatePath -Raw | ConvertFrom-Json } else { $null }
    }

    # The state file: what each step found before it changed anything, written through a temporary
    # file and a rename before the change, so that a run killed half-way still leaves it whole.
    function Save-MacauditState([string] $Step, [hashtable] $Before) {
        $state = Read-MacauditState
        if (-not $state) { $state = [pscustomobject] @{ schema = 'macaudit.state/1'; host = $macauditHost; plan = $macauditPlan; steps = [pscustomobject] @{} } }
        if ($state.plan -ne $macauditPlan) { throw ('the state file {0} belongs to another plan ({1}); move it away first' -f $StatePath, $state.plan) }
        if ($state.steps.PSObject.Properties[$Step]) { return }  # a rerun keeps what the first run found
        $state.steps | Add-Member -NotePropertyName $Step -NotePropertyValue ([pscustomobject] $Before)
        $temporary = $StatePath + '.tmp'
        $state | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath $temporary -Encoding UTF8
        Move-Item -LiteralPath $temporary -Destination $StatePath -Force
    }

    function Find-MacauditVM([hashtable] $S) {
        $vm = Get-VM -Id $S.VMId -ErrorAction SilentlyContinue
        if ($vm) { return $vm }
        $owner = $null
        if (Get-Command -Name Get-ClusterResource -ErrorAction SilentlyContinue) {
            $resource = Get-ClusterResource -ErrorAction SilentlyContinue | Where-Object { $_.ResourceType.Name -eq 'Virtual Machine' } |
                Where-Object { (Get-ClusterParameter -InputObject $_ -Name VmID -ErrorAction SilentlyContinue).Value -eq $S.VMId }
            if ($resource) { $owner = $resource.OwnerNode.Name }
        }
        if ($owner) { throw ('VM {0} is not on this host: its cluster role is on {1}; run this step there' -f $S.VMName, $owner) }
        throw ('VM {0} ({1}) is not on this host' -f $S.VMName, $S.VMId)
    }

    function Find-MacauditAdapter($VM, [hashtable] $S, [string[]] $Macs) {
        if ($S.AdapterId) {
            $found = @(Get-VMNetworkAdapter -VM $VM | Where-Object { $_.Id -eq $S.AdapterId })
        } else {
            # No adapter id in the export: the name and one of the step's MACs must both match.
            $found = @(Get-VMNetworkAdapter -VM $VM | Where-Object { $_.Name -eq $S.AdapterName -and $Macs -contains $_.MacAddress })
        }
        if ($found.Count -ne 1) { throw ('VM {0}: expected one adapter {1}, found {2}' -f $S.VMName, $S.AdapterName, $found.Count) }
        $found[0]
    }

    # The VM's cluster resource, when it is clustered (its role is the resource's owner group).
    function Get-MacauditClusterResource($VM) {
        if (-not $VM.IsClustered -or -not (Get-Command -Name Get-ClusterResource -ErrorAction SilentlyContinue)) { return $null }
        Get-ClusterResource | Where-Object { $_.ResourceType.Name -eq 'Virtual Machine' } |
            Where-Object { (Get-ClusterParameter -InputObject $_ -Name VmID).Value -eq ([string] $VM.VMId) } | Select-Object -First 1
    }

    # Shuts the VM down — a clustered one through its cluster role, with the role's offline action
    # set to shut down for the time of it (the default saves the VM, and a saved VM keeps its MAC).
    function Stop-MacauditVM($VM, $Resource, [string] $Step) {
        Write-MacauditStep $Step ('shutting down VM {0}' -f $VM.Name)
        if ($Resource) {
            $action = Get-ClusterParameter -InputObject $Resource -Name OfflineAction
            Set-ClusterParameter -InputObject $Resource -Name OfflineAction -Value 2
            try { Stop-ClusterGroup -Name $Resource.OwnerGroup.Name | Out-Null }
            finally { Set-ClusterParameter -InputObject $Resource -Name OfflineAction -Value $action.Value }
        } else {
            Stop-VM -VM $VM -Force
        }
    }

    # Starts it again — a clustered one after refreshing the cluster's copy of its configuration.
    function Start-MacauditVM($VM, $Resource, [string] $Step) {
        if ($Resource) {
            Update-ClusterVirtualMachineConfiguration -VMId $VM.VMId | Out-Null
            Start-ClusterGroup -Name $Resource.OwnerGroup.Name | Out-Null
        } else {
            Start-VM -VM $VM
        }
        Write-MacauditStep $Step ('VM {0} is running again' -f $VM.Name)
    }

    function Wait-MacauditProvisioning([hashtable] $NcArgs, [string] $InterfaceId) {
        $deadline = (Get-Date).AddSeconds($ProvisioningTimeoutSeconds)
        while ($true) {
            $nic = Get-NetworkControllerNetworkInterface @NcArgs -ResourceId $InterfaceId
            $state = $nic.Properties.ProvisioningState
            if ($state -eq 'Succeeded') { return $nic }
            if ($state -eq 'Failed') { throw ('NC interface {0}: provisioningState Failed' -f $InterfaceId) }
            if ((Get-Date) -gt $deadline) { throw ('NC interface {0}: provisioningState still {1} after {2} s' -f $InterfaceId, $state, $ProvisioningTimeoutSeconds) }
            Start-Sleep -Seconds 2
        }
    }

    # PUTs the interface with a new MAC and method, keeping its tags and resource metadata (the PUT
    # replaces the whole resource) and guarded by its etag; waits for provisioning.
    function Set-MacauditInterface($Nic, [hashtable] $NcArgs, [string] $InterfaceId, [string] $Mac, [string] $Method) {
        $Nic.Properties.PrivateMacAddress = $Mac
        $Nic.Properties.PrivateMacAllocationMethod = $Method
        $put = @{ ResourceId = $InterfaceId; Properties = $Nic.Properties; Etag = $Nic.Etag; Force = $true }
        if ($Nic.Tags) { $put.Tags = $Nic.Tags }
        if ($Nic.ResourceMetadata) { $put.ResourceMetadata = $Nic.ResourceMetadata }
        New-NetworkControllerNetworkInterface @NcArgs @put | Out-Null
        Wait-MacauditProvisioning $NcArgs $InterfaceId | Out-Null
    }

    # The SDN guide's port profile: set ProfileId (and ProfileData 1) on the adapter's port, adding
    # the feature when the port has none.
    function Set-MacauditPortProfile($Adapter, [string] $ProfileId) {
        $featureId = '9940cd46-8b06-43bb-b9d5-93d50381fd56'
        $feature = Get-VMSwitchExtensionPortFeature -FeatureId $featureId -VMNetworkAdapter $Adapter
        if ($null -eq $feature) {
            $feature = Get-VMSystemSwitchExtensionPortFeature -FeatureId $featureId
            $feature.SettingData.ProfileId = ('{{{0}}}' -f $ProfileId)
            $feature.SettingData.NetCfgInstanceId = '{56785678-a0e5-4a26-bc9b-c0cba27311a3}'
            $feature.SettingData.CdnLabelString = 'TestCdn'
            $feature.SettingData.CdnLabelId = 1111
            $feature.SettingData.ProfileName = 'Testprofile'
            $feature.SettingData.VendorId = '{1FA41B39-B444-4E43-B35A-E1F7985FD548}'
            $feature.SettingData.VendorName = 'NetworkController'
            $feature.SettingData.ProfileData = 1
            Add-VMSwitchExtensionPortFeature -VMSwitchExtensionFeature $feature -VMNetworkAdapter $Adapter
        } else {
            $feature.SettingData.ProfileId = ('{{{0}}}' -f $ProfileId)
            $feature.SettingData.ProfileData = 1
            Set-VMSwitchExtensionPortFeature -VMSwitchExtensionFeature $feature -VMNetworkAdapter $Adapter
        }
    }

    function Get-MacauditProfileId($Adapter) {
        $feature = Get-VMSwitchExtensionPortFeature -FeatureId '9940cd46-8b06-43bb-b9d5-93d50381fd56' -VMNetworkAdapter $Adapter
        if ($null -eq $feature) { return '' }
        ([string] $feature.SettingData.ProfileId).Trim('{}').ToLowerInvariant()
    }

    # One adapter's change: checked, recorded, carried out with the VM off only when the adapter's
    # MAC changes, and the VM started again whatever happens. $Target gives the adapter's MAC and
    # dynamic flag, the interface's MAC and method, and the ProfileId to reach; $From the values the
    # plan expects to find (the export's, or for a rollback what apply set).
    function Invoke-MacauditAdapterStep([hashtable] $S, [hashtable] $From, [hashtable] $Target, [switch] $Record) {
        $step = $S.Step
        # 1. Check everything before touching anything.
        $vm = Find-MacauditVM $S
        if (@('Running', 'Off') -notcontains [string] $vm.State) { throw ('VM {0} is {1}: start it or shut it down first' -f $vm.Name, $vm.State) }
        $adapter = Find-MacauditAdapter $vm $S @($From.Mac, $Target.Mac)
        $mac = ConvertTo-MacauditMac $adapter.MacAddress
        if (@($From.Mac, $Target.Mac) -notcontains $mac) { throw ('adapter {0} has {1}; the plan expects {2}' -f $S.AdapterName, $mac, $From.Mac) }
        $adapterDone = $mac -eq $Target.Mac -and [bool] $adapter.DynamicMacAddressEnabled -eq $Target.Dynamic
        $ncArgs = $null; $nic = $null; $ncDone = $true
        if ($S.InterfaceId) {
            $ncArgs = Get-MacauditNcArgs
            $nic = Get-NetworkControllerNetworkInterface @ncArgs -ResourceId $S.InterfaceId
            $ncMac = ConvertTo-MacauditMac ([string] $nic.Properties.PrivateMacAddress)
            $ncMethod = [string] $nic.Properties.PrivateMacAllocationMethod
            $ncDone = $ncMac -eq $Target.InterfaceMac -and $ncMethod -eq $Target.Method
            if (-not $ncDone -and ($ncMac -ne $From.InterfaceMac -or $ncMethod -ne $From.Method)) {
                throw ('NC interface {0} has {1} ({2}); the plan expects {3} ({4}): it changed since the export' -f $S.InterfaceId, $ncMac, $ncMethod, $From.InterfaceMac, $From.Method)
            }
        }
        $profileDone = $true
        if ($Target.ProfileId) {
            $currentProfile = Get-MacauditProfileId $adapter
            $profileDone = $currentProfile -eq $Target.ProfileId
            if (-not $profileDone -and $From.ProfileId -and $currentProfile -ne $From.ProfileId) {
                throw ('adapter {0} has port profile {1}; the plan expects {2}' -f $S.AdapterName, $currentProfile, $From.ProfileId)
            }
        }
        if ($adapterDone -and $ncDone -and $profileDone) { Write-MacauditStep $step 'already done; skipped'; return 'done' }
        $running = [string] $vm.State -eq 'Running'
        $what = @()
        if (-not $adapterDone) { $what += ('{0}set the adapter''s MAC to {1} ({2})' -f $(if ($running) { 'shut down the VM, ' } else { '' }), $Target.Mac, $(if ($Target.Dynamic) { 'dynamic' } else { 'static' })) }
        if (-not $ncDone) { $what += ('set NC interface {0} to {1} {2} and wait for provisioning' -f $S.InterfaceId, $Target.InterfaceMac, $Target.Method) }
        if (-not $profileDone) { $what += ('set the port profile to {{{0}}}' -f $Target.ProfileId) }
        if (-not $adapterDone -and $running) { $what += 'start the VM again' }
        if (-not $PSCmdlet.ShouldProcess(('VM {0} adapter {1}' -f $vm.Name, $S.AdapterName), ($what -join '; '))) { return 'whatif' }
        # 2. Record what is there now (a rerun keeps the first run's record).
        $before = @{ adapterMac = $mac; dynamic = [bool] $adapter.DynamicMacAddressEnabled; vmState = [string] $vm.State }
        if ($nic) { $before.interfaceMac = $ncMac; $before.method = $ncMethod; $before.etag = [string] $nic.Etag; $before.tags = $nic.Tags }
        if ($Target.ProfileId) { $before.profileId = Get-MacauditProfileId $adapter }
        if ($Record) { Save-MacauditState $step $before }
        # 3. Act: the adapter with the VM off, then the NC interface, then the port profile, then start.
        $changed = @(); $resource = $null; $stopped = $false
        try {
            if (-not $adapterDone) {
                $resource = Get-MacauditClusterResource $vm
                if ($running) { Stop-MacauditVM $vm $resource $step; $stopped = $true }
                # A dynamic MAC is brought back as the MAC it was, made dynamic again (Hyper-V keeps it
                # until the adapter next needs a new one).
                Set-VMNetworkAdapter -VMNetworkAdapter $adapter -StaticMacAddress $Target.Mac
                if ($Target.Dynamic) { Set-VMNetworkAdapter -VMNetworkAdapter $adapter -DynamicMacAddress }
                $changed += ('adapter MAC {0} -> {1}' -f $mac, $Target.Mac)
            }
            if (-not $ncDone) {
                Set-MacauditInterface $nic $ncArgs $S.InterfaceId $Target.InterfaceMac $Target.Method
                $changed += ('NC interface {0} -> {1} {2}' -f $S.InterfaceId, $Target.InterfaceMac, $Target.Method)
            }
            if (-not $profileDone) {
                Set-MacauditPortProfile $adapter $Target.ProfileId
                $changed += ('port profile -> {{{0}}}' -f $Target.ProfileId)
            }
        } catch {
            Write-MacauditStep $step ('FAILED: {0}. Changed: {1}. Not changed: the rest of this step.' -f $_.Exception.Message, $(if ($changed) { $changed -join '; ' } else { 'nothing' }))
            throw
        } finally {
            if ($stopped) { Start-MacauditVM (Get-VM -Id $S.VMId) $resource $step }
        }
        Write-MacauditStep $step ('done: {0}' -f ($changed -join '; '))
        'changed'
    }

    function Invoke-MacauditRangeStep([hashtable] $S, [string] $FromMinimum, [string] $FromMaximum, [string] $Minimum, [string] $Maximum, [switch] $Record) {
        $vmHost = Get-VMHost
        $min = ConvertTo-MacauditMac $vmHost.MacAddressMinimum; $max = ConvertTo-MacauditMac $vmHost.MacAddressMaximum
        if ($min -eq $Minimum -and $max -eq $Maximum) { Write-MacauditStep $S.Step 'already done; skipped'; return 'done' }
        if ($min -ne $FromMinimum -or $max -ne $FromMaximum) {
            throw ('the host''s dynamic MAC range is {0}-{1}; the plan expects {2}-{3}' -f $min, $max, $FromMinimum, $FromMaximum)
        }
        if (-not $PSCmdlet.ShouldProcess($macauditHost, ('set the dynamic MAC range to {0}-{1} (new VMs and new dynamic adapters draw from it)' -f $Minimum, $Maximum))) { return 'whatif' }
        if ($Record) { Save-MacauditState $S.Step @{ minimum = $min; maximum = $max } }
        Set-VMHost -MacAddressMinimum $Minimum -MacAddressMaximum $Maximum
        Write-MacauditStep $S.Step ('done: dynamic MAC range {0}-{1}' -f $Minimum, $Maximum)
        'changed'
    }

    # Rollback: what apply recorded for a step, or nothing when the step was never applied.
    function Get-MacauditBefore([string] $Step) {
        $state = Read-MacauditState
        if (-not $state) { throw ('no state file at {0}: rollback restores what apply recorded there, and nothing was recorded (or the file was moved; give -StatePath)' -f $StatePath) }
        if ($state.plan -ne $macauditPlan) { throw ('the state file {0} belongs to another plan ({1})' -f $StatePath, $state.plan) }
        $state.steps.PSObject.Properties[$Step].Value
    }

    # The state apply recorded, as the target of a rollback step.
    function ConvertTo-MacauditTarget($Before, [hashtable] $S) {
        if ($S.InterfaceId -and ($Before.interfaceMac -ne $S.ExportedInterfaceMac -or $Before.method -ne $S.ExportedMethod)) {
            Write-Warning ('[{0}] the NC interface had {1} ({2}) when apply ran; the export had {3} ({4}); restoring what apply found' -f $S.Step, $Before.interfaceMac, $Before.method, $S.ExportedInterfaceMac, $S.ExportedMethod)
        }
        $profileId = $null
        if ($Before.PSObject.Properties['profileId']) { $profileId = $Before.profileId }
        $interfaceMac = $null; $method = $null
        if ($Before.PSObject.Properties['interfaceMac']) { $interfaceMac = $Before.interfaceMac; $method = $Before.method }
        @{ Mac = $Before.adapterMac; Dynamic = [bool] $Before.dynamic; InterfaceMac = $interfaceMac; Method = $method; ProfileId = $profileId }
    }

    # Runs every step; a failed step is reported and the next one still attempted. Exits 1 when a
    # step failed.
    function Invoke-MacauditSteps([scriptblock[]] $Steps) {
        $failed = 0; $changed = 0; $done = 0
        foreach ($run in $Steps) {
            try {
                switch (& $run) { 'changed' { $changed++ } 'done' { $done++ } }
            } catch {
                $failed++
                Write-Warning $_.Exception.Message
            }
        }
        Write-Host ('{0} step(s) changed, {1} already done, {2} failed' -f $changed, $done, $failed)
        if ($failed -gt 0) { exit 1 }
    }
    """#
}
