#!/usr/bin/env python3
"""Writes Captures/sample-cluster/: a SYNTHETIC three-host Azure Stack HCI cluster with a Network
Controller, exported the way admins export it (see README.md, "Exporting the inputs"), with faults
planted on purpose. No real Get-VMNetworkAdapter export is public (FORMATS.md §7), so every Hyper-V
file here is built from the documented property lists and serialisation rules (FORMATS.md §2), in
the three encodings PowerShell writes:

  adapters-HCI-N01.json  PowerShell 7 `Get-VMNetworkAdapter -All | ConvertTo-Json` (UTF-8, host vNICs
                         without DynamicMacAddressEnabled/IsLegacy/IPAddresses/Connected)
  adapters-HCI-N02.json  Windows PowerShell 5.1 `... | ConvertTo-Json > file` (UTF-16LE + BOM, CRLF,
                         `"key":  value`, VlanSetting expanded with its ParentAdapter cut to a string)
  adapters-HCI-N03.json  collected through Invoke-Command (PSComputerName, no ComputerName), UTF-8 with
                         BOM, PS 5.1's `{"value":[...],"Count":n}` wrapper
  vmhosts.json           Get-VMHost of the three hosts (HCI-N03 was cloned from HCI-N01's image)
  portprofiles.json      Get-SdnVMNetworkAdapterPortProfile (VMName, Name, MacAddress, ProfileId,
                         ProfileData, PortName)
  nc-*.json              Network Controller REST GET-ALL bodies ({"value":[...],"nextLink":""}),
                         a bare macPool object as SdnDiagnostics saves it

Planted faults (what `macaudit audit Captures/sample-cluster/` must find):
  error    duplicate-mac          batch01 (N01) and batch02 (N02) both 02-1D-D8-00-00-10 on VLAN 20
  error    invalid-mac            legacy01's MAC '001523be0c' (ten digits, from a DSC sample)
  error    group-bit              mcast01 01-15-5D-0A-30-01
  error    reserved-prefix        vrrp01 00-00-5E-00-01-0A (a VRRP router's MAC)
  error    out-of-pool            dynvm's Dynamic NC interface 00-1D-D8-B7-00-01 outside DefaultMacPool
  error    pool-overlap           HCI-N01 and HCI-N03 have the identical dynamic range (cloned host)
  error    mac-mismatch           app01: Hyper-V 00-1D-D8-B7-1C-13, NC 00-1D-D8-B7-1C-14
  error    port-profile-mismatch  app02's profile names an interface that no longer exists
  error    dynamic-mac-on-sdn     app03 is SDN-managed with DynamicMacAddressEnabled
  warning  foreign-pool-dynamic   migrated01 on N02 holds 00-15-5D-0A-10-05 from N01's (and N03's) pool
  warning  nc-orphan              old-vm-nic has no adapter
  warning  unmanaged-adapter      test01 on the SDN switch without an NC interface
  warning  foreign-oui            p2v01 kept its physical Intel NIC's MAC 3C-FD-FE-1A-2B-3C (with a registry)
  warning  unregistered-oui       rand01's A8-3D-7E-5C-19-F2: universal, and no registry assigns A8-3D-7E
  info     out-of-pool            the gateway's Static NIC 00-1D-D8-B7-1C-08 below the pool (normal)
Not faults, and must not be reported: web02 reported by N02 and N03 (it live-migrated while the
export ran), off01's 000000000000 placeholder, the converged vNIC holding the pNIC's MAC.

Run: python3 Captures/make-sample-cluster.py   (deterministic; rewrites the folder)
"""
import json, os, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "sample-cluster")
NS = uuid.UUID("6c1b3f52-6a8e-4f0e-9d3c-1f0a2b3c4d5e")

SYNTHETIC = "SYNTHETIC sample made by Captures/make-sample-cluster.py from FORMATS.md section 2; not a real export"

def guid(name):
    return str(uuid.uuid5(NS, name))

SDN_SWITCH = {"HCI-N01": guid("sw-N01"), "HCI-N02": guid("sw-N02"), "HCI-N03": guid("sw-N03")}
LEGACY_SWITCH = {h: guid("legacy-" + h) for h in SDN_SWITCH}

