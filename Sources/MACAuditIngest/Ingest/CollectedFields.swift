import MACAuditModel
/// The properties macaudit reads from each Hyper-V export, named as the collector script
/// (`macaudit collector`) selects them, and the Network Controller collections it reads.
///
/// This is the contract between the script that gathers the inputs and the decoders that read them:
/// the tests check that the script selects exactly these lists and that the decoders read every
/// one of them, so a property added on one side and not the other fails the suite.
public enum CollectedFields {
    /// `Get-VMNetworkAdapter -All`, with the VLAN flattened from `VlanSetting` to `VlanMode` and
    /// `AccessVlanId` (so `ConvertTo-Json -Depth 2` keeps it).
    public static let adapters: [String] = names([.computerName, .vmName, .vmId, .name, .id, .isManagementOs, .macAddress,
                                                  .dynamicMacAddressEnabled, .switchName, .switchId, .vlanMode, .accessVlanId,
                                                  .virtualSubnetId, .ipAddresses, .status])
    /// `Get-VMHost`: the host's dynamic MAC range.
    public static let hosts: [String] = names([.name, .macAddressMinimum, .macAddressMaximum])
    /// One row per adapter with a Network Controller port profile (`ProfileId`, `ProfileData` from
    /// the feature's `SettingData`), the shape of SdnDiagnostics' `Get-SdnVMNetworkAdapterPortProfile`.
    public static let portProfiles: [String] = names([.computerName, .vmName, .name, .macAddress, .profileId, .profileData])
    /// The NC REST collections (`/networking/v1/<name>`) the audit uses; others are read and ignored.
    public static let controllerResources = ["networkInterfaces", "macPools", "virtualNetworks", "logicalNetworks", "servers"]

    /// Hyper-V-side fields the decoders also accept from other ways of exporting (an unflattened
    /// `VlanSetting`, `PSComputerName` from `Invoke-Command`, `StatusDescription` beside `Status`,
    /// `Get-VMSwitchExtensionPortFeature`'s own `SettingData`, SCVMM pools) but that the collector
    /// does not write.
    public static let alternates: [String] = names([.psComputerName, .vlanSetting, .operationMode, .statusDescription, .settingData, .adapterName,
                                                    .macAddressRangeStart, .macAddressRangeEnd])

    /// Every Hyper-V-side field the reader keeps (the ``Field`` cases before the NC ones).
    public static let hypervFields: [String] = names(Field.allCases.filter { $0.rawValue < Field.resourceRef.rawValue })

    private static func names(_ fields: [Field]) -> [String] { fields.map(\.name) }
}
