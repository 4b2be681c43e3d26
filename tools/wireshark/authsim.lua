-- authsim.lua: Wireshark dissector for authsim's own encodings.
--
--   * the documented TLV (docs/wire-formats.md "Custom TLV"; message types in
--     protocols/src/gas/msg/): Harn/Chien GAS and the threshold GAS (group
--     authentication, GSK delivery, MDMS-gateway phase) and the proxy multiparty
--     messages (protocols/src/proxy/msg.rs, types 0xa0-0xa8, their own tags) and the
--     aggregate-signature messages (protocols/src/aggsig/msg.rs, types 0xb0-0xb5), on
--     UDP port 47474;
--   * the two group AKA NAS IEs (protocols/src/wire/group.rs) that follow the
--     standard Attach request / Authentication request, which Wireshark's
--     nas-eps dissector shows as "Extraneous Data": decoded by a postdissector.
--
-- Every octet is put in a field; whatever does not fit the format is flagged
-- with an expert error, so "no undecoded bytes" is checkable with tshark.
-- Install: copy into Wireshark's personal plugins folder (docs/wireshark.md),
-- or run tshark -X lua_script:tools/wireshark/authsim.lua.

local UDP_PORT = 47474

local msg_types = {
    [0x60] = "HarnStart", [0x61] = "HarnToken", [0x62] = "ChienStart", [0x63] = "ChienToken",
    [0x68] = "GaRequest", [0x69] = "GaJoin", [0x6a] = "GaChallenge", [0x6b] = "GaToken",
    [0x6c] = "GskDelivery",
    [0x70] = "MgAccessRequest", [0x71] = "MgMeterPoint", [0x72] = "MgAggregate",
    [0x73] = "MgSessionMdms", [0x74] = "MgSessionGateway", [0x75] = "MgAuth",
    [0xa0] = "PxHello", [0xa1] = "PxAuthRequest", [0xa2] = "PxCredRequest",
    [0xa3] = "PxCredResponse", [0xa4] = "PxAuthVector", [0xa5] = "PxChallenge",
    [0xa6] = "PxResponse", [0xa7] = "PxConfirm", [0xa8] = "PxReject",
    -- Aggregate-signature metering (protocols/src/aggsig/msg.rs), own tag table below.
    [0xb0] = "MeterReading", [0xb1] = "ReadingBatch", [0xb2] = "SigRequest", [0xb3] = "SigList",
    [0xb4] = "KeyRequest", [0xb5] = "KeyIssue",
}

-- Proxy multiparty field tags (protocols/src/proxy/msg.rs), one meaning each.
local px_tags = {
    [1] = "Device id", [2] = "MTCAP id", [3] = "n_d", [4] = "n_ap", [5] = "n_cn", [6] = "n_s",
    [7] = "Device key", [8] = "Warrant CN->MTC server", [9] = "sigma_S (MTC server for CN)",
    [10] = "Warrant MTC server->CN", [11] = "sigma_CN (CN for MTC server)",
    [12] = "Warrant CN->MTCAP", [13] = "sigma_AP (MTCAP for CN)", [14] = "sigma_D (device)",
    [15] = "Cause",
}
local px_widths = { [1] = 8, [2] = 8, [3] = 16, [4] = 16, [5] = 16, [6] = 16, [7] = 33,
    [8] = 149, [9] = 65, [10] = 149, [11] = 65, [12] = 149, [13] = 65, [14] = 65, [15] = 1 }

-- Field tags (protocols/src/gas/msg/mod.rs) and how their values are laid out.
local tags = {
    [1] = "SID", [2] = "ID", [3] = "IDS", [4] = "POINT", [5] = "SCALAR", [6] = "HASH",
    [7] = "NONCE", [8] = "CIPHERTEXT", [9] = "SESSION", [10] = "METER", [11] = "RAND",
    [12] = "ID_MDMS", [13] = "ID_GW",
}

-- Tags of the aggregate-signature messages (message types 0xb0-0xb5).
local agg_tags = {
    [1] = "METER_ID", [2] = "INTERVAL", [3] = "VALUE", [4] = "SIG", [5] = "GATEWAY_ID",
    [6] = "SCHEME", [7] = "BATCH_SEQ", [8] = "ENTRIES", [9] = "AGGREGATE", [10] = "SIGS",
    [11] = "NONCE", [12] = "SEALED_KEY",
}
local schemes = { [1] = "bls-aggregate", [2] = "ibas", [3] = "ecdsa", [4] = "hmac" }
-- Signature octets per scheme (BLS min-sig G1, IBAS S || T, ECDSA r || s, HMAC-SHA-256).
local sig_lens = { [1] = 48, [2] = 144, [3] = 64, [4] = 32 }

