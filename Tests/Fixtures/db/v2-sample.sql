PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
INSERT INTO grdb_migrations VALUES('v1-pools-assignments-runs');
INSERT INTO grdb_migrations VALUES('v2-holders');
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
INSERT INTO pool VALUES(1,'sample-cluster/DefaultMacPool','cluster',NULL,'sample-cluster','nc-pool','Captures/sample-cluster/nc-macPools.json','2026-12-01T15:22:48.333Z');
INSERT INTO pool VALUES(2,'HCI-N01 dynamic','host','HCI-N01','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T15:22:48.338Z');
INSERT INTO pool VALUES(3,'HCI-N02 dynamic','host','HCI-N02','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T15:22:48.339Z');
INSERT INTO pool VALUES(4,'HCI-N03 dynamic','host','HCI-N03','sample-cluster','host-dynamic','Captures/sample-cluster/vmhosts.json','2026-12-01T15:22:48.340Z');
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
, hosts TEXT NOT NULL DEFAULT '');
INSERT INTO run VALUES(1,'2026-12-01T15:22:48.385Z','e669cb7231d04b7d',11,replace('lab\nsample-cluster','\n',char(10)),0,9,3,1,replace('lab|hci-l01\nsample-cluster|hci-n01\nsample-cluster|hci-n02\nsample-cluster|hci-n03','\n',char(10)));
INSERT INTO run VALUES(2,'2026-12-01T15:22:48.498Z','9f7270f00206201e',11,replace('lab\nsample-cluster','\n',char(10)),0,9,3,1,replace('lab|hci-l01\nsample-cluster|hci-n01\nsample-cluster|hci-n02\nsample-cluster|hci-n03','\n',char(10)));
INSERT INTO run VALUES(3,'2026-12-01T15:22:48.577Z','9f7270f00206201e',11,replace('lab\nsample-cluster','\n',char(10)),0,9,3,1,replace('lab|hci-l01\nsample-cluster|hci-n01\nsample-cluster|hci-n02\nsample-cluster|hci-n03','\n',char(10)));
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
INSERT INTO finding VALUES('2bd19036ea20c944','duplicate-mac','error','02-1D-D8-00-00-10','02-1D-D8-00-00-10 is held by 2 holders in one cluster and L2 segment: adapter batch01 / Network Adapter on HCI-N01 (cluster sample-cluster); adapter batch02 / Network Adapter on HCI-N02 (cluster sample-cluster)','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('0ece5d9396a771bf','dynamic-mac-on-sdn','error','00-1D-D8-B7-1C-16','adapter app03 / Network Adapter on HCI-N01 (cluster sample-cluster) is managed by the Network Controller but has DynamicMacAddressEnabled; set -StaticMacAddress','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('277cbd983d6803e4','group-bit','error','01-15-5D-0A-30-01','01-15-5D-0A-30-01 of adapter mcast01 / Network Adapter on HCI-N03 (cluster sample-cluster) has the group bit set (first octet 01 is odd): it is a multicast address','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('e2b42edf5a73f370','invalid-mac','error','001523be0c','''001523be0c'' of adapter legacy01 / Network Adapter on HCI-N02 (cluster sample-cluster) is not a MAC address: it has 10 hex digits, a MAC has 12','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('c51d1eba54013d47','mac-mismatch','error','00-1D-D8-B7-1C-13','adapter app01 / Network Adapter on HCI-N02 (cluster sample-cluster) has 00-1D-D8-B7-1C-13 in Hyper-V but its NC interface ''app01-nic'' has 00-1D-D8-B7-1C-14; set the adapter''s static MAC to the controller''s','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('32f287af1f3bdc83','out-of-pool','error','00-1D-D8-B7-00-01','00-1D-D8-B7-00-01 of adapter dynvm / Network Adapter on HCI-N02 (cluster sample-cluster) is Dynamic in the Network Controller but outside every NC macPool of its cluster','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('711c5075e2375841','pool-overlap','error','00-15-5D-0A-10-00','pools ''HCI-N01 dynamic'' (host-dynamic) and ''HCI-N03 dynamic'' (host-dynamic) have the identical range 00-15-5D-0A-10-00…00-15-5D-0A-10-FF (hosts cloned from one image keep the registry''s MAC range)','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('8c77edf9a41364ed','port-profile-mismatch','error','00-1D-D8-B7-1C-15','adapter app02 / Network Adapter on HCI-N03 (cluster sample-cluster) has port profile {8cff593b-36d5-522e-8987-3690756055e6} but the NC interface holding its MAC is ''app02-nic'' {bff42d02-f230-539b-8bae-89b2a3ee5b8c}','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('3403a6f968a99a71','reserved-prefix','error','00-00-5E-00-01-0A','00-00-5E-00-01-0A of adapter vrrp01 / Network Adapter on HCI-N01 (cluster sample-cluster) is in ''VRRP IPv4 virtual router'': a VRRP virtual router owns this MAC (RFC 5798); a VM using it steals the gateway''s traffic','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('5157f085a09c28ff','foreign-pool-dynamic','warning','00-15-5D-0A-10-05','00-15-5D-0A-10-05 of adapter migrated01 / Network Adapter on HCI-N02 (cluster sample-cluster) is a dynamic MAC from the pool of HCI-N01, HCI-N03, which will hand it out again','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('2bae8a1af73476c3','nc-orphan','warning','00-1D-D8-B7-1C-20','NC interface ''old-vm-nic'' (00-1D-D8-B7-1C-20) has no adapter in the exports of cluster ''sample-cluster'': deleted VM, unexported host or a VM that never started','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('3a9bdf819937468a','unmanaged-adapter','warning','00-15-5D-0A-10-10','adapter test01 / Network Adapter on HCI-N01 (cluster sample-cluster) is on SDN switch ''ConvergedSwitch(compute)'' but no NC interface manages it','sample-cluster',1,3,NULL);
INSERT INTO finding VALUES('c90c2aa459c967e7','out-of-pool','info','00-1D-D8-B7-1C-08','00-1D-D8-B7-1C-08 of adapter SDNEXP-GW01 / Network Adapter on HCI-N03 (cluster sample-cluster) is Static in the Network Controller and outside every NC macPool (normal for infrastructure NICs)','sample-cluster',1,3,NULL);
CREATE TABLE runFinding (
    runId INTEGER NOT NULL REFERENCES run(id) ON DELETE CASCADE,
    fingerprint TEXT NOT NULL REFERENCES finding(fingerprint),
    PRIMARY KEY (runId, fingerprint)
) WITHOUT ROWID;
INSERT INTO runFinding VALUES(1,'0ece5d9396a771bf');
INSERT INTO runFinding VALUES(1,'277cbd983d6803e4');
INSERT INTO runFinding VALUES(1,'2bae8a1af73476c3');
INSERT INTO runFinding VALUES(1,'2bd19036ea20c944');
INSERT INTO runFinding VALUES(1,'32f287af1f3bdc83');
INSERT INTO runFinding VALUES(1,'3403a6f968a99a71');
INSERT INTO runFinding VALUES(1,'3a9bdf819937468a');
INSERT INTO runFinding VALUES(1,'5157f085a09c28ff');
INSERT INTO runFinding VALUES(1,'711c5075e2375841');
INSERT INTO runFinding VALUES(1,'8c77edf9a41364ed');
INSERT INTO runFinding VALUES(1,'c51d1eba54013d47');
INSERT INTO runFinding VALUES(1,'c90c2aa459c967e7');
INSERT INTO runFinding VALUES(1,'e2b42edf5a73f370');
INSERT INTO runFinding VALUES(2,'0ece5d9396a771bf');
INSERT INTO runFinding VALUES(2,'277cbd983d6803e4');
INSERT INTO runFinding VALUES(2,'2bae8a1af73476c3');
INSERT INTO runFinding VALUES(2,'2bd19036ea20c944');
INSERT INTO runFinding VALUES(2,'32f287af1f3bdc83');
INSERT INTO runFinding VALUES(2,'3403a6f968a99a71');
INSERT INTO runFinding VALUES(2,'3a9bdf819937468a');
INSERT INTO runFinding VALUES(2,'5157f085a09c28ff');
INSERT INTO runFinding VALUES(2,'711c5075e2375841');
INSERT INTO runFinding VALUES(2,'8c77edf9a41364ed');
INSERT INTO runFinding VALUES(2,'c51d1eba54013d47');
INSERT INTO runFinding VALUES(2,'c90c2aa459c967e7');
INSERT INTO runFinding VALUES(2,'e2b42edf5a73f370');
INSERT INTO runFinding VALUES(3,'0ece5d9396a771bf');
INSERT INTO runFinding VALUES(3,'277cbd983d6803e4');
INSERT INTO runFinding VALUES(3,'2bae8a1af73476c3');
INSERT INTO runFinding VALUES(3,'2bd19036ea20c944');
INSERT INTO runFinding VALUES(3,'32f287af1f3bdc83');
INSERT INTO runFinding VALUES(3,'3403a6f968a99a71');
INSERT INTO runFinding VALUES(3,'3a9bdf819937468a');
INSERT INTO runFinding VALUES(3,'5157f085a09c28ff');
INSERT INTO runFinding VALUES(3,'711c5075e2375841');
INSERT INTO runFinding VALUES(3,'8c77edf9a41364ed');
INSERT INTO runFinding VALUES(3,'c51d1eba54013d47');
INSERT INTO runFinding VALUES(3,'c90c2aa459c967e7');
INSERT INTO runFinding VALUES(3,'e2b42edf5a73f370');
CREATE TABLE baseline (
    fingerprint TEXT PRIMARY KEY,
    reason TEXT NOT NULL,
    acceptedBy TEXT NOT NULL,
    acceptedAt TEXT NOT NULL,
    expiresAt TEXT
);
INSERT INTO baseline VALUES('2bd19036ea20c944','lab NLB','unknown','2026-12-01T15:22:48.445Z',NULL);
CREATE TABLE place (
    id INTEGER PRIMARY KEY,
    cluster TEXT NOT NULL,
    host TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    lastRunId INTEGER REFERENCES run(id),
    -- The lowest and highest MAC of its live holders as that run saw them (NULL: unknown):
    -- another site's audit skips the places whose range holds none of its MACs.
    minMAC INTEGER,
    maxMAC INTEGER,
    UNIQUE (cluster, host, kind, source)
);
INSERT INTO place VALUES(1,'sample-cluster','HCI-N01','host-vnic','Captures/sample-cluster/adapters-HCI-N01.json',3,91755253761,202872836362632);
INSERT INTO place VALUES(2,'sample-cluster','HCI-N01','adapter','Captures/sample-cluster/adapters-HCI-N01.json',3,1577058570,2327201185808);
INSERT INTO place VALUES(3,'sample-cluster','HCI-N02','adapter','Captures/sample-cluster/adapters-HCI-N02.json',3,91755253765,2327201185808);
INSERT INTO place VALUES(4,'sample-cluster','HCI-N03','adapter','Captures/sample-cluster/adapters-HCI-N03.json',3,128189930504,1191266889729);
INSERT INTO place VALUES(5,'lab','HCI-L01','adapter','Tests/Fixtures/db/v2-inputs/night1/lab/adapters-HCI-L01.json',3,1,0);
INSERT INTO place VALUES(6,'sample-cluster','','interface','Captures/sample-cluster/nc-networkInterfaces.json',3,128189930528,128189930528);
INSERT INTO place VALUES(7,'lab','HCI-L01','adapter','Tests/Fixtures/db/v2-inputs/night2/lab/adapters-HCI-L01.json',3,2327211671553,2327211671555);
CREATE TABLE IF NOT EXISTS "assignment" (
    id INTEGER PRIMARY KEY,
    mac INTEGER NOT NULL,
    holderKey TEXT NOT NULL,
    keyHash INTEGER NOT NULL,
    placeId INTEGER NOT NULL REFERENCES place(id),
    alias TEXT,
    vm TEXT,
    name TEXT NOT NULL,
    adapterId TEXT,
    interfaceId TEXT,
    instanceId TEXT,
    interfaceMAC INTEGER,
    allocation TEXT,
    dynamicMAC INTEGER,
    controllerManaged INTEGER NOT NULL,
    switchId TEXT,
    switchKey TEXT,
    segment TEXT NOT NULL,
    record INTEGER NOT NULL,
    line INTEGER NOT NULL,
    digest INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('live', 'gone', 'released')),
    firstRunId INTEGER REFERENCES run(id),
    -- The last run that wrote the row; the holder was last seen by this or its place's last run.
    lastRunId INTEGER REFERENCES run(id),
    goneRunId INTEGER REFERENCES run(id),
    releasedRunId INTEGER REFERENCES run(id)
);
INSERT INTO assignment VALUES(1,202872836362632,'host-vnic:hci-n01/microsoft:45aa13cb-0300-5ac5-99d1-e671613dd81c',-342216823919099303,1,NULL,NULL,'vManagement(compute)','Microsoft:45AA13CB-0300-5AC5-99D1-E671613DD81C',NULL,NULL,NULL,NULL,NULL,0,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vlan:0',1,2,-6593497294360936895,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(2,91755253761,'host-vnic:hci-n01/microsoft:d75b675a-5bee-53b0-80e6-b7a0bf1ed9ed',-3683635021154950577,1,NULL,NULL,'vSMB(compute#1)','Microsoft:D75B675A-5BEE-53B0-80E6-B7A0BF1ED9ED',NULL,NULL,NULL,NULL,NULL,0,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vlan:0',2,23,-727330164116114918,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(3,128189930512,'adapter:microsoft:bb8cb3a7-1623-5a94-a303-505d3a49ee49\80e62c68-8fe5-5660-ab4c-f64bd6a4cd4a',4690084210895479725,2,'nc:sample-cluster/networkinterfaces/web01-nic','web01','Network Adapter','','web01-nic','7a1e85d9-a3c9-57ba-9b33-d30e0d147744',128189930512,'Static',0,1,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vsid:5001',3,44,5838578624779840956,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(4,128189930514,'adapter:microsoft:0d532a43-c03a-5219-a47e-c2c6552bb516\665ce6b6-93da-5739-968a-8b4e1b0b691d',2344209046227367307,2,'nc:sample-cluster/networkinterfaces/sql01-nic','sql01','Network Adapter','','sql01-nic','e549d09e-8e1e-5ddb-a9a3-ffc61d6c2359',128189930514,'Static',0,1,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vsid:5001',4,84,-5004997474175551068,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(5,128189930518,'adapter:microsoft:4c503424-334e-5d4c-9c46-4a7748de0c96\65fa0fd1-8ec3-53ca-a907-ed0845d6f3e6',-3525544851107891441,2,'nc:sample-cluster/networkinterfaces/app03-nic','app03','Network Adapter','','app03-nic','5a805759-069e-50a8-8e58-6bd4de336299',128189930518,'Static',1,1,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vsid:5001',5,124,6010710589299332671,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(6,91755253776,'adapter:microsoft:0adca1ca-ad3c-59dd-8c2f-1eec7b4d307e\2a570b96-3fea-506e-acec-afab77649109',-5127236979689136359,2,NULL,'test01','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'103f3966-d2a8-53fe-b5b3-67ed455efd54',NULL,'vlan:0',6,162,-5161828871498321294,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(7,2327201185808,'adapter:microsoft:4465bf3b-71f6-51ae-a5f4-1fcb1e75a47e\09a3d355-6a2c-5226-8d3b-70073f12ed09',-5063457434173269481,2,NULL,'batch01','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'2d8d5d57-1a86-5cde-ba73-ba27d45442ee',NULL,'vlan:20',7,200,-4167031780786839536,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(8,1577058570,'adapter:microsoft:2dbc7bbb-47fe-52c2-93a2-a9a7b97c79fa\34f3c965-dd48-5b84-bec4-c6b0a2498be3',-1759049472712043679,2,NULL,'vrrp01','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'2d8d5d57-1a86-5cde-ba73-ba27d45442ee',NULL,'vlan:20',8,238,7351019555528121098,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(9,128189930513,'adapter:microsoft:b6caca0f-c819-513c-9a57-d297adef1422\9b899237-3070-5059-8d02-5d7d3b1652e4',395054876845516473,3,'nc:sample-cluster/networkinterfaces/web02-nic','web02','Network Adapter','','web02-nic','3246fcdb-8c64-5ade-8cba-8ea7e71d0717',128189930513,'Static',0,1,'e8a726fe-5711-59db-b935-70cbf672a5b6',NULL,'vsid:5001',1,2,-6467394649162923909,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(10,128189930515,'adapter:microsoft:6ab88f6a-aea8-57e4-b4f6-835bd4010a92\e77aa697-466f-5957-994e-1411b50a596a',-2064832152324450689,3,'nc:sample-cluster/networkinterfaces/app01-nic','app01','Network Adapter','','app01-nic','272e12ff-0772-5cb9-8865-50fb55eacf08',128189930516,'Static',0,1,'e8a726fe-5711-59db-b935-70cbf672a5b6',NULL,'vsid:5001',2,42,-4533526763230013150,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(11,128189923329,'adapter:microsoft:065b109e-14f1-58a2-92c8-b40e6c69b1fb\1785d47a-056d-5ab8-bf7e-93379c642cd6',6964116096845813687,3,'nc:sample-cluster/networkinterfaces/dynvm-nic','dynvm','Network Adapter','','dynvm-nic','25406323-d36a-598f-8c9c-9b9e05895f7f',128189923329,'Dynamic',0,1,'e8a726fe-5711-59db-b935-70cbf672a5b6',NULL,'vsid:5001',3,82,-4646589951137519193,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(12,2327201185808,'adapter:microsoft:fd1313ec-6425-53fc-ad8a-84008df3b984\5a10ad09-6a65-5f61-8e92-5bf3953b0e50',-895863177092952461,3,NULL,'batch02','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'4640c4ed-5ae4-51ae-b8a8-b6fb9828356b',NULL,'vlan:20',4,122,8988933544050570030,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(13,91755253765,'adapter:microsoft:e699928a-0e68-546f-a5ed-70bba8c20455\73feaf73-e3e0-5205-a470-c2a58055f483',-5685264696729766999,3,NULL,'migrated01','Network Adapter','',NULL,NULL,NULL,NULL,1,0,'4640c4ed-5ae4-51ae-b8a8-b6fb9828356b',NULL,'vlan:20',6,202,5191740145134784333,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(14,128189930517,'adapter:microsoft:e98a8ab6-455f-5fe7-95de-6b87838b1e87\236a3c41-1e0d-5272-b5b3-599ed57504aa',-233361475365012299,4,'nc:sample-cluster/networkinterfaces/app02-nic','app02','Network Adapter','','app02-nic','bff42d02-f230-539b-8bae-89b2a3ee5b8c',128189930517,'Static',0,1,'e1633608-d36c-52b0-81c1-10d3f4f281f8',NULL,'vsid:5001',2,45,-7739692364719430820,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(15,128189930504,'adapter:microsoft:7ba888ca-e040-50b8-90fb-5575af0a2c28\aa1c149c-3031-5532-8b6b-4b060f5831e7',-2015398739694618447,4,'nc:sample-cluster/networkinterfaces/gw01-nic','SDNEXP-GW01','Network Adapter','','gw01-nic','08ef22ec-7915-5107-9ec4-2b7c7ce86e8d',128189930504,'Static',0,1,'e1633608-d36c-52b0-81c1-10d3f4f281f8',NULL,'vlan:11',3,85,171065451629349325,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(16,1191266889729,'adapter:microsoft:ef96f44e-7756-5f21-a63b-e4ba6f44ccaf\e20d5bbb-952e-5ecd-ae41-d0c45840943f',-5815304585892453095,4,NULL,'mcast01','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'adb68fe4-bfbd-5d75-ab86-572c0534562c',NULL,'vlan:0',4,125,-1691315008319320999,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(17,2327211671553,'adapter:microsoft:6ab88f6a-0000-4000-8000-00000000a001\e77aa697-0000-4000-8000-00000000b001',8025111961805025897,7,NULL,'lab-web','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'5a1c0000-0000-4000-8000-0000000000c1',NULL,'vlan:0',1,2,-7483531574162686242,'live',1,2,NULL,NULL);
INSERT INTO assignment VALUES(18,2327211671554,'adapter:microsoft:6ab88f6a-0000-4000-8000-00000000a002\e77aa697-0000-4000-8000-00000000b002',-749108677329994805,5,NULL,'lab-old','Network Adapter','',NULL,NULL,NULL,NULL,0,0,'5a1c0000-0000-4000-8000-0000000000c1',NULL,'vlan:0',2,3,73089365124230694,'gone',1,1,2,NULL);
INSERT INTO assignment VALUES(19,128189930528,'nc:sample-cluster/networkinterfaces/old-vm-nic',354147799820198623,6,NULL,NULL,'old-vm-nic',NULL,'old-vm-nic','7e213c7b-2a55-53d1-a48a-41ba69106b19',128189930528,'Static',NULL,1,NULL,NULL,'vsid:5001',9,299,-2810892447346815957,'live',1,1,NULL,NULL);
INSERT INTO assignment VALUES(20,2327211671555,'adapter:microsoft:6ab88f6a-0000-4000-8000-00000000a003\e77aa697-0000-4000-8000-00000000b003',3442460109623589893,7,NULL,'lab-new','Ethernet “uplink”','',NULL,NULL,NULL,NULL,1,0,'5a1c0000-0000-4000-8000-0000000000c1',NULL,'vlan:0',2,3,6224400103317308517,'live',2,2,NULL,NULL);
CREATE TABLE holderEvent (
    id INTEGER PRIMARY KEY,
    runId INTEGER NOT NULL REFERENCES run(id),
    at TEXT NOT NULL,
    holderKey TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    fromMAC INTEGER,
    toMAC INTEGER,
    fromHost TEXT,
    toHost TEXT
);
INSERT INTO holderEvent VALUES(1,2,'2026-12-01T15:22:48.498Z','adapter:microsoft:6ab88f6a-0000-4000-8000-00000000a002\e77aa697-0000-4000-8000-00000000b002','adapter lab-old / Network Adapter on HCI-L01 (cluster lab)','gone',2327211671554,NULL,NULL,NULL);
CREATE TABLE IF NOT EXISTS "reservation" (
    id INTEGER PRIMARY KEY,
    mac INTEGER NOT NULL,
    poolId INTEGER REFERENCES pool(id) ON DELETE SET NULL,
    holderKey TEXT NOT NULL,
    label TEXT,
    runId INTEGER REFERENCES run(id),
    state TEXT NOT NULL CHECK (state IN ('pending', 'fulfilled', 'released', 'expired')),
    createdAt TEXT NOT NULL,
    expiresAt TEXT,
    fromMAC INTEGER,
    fulfilledRunId INTEGER REFERENCES run(id)
);
INSERT INTO reservation VALUES(1,128189930518,NULL,'adapter:microsoft:4c503424-334e-5d4c-9c46-4a7748de0c96\65fa0fd1-8ec3-53ca-a907-ed0845d6f3e6','adapter app03 / Network Adapter on HCI-N01 (cluster sample-cluster)',1,'pending','2026-12-01T15:22:48.401Z',NULL,128189930518,NULL);
INSERT INTO reservation VALUES(2,128189930516,NULL,'adapter:microsoft:6ab88f6a-aea8-57e4-b4f6-835bd4010a92\e77aa697-466f-5957-994e-1411b50a596a','adapter app01 / Network Adapter on HCI-N02 (cluster sample-cluster)',1,'pending','2026-12-01T15:22:48.401Z',NULL,128189930515,NULL);
INSERT INTO reservation VALUES(3,128189930505,NULL,'adapter:microsoft:065b109e-14f1-58a2-92c8-b40e6c69b1fb\1785d47a-056d-5ab8-bf7e-93379c642cd6','adapter dynvm / Network Adapter on HCI-N02 (cluster sample-cluster)',1,'pending','2026-12-01T15:22:48.401Z',NULL,128189923329,NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE INDEX poolRangeFirst ON poolRange(first);
CREATE INDEX poolRangePool ON poolRange(poolId);
CREATE INDEX freeRunLength ON freeRun(rangeId, (last - first));
CREATE INDEX findingOpen ON finding(resolvedRunId);
CREATE INDEX assignmentKey ON assignment(keyHash);
CREATE INDEX assignmentMAC ON assignment(mac) WHERE state <> 'released';
CREATE INDEX assignmentPlace ON assignment(placeId, state);
CREATE INDEX assignmentGone ON assignment(goneRunId) WHERE state = 'gone';
CREATE INDEX holderEventHolder ON holderEvent(holderKey);
CREATE INDEX holderEventRun ON holderEvent(runId);
CREATE UNIQUE INDEX reservationPendingMAC ON reservation(mac) WHERE state = 'pending';
CREATE INDEX reservationHolder ON reservation(holderKey, state);
COMMIT;
