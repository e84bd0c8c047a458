#!/usr/bin/env bash
# Makes the sample captures in Captures/wire/ with real tools in network namespaces: ip netns and
# veth pairs, a Linux bridge, tcpdump, dnsmasq + dhclient, arping, ndisc6 and a real kernel
# VXLAN tunnel. Run as root on Debian (apt-get install iproute2 tcpdump dnsmasq isc-dhcp-client
# arping ndisc6 python3). What each capture holds is in Captures/README.md.
#
# This kernel has no vlan, dummy or gretap link types, so 802.1Q/QinQ, NVGRE and the Windows-NLB
# ARP (sender address != Ethernet source) are written onto a veth through a raw AF_PACKET socket
# (inject-frames.py) while tcpdump captures the other end.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/wire"
mkdir -p "$out"
tmp=$(mktemp -d)
pids=()

cleanup() {
  for p in "${pids[@]:-}"; do kill "$p" 2>/dev/null || true; done
  for ns in $(ip netns list | awk '{print $1}' | grep '^ma-' || true); do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# start_capture NS IF FILE [tcpdump options…]: capture with nanosecond timestamps until stop_capture.
start_capture() {
  local ns=$1 ifname=$2 file=$3; shift 3
  ip netns exec "$ns" tcpdump -i "$ifname" -U -n --time-stamp-precision=nano -w "$out/$file" "$@" 2>>"$tmp/tcpdump.log" &
  cap_pid=$!
  sleep 1
}
stop_capture() { sleep 1; kill -INT "$cap_pid"; wait "$cap_pid" 2>/dev/null || true; }

ns() { ip netns add "$1"; ip -n "$1" link set lo up; }
veth() { # veth NS1 IF1 NS2 IF2
  ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
  ip -n "$1" link set "$2" up; ip -n "$3" link set "$4" up
}
v6() { ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0; }

echo "1. DHCP (dnsmasq ⇄ dhclient) and ARP (arping: request, reply, gratuitous, RFC 5227 probe)"
ns ma-srv; ns ma-cli
veth ma-srv s0 ma-cli c0
ip -n ma-cli link set c0 address 02:1d:d8:00:01:01
ip -n ma-srv link set s0 address 02:1d:d8:00:01:fe
ip -n ma-srv addr add 10.50.0.1/24 dev s0
ip netns exec ma-srv dnsmasq --no-daemon --conf-file=/dev/null --port=0 --interface=s0 --bind-interfaces \
  --dhcp-range=10.50.0.100,10.50.0.150,12h --dhcp-leasefile="$tmp/dnsmasq.leases" --pid-file="$tmp/dnsmasq.pid" 2>>"$tmp/dnsmasq.log" &
pids+=($!)
start_capture ma-srv s0 dhcp-arp.pcap
ip netns exec ma-srv tcpdump -i any -y LINUX_SLL2 -U -n -w "$out/dhcp-arp-any-sll2.pcap" 2>>"$tmp/tcpdump.log" &
sll_pid=$!
sleep 1
ip netns exec ma-cli dhclient -1 -v -sf /bin/true -lf "$tmp/dhclient.leases" -pf "$tmp/dhclient.pid" c0 2>>"$tmp/dhclient.log"
leased=$(awk '/fixed-address/ {gsub(";", "", $2); print $2}' "$tmp/dhclient.leases" | tail -1)
ip -n ma-cli addr add "$leased/24" dev c0
ip netns exec ma-cli arping -q -c 2 -i c0 10.50.0.1 || true
ip netns exec ma-cli arping -q -U -c 1 -i c0 -S "$leased" "$leased" || true
ip netns exec ma-cli arping -q -0 -c 1 -i c0 10.50.0.200 || true
kill "$(cat "$tmp/dhclient.pid")" 2>/dev/null || true
stop_capture
kill -INT "$sll_pid"; wait "$sll_pid" 2>/dev/null || true
editcap -F pcapng "$out/dhcp-arp.pcap" "$out/dhcp-arp.pcapng"
rm "$out/dhcp-arp.pcap"

echo "2. IPv6 duplicate address detection and neighbour discovery (ndisc6)"
ns ma-a; ns ma-b; v6 ma-a; v6 ma-b
veth ma-a a0 ma-b b0
ip -n ma-a link set a0 address 02:1d:d8:00:06:0a
ip -n ma-b link set b0 address 02:1d:d8:00:06:0b
start_capture ma-b b0 ipv6-dad-nd.pcap
ip -n ma-a addr add 2001:db8:6::a/64 dev a0
ip -n ma-b addr add 2001:db8:6::b/64 dev b0
sleep 3
ip netns exec ma-a ndisc6 -q 2001:db8:6::b a0 || true
stop_capture

echo "3. One MAC in two namespaces, then an IP conflict (arping on a Linux bridge)"
ns ma-sw; ns ma-h1; ns ma-h2; ns ma-h3
ip -n ma-sw link add br0 type bridge; ip -n ma-sw link set br0 up
for h in 1 2 3; do
  veth ma-h$h e0 ma-sw p$h
  ip -n ma-sw link set p$h master br0
done
ip -n ma-h1 link set e0 address 02:1d:d8:00:00:10
ip -n ma-h2 link set e0 address 02:1d:d8:00:00:10
ip -n ma-h3 link set e0 address 02:1d:d8:00:00:33
ip -n ma-h1 addr add 10.60.0.11/24 dev e0
ip -n ma-h2 addr add 10.60.0.12/24 dev e0
ip -n ma-h3 addr add 10.60.0.13/24 dev e0
start_capture ma-sw br0 same-mac.pcap
ip netns exec ma-h1 arping -q -U -c 2 -i e0 -S 10.60.0.11 10.60.0.11 || true
ip netns exec ma-h2 arping -q -U -c 2 -i e0 -S 10.60.0.12 10.60.0.12 || true
ip netns exec ma-h3 arping -q -c 1 -i e0 10.60.0.11 || true
stop_capture
ip -n ma-h3 addr add 10.60.0.11/24 dev e0
start_capture ma-sw br0 ip-conflict.pcap
for who in ma-h1 ma-h3 ma-h1 ma-h3; do
  ip netns exec "$who" arping -q -U -c 1 -i e0 -S 10.60.0.11 10.60.0.11 || true
  sleep 0.2
done
stop_capture

echo "4. 802.1Q and QinQ, NVGRE and a Windows-NLB ARP, written by a raw socket (inject-frames.py)"
ns ma-inj; ns ma-cap
veth ma-inj i0 ma-cap k0
ip -n ma-inj link set i0 address 02:1d:d8:00:0f:01
start_capture ma-cap k0 vlan-nvgre-nlb.pcap
ip netns exec ma-inj python3 "$here/inject-frames.py" i0
stop_capture

echo "4b. Forged ARP senders, bad opcodes, owner changes, RARP, priority and 802.1Q tags (inject-frames.py arp-precision),"
echo "    captured on the Ethernet and, with tcpdump -i any, as Linux cooked v1 (the tag follows the cooked header)"
ns ma-pin; ns ma-pcap
veth ma-pin p0 ma-pcap r0
ip -n ma-pin link set p0 address 02:1d:d8:00:a0:0f
start_capture ma-pcap r0 arp-precision.pcap
ip netns exec ma-pcap tcpdump -i any -y LINUX_SLL -U -n -w "$out/arp-precision-any-sll.pcap" 2>>"$tmp/tcpdump.log" &
sll_pid=$!
sleep 1
ip netns exec ma-pin python3 "$here/inject-frames.py" p0 arp-precision
stop_capture
kill -INT "$sll_pid"; wait "$sll_pid" 2>/dev/null || true

echo "5. A VXLAN tunnel (kernel vxlan, UDP 4789) with one tenant MAC on two hosts"
ns ma-u; ns ma-p1; ns ma-p2; ns ma-p3
ip -n ma-u link add br0 type bridge; ip -n ma-u link set br0 up
for p in 1 2 3; do
  veth ma-p$p u0 ma-u q$p
  ip -n ma-u link set q$p master br0
  ip -n ma-p$p link set u0 address 02:00:0a:0a:00:0$p
  ip -n ma-p$p addr add 10.10.0.$p/24 dev u0
  ip -n ma-p$p link add vx0 type vxlan id 5001 dstport 4789 local 10.10.0.$p dev u0
done
ip -n ma-p1 link set vx0 address 02:1d:d8:00:77:01    # the tenant duplicate: the same MAC
ip -n ma-p2 link set vx0 address 02:1d:d8:00:77:01    # on host 1 and host 2
ip -n ma-p3 link set vx0 address 02:1d:d8:00:77:03
ip netns exec ma-p1 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.10.0.3
ip netns exec ma-p2 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.10.0.3
ip netns exec ma-p3 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.10.0.1
ip netns exec ma-p3 bridge fdb append 00:00:00:00:00:00 dev vx0 dst 10.10.0.2
ip -n ma-p1 addr add 192.168.77.1/24 dev vx0
ip -n ma-p2 addr add 192.168.77.2/24 dev vx0
ip -n ma-p3 addr add 192.168.77.3/24 dev vx0
for p in 1 2 3; do ip -n ma-p$p link set vx0 up; done
start_capture ma-p3 u0 vxlan-duplicate.pcap udp port 4789
for round in 1 2 3; do
  ip netns exec ma-p3 arping -q -c 1 -i vx0 192.168.77.1 || true
  ip netns exec ma-p3 arping -q -c 1 -i vx0 192.168.77.2 || true
done
stop_capture

chmod 644 "$out"/*
echo "done: $(ls "$out")"
