PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
INSERT INTO grdb_migrations VALUES('v1-pools-assignments-runs');
CREATE TABLE pool (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    scope TEXT NOT NULL CHECK (scope IN ('host', 'cluster', 'fleet')),
    host TEXT,
    cluster TEXT,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    createdAt TEXT NOT NULL
);
INSERT INTO pool VALUES(1,'sample-cluster/DefaultMacPool','cluster',NULL,'sample-cluster','nc-pool','Captures/sample-cluster/nc-macPools.json','2026-12-01T12:14:10.620Z');
INSERT INTO pool VALUES(2,'HCI-N01 dynamic','host','HCI-N01','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T12:14:10.623Z');
INSERT INTO pool VALUES(3,'HCI-N02 dynamic','host','HCI-N02','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T12:14:10.624Z');
INSERT INTO pool VALUES(4,'HCI-N03 dynamic','host','HCI-N03','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T12:14:10.625Z');
CREATE TABLE poolRange (
    id INTEGER PRIMARY KEY,
    poolId INTEGER NOT NULL REFERENCES pool(id) ON DELETE CASCADE,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    CHECK (first <= last)
);
INSERT INTO poolRange VALUES(1,1,128189930505,128189931519);
INSERT INTO poolRange VALUES(2,2,91755253760,91755254015);
INSERT INTO poolRange VALUES(3,3,91755257856,91755258111);
INSERT INTO poolRange VALUES(4,4,91755253760,91755254015);
CREATE TABLE freeRun (
    rangeId INTEGER NOT NULL REFERENCES poolRange(id) ON DELETE CASCADE,
    first INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (rangeId, first),
    CHECK (first <= last)
) WITHOUT ROWID;
INSERT INTO freeRun VALUES(1,128189930506,128189930511);
INSERT INTO freeRun VALUES(1,128189930519,128189930527);
INSERT INTO freeRun VALUES(1,128189930529,128189931519);
INSERT INTO freeRun VALUES(2,91755253760,91755253760);
INSERT INTO freeRun VALUES(2,91755253762,91755253764);
INSERT INTO freeRun VALUES(2,91755253766,91755253775);
INSERT INTO freeRun VALUES(2,91755253777,91755254015);
INSERT INTO freeRun VALUES(3,91755257856,91755258111);
INSERT INTO freeRun VALUES(4,91755253760,91755253760);
INSERT INTO freeRun VALUES(4,91755253762,91755253764);
INSERT INTO freeRun VALUES(4,91755253766,91755253775);
INSERT INTO freeRun VALUES(4,91755253777,91755254015);
CREATE TABLE assignment (
    mac INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    holderKind TEXT NOT NULL,
    host TEXT,
    cluster TEXT,
    source TEXT,
    firstSeen TEXT NOT NULL,
    lastSeen TEXT NOT NULL,
    lastRunId INTEGER REFERENCES run(id)
);
INSERT INTO assignment VALUES(1577058570,'adapter vrrp01 / Network Adapter on HCI-N01 (cluster sample-cluster)','adapter','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(91755253761,'host-vnic vSMB(compute#1) on HCI-N01 (cluster sample-cluster)','host-vnic','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(91755253765,'adapter migrated01 / Network Adapter on HCI-N02 (cluster sample-cluster)','adapter','HCI-N02','sample-cluster','Captures/sample-cluster/adapters-HCI-N02.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(91755253776,'adapter test01 / Network Adapter on HCI-N01 (cluster sample-cluster)','adapter','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189923329,'adapter dynvm / Network Adapter on HCI-N02 (cluster sample-cluster)','adapter','HCI-N02','sample-cluster','Captures/sample-cluster/adapters-HCI-N02.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930504,'adapter SDNEXP-GW01 / Network Adapter on HCI-N03 (cluster sample-cluster)','adapter','HCI-N03','sample-cluster','Captures/sample-cluster/adapters-HCI-N03.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930512,'adapter web01 / Network Adapter on HCI-N01 (cluster sample-cluster)','adapter','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930513,'adapter web02 / Network Adapter on HCI-N02 (cluster sample-cluster)','adapter','HCI-N02','sample-cluster','Captures/sample-cluster/adapters-HCI-N02.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930514,'adapter sql01 / Network Adapter on HCI-N01 (cluster sample-cluster)','adapter','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930515,'adapter app01 / Network Adapter on HCI-N02 (cluster sample-cluster)','adapter','HCI-N02','sample-cluster','Captures/sample-cluster/adapters-HCI-N02.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930517,'adapter app02 / Network Adapter on HCI-N03 (cluster sample-cluster)','adapter','HCI-N03','sample-cluster','Captures/sample-cluster/adapters-HCI-N03.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930518,'adapter app03 / Network Adapter on HCI-N01 (cluster sample-cluster)','adapter','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(128189930528,'interface old-vm-nic (cluster sample-cluster)','interface','','sample-cluster','Captures/sample-cluster/nc-networkInterfaces.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(1191266889729,'adapter mcast01 / Network Adapter on HCI-N03 (cluster sample-cluster)','adapter','HCI-N03','sample-cluster','Captures/sample-cluster/adapters-HCI-N03.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(2327201185808,'adapter batch02 / Network Adapter on HCI-N02 (cluster sample-cluster)','adapter','HCI-N02','sample-cluster','Captures/sample-cluster/adapters-HCI-N02.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
INSERT INTO assignment VALUES(202872836362632,'host-vnic vManagement(compute) on HCI-N01 (cluster sample-cluster)','host-vnic','HCI-N01','sample-cluster','Captures/sample-cluster/adapters-HCI-N01.json','2026-12-01T12:14:10.675Z','2026-12-01T12:14:10.788Z',2);
CREATE TABLE reservation (
    id INTEGER PRIMARY KEY,
    mac INTEGER NOT NULL,
    poolId INTEGER REFERENCES pool(id) ON DELETE SET NULL,
    holder TEXT NOT NULL,
    runId INTEGER REFERENCES run(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'applied', 'released', 'expired')),
    createdAt TEXT NOT NULL,
    expiresAt TEXT
);
INSERT INTO reservation VALUES(1,128189930518,NULL,'Microsoft:4C503424-334E-5D4C-9C46-4A7748DE0C96\65FA0FD1-8EC3-53CA-A907-ED0845D6F3E6',1,'pending','2026-12-01T12:14:10.698Z',NULL);
INSERT INTO reservation VALUES(2,128189930516,NULL,'Microsoft:6AB88F6A-AEA8-57E4-B4F6-835BD4010A92\E77AA697-466F-5957-994E-1411B50A596A',1,'pending','2026-12-01T12:14:10.698Z',NULL);
INSERT INTO reservation VALUES(3,128189930505,NULL,'Microsoft:065B109E-14F1-58A2-92C8-B40E6C69B1FB\1785D47A-056D-5AB8-BF7E-93379C642CD6',1,'pending','2026-12-01T12:14:10.698Z',NULL);
CREATE TABLE run (
    id INTEGER PRIMARY KEY,
    startedAt TEXT NOT NULL,
    inputsDigest TEXT NOT NULL,
    inputCount INTEGER NOT NULL,
    clusters TEXT NOT NULL,
    critical INTEGER NOT NULL,
    error INTEGER NOT NULL,
    warning INTEGER NOT NULL,
    info INTEGER NOT NULL
);
INSERT INTO run VALUES(1,'2026-12-01T12:14:10.675Z','36c733db260baed8',10,'sample-cluster',0,9,3,1);
INSERT INTO run VALUES(2,'2026-12-01T12:14:10.788Z','36c733db260baed8',10,'sample-cluster',0,9,3,1);
CREATE TABLE finding (
    fingerprint TEXT PRIMARY KEY,
    checkId TEXT NOT NULL,
    severity TEXT NOT NULL,
    mac TEXT,
    message TEXT NOT NULL,
    cluster TEXT,
    firstRunId INTEGER NOT NULL REFERENCES run(id),
    lastRunId INTEGER NOT NULL REFERENCES run(id),
    resolvedRunId INTEGER REFERENCES run(id)
);
INSERT INTO finding VALUES('f6a749f506a6a1b2','duplicate-mac','error','02-1D-D8-00-00-10','02-1D-D8-00-00-10 is held by 2 holders in one cluster and L2 segment: adapter batch01 / Network Adapter on HCI-N01 (cluster sample-cluster); adapter batch02 / Network Adapter on HCI-N02 (cluster sample-cluster)','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('13f62c5052b97f1a','dynamic-mac-on-sdn','error','00-1D-D8-B7-1C-16','adapter app03 / Network Adapter on HCI-N01 (cluster sample-cluster) is managed by the Network Controller but has DynamicMacAddressEnabled; set -StaticMacAddress','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('0c1b545190429ee0','group-bit','error','01-15-5D-0A-30-01','01-15-5D-0A-30-01 of adapter mcast01 / Network Adapter on HCI-N03 (cluster sample-cluster) has the group bit set (first octet 01 is odd): it is a multicast address','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('ca5e759d11eac2a4','invalid-mac','error','001523be0c','''001523be0c'' of adapter legacy01 / Network Adapter on HCI-N02 (cluster sample-cluster) is not a MAC address: it has 10 hex digits, a MAC has 12','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('590c2b3a2216b33b','mac-mismatch','error','00-1D-D8-B7-1C-13','adapter app01 / Network Adapter on HCI-N02 (cluster sample-cluster) has 00-1D-D8-B7-1C-13 in Hyper-V but its NC interface ''app01-nic'' has 00-1D-D8-B7-1C-14; set the adapter''s static MAC to the controller''s','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('3569ab1faea4eb99','out-of-pool','error','00-1D-D8-B7-00-01','00-1D-D8-B7-00-01 of adapter dynvm / Network Adapter on HCI-N02 (cluster sample-cluster) is Dynamic in the Network Controller but outside every NC macPool of its cluster','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('711c5075e2375841','pool-overlap','error','00-15-5D-0A-10-00','pools ''HCI-N01 dynamic'' (host-dynamic) and ''HCI-N03 dynamic'' (host-dynamic) have the identical range 00-15-5D-0A-10-00…00-15-5D-0A-10-FF (hosts cloned from one image keep the registry''s MAC range)','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('277750a6bb63014b','port-profile-mismatch','error','00-1D-D8-B7-1C-15','adapter app02 / Network Adapter on HCI-N03 (cluster sample-cluster) has port profile {8cff593b-36d5-522e-8987-3690756055e6} but the NC interface holding its MAC is ''app02-nic'' {bff42d02-f230-539b-8bae-89b2a3ee5b8c}','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('ecba2dd954c696c7','reserved-prefix','error','00-00-5E-00-01-0A','00-00-5E-00-01-0A of adapter vrrp01 / Network Adapter on HCI-N01 (cluster sample-cluster) is in ''VRRP IPv4 virtual router'': a VRRP virtual router owns this MAC (RFC 5798); a VM using it steals the gateway''s traffic','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('cbd2f04cdda415e3','foreign-pool-dynamic','warning','00-15-5D-0A-10-05','00-15-5D-0A-10-05 of adapter migrated01 / Network Adapter on HCI-N02 (cluster sample-cluster) is a dynamic MAC from the pool of HCI-N01, HCI-N03, which will hand it out again','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('9fa242e5aee97462','nc-orphan','warning','00-1D-D8-B7-1C-20','NC interface ''old-vm-nic'' (00-1D-D8-B7-1C-20) has no adapter in the exports of cluster ''sample-cluster'': deleted VM, unexported host or a VM that never started','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('f0079dbe6de5494a','unmanaged-adapter','warning','00-15-5D-0A-10-10','adapter test01 / Network Adapter on HCI-N01 (cluster sample-cluster) is on SDN switch ''ConvergedSwitch(compute)'' but no NC interface manages it','sample-cluster',1,2,NULL);
INSERT INTO finding VALUES('2067231759a0e888','out-of-pool','info','00-1D-D8-B7-1C-08','00-1D-D8-B7-1C-08 of adapter SDNEXP-GW01 / Network Adapter on HCI-N03 (cluster sample-cluster) is Static in the Network Controller and outside every NC macPool (normal for infrastructure NICs)','sample-cluster',1,2,NULL);
CREATE TABLE runFinding (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL REFERENCES finding(fingerprint),
    PRIMARY KEY (runId, fingerprint)
) WITHOUT ROWID;
INSERT INTO runFinding VALUES(1,'0c1b545190429ee0');
INSERT INTO runFinding VALUES(1,'13f62c5052b97f1a');
INSERT INTO runFinding VALUES(1,'2067231759a0e888');
INSERT INTO runFinding VALUES(1,'277750a6bb63014b');
INSERT INTO runFinding VALUES(1,'3569ab1faea4eb99');
INSERT INTO runFinding VALUES(1,'590c2b3a2216b33b');
INSERT INTO runFinding VALUES(1,'711c5075e2375841');
INSERT INTO runFinding VALUES(1,'9fa242e5aee97462');
INSERT INTO runFinding VALUES(1,'ca5e759d11eac2a4');
INSERT INTO runFinding VALUES(1,'cbd2f04cdda415e3');
INSERT INTO runFinding VALUES(1,'ecba2dd954c696c7');
INSERT INTO runFinding VALUES(1,'f0079dbe6de5494a');
INSERT INTO runFinding VALUES(1,'f6a749f506a6a1b2');
INSERT INTO runFinding VALUES(2,'0c1b545190429ee0');
INSERT INTO runFinding VALUES(2,'13f62c5052b97f1a');
INSERT INTO runFinding VALUES(2,'2067231759a0e888');
INSERT INTO runFinding VALUES(2,'277750a6bb63014b');
INSERT INTO runFinding VALUES(2,'3569ab1faea4eb99');
INSERT INTO runFinding VALUES(2,'590c2b3a2216b33b');
INSERT INTO runFinding VALUES(2,'711c5075e2375841');
INSERT INTO runFinding VALUES(2,'9fa242e5aee97462');
INSERT INTO runFinding VALUES(2,'ca5e759d11eac2a4');
INSERT INTO runFinding VALUES(2,'cbd2f04cdda415e3');
INSERT INTO runFinding VALUES(2,'ecba2dd954c696c7');
INSERT INTO runFinding VALUES(2,'f0079dbe6de5494a');
INSERT INTO runFinding VALUES(2,'f6a749f506a6a1b2');
CREATE TABLE baseline (
    fingerprint TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    acceptedBy TEXT NOT NULL,
    acceptedAt TEXT NOT NULL,
    expiresAt TEXT
);
INSERT INTO baseline VALUES('0c1b545190429ee0','lab NLB','unknown','2026-12-01T12:14:10.743Z',NULL);
CREATE INDEX poolRangeFirst ON poolRange(first);
CREATE INDEX poolRangePool ON poolRange(poolId);
CREATE INDEX freeRunLength ON freeRun(rangeId, (last - first));
CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending';
CREATE INDEX reservationHolder ON reservation(holder, state);
CREATE INDEX findingOpen ON finding(resolvedRunId);
COMMIT;
