// libpcap for macaudit's capture reader (Debian: libpcap-dev). Only MACAuditCapture imports it.
#include <pcap/pcap.h>
#include <stdio.h>
