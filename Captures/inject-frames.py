#!/usr/bin/env python3
"""Writes hand-built frames onto an interface through a raw AF_PACKET socket, for what this kernel
cannot make itself (no vlan or gretap link types): 802.1Q and QinQ tagged ARP, NVGRE-encapsulated
tenant ARP, and a Windows NLB unicast ARP (sender 02-BF-…, Ethernet source 02-01-…).
Used by make-captures.sh inside a network namespace while tcpdump captures the peer.

Usage: python3 inject-frames.py IFNAME [arp-precision]
  arp-precision: what arpwatch's comparison needs — forged ARP senders that never send, ARP with
  opcodes other than request/reply, one real change of owner, a flip flop, a RARP reply, a
  priority-tagged ARP beside an untagged one, and an ARP in 802.1Q VLAN 40.
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

def arp_precision():
    broadcast = "ff:ff:ff:ff:ff:ff"
    zero = "00:00:00:00:00:00"
    owner, forger, successor = "02:1d:d8:00:a0:01", "02:1d:d8:00:a0:0f", "02:1d:d8:00:a0:02"
    # 10.70.0.5 belongs to `owner`; a forger writes ten other senders for it (and never sends as them).
    yield ethernet(owner, broadcast, 0x0806, arp(2, owner, "10.70.0.5", zero, "10.70.0.1"))
    for k in range(10):
        ghost = "02:66:00:00:00:%02x" % k
        yield ethernet(forger, broadcast, 0x0806, arp(2, ghost, "10.70.0.5", zero, "10.70.0.1"))
        # …and frames with opcodes no host acts on (arpwatch: "wrong arp op").
        yield ethernet(forger, broadcast, 0x0806, arp(7 + k % 3, ghost, "10.70.1.%d" % k, zero, "10.70.0.1"))
    yield ethernet(owner, broadcast, 0x0806, arp(1, owner, "10.70.0.5", zero, "10.70.0.1"))
    # One real change of owner: the VM moved to a new MAC.
    yield ethernet(successor, broadcast, 0x0806, arp(2, successor, "10.70.0.5", zero, "10.70.0.1"))
    # A flip flop on 10.70.0.7: c, d, c.
    for m in ("02:1d:d8:00:a0:0c", "02:1d:d8:00:a0:0d", "02:1d:d8:00:a0:0c"):
        yield ethernet(m, broadcast, 0x0806, arp(2, m, "10.70.0.7", zero, "10.70.0.1"))
    # RARP: a request (claims nothing), the server's reply giving 02-…-A0-09 the address 10.70.0.9,
    # then another MAC answering ARP for that address.
    server, client = "02:1d:d8:00:a0:05", "02:1d:d8:00:a0:09"
    yield ethernet(client, broadcast, 0x8035, arp(3, client, "0.0.0.0", client, "0.0.0.0"))
    yield ethernet(server, client, 0x8035, arp(4, server, "10.70.0.2", client, "10.70.0.9"))
    yield ethernet("02:1d:d8:00:a0:19", broadcast, 0x0806, arp(2, "02:1d:d8:00:a0:19", "10.70.0.9", zero, "10.70.0.1"))
    # A priority-tagged ARP (802.1Q, VLAN id 0) and an untagged one for the same address: one segment.
    yield ethernet("02:1d:d8:00:a0:10", broadcast, 0x0806, arp(2, "02:1d:d8:00:a0:10", "10.70.0.10", zero, "10.70.0.1"), [(0x8100, 0)])
    yield ethernet("02:1d:d8:00:a0:11", broadcast, 0x0806, arp(2, "02:1d:d8:00:a0:11", "10.70.0.10", zero, "10.70.0.1"))
    # An ARP in VLAN 40 (in a cooked capture its tag follows the cooked header).
    yield ethernet("02:1d:d8:00:40:01", broadcast, 0x0806, arp(1, "02:1d:d8:00:40:01", "10.40.0.1", zero, "10.40.0.254"), [(0x8100, 40)])

def main():
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((sys.argv[1], 0))
    for frame in (arp_precision() if sys.argv[2:] == ["arp-precision"] else frames()):
        sock.send(frame)
        time.sleep(0.05)

if __name__ == "__main__":
    main()