local p = Proto("authsim", "authsim TLV")
local f = {
    kind = ProtoField.string("authsim.kind", "Message"),
    msg_type = ProtoField.uint8("authsim.msg_type", "Message type", base.HEX, msg_types),
    version = ProtoField.uint8("authsim.version", "Version"),
    length = ProtoField.uint16("authsim.length", "Length of the fields"),
    field = ProtoField.bytes("authsim.field", "Field", base.NONE),
    tag = ProtoField.uint8("authsim.tag", "Tag", base.DEC, tags),
    field_len = ProtoField.uint16("authsim.field_len", "Field length"),
    sid = ProtoField.uint64("authsim.sid", "Session id (SID)", base.HEX),
    id = ProtoField.uint64("authsim.id", "Identifier", base.HEX),
    id_mdms = ProtoField.uint64("authsim.id_mdms", "ID_MDMS", base.HEX),
    id_gw = ProtoField.uint64("authsim.id_gw", "ID_GW", base.HEX),
    session = ProtoField.uint32("authsim.session", "Session index"),
    point = ProtoField.bytes("authsim.point", "P-256 point (SEC1 compressed)"),
    scalar = ProtoField.bytes("authsim.scalar", "Scalar"),
    hash = ProtoField.bytes("authsim.hash", "SHA-256 value"),
    nonce = ProtoField.bytes("authsim.nonce", "Nonce"),
    ciphertext = ProtoField.bytes("authsim.ciphertext", "Ciphertext and GCM tag"),
    rand = ProtoField.bytes("authsim.rand", "Random number R"),
    meter_id = ProtoField.uint64("authsim.meter.id", "Meter ID_S", base.HEX),
    meter_x = ProtoField.bytes("authsim.meter.x", "Meter x"),
    meter_y = ProtoField.bytes("authsim.meter.y", "Meter y"),
    value = ProtoField.bytes("authsim.value", "Value (unknown tag)"),
    px_tag = ProtoField.uint8("authsim.px.tag", "Tag", base.DEC, px_tags),
    px_device = ProtoField.uint64("authsim.px.device", "Device id"),
    px_ap = ProtoField.uint64("authsim.px.ap", "MTCAP id"),
    px_nonce = ProtoField.bytes("authsim.px.nonce", "Nonce"),
    px_key = ProtoField.bytes("authsim.px.key", "Public key (SEC1 compressed)"),
    px_sig_r = ProtoField.bytes("authsim.px.sig_r", "Signature R"),
    px_sig_s = ProtoField.bytes("authsim.px.sig_s", "Signature s"),
    px_cause = ProtoField.uint8("authsim.px.cause", "Cause", base.DEC,
        { [1] = "unknown device", [2] = "not delegated", [3] = "bad proxy signature" }),
    w_version = ProtoField.uint8("authsim.px.w.version", "Warrant version"),
    w_delegator = ProtoField.uint64("authsim.px.w.delegator", "Delegator"),
    w_delegator_pk = ProtoField.bytes("authsim.px.w.delegator_pk", "Delegator key"),
    w_proxy = ProtoField.uint64("authsim.px.w.proxy", "Proxy"),
    w_proxy_pk = ProtoField.bytes("authsim.px.w.proxy_pk", "Proxy key"),
    w_not_before = ProtoField.uint64("authsim.px.w.not_before", "Valid from (ms)"),
    w_not_after = ProtoField.uint64("authsim.px.w.not_after", "Valid until (ms)"),
    w_purpose = ProtoField.uint8("authsim.px.w.purpose", "Purpose", base.DEC,
        { [1] = "device credentials", [2] = "access point" }),
    w_first = ProtoField.uint64("authsim.px.w.first", "First device"),
    w_last = ProtoField.uint64("authsim.px.w.last", "Last device"),
    w_r = ProtoField.bytes("authsim.px.w.r_w", "R_w"),
    agg_tag = ProtoField.uint8("authsim.agg.tag", "Tag", base.DEC, agg_tags),
    agg_meter = ProtoField.uint64("authsim.agg.meter_id", "Meter id", base.DEC),
    agg_interval = ProtoField.uint32("authsim.agg.interval", "Interval"),
    agg_value = ProtoField.uint64("authsim.agg.value", "Reading value"),
    agg_sig = ProtoField.bytes("authsim.agg.sig", "Signature or tag"),
    agg_gateway = ProtoField.uint64("authsim.agg.gateway_id", "Gateway id", base.DEC),
    agg_scheme = ProtoField.uint8("authsim.agg.scheme", "Scheme", base.DEC, schemes),
    agg_seq = ProtoField.uint32("authsim.agg.batch_seq", "Batch number"),
    agg_entry = ProtoField.bytes("authsim.agg.entry", "Entry"),
    agg_aggregate = ProtoField.bytes("authsim.agg.aggregate", "Aggregate signature"),
    agg_nonce = ProtoField.bytes("authsim.agg.nonce", "AES-GCM nonce"),
    agg_sealed = ProtoField.bytes("authsim.agg.sealed_key", "Sealed IBAS key and GCM tag"),
}
p.fields = f
local e_malformed = ProtoExpert.new("authsim.malformed", "authsim TLV does not fit its format",
    expert.group.MALFORMED, expert.severity.ERROR)
