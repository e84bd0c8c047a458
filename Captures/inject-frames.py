#!/usr/bin/env python3
"""Writes hand-built frames onto an interface through a raw AF_PACKET socket, for what this kernel
cannot make itself (no vlan or gretap link types): 802.1Q and QinQ tagged ARP, NVGRE-encapsulated
tenant ARP, and a Windows NLB unicast ARP (sender 02-BF-…, Ethernet source 02-01-…).
Used by make-captures.sh inside a network namespace while tcpdump captures the peer.

Usage: python3 inject-frames.py IFNAME
"""
import socket, struct, sys, time

def mac(text):
    return bytes.fromhex(text.replace(":", "").replace("-", ""))

def ip4(text):
    return socket.inet_aton(text)

def ethernet(src, dst, ethertype, payload, tags=()):
    frame = mac(dst) + mac(src)
    for i, (tpid, vlan) in enumerate(tags):
        frame += struct.pack("!HH", tpid, vlan & 0x0FFF)
    return frame + struct.pack("!H", ethertype) + payload

def arp(op, sha, spa, tha, tpa):
    return struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac(sha) + ip4(spa) + mac(tha) + ip4(tpa)

def ipv4(src, dst, proto, payload):
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64, proto, 0, ip4(src), ip4(dst))
    return header + payload

def nvgre(vsid, inner):
    # GRE with the Key bit (0x2000), protocol Transparent Ethernet Bridging (0x6558), VSID << 8 in the key.
    return struct.pack("!HHI", 0x2000, 0x6558, vsid << 8) + inner

def frames():
    broadcast = "ff:ff:ff:ff:ff:ff"
    zero = "00:00:00:00:00:00"
    # 802.1Q VLAN 20 and VLAN 30: ARP requests.
    yield ethernet("02:1d:d8:00:20:01", broadcast, 0x0806, arp(1, "02:1d:d8:00:20:01", "10.20.0.1", zero, "10.20.0.254"), [(0x8100, 20)])
    yield ethernet("02:1d:d8:00:30:01", broadcast, 0x0806, arp(1, "02:1d:d8:00:30:01", "10.30.0.1", zero, "10.30.0.254"), [(0x8100, 30)])
    # QinQ: service tag 100 (0x88A8) around customer VLAN 20; old-style 0x9100 outer 200 around VLAN 30.
    yield ethernet("02:1d:d8:00:20:02", broadcast, 0x0806, arp(1, "02:1d:d8:00:20:02", "10.20.0.2", zero, "10.20.0.254"), [(0x88A8, 100), (0x8100, 20)])
    yield ethernet("02:1d:d8:00:30:02", broadcast, 0x0806, arp(1, "02:1d:d8:00:30:02", "10.30.0.2", zero, "10.30.0.254"), [(0x9100, 200), (0x8100, 30)])
    # NVGRE: provider 10.10.0.1 → 10.10.0.2, VSID 6001, tenant ARP inside.
    inner = ethernet("02:1d:d8:00:60:01", broadcast, 0x0806, arp(1, "02:1d:d8:00:60:01", "192.168.60.1", zero, "192.168.60.254"))
    yield ethernet("02:00:0a:0a:00:01", "02:00:0a:0a:00:02", 0x0800, ipv4("10.10.0.1", "10.10.0.2", 47, nvgre(6001, inner)))
    # Windows NLB unicast, cluster IP 10.60.0.50: hosts send from 02-0h-0A-3C-00-32, ARP says 02-BF-0A-3C-00-32.
    for host in (1, 2):
        source = "02:%02x:0a:3c:00:32" % host
        yield ethernet(source, broadcast, 0x0806, arp(2, "02:bf:0a:3c:00:32", "10.60.0.50", zero, "10.60.0.1"))
    # A spoofed ARP: sender 02-1D-D8-00-0F-99 from the Ethernet source 02-1D-D8-00-0F-01.
    yield ethernet("02:1d:d8:00:0f:01", broadcast, 0x0806, arp(1, "02:1d:d8:00:0f:99", "10.60.0.99", zero, "10.60.0.1"))

def main():
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((sys.argv[1], 0))
    for frame in frames():
        sock.send(frame)
        time.sleep(0.05)

if __name__ == "__main__":
    main()