def adapter(host, vm, mac, *, dynamic=False, sdn=True, vlan=0, ips=(), name="Network Adapter", vmid_key=None):
    vmid = guid("vm-" + (vmid_key or vm))
    switch = SDN_SWITCH[host] if sdn else LEGACY_SWITCH[host]
    return {
        "ClusterMonitored": True, "MacAddress": mac, "DynamicMacAddressEnabled": dynamic, "IsLegacy": False,
        "IPAddresses": list(ips), "Connected": True,
        "SwitchName": "ConvergedSwitch(compute)" if sdn else "LegacySwitch",
        "StatusDescription": ["OK"], "Status": [2], "IsManagementOs": False,
        "Id": "Microsoft:%s\\%s" % (vmid.upper(), guid("nic-" + (vmid_key or vm) + name).upper()),
        "SwitchId": switch,
        "VlanSetting": {"OperationMode": 1 if vlan else 0, "AccessVlanId": vlan,
                        "ParentAdapter": "VMNetworkAdapter (Name = '%s', VMName = '%s') [VMId = '%s']" % (name, vm, vmid),
                        "CimSession": "CimSession: ."},
        "MacAddressSpoofing": 1, "VirtualSubnetId": 0, "Name": name, "VMId": vmid, "VMName": vm,
        "VMSnapshotId": "00000000-0000-0000-0000-000000000000", "VMSnapshotName": "",
        "CimSession": {"ComputerName": None, "InstanceId": guid("cim-" + host)},
        "ComputerName": host, "IsDeleted": False, "Synthetic": SYNTHETIC,
    }

def host_vnic(host, name, mac):
    return {"MacAddress": mac, "SwitchName": "ConvergedSwitch(compute)", "StatusDescription": ["OK"], "Status": [2],
            "IsManagementOs": True, "Id": "Microsoft:%s" % guid("hvnic-" + host + name).upper(),
            "SwitchId": SDN_SWITCH[host], "VlanSetting": "Microsoft.HyperV.PowerShell.VMNetworkAdapterVlanSetting",
            "Name": name, "VMId": None, "VMName": "", "ComputerName": host, "IsDeleted": False, "DeviceId": guid("dev-" + name),
            "Synthetic": SYNTHETIC}