local e_unknown = ProtoExpert.new("authsim.unknown", "Unknown authsim message type or tag",
    expert.group.UNDECODED, expert.severity.WARN)
p.experts = { e_malformed, e_unknown }

-- Fixed value widths (octets) per tag; nil = variable.
local widths = { [1] = 8, [2] = 8, [4] = 33, [5] = 32, [6] = 32, [9] = 4, [11] = 16, [12] = 8, [13] = 8 }

local function value(tree, tag, tvb)
    local n = tvb:len()
    local w = widths[tag]
    if w and w ~= n then
        tree:add_proto_expert_info(e_malformed, "value of " .. (tags[tag] or tag) .. " is " .. n .. " octets, not " .. w)
        tree:add(f.value, tvb)
        return
    end
    if tag == 1 then tree:add(f.sid, tvb)
    elseif tag == 2 then tree:add(f.id, tvb)
    elseif tag == 12 then tree:add(f.id_mdms, tvb)
    elseif tag == 13 then tree:add(f.id_gw, tvb)
    elseif tag == 9 then tree:add(f.session, tvb)
    elseif tag == 4 then tree:add(f.point, tvb)
    elseif tag == 5 then tree:add(f.scalar, tvb)
    elseif tag == 6 then tree:add(f.hash, tvb)
    elseif tag == 7 then tree:add(f.nonce, tvb)
    elseif tag == 8 then tree:add(f.ciphertext, tvb)
    elseif tag == 11 then tree:add(f.rand, tvb)
    elseif tag == 3 then
        if n == 0 or n % 8 ~= 0 then
            tree:add_proto_expert_info(e_malformed, "identifier list is not a non-zero multiple of 8 octets")
            tree:add(f.value, tvb)
            return
        end
        for i = 0, n - 8, 8 do tree:add(f.id, tvb(i, 8)) end
    elseif tag == 10 then
        if n ~= 72 then
            tree:add_proto_expert_info(e_malformed, "meter point is not 72 octets")
            tree:add(f.value, tvb)
            return
        end
        tree:add(f.meter_id, tvb(0, 8))
        tree:add(f.meter_x, tvb(8, 32))
        tree:add(f.meter_y, tvb(40, 32))
    else
        tree:add_proto_expert_info(e_unknown, "unknown tag " .. tag)
        tree:add(f.value, tvb)
    end
end

