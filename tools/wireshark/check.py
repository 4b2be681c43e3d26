#!/usr/bin/env python3
"""Outside-decoder check (issue 14): dissect authsim's pcapng captures with tshark.

For a loss-free and a lossy small run of every protocol, `authsim run --trace
--pcap` writes a capture; tshark (with tools/wireshark/authsim.lua and the
AuthsimGroup Diameter dictionary) must then show:
  * one frame per traced transmission, stamped with its departure time (ns);
  * no "Malformed Packet" and no expert info of severity warning or error;
  * in every frame the message type authsim logged for it;
  * the custom formats (authsim TLV, group AKA NAS IEs, AuthsimGroup AVPs)
    decoded with every octet inside a field.
Usage: check.py AUTHSIM_BINARY WORK_DIR. Exits 1 on the first failing run, naming
the frame. Only the Python standard library and tshark are needed.
"""

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# (label, scenario, settings for a small run, settings that add loss)
RUNS = [
    ("EPS-AKA", "scenarios/fig9/eps-aka.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    # Diameter overload control (RFC 7683): a 60-device burst within 0.1 s
    # overloads the 3 ms HSS past a 1 ms threshold, so AIAs carry an OC-OLR.
    ("EPS-AKA with DOIC", "scenarios/overload-doic/doic.toml",
     ["population.devices=60", "population.arrivals.window_s=0.1",
      "protocol.doic.enter_wait_s=0.001", "protocol.doic.exit_wait_s=0.0",
      "outputs.storm=false"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    ("UMTS AKA", "scenarios/fig9/umts-aka.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    ("group AKA", "scenarios/fig9/group-aka.toml",
     ["population.devices=8", "protocol.group_size=4"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    ("Harn GAS", "scenarios/harn-gas.toml", ["population.devices=20"], ["links[0].loss=0.2"]),
    ("Chien GAS", "scenarios/chien-gas.toml", ["population.devices=20"], ["links[0].loss=0.2"]),
    ("threshold GAS", "scenarios/threshold-gas.toml",
     ["population.devices=100"], ["links[0].loss=0.1"]),
    ("5G-AKA", "scenarios/5g-aka.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3", "links[2].loss=0.3"]),
    ("EAP-AKA'", "scenarios/eap-aka-prime.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3", "links[2].loss=0.3"]),
    ("proxy multiparty", "scenarios/proxy-multiparty.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    ("proxy baseline (EPS-AKA + TLS 1.3)", "scenarios/proxy-baseline.toml", ["population.devices=8"],
     ["links[0].loss=0.3", "links[1].loss=0.3"]),
    ("aggregate signatures (BLS)", "scenarios/aggregate-signatures.toml",
     ["population.devices=20", "protocol.meters_per_gateway=10", "protocol.tampered_fraction=0.1"],
     ["links[0].loss=0.2"]),
    ("aggregate signatures (IBAS)", "scenarios/aggregate-signatures.toml",
     ["population.devices=20", "protocol.meters_per_gateway=10", 'protocol.scheme="ibas"',
      "protocol.tampered_fraction=0.1"], ["links[0].loss=0.2"]),
    ("aggregate signatures (ECDSA)", "scenarios/aggregate-signatures.toml",
     ["population.devices=20", "protocol.meters_per_gateway=10", 'protocol.scheme="ecdsa"'],
     ["links[0].loss=0.2"]),
    ("aggregate signatures (HMAC)", "scenarios/aggregate-signatures.toml",
     ["population.devices=20", "protocol.meters_per_gateway=10", 'protocol.scheme="hmac"'],
     ["links[0].loss=0.2"]),
    # A slowed MME (16 ms per message) overloads with 300 devices: OVERLOAD
    # START/STOP on S1AP and RRC connection rejects with extendedWaitTime.
    ("EPS-AKA eNB overload-start",
     "scenarios/overload-control/overload-start.toml",
     ["population.devices=300", "profiles.mme-core.per_input_us=16000",
      "protocol.overload.traffic_load_reduction=90"],
     ["links[0].loss=0.3", "links[2].loss=0.3"]),
    # Access barring: the eNB's SIB2 with adaptive ACB (the factor steps
    # down under OVERLOAD START) and SIB14 with EAB on the BCCH-DL-SCH.
    ("EPS-AKA eNB adaptive ACB",
     "scenarios/overload-control/acb-adaptive.toml",
     ["population.devices=300", "profiles.mme-core.per_input_us=16000"],
     ["links[0].loss=0.3", "links[2].loss=0.3"]),
    ("EPS-AKA eNB EAB",
     "scenarios/overload-control/eab.toml",
     ["population.devices=300", "profiles.mme-core.per_input_us=16000"],
     ["links[0].loss=0.3", "links[2].loss=0.3"]),
]

NAS_EMM = {
    0x41: "AttachRequest", 0x44: "AttachReject", 0x52: "AuthenticationRequest",
    0x53: "AuthenticationResponse", 0x54: "AuthenticationReject",
    0x5C: "AuthenticationFailure", 0x5D: "SecurityModeCommand",
    0x5E: "SecurityModeComplete", 0x5F: "SecurityModeReject",
}
MM = {
    0x08: "LocationUpdatingRequest", 0x12: "AuthenticationRequest",
    0x14: "AuthenticationResponse", 0x1C: "AuthenticationFailure",
    0x11: "AuthenticationReject", 0x02: "LocationUpdatingAccept",
    0x04: "LocationUpdatingReject",
}
NAS_5GMM = {
    0x41: "RegistrationRequest", 0x42: "RegistrationAccept", 0x44: "RegistrationReject",
    0x56: "AuthenticationRequest", 0x57: "AuthenticationResponse",
    0x58: "AuthenticationReject", 0x59: "AuthenticationFailure",
    0x5A: "AuthenticationResult",
    0x5D: "SecurityModeCommand", 0x5E: "SecurityModeComplete", 0x5F: "SecurityModeReject",
}
# N1 messages that carry an EAP packet under EAP-AKA' (nas-5gs hands it to
# the eap dissector).
EAP_IN_NAS = {"AuthenticationRequest", "AuthenticationResponse", "AuthenticationResult"}
# S1AP procedure codes of MME overload control (TS 36.413 §9.3.7).
S1AP = {34: "OverloadStart", 35: "OverloadStop"}
# The CCCH messages as lte-rrc shows their c1 choice.
LTE_RRC = {"rrcConnectionRequest": "RRCConnectionRequest",
           "rrcConnectionSetup": "RRCConnectionSetup",
           "rrcConnectionReject": "RRCConnectionReject"}
# The BCCH-DL-SCH SystemInformation messages by the SIB they carry.
LTE_SIB = {"sib2": "SystemInformation(SIB2)", "sib14-v1130": "SystemInformation(SIB14)"}
# What the barring runs must show decoded (SIB2's ACB, SIB14's EAB).
BARRING_FIELDS = {
    "adaptive ACB": {"lte-rrc.ac_BarringFactor", "lte-rrc.ac_BarringTime"},
    "EAB": {"lte-rrc.eab_Category_r11", "lte-rrc.eab_BarringBitmap_r11"},
}
SEVERITY_WARN = 0x00600000
# The RFC 7683 AVPs the DOIC run must show decoded by the diameter dissector.
DOIC_FIELDS = {"diameter.OC-Feature-Vector", "diameter.OC-Sequence-Number",
               "diameter.OC-Report-Type", "diameter.OC-Reduction-Percentage",
               "diameter.OC-Validity-Duration"}


def sbi_kind(pkt):
    """The TS 29.509 / 29.503 body type of one HTTP/2 message, from its
    pseudo-headers and (for a 200) its JSON body."""
    names = [f.get("show") for f in fields(pkt, "http2.header.name")]
    values = [f.get("show") for f in fields(pkt, "http2.header.value")]
    h = dict(zip(names, values))
    path = h.get(":path", "")
    if h.get(":method") == "POST" and path.endswith("/ue-authentications"):
        return "AuthenticationInfo"
    if h.get(":method") == "PUT" and path.endswith("/5g-aka-confirmation"):
        return "ConfirmationData"
    if h.get(":method") == "POST" and path.endswith("/generate-auth-data"):
        return "AuthenticationInfoRequest"
    if h.get(":method") == "POST" and path.endswith("/eap-session"):
        return "EapSession"
    status = h.get(":status", "")
    if status == "201":
        return "UEAuthenticationCtx"
    if status == "200":
        data = fields(pkt, "http2.data.data")
        body = json.loads(bytes.fromhex(data[0].get("value"))) if data else {}
        if "eapPayload" in body:
            return "EapSession"
        return "ConfirmationDataResponse" if "authResult" in body else "AuthenticationInfoResult"
    if status[:1] in ("4", "5"):
        return "ProblemDetails"
    return f"HTTP/2 headers {h}"


class Fail(Exception):
    pass


def fields(pkt, name):
    return [f for f in pkt.iter("field") if f.get("name") == name]


def protos(pkt, name):
    return [p for p in pkt.iter("proto") if p.get("name") == name]


def value(f):
    return int(f.get("show"), 0)


def tls_kind(pkt):
    """The TLS 1.3 PDU of the proxy baseline (tls13/msg.rs): by its first handshake
    message, else by its record type (a protected Finished is application data)."""
    hs = [value(f) for f in fields(pkt, "tls.handshake.type")]
    if hs:
        return {1: "ClientHello", 2: "ServerHello"}.get(hs[0], f"TLS handshake {hs[0]}")
    # TLS 1.3 protected records show their outer type as opaque_type.
    ct = [value(f) for f in fields(pkt, "tls.record.content_type") + fields(pkt, "tls.record.opaque_type")]
    if ct == [21]:
        return "Alert"
    if ct == [23]:
        return "Finished"
    return f"TLS records {ct}"


def decoded_kind(pkt):
    """The message type tshark found in one frame, as authsim names it."""
    names = [p.get("name") for p in pkt.iter("proto")]
    if "authsim" in names:
        return fields(pkt, "authsim.kind")[0].get("show")
    if "diameter" in names:
        code = value(fields(pkt, "diameter.cmd.code")[0])
        request = value(fields(pkt, "diameter.flags.request")[0])
        if code != 318:
            return f"diameter command {code}"
        return "AIR" if request else "AIA"
    if "s1ap" in names:
        code = value(fields(pkt, "s1ap.procedureCode")[0])
        return S1AP.get(code, f"S1AP procedure {code}")
    if "lte_rrc" in names:
        sibs = [f.get("showname") or "" for f in fields(pkt, "lte-rrc.sib_TypeAndInfo_item")]
        for name, kind in LTE_SIB.items():
            if any(c.startswith(f"sib-TypeAndInfo item: {name} (") for c in sibs):
                return kind
        c1 = [f.get("showname") or "" for f in fields(pkt, "lte-rrc.c1")]
        for name, kind in LTE_RRC.items():
            if any(c.startswith(f"c1: {name} (") for c in c1):
                return kind
        return f"lte-rrc c1 {c1}"
    if "nas-eps" in names:
        types = fields(pkt, "nas_eps.nas_msg_emm_type")
        if not types:
            return "NAS without a decoded EMM message type"
        kind = NAS_EMM.get(value(types[-1]), f"EMM type {types[-1].get('show')}")
        if kind == "AuthenticationRequest" and fields(pkt, "authsim_group_nas.rand_g"):
            return "GroupAuthenticationRequest"
        return kind
    if "nas-5gs" in names:
        types = fields(pkt, "nas_5gs.mm.message_type")
        if not types:
            return "5GS NAS without a decoded 5GMM message type"
        return NAS_5GMM.get(value(types[-1]), f"5GMM type {types[-1].get('show')}")
    if "http2" in names:
        return sbi_kind(pkt)
    if "tls" in names:
        return tls_kind(pkt)
    if "gsm_a.dtap" in names:
        t = fields(pkt, "gsm_a.dtap.msg_mm_type")
        return MM.get(value(t[0]), "MM type ?") if t else "DTAP without an MM type"
    if "tcap" in names:
        op = [value(f) for f in fields(pkt, "gsm_old.localValue")]
        if 56 not in op:
            return f"TCAP without sendAuthenticationInfo (opcodes {op})"
        if fields(pkt, "tcap.begin_element"):
            return "SendAuthInfo"
        if fields(pkt, "gsm_old.returnError_element"):
            return "SendAuthInfoError"
        return "SendAuthInfoResult"
    return "nothing decoded (" + ",".join(names) + ")"


def covered(proto_el):
    """Whether the leaf fields under a protocol cover all its octets."""
    start, size = int(proto_el.get("pos")), int(proto_el.get("size"))
    spans = sorted(
        (int(f.get("pos")), int(f.get("pos")) + int(f.get("size")))
        for f in proto_el.iter("field")
        if not list(f) and int(f.get("size", "0")) > 0
    )
    at = start
    for a, b in spans:
        if a > at:
            return False, at
        at = max(at, b)
    return at >= start + size, at


def check_eap(where, pkt, row, label):
    """Under EAP-AKA', the EAP packet in an N1 message is dissected whole by
    the eap dissector as EAP-AKA' (type 50), every attribute known."""
    if label != "EAP-AKA'" or row["message"] not in EAP_IN_NAS:
        return
    eap = protos(pkt, "eap")
    if not eap:
        raise Fail(f"{where}: no EAP packet decoded in the NAS message")
    length = value(fields(pkt, "eap.len")[0])
    if int(eap[0].get("size")) != length:
        raise Fail(f"{where}: EAP is {eap[0].get('size')} octets, its length field {length}")
    types = fields(pkt, "eap.type")
    if row["message"] != "AuthenticationResult" and (not types or value(types[0]) != 50):
        raise Fail(f"{where}: EAP type is not EAP-AKA' (50)")
    for a in fields(pkt, "eap.aka.subtype.type"):
        if "Unknown" in (a.get("showname") or ""):
            raise Fail(f"{where}: unknown EAP-AKA' attribute: {a.get('showname')}")


def check_frame(i, pkt, row, label):
    where = f"frame {i + 1} ({row['message']} {row['from']}->{row['to']})"
    if protos(pkt, "_ws.malformed") or fields(pkt, "_ws.malformed"):
        raise Fail(f"{where}: Malformed Packet")
    for e in fields(pkt, "_ws.expert.severity"):
        if value(e) >= SEVERITY_WARN:
            msgs = [f.get("showname") for f in fields(pkt, "_ws.expert.message")]
            raise Fail(f"{where}: expert info of severity >= warning: {msgs}")
    kind = decoded_kind(pkt)
    check_eap(where, pkt, row, label)
    if kind != row["message"]:
        raise Fail(f"{where}: tshark decoded {kind!r}, authsim logged {row['message']!r}")
    t = fields(pkt, "frame.time_epoch")[0].get("show")
    if t.replace(".", "").lstrip("0") != row["time_s"].replace(".", "").lstrip("0"):
        raise Fail(f"{where}: frame time {t}, authsim departure {row['time_s']}")
    frame_len = int(fields(pkt, "frame.len")[0].get("show"))
    for p in protos(pkt, "authsim"):
        ok, at = covered(p)
        if not ok:
            raise Fail(f"{where}: authsim TLV octet {at} is in no field")
    pdu_len = int(row["bytes"])
    if row["interface"] == "nas":
        # Octets nas-eps leaves as extraneous (the group AKA IEs): the
        # postdissector must take all of them.
        group = protos(pkt, "authsim_group_nas")
        messages = [f.get("showname") or "" for f in fields(pkt, "_ws.expert.message")]
        if any("Extraneous Data" in m for m in messages) or row["message"] == "GroupAuthenticationRequest":
            if not group:
                raise Fail(f"{where}: group AKA IE not decoded")
            g = group[0]
            ok, at = covered(g)
            if not ok or int(g.get("pos")) + int(g.get("size")) != frame_len:
                raise Fail(f"{where}: group AKA NAS octets left undecoded")
    if row["interface"] == "dev_server":
        # Every octet of the PDU is inside a TLS record.
        octets = sum(5 + value(f) for f in fields(pkt, "tls.record.length"))
        if octets != pdu_len:
            raise Fail(f"{where}: TLS records cover {octets} octets, authsim sent {pdu_len}")
    if row["interface"] in ("rrc_ul", "rrc_dl", "s1_mme", "bcch"):
        # The whole PDU is one RRC / S1AP message, every octet inside it.
        p = (protos(pkt, "lte_rrc") or protos(pkt, "s1ap"))[0]
        if int(p.get("size")) != pdu_len:
            raise Fail(f"{where}: {p.get('name')} is {p.get('size')} octets, authsim sent {pdu_len}")
        if row["message"] == "RRCConnectionReject" and not fields(pkt, "lte-rrc.extendedWaitTime_r10"):
            raise Fail(f"{where}: no extendedWaitTime-r10 decoded")
        if row["message"] == "OverloadStart" and not fields(pkt, "s1ap.overloadAction"):
            raise Fail(f"{where}: no OverloadAction decoded")
        if row["message"] == "SystemInformation(SIB2)" and not fields(pkt, "lte-rrc.ue_TimersAndConstants_element"):
            raise Fail(f"{where}: SIB2 not decoded to its end")
    if row["interface"] == "s6a":
        for a in fields(pkt, "diameter.avp"):
            if "Unknown" in (a.get("showname") or ""):
                raise Fail(f"{where}: undecoded Diameter AVP: {a.get('showname')}")
        diam = protos(pkt, "diameter")[0]
        if int(diam.get("size")) != pdu_len:
            raise Fail(f"{where}: Diameter is {diam.get('size')} octets, authsim sent {pdu_len}")
    return kind


def sandbox():
    """A world-readable temporary folder with Wireshark's data files plus the
    AuthsimGroup dictionary (installed as docs/wireshark.md says), the Lua
    dissector and an empty personal configuration."""
    box = Path(tempfile.mkdtemp(prefix="authsim-tshark-"))
    src = Path(os.environ.get("AUTHSIM_WIRESHARK_DATA", "/usr/share/wireshark"))
    data = box / "data"
    shutil.copytree(src, data, symlinks=True)
    shutil.copy(HERE / "diameter" / "AuthsimGroup.xml", data / "diameter" / "AuthsimGroup.xml")
    custom = data / "diameter" / "Custom.xml"
    custom.write_text(
        custom.read_text()
        + '\n<!ENTITY AuthsimGroup SYSTEM "AuthsimGroup.xml">\n&AuthsimGroup;\n'
    )
    shutil.copy(HERE / "authsim.lua", box / "authsim.lua")
    (box / "home").mkdir()
    for d, _, files in os.walk(box):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(Path(d) / f, 0o644)
    return box


def tshark(box, pcap):
    """PDML of `pcap` (read from standard input). Wireshark ignores
    WIRESHARK_DATA_DIR for root, so as root tshark runs as `nobody`."""
    env = [f"WIRESHARK_DATA_DIR={box / 'data'}", f"HOME={box / 'home'}",
           f"XDG_CONFIG_HOME={box / 'home'}"]
    # Checksums are verified (a wrong one is an expert error).
    prefs = ["-o", "ip.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
             "-o", "sctp.checksum:CRC 32c", "-o", "tcp.check_checksum:TRUE",
             # The SBI port carries HTTP/2 with prior knowledge; 5G NAS uses
             # 5G-EA0, so protected messages are decoded as plain.
             "-d", "tcp.port==7777,http2", "-o", "nas-5gs.null_decipher:TRUE"]
    cmd = ["env"] + env + ["tshark", "-n", "-r", "-", "-T", "pdml", *prefs,
                           "-X", f"lua_script:{box / 'authsim.lua'}"]
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "nobody", "--"] + cmd
    with open(pcap, "rb") as f:
        return subprocess.run(cmd, stdin=f, check=True, capture_output=True).stdout


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    authsim, work = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    work.mkdir(parents=True, exist_ok=True)
    box = sandbox()
    total = 0
    for label, scenario, sets, lossy in RUNS:
        for loss in (False, True):
            name = label.replace(" ", "-").lower() + ("-lossy" if loss else "")
            out = work / name
            cmd = [str(authsim), "run", str(REPO / scenario), "--quiet", "--out", str(out),
                   "--trace", str(out / "trace.csv"), "--pcap", str(out / "run.pcapng")]
            for s in sets + (lossy if loss else []) + ["outputs.plots=false"]:
                cmd += ["--set", s]
            out.mkdir(parents=True, exist_ok=True)
            subprocess.run(cmd, check=True)
            rows = list(csv.DictReader(open(out / "trace.csv", newline="")))
            pdml = tshark(box, out / "run.pcapng")
            packets = ET.fromstring(pdml).findall("packet")
            try:
                if len(packets) != len(rows):
                    raise Fail(f"{len(packets)} frames for {len(rows)} transmissions")
                kinds = {}
                for i, (pkt, row) in enumerate(zip(packets, rows)):
                    k = check_frame(i, pkt, row, label)
                    kinds[k] = kinds.get(k, 0) + 1
                if "DOIC" in label:
                    seen = {f.get("name") for pkt in packets for f in pkt.iter("field")}
                    if DOIC_FIELDS - seen:
                        raise Fail(f"DOIC AVPs not decoded: {sorted(DOIC_FIELDS - seen)}")
                # (The lossy run may never overload the MME: nothing barred.)
                want = BARRING_FIELDS.get(label.split(" eNB ")[-1], set())
                if want and not name.endswith("-lossy"):
                    seen = {f.get("name") for pkt in packets for f in pkt.iter("field")}
                    if want - seen:
                        raise Fail(f"barring fields not decoded: {sorted(want - seen)}")
            except Fail as e:
                print(f"FAIL {name}: {e}")
                sys.exit(1)
            total += len(packets)
            summary = ", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
            print(f"ok {name}: {len(packets)} frames, 0 malformed, 0 warnings/errors; {summary}")
    shutil.rmtree(box)
    print(f"tshark check passed: {total} frames")


if __name__ == "__main__":
    main()
