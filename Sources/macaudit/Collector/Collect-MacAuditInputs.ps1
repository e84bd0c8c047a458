<#
.SYNOPSIS
    Gathers what macaudit reads from one failover cluster into one folder per cluster.

.DESCRIPTION
    Run on a management host (or a cluster node) as an account that may use PowerShell remoting
    on the nodes. For every node that is up (Get-ClusterNode), through Invoke-Command, it writes:

        <OutputFolder>\<cluster>\adapters-<node>.json       Get-VMNetworkAdapter -All
        <OutputFolder>\<cluster>\vmhost-<node>.json         Get-VMHost (the host's dynamic MAC range)
        <OutputFolder>\<cluster>\portprofiles-<node>.json   the Network Controller port profile of
                                                            each adapter (Get-VMSwitchExtensionPortFeature)

    and, with -NetworkController, the controller's resources through its REST API:

        <OutputFolder>\<cluster>\nc-<resource>.json         networkInterfaces, macPools, virtualNetworks,
                                                            logicalNetworks, servers

    Only the Hyper-V module is needed on the nodes, and FailoverClusters where the script runs.
    Each file is written as UTF-8 to a .partial file, then renamed, so a folder never holds half a
    file. A node that cannot be reached is named on the error stream, the others are still written,
    and the script exits 1. Then:  macaudit audit <OutputFolder>\<cluster>

    Printed by `macaudit collector`; Windows PowerShell 5.1 and PowerShell 7.

.PARAMETER Cluster
    The failover cluster to read (default: the cluster of this computer).

.PARAMETER OutputFolder
    Where the cluster's folder is made.

.PARAMETER NetworkController
    The Network Controller's REST endpoint, e.g. https://nc.contoso.com. Without it, no nc-*.json.

.PARAMETER CertificateThumbprint
    Authenticate to the Network Controller with this client certificate (from Cert:\CurrentUser\My)
    instead of the current user's Kerberos credentials.

.EXAMPLE
    .\Collect-MacAuditInputs.ps1 -Cluster hci01 -OutputFolder D:\macaudit -NetworkController https://nc.contoso.com
#>
[CmdletBinding()]
param(
    [string] $Cluster = '.',
    [Parameter(Mandatory = $true)] [string] $OutputFolder,
    [string] $NetworkController,
    [string] $CertificateThumbprint
)

Set-StrictMode -Version 2.0
$ErrorActionPreference = 'Stop'

# The properties macaudit reads, export by export. macaudit's tests compare these lists with the
# ingest's own table of the fields it reads, so the two cannot drift apart.
$AdapterProperties = @('ComputerName', 'VMName', 'VMId', 'Name', 'Id', 'IsManagementOs', 'MacAddress',
    'DynamicMacAddressEnabled', 'SwitchName', 'SwitchId', 'VlanMode', 'AccessVlanId', 'VirtualSubnetId',
    'IPAddresses', 'Status')
$HostProperties = @('Name', 'MacAddressMinimum', 'MacAddressMaximum')
$PortProfileProperties = @('ComputerName', 'VMName', 'Name', 'MacAddress', 'ProfileId', 'ProfileData')
$ControllerResources = @('networkInterfaces', 'macPools', 'virtualNetworks', 'logicalNetworks', 'servers')

# The Network Controller's port profile feature on the Hyper-V switch.
$PortProfileFeatureId = '9940cd46-8b06-43bb-b9d5-93d50381fd56'

# Runs on each node; returns the node's three exports as JSON text (serialised there, so nothing is
# lost to remoting's own serialisation depth).
$NodeExports = {
    param([string[]] $AdapterProperties, [string[]] $HostProperties, [string[]] $PortProfileProperties,
          [string] $FeatureId)
    $ErrorActionPreference = 'Stop'
    $node = $env:COMPUTERNAME
    $adapters = @(Get-VMNetworkAdapter -All)
    # VlanMode and AccessVlanId are flattened from VlanSetting, so -Depth 2 keeps every value.
    $columns = foreach ($p in $AdapterProperties) {
        switch ($p) {
            'VlanMode' { @{ Name = 'VlanMode'; Expression = { [string]$_.VlanSetting.OperationMode } } }
            'AccessVlanId' { @{ Name = 'AccessVlanId'; Expression = { $_.VlanSetting.AccessVlanId } } }
            default { $p }
        }
    }
    $adapterRows = @($adapters | Select-Object -Property $columns)
    $hostRows = @(Get-VMHost | Select-Object -Property $HostProperties)
    $profileRows = @(foreach ($a in $adapters) {
        $feature = Get-VMSwitchExtensionPortFeature -FeatureId $FeatureId -VMNetworkAdapter $a -ErrorAction SilentlyContinue
        if ($null -eq $feature) { continue }
        $row = [ordered]@{}
        foreach ($p in $PortProfileProperties) {
            switch ($p) {
                'ComputerName' { $row[$p] = $node }
                'ProfileId' { $row[$p] = [string]$feature.SettingData.ProfileId }
                'ProfileData' { $row[$p] = [int]$feature.SettingData.ProfileData }
                default { $row[$p] = $a.$p }
            }
        }
        [pscustomobject]$row
    })
    [pscustomobject]@{
        Node = $node
        Adapters = ConvertTo-Json -InputObject $adapterRows -Depth 2
        Host = ConvertTo-Json -InputObject $hostRows -Depth 2
        PortProfiles = ConvertTo-Json -InputObject $profileRows -Depth 2
    }
}

# Writes text as UTF-8 without a byte order mark: first to <name>.partial, then renamed.
function Write-Export {
    param([string] $Folder, [string] $Name, [string] $Json)
    $path = Join-Path -Path $Folder -ChildPath $Name
    $partial = $path + '.partial'
    [System.IO.File]::WriteAllText($partial, $Json, (New-Object -TypeName System.Text.UTF8Encoding -ArgumentList $false))
    Move-Item -LiteralPath $partial -Destination $path -Force
    Write-Verbose -Message "wrote $path"
}

$clusterName = (Get-Cluster -Name $Cluster).Name
$folder = Join-Path -Path $OutputFolder -ChildPath $clusterName
New-Item -ItemType Directory -Path $folder -Force | Out-Null

$nodes = @(Get-ClusterNode -Cluster $clusterName | Where-Object { [string]$_.State -eq 'Up' } | ForEach-Object { $_.Name })
$down = @(Get-ClusterNode -Cluster $clusterName | Where-Object { [string]$_.State -ne 'Up' } | ForEach-Object { $_.Name })
foreach ($n in $down) { Write-Warning -Message "node $n is not up: its adapters are not collected" }
if ($nodes.Count -eq 0) { throw "no node of cluster $clusterName is up" }

$failed = $false
$results = @(Invoke-Command -ComputerName $nodes -ScriptBlock $NodeExports -ErrorAction SilentlyContinue -ErrorVariable unreachable `
    -ArgumentList $AdapterProperties, $HostProperties, $PortProfileProperties, $PortProfileFeatureId)
foreach ($e in $unreachable) { Write-Error -Message $e.Exception.Message -ErrorAction Continue }
$collected = @($results | ForEach-Object { $_.Node })
foreach ($n in $nodes) {
    if ($collected -notcontains $n) {
        Write-Error -Message "node ${n}: not collected (see the error above)" -ErrorAction Continue
        $failed = $true
    }
}
foreach ($r in $results) {
    Write-Export -Folder $folder -Name "adapters-$($r.Node).json" -Json $r.Adapters
    Write-Export -Folder $folder -Name "vmhost-$($r.Node).json" -Json $r.Host
    Write-Export -Folder $folder -Name "portprofiles-$($r.Node).json" -Json $r.PortProfiles
}

if ($NetworkController) {
    $authentication = @{}
    if ($CertificateThumbprint) { $authentication['CertificateThumbprint'] = $CertificateThumbprint }
    else { $authentication['UseDefaultCredentials'] = $true }
    foreach ($resource in $ControllerResources) {
        $uri = $NetworkController.TrimEnd('/') + '/networking/v1/' + $resource
        try {
            $answer = Invoke-RestMethod -Uri $uri -Method Get @authentication
            Write-Export -Folder $folder -Name "nc-$resource.json" -Json (ConvertTo-Json -InputObject $answer -Depth 20)
        } catch {
            Write-Error -Message "Network Controller ${uri}: $($_.Exception.Message)" -ErrorAction Continue
            $failed = $true
        }
    }
}

Write-Output "collected $($results.Count) of $($nodes.Count) node(s) of $clusterName into $folder"
if ($failed) { exit 1 }