-- A proxy multiparty field value (fixed widths, px_widths).
local function px_value(tree, tag, tvb)
    local n = tvb:len()
    local w = px_widths[tag]
    if not w then
        tree:add_proto_expert_info(e_unknown, "unknown tag " .. tag)
        tree:add(f.value, tvb)
        return
    end
    if w ~= n then
        tree:add_proto_expert_info(e_malformed, "value of " .. px_tags[tag] .. " is " .. n .. " octets, not " .. w)
        tree:add(f.value, tvb)
        return
    end
    if tag == 1 then tree:add(f.px_device, tvb)
    elseif tag == 2 then tree:add(f.px_ap, tvb)
    elseif tag <= 6 then tree:add(f.px_nonce, tvb)
    elseif tag == 7 then tree:add(f.px_key, tvb)
    elseif tag == 15 then tree:add(f.px_cause, tvb)
    elseif tag == 8 or tag == 10 or tag == 12 then
        tree:add(f.w_version, tvb(0, 1))
        tree:add(f.w_delegator, tvb(1, 8))
        tree:add(f.w_delegator_pk, tvb(9, 33))
        tree:add(f.w_proxy, tvb(42, 8))
        tree:add(f.w_proxy_pk, tvb(50, 33))
        tree:add(f.w_not_before, tvb(83, 8))
        tree:add(f.w_not_after, tvb(91, 8))
        tree:add(f.w_purpose, tvb(99, 1))
        tree:add(f.w_first, tvb(100, 8))
        tree:add(f.w_last, tvb(108, 8))
        tree:add(f.w_r, tvb(116, 33))
    else
        tree:add(f.px_sig_r, tvb(0, 33))
        tree:add(f.px_sig_s, tvb(33, 32))
    end
end

-- Fixed widths of the aggregate-signature tags; nil = variable.
local agg_widths = { [1] = 8, [2] = 4, [3] = 8, [5] = 8, [6] = 1, [7] = 4, [11] = 12, [12] = 112 }

-- One value of an aggregate-signature message; `scheme` is the batch's scheme code (nil
-- before the SCHEME field).
local function agg_value(tree, tag, tvb, scheme)
    local n = tvb:len()
    local w = agg_widths[tag]
    if w and w ~= n then
        tree:add_proto_expert_info(e_malformed, "value of " .. (agg_tags[tag] or tag) .. " is " .. n .. " octets, not " .. w)
        tree:add(f.value, tvb)
        return
    end
    if tag == 1 then tree:add(f.agg_meter, tvb)
    elseif tag == 2 then tree:add(f.agg_interval, tvb)
    elseif tag == 3 then tree:add(f.agg_value, tvb)
    elseif tag == 4 then tree:add(f.agg_sig, tvb)
    elseif tag == 5 then tree:add(f.agg_gateway, tvb)
    elseif tag == 6 then
        local ti = tree:add(f.agg_scheme, tvb)
        if not schemes[tvb:uint()] then ti:add_proto_expert_info(e_malformed, "unknown scheme") end
    elseif tag == 7 then tree:add(f.agg_seq, tvb)
    elseif tag == 9 then tree:add(f.agg_aggregate, tvb)
    elseif tag == 10 then tree:add(f.agg_sig, tvb)
    elseif tag == 11 then tree:add(f.agg_nonce, tvb)
    elseif tag == 12 then tree:add(f.agg_sealed, tvb)
    elseif tag == 8 then
        local e = nil
        if scheme and sig_lens[scheme] then
            e = 16
            if scheme == 3 or scheme == 4 then e = 16 + sig_lens[scheme] end
        end
        if not e or n % e ~= 0 then
            tree:add_proto_expert_info(e_malformed, "entries are not a whole number of entries")
            tree:add(f.value, tvb)
            return
        end
        for i = 0, n - e, e do
            local et = tree:add(f.agg_entry, tvb(i, e))
            et:add(f.agg_meter, tvb(i, 8))
            et:add(f.agg_value, tvb(i + 8, 8))
            if e > 16 then et:add(f.agg_sig, tvb(i + 16, e - 16)) end
        end
    else
        tree:add_proto_expert_info(e_unknown, "unknown tag " .. tag)
        tree:add(f.value, tvb)
    end
end