def ps51(obj, indent=0):
    """Windows PowerShell 5.1's ConvertTo-Json layout: 4 spaces, two after the colon, \\u0027 for '."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj: return "{\n\n" + pad + "}"
        items = [pad + "    " + json.dumps(k) + ":  " + ps51(v, indent + 4) for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list):
        if not obj: return "[\n\n" + pad + "]"
        return "[\n" + ",\n".join(pad + "    " + ps51(v, indent + 4) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj).replace("'", "\\u0027").replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

def write(name, text, encoding="utf-8", crlf=False):
    if crlf: text = text.replace("\n", "\r\n")
    data = text.encode(encoding)
    if encoding == "utf-16-le": data = b"\xff\xfe" + data
    if encoding == "utf-8-sig": data = text.encode("utf-8-sig")
    with open(os.path.join(OUT, name), "wb") as f: f.write(data)

def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT): os.remove(os.path.join(OUT, f))

    n01 = [
        host_vnic("HCI-N01", "vManagement(compute)", "B88303589188"),  # converged vNIC takes the pNIC's MAC
        host_vnic("HCI-N01", "vSMB(compute#1)", "00155D0A1001"),
        adapter("HCI-N01", "web01", "001DD8B71C10", vlan=0, ips=["192.168.10.11"]),
        adapter("HCI-N01", "sql01", "001DD8B71C12", ips=["192.168.10.12"]),
        adapter("HCI-N01", "app03", "001DD8B71C16", dynamic=True),
        adapter("HCI-N01", "test01", "00155D0A1010"),
        adapter("HCI-N01", "batch01", "021DD8000010", sdn=False, vlan=20),
        adapter("HCI-N01", "vrrp01", "00005E00010A", sdn=False, vlan=20),
    ]
    n02 = [
        adapter("HCI-N02", "web02", "001DD8B71C11", ips=["192.168.10.13"]),
        adapter("HCI-N02", "app01", "001DD8B71C13"),
        adapter("HCI-N02", "dynvm", "001DD8B70001"),
        adapter("HCI-N02", "batch02", "021DD8000010", sdn=False, vlan=20),
        adapter("HCI-N02", "legacy01", "001523be0c", sdn=False, vlan=20),
        adapter("HCI-N02", "migrated01", "00155D0A1005", dynamic=True, sdn=False, vlan=20),
    ]
    n03 = [
        adapter("HCI-N03", "web02", "001DD8B71C11", ips=["192.168.10.13"]),  # same Id as on N02: it moved
        adapter("HCI-N03", "app02", "001DD8B71C15"),
        adapter("HCI-N03", "SDNEXP-GW01", "001DD8B71C08"),
        adapter("HCI-N03", "mcast01", "01155D0A3001", sdn=False),
        adapter("HCI-N03", "off01", "000000000000", dynamic=True, sdn=False),
        adapter("HCI-N03", "p2v01", "3CFDFE1A2B3C", sdn=False, vlan=20),   # converted from a server: kept its Intel NIC's MAC
        adapter("HCI-N03", "rand01", "A83D7E5C19F2", sdn=False, vlan=20),  # a random generator's universal MAC
    ]
    for a in n03:
        a["PSComputerName"] = a.pop("ComputerName"); a["RunspaceId"] = guid("runspace"); a["PSShowComputerName"] = True

    write("adapters-HCI-N01.json", json.dumps(n01, indent=2) + "\n")
    write("adapters-HCI-N02.json", ps51(n02) + "\n", "utf-16-le", crlf=True)
    write("adapters-HCI-N03.json", json.dumps({"value": n03, "Count": len(n03)}, indent=2) + "\n", "utf-8-sig")

    hosts = [
        {"Name": "HCI-N01", "ComputerName": "HCI-N01", "FullyQualifiedDomainName": "HCI-N01.corp.contoso.com",
         "MacAddressMinimum": "00155D0A1000", "MacAddressMaximum": "00155D0A10FF", "LogicalProcessorCount": 64, "Synthetic": SYNTHETIC},
        {"Name": "HCI-N02", "ComputerName": "HCI-N02", "FullyQualifiedDomainName": "HCI-N02.corp.contoso.com",
         "MacAddressMinimum": "00155D0A2000", "MacAddressMaximum": "00155D0A20FF", "LogicalProcessorCount": 64, "Synthetic": SYNTHETIC},
        {"Name": "HCI-N03", "ComputerName": "HCI-N03", "FullyQualifiedDomainName": "HCI-N03.corp.contoso.com",
         "MacAddressMinimum": "00155D0A1000", "MacAddressMaximum": "00155D0A10FF", "LogicalProcessorCount": 64, "Synthetic": SYNTHETIC},
    ]
    write("vmhosts.json", json.dumps(hosts, indent=2) + "\n")

    managed = {  # VM -> (host, MAC the port profile holds, NC interface resourceId)
        "web01": ("HCI-N01", "001DD8B71C10", "web01-nic"), "sql01": ("HCI-N01", "001DD8B71C12", "sql01-nic"),
        "app03": ("HCI-N01", "001DD8B71C16", "app03-nic"), "web02": ("HCI-N02", "001DD8B71C11", "web02-nic"),
        "app01": ("HCI-N02", "001DD8B71C13", "app01-nic"), "dynvm": ("HCI-N02", "001DD8B70001", "dynvm-nic"),
        "app02": ("HCI-N03", "001DD8B71C15", "app02-nic-old"), "SDNEXP-GW01": ("HCI-N03", "001DD8B71C08", "gw01-nic"),
    }
    profiles = [{"VMName": vm, "Name": "Network Adapter", "MacAddress": mac, "ProfileId": "{%s}" % guid("inst-" + nic),
                 "ProfileData": 1, "PortName": guid("port-" + vm).upper(), "PSComputerName": host, "Synthetic": SYNTHETIC}
                for vm, (host, mac, nic) in managed.items()]
    write("portprofiles.json", json.dumps(profiles, indent=2) + "\n")

    def nic(rid, mac, host, *, method="Static", ip=None, subnet="/virtualNetworks/tenant-vnet/subnets/web"):
        props = {"provisioningState": "Succeeded", "privateMacAddress": mac, "privateMacAllocationMethod": method,
                 "isHostVirtualNetworkInterface": False, "isPrimary": True,
                 "portSettings": {"macSpoofingEnabled": "Disabled", "arpGuardEnabled": "Disabled", "vmqWeight": 100},
                 "ipConfigurations": [{"resourceRef": "/networkInterfaces/%s/ipConfigurations/ip1" % rid, "resourceId": "ip1",
                                       "properties": {"privateIPAddress": ip, "privateIPAllocationMethod": "Static",
                                                      "subnet": {"resourceRef": subnet}}}] if ip else []}
        if host: props["server"] = {"resourceRef": "/servers/" + SDN_SWITCH[host]}
        return {"resourceRef": "/networkInterfaces/" + rid, "resourceId": rid, "tags": {"synthetic": SYNTHETIC}, "etag": "W/\"%s\"" % guid("etag-" + rid),
                "instanceId": guid("inst-" + rid), "properties": props}
    interfaces = [
        nic("web01-nic", "001DD8B71C10", "HCI-N01", ip="192.168.10.11"),
        nic("sql01-nic", "001DD8B71C12", "HCI-N01", ip="192.168.10.12"),
        nic("app03-nic", "001DD8B71C16", "HCI-N01", ip="192.168.10.16"),
        nic("web02-nic", "001DD8B71C11", "HCI-N03", ip="192.168.10.13"),
        nic("app01-nic", "001DD8B71C14", "HCI-N02", ip="192.168.10.14"),   # the controller's MAC differs
        nic("dynvm-nic", "001DD8B70001", "HCI-N02", method="Dynamic", ip="192.168.10.17"),
        nic("app02-nic", "001DD8B71C15", "HCI-N03", ip="192.168.10.15"),   # re-created: new instanceId
        nic("gw01-nic", "001DD8B71C08", "HCI-N03", ip="10.10.0.8", subnet="/logicalnetworks/HNVPA/subnets/PA"),
        nic("old-vm-nic", "001DD8B71C20", None, ip="192.168.10.20"),       # its VM was deleted
    ]
    write("nc-networkInterfaces.json", json.dumps({"value": interfaces, "nextLink": ""}, indent=2) + "\n")
    write("nc-macPools.json", json.dumps({
        "resourceRef": "/macPools/DefaultMacPool", "resourceId": "DefaultMacPool", "tags": {"synthetic": SYNTHETIC}, "etag": "W/\"%s\"" % guid("etag-pool"),
        "instanceId": guid("pool"), "properties": {"provisioningState": "Succeeded",
        "startMacAddress": "00-1D-D8-B7-1C-09", "endMacAddress": "00-1D-D8-B7-1F-FF",
        "usage": {"numberOfMacAddresses": 1015, "numberofMacAddressesAllocated": 9}}}, indent=2) + "\n")
    servers = [{"resourceRef": "/servers/" + sw, "resourceId": sw, "tags": {"synthetic": SYNTHETIC}, "instanceId": guid("srv-" + h),
                "properties": {"provisioningState": "Succeeded",
                               "connections": [{"managementAddresses": [h + ".corp.contoso.com"], "credentialType": "X509Certificate"}]}}
               for h, sw in SDN_SWITCH.items()]
    write("nc-servers.json", json.dumps({"value": servers, "nextLink": ""}, indent=2) + "\n")
    write("nc-virtualNetworks.json", json.dumps({"value": [{"resourceRef": "/virtualNetworks/tenant-vnet", "resourceId": "tenant-vnet", "tags": {"synthetic": SYNTHETIC},
        "properties": {"subnets": [{"resourceRef": "/virtualNetworks/tenant-vnet/subnets/web", "resourceId": "web",
                                    "properties": {"addressPrefix": "192.168.10.0/24", "vsid": 5001}}]}}], "nextLink": ""}, indent=2) + "\n")
    write("nc-logicalNetworks.json", json.dumps({"value": [{"resourceRef": "/logicalnetworks/HNVPA", "resourceId": "HNVPA", "tags": {"synthetic": SYNTHETIC},
        "properties": {"subnets": [{"resourceRef": "/logicalnetworks/HNVPA/subnets/PA", "resourceId": "PA",
                                    "properties": {"addressPrefix": "10.10.0.0/24", "vlanID": "11"}}]}}], "nextLink": ""}, indent=2) + "\n")

if __name__ == "__main__":
    main()