function p.dissector(tvb, pinfo, root)
    local n = tvb:len()
    if n < 4 then return 0 end
    pinfo.cols.protocol = "authsim"
    local tree = root:add(p, tvb(), "authsim TLV")
    local ty = tvb(0, 1):uint()
    local name = msg_types[ty]
    tree:add(f.kind, tvb(0, 1), name or "unknown"):set_generated()
    local ti = tree:add(f.msg_type, tvb(0, 1))
    if not name then ti:add_proto_expert_info(e_unknown) end
    tree:add(f.version, tvb(1, 1))
    local len = tvb(2, 2):uint()
    local lt = tree:add(f.length, tvb(2, 2))
    pinfo.cols.info = name or string.format("type 0x%02x", ty)
    if 4 + len ~= n then
        lt:add_proto_expert_info(e_malformed, "length " .. len .. " does not match the " .. (n - 4) .. " octets that follow")
    end
    local off = 4
    local last = math.min(n, 4 + len)
    local agg = ty >= 0xb0 and ty <= 0xb5
    local scheme = nil
    while off < last do
        if last - off < 3 then
            tree:add(f.value, tvb(off, last - off)):add_proto_expert_info(e_malformed, "truncated field header")
            off = last
            break
        end
        local tag = tvb(off, 1):uint()
        local flen = tvb(off + 1, 2):uint()
        if off + 3 + flen > last then
            local ft = tree:add(f.field, tvb(off, last - off))
            ft:add_proto_expert_info(e_malformed, "field overruns the message")
            off = last
            break
        end
        local proxy = ty >= 0xa0 and ty <= 0xaf
        local tag_names = (proxy and px_tags) or (agg and agg_tags) or tags
        local ft = tree:add(f.field, tvb(off, 3 + flen))
        ft:set_text((tag_names[tag] or ("tag " .. tag)) .. " (" .. flen .. " octets)")
        ft:add((proxy and f.px_tag) or (agg and f.agg_tag) or f.tag, tvb(off, 1))
        ft:add(f.field_len, tvb(off + 1, 2))
        if agg and tag == 6 and flen == 1 then scheme = tvb(off + 3, 1):uint() end
        if flen > 0 then
            if proxy then px_value(ft, tag, tvb(off + 3, flen))
            elseif agg then agg_value(ft, tag, tvb(off + 3, flen), scheme)
            else value(ft, tag, tvb(off + 3, flen)) end
        end
        off = off + 3 + flen
    end
    if off < n then
        tree:add(f.value, tvb(off, n - off)):add_proto_expert_info(e_malformed, "octets after the message")
    end
    return n
end

DissectorTable.get("udp.port"):add(UDP_PORT, p)

-- Group AKA NAS IEs after the standard messages (exported PDUs for nas-eps).
local g = Proto("authsim_group_nas", "authsim group AKA NAS IEs")
local gf = {
    iei = ProtoField.uint8("authsim_group_nas.iei", "IEI", base.HEX,
        { [0x3f] = "Group identity", [0x3e] = "Group authentication parameter RAND_G" }),
    len = ProtoField.uint8("authsim_group_nas.length", "Length"),
    group_id = ProtoField.uint32("authsim_group_nas.group_id", "Group id"),
    rand_g = ProtoField.bytes("authsim_group_nas.rand_g", "RAND_G"),
}
g.fields = gf
local prot_name = Field.new("exported_pdu.prot_name")

-- Offset of the exported PDU's payload: after the END_OF_OPT tag.
local function exported_payload(tvb)
    local off = 0
    while off + 4 <= tvb:len() do
        local tag, len = tvb(off, 2):uint(), tvb(off + 2, 2):uint()
        off = off + 4 + len
        if tag == 0 then return off end
    end
    return nil
end

-- Offset of the optional part of a plain ATTACH REQUEST at `s`.
local function attach_optional(tvb, s)
    local off = s + 3                                   -- header, KSI + attach type
    off = off + 1 + tvb(off, 1):uint()                  -- EPS mobile identity LV
    off = off + 1 + tvb(off, 1):uint()                  -- UE network capability LV
    off = off + 2 + tvb(off, 2):uint()                  -- ESM message container LV-E
    return off
end

function g.dissector(tvb, pinfo, root)
    local pn = prot_name()
    if not pn or pn.value ~= "nas-eps" then return end
    local s = exported_payload(tvb)
    if not s or tvb:len() - s < 2 or tvb(s, 1):uint() ~= 0x07 then return end
    local ty = tvb(s + 1, 1):uint()
    local off, iei, want
    if ty == 0x41 then
        off, iei, want = attach_optional(tvb, s), 0x3f, 4
    elseif ty == 0x52 then
        off, iei, want = s + 36, 0x3e, 16
    else
        return
    end
    if off + 2 + want ~= tvb:len() or tvb(off, 1):uint() ~= iei or tvb(off + 1, 1):uint() ~= want then
        return
    end
    local t = root:add(g, tvb(off, 2 + want))
    t:add(gf.iei, tvb(off, 1))
    t:add(gf.len, tvb(off + 1, 1))
    if iei == 0x3f then
        t:add(gf.group_id, tvb(off + 2, 4))
    else
        t:add(gf.rand_g, tvb(off + 2, 16))
    end
end

register_postdissector(g)
