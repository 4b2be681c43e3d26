//! The SBI codec: round trips, hostile input, and the JSON emitted checked
//! against the schema parts of TS 29.509 / TS 29.503 for the fields used.

use super::*;

fn hex_n(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `pattern: '^[A-Fa-f0-9]{N}$'` of the hex types: Rand, Autn, HxresStar,
/// XresStar, ResStar (32), Kausf, Kseaf (64), Auts (28) — TS 29.509
/// §6.1.6.3 and TS 29.503 §6.3.6.3 (simple data types), TS 29.571 §5.2.
fn check_hex(obj: &serde_json::Value, field: &str, n: usize) {
    let v = obj[field]
        .as_str()
        .unwrap_or_else(|| panic!("{field} is a string"));
    assert!(hex_n(v, n), "{field} = {v:?} matches ^[A-Fa-f0-9]{{{n}}}$");
}

/// `ServingNetworkName` (TS 29.571 §5.4.2):
/// `^(5G:mnc[0-9]{3}[.]mcc[0-9]{3}[.]3gppnetwork[.]org(:[A-F0-9]{11})?)|5G:NSWO$`.
fn check_snn(v: &serde_json::Value) {
    let s = v.as_str().expect("servingNetworkName is a string");
    let rest = s.strip_prefix("5G:mnc").expect("5G:mnc prefix");
    let d = rest.as_bytes();
    assert!(
        d[..3].iter().all(u8::is_ascii_digit) && &rest[3..7] == ".mcc",
        "{s}"
    );
    assert!(
        d[7..10].iter().all(u8::is_ascii_digit) && &rest[10..] == ".3gppnetwork.org",
        "{s}"
    );
}

/// `SupiOrSuci` / `Supi` (TS 29.571 §5.3.2): `imsi-[0-9]{5,15}` or
/// `suci-(0-[0-9]{3}-[0-9]{2,3}|...)-[0-9]{1,4}-(0-0-.+|[a-fA-F1-9]-(1..255)-[a-fA-F0-9]+)`.
fn check_supi_or_suci(s: &str) {
    if let Some(d) = s.strip_prefix("imsi-") {
        assert!(
            (5..=15).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()),
            "{s}"
        );
        return;
    }
    let p: Vec<&str> = s
        .strip_prefix("suci-0-")
        .expect("imsi- or suci-0-")
        .split('-')
        .collect();
    assert_eq!(p.len(), 6, "{s}");
    let digits = |x: &str, r: std::ops::RangeInclusive<usize>| {
        r.contains(&x.len()) && x.bytes().all(|b| b.is_ascii_digit())
    };
    assert!(
        digits(p[0], 3..=3) && digits(p[1], 2..=3) && digits(p[2], 1..=4),
        "{s}"
    );
    if p[3] == "0" {
        assert!(p[4] == "0" && !p[5].is_empty(), "{s}");
    } else {
        assert!(
            p[3].len() == 1 && p[3].bytes().all(|b| b.is_ascii_hexdigit()),
            "{s}"
        );
        let key: u16 = p[4].parse().unwrap();
        assert!((1..=255).contains(&key) && !p[4].starts_with('0'), "{s}");
        assert!(
            !p[5].is_empty() && p[5].bytes().all(|b| b.is_ascii_hexdigit()),
            "{s}"
        );
    }
}

/// `EapPayload` (TS 29.509 §6.1.6.3.2): base64 (RFC 4648) of one EAP packet.
fn check_eap_payload(v: &serde_json::Value) {
    let s = v.as_str().unwrap();
    let b = base64_octets(s).unwrap_or_else(|| panic!("{s} is not base64"));
    assert_eq!(base64_of(&b), s, "canonical base64");
    assert!(b.len() >= 4 && u16::from_be_bytes([b[2], b[3]]) as usize == b.len());
}

/// Required fields, types and patterns of the schemas the roles emit, as
/// TS 29.509 §6.1.6.2 and TS 29.503 §6.3.6.2 (and their OpenAPI files)
/// define them, for the fields emitted; no field outside the schema.
pub(crate) fn assert_schema(body: &Body) {
    let v: serde_json::Value = serde_json::from_slice(&body.json()).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let allowed = |allowed: &[&str]| {
        for k in &keys {
            assert!(
                allowed.contains(k),
                "{}: {k} not in the schema",
                body.name()
            );
        }
    };
    match body {
        // AuthenticationInfo: required supiOrSuci, servingNetworkName.
        Body::AuthenticationInfo(_) => {
            allowed(&["supiOrSuci", "servingNetworkName", "resynchronizationInfo"]);
            check_supi_or_suci(v["supiOrSuci"].as_str().unwrap());
            check_snn(&v["servingNetworkName"]);
            if let Some(r) = v.get("resynchronizationInfo") {
                check_hex(r, "rand", 32);
                check_hex(r, "auts", 28);
            }
        }
        // UEAuthenticationCtx: required authType, 5gAuthData, _links.
        Body::UeAuthenticationCtx(_) => {
            allowed(&["authType", "5gAuthData", "_links", "servingNetworkName"]);
            assert_eq!(v["authType"], "5G_AKA");
            let av = &v["5gAuthData"];
            check_hex(av, "rand", 32);
            check_hex(av, "autn", 32);
            check_hex(av, "hxresStar", 32);
            let links = v["_links"].as_object().unwrap();
            assert!(!links.is_empty());
            for l in links.values() {
                assert!(l["href"].as_str().unwrap().starts_with("https://"));
            }
        }
        // UEAuthenticationCtx of EAP-AKA': 5gAuthData is an EapPayload
        // (base64 string), _links holds eap-session.
        Body::UeAuthenticationCtxEap(_) => {
            allowed(&["authType", "5gAuthData", "_links", "servingNetworkName"]);
            assert_eq!(v["authType"], "EAP_AKA_PRIME");
            check_eap_payload(&v["5gAuthData"]);
            let links = v["_links"].as_object().unwrap();
            assert!(links.contains_key("eap-session"));
            for l in links.values() {
                assert!(l["href"].as_str().unwrap().starts_with("https://"));
            }
        }
        // EapSession: required eapPayload (nullable base64 string).
        Body::EapSession(_) => {
            allowed(&[
                "eapPayload",
                "kSeaf",
                "_links",
                "authResult",
                "supi",
                "pvsInfo",
                "msk",
            ]);
            check_eap_payload(&v["eapPayload"]);
            if v.get("kSeaf").is_some() {
                check_hex(&v, "kSeaf", 64);
            }
            if let Some(r) = v.get("authResult") {
                assert!(
                    [
                        "AUTHENTICATION_SUCCESS",
                        "AUTHENTICATION_FAILURE",
                        "AUTHENTICATION_ONGOING"
                    ]
                    .contains(&r.as_str().unwrap())
                );
            }
            if let Some(s) = v.get("supi") {
                check_supi_or_suci(s.as_str().unwrap());
            }
            if let Some(l) = v.get("_links") {
                for l in l.as_object().unwrap().values() {
                    assert!(l["href"].as_str().unwrap().starts_with("https://"));
                }
            }
        }
        // ConfirmationData: required resStar.
        Body::ConfirmationData(_) => {
            allowed(&["resStar", "supi"]);
            check_hex(&v, "resStar", 32);
        }
        // ConfirmationDataResponse: required authResult.
        Body::ConfirmationDataResponse(_) => {
            allowed(&["authResult", "supi", "kseaf"]);
            let r = v["authResult"].as_str().unwrap();
            assert!(
                [
                    "AUTHENTICATION_SUCCESS",
                    "AUTHENTICATION_FAILURE",
                    "AUTHENTICATION_ONGOING"
                ]
                .contains(&r)
            );
            if let Some(s) = v.get("supi") {
                check_supi_or_suci(s.as_str().unwrap());
            }
            if v.get("kseaf").is_some() {
                check_hex(&v, "kseaf", 64);
            }
        }
        // AuthenticationInfoRequest: required servingNetworkName, ausfInstanceId (uuid).
        Body::AuthenticationInfoRequest(_) => {
            allowed(&[
                "servingNetworkName",
                "resynchronizationInfo",
                "ausfInstanceId",
            ]);
            check_snn(&v["servingNetworkName"]);
            let id = v["ausfInstanceId"].as_str().unwrap();
            let groups: Vec<usize> = id.split('-').map(str::len).collect();
            assert_eq!(groups, [8, 4, 4, 4, 12], "{id} is a UUID");
            assert!(id.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit()));
        }
        // AuthenticationInfoResult: required authType; Av5GHeAka: required
        // avType, rand, xresStar, autn, kausf.
        // AvEapAkaPrime: required avType, rand, xres (8..32 hex), autn,
        // ckPrime, ikPrime.
        Body::AuthenticationInfoResult(_) => {
            allowed(&["authType", "authenticationVector", "supi"]);
            let av = &v["authenticationVector"];
            if v["authType"] == "EAP_AKA_PRIME" {
                assert_eq!(av["avType"], "EAP_AKA_PRIME");
                let keys: Vec<&str> = av.as_object().unwrap().keys().map(String::as_str).collect();
                for k in keys {
                    assert!(["avType", "rand", "xres", "autn", "ckPrime", "ikPrime"].contains(&k));
                }
                check_hex(av, "rand", 32);
                let xres = av["xres"].as_str().unwrap();
                assert!(
                    (8..=32).contains(&xres.len()) && hex_n(xres, xres.len()),
                    "{xres}"
                );
                check_hex(av, "autn", 32);
                check_hex(av, "ckPrime", 32);
                check_hex(av, "ikPrime", 32);
            } else {
                assert_eq!(v["authType"], "5G_AKA");
                assert_eq!(av["avType"], "5G_HE_AKA");
                check_hex(av, "rand", 32);
                check_hex(av, "xresStar", 32);
                check_hex(av, "autn", 32);
                check_hex(av, "kausf", 64);
            }
            check_supi_or_suci(v["supi"].as_str().unwrap());
        }
        // ProblemDetails (TS 29.571 §5.2.4.1): status integer, cause string.
        Body::ProblemDetails(_) => {
            allowed(&["status", "cause"]);
            assert!(v["status"].is_u64() && v["cause"].is_string());
        }
    }
}

pub(crate) fn samples() -> Vec<SbiMessage> {
    let h16 = hex_of(&[0xab; 16]);
    let info = AuthenticationInfo {
        supi_or_suci: "suci-0-001-01-0-1-1-00aa".into(),
        serving_network_name: "5G:mnc001.mcc001.3gppnetwork.org".into(),
        resynchronization_info: Some(ResynchronizationInfo {
            rand: h16.clone(),
            auts: hex_of(&[1; 14]),
        }),
    };
    let req = |stream_id, method, path: String, body| SbiMessage {
        stream_id,
        head: Head::Request {
            method,
            authority: nf_fqdn("ausf", "001", "01"),
            path,
        },
        body,
    };
    let resp = |status, location, body| SbiMessage {
        stream_id: 3,
        head: Head::Response { status, location },
        body,
    };
    vec![
        req(
            1,
            Method::Post,
            AUSF_UE_AUTHENTICATIONS.into(),
            Body::AuthenticationInfo(info),
        ),
        req(
            5,
            Method::Put,
            confirmation_path("00000000-0000-4000-8000-000000000001"),
            Body::ConfirmationData(ConfirmationData {
                res_star: h16.clone(),
            }),
        ),
        req(
            7,
            Method::Post,
            generate_auth_data_path("imsi-001010000000001"),
            Body::AuthenticationInfoRequest(AuthenticationInfoRequest {
                serving_network_name: "5G:mnc001.mcc001.3gppnetwork.org".into(),
                resynchronization_info: None,
                ausf_instance_id: "6f1d3c2a-8e4b-4c7d-9a2e-5b0c1d2e3f40".into(),
            }),
        ),
        resp(
            201,
            Some("https://ausf.example/nausf-auth/v1/ue-authentications/1".into()),
            Body::UeAuthenticationCtx(UeAuthenticationCtx {
                auth_type: AuthType::FiveGAka,
                five_g_auth_data: Av5gAka {
                    rand: h16.clone(),
                    hxres_star: h16.clone(),
                    autn: h16.clone(),
                },
                links: BTreeMap::from([(
                    "5g-aka".into(),
                    Link {
                        href: format!("https://ausf.example{}", confirmation_path("1")),
                    },
                )]),
                serving_network_name: None,
            }),
        ),
        resp(
            200,
            None,
            Body::ConfirmationDataResponse(ConfirmationDataResponse {
                auth_result: AuthResult::AuthenticationSuccess,
                supi: Some("imsi-001010000000001".into()),
                kseaf: Some(hex_of(&[7; 32])),
            }),
        ),
        resp(
            200,
            None,
            Body::AuthenticationInfoResult(AuthenticationInfoResult {
                auth_type: AuthType::FiveGAka,
                authentication_vector: AuthenticationVector::FiveGHeAka(Av5gHeAka {
                    rand: h16.clone(),
                    xres_star: h16.clone(),
                    autn: h16,
                    kausf: hex_of(&[9; 32]),
                }),
                supi: "imsi-001010000000001".into(),
            }),
        ),
        req(
            9,
            Method::Post,
            eap_session_path("00000000-0000-4000-8000-000000000001"),
            Body::EapSession(EapSession {
                eap_payload: base64_of(&[2, 7, 0, 8, 50, 2, 0, 0]),
                k_seaf: None,
                links: None,
                auth_result: None,
                supi: None,
            }),
        ),
        resp(
            201,
            Some("https://ausf.example/nausf-auth/v1/ue-authentications/1".into()),
            Body::UeAuthenticationCtxEap(UeAuthenticationCtxEap {
                auth_type: AuthType::EapAkaPrime,
                five_g_auth_data: base64_of(&[1, 7, 0, 8, 50, 1, 0, 0]),
                links: BTreeMap::from([(
                    "eap-session".into(),
                    Link {
                        href: format!("https://ausf.example{}", eap_session_path("1")),
                    },
                )]),
            }),
        ),
        resp(
            200,
            None,
            Body::EapSession(EapSession {
                eap_payload: base64_of(&[3, 7, 0, 4]),
                k_seaf: Some(hex_of(&[7; 32])),
                links: None,
                auth_result: Some(AuthResult::AuthenticationSuccess),
                supi: Some("imsi-001010000000001".into()),
            }),
        ),
        resp(
            200,
            None,
            Body::AuthenticationInfoResult(AuthenticationInfoResult {
                auth_type: AuthType::EapAkaPrime,
                authentication_vector: AuthenticationVector::EapAkaPrime(AvEapAkaPrime {
                    rand: hex_of(&[1; 16]),
                    xres: hex_of(&[2; 8]),
                    autn: hex_of(&[3; 16]),
                    ck_prime: hex_of(&[4; 16]),
                    ik_prime: hex_of(&[5; 16]),
                }),
                supi: "imsi-001010000000001".into(),
            }),
        ),
        resp(
            404,
            None,
            Body::ProblemDetails(ProblemDetails {
                status: 404,
                cause: "USER_NOT_FOUND".into(),
            }),
        ),
    ]
}

#[test]
fn every_message_round_trips_and_its_json_fits_the_schema() {
    for m in samples() {
        let pdu = m.encode();
        assert_eq!(pdu.len(), m.encoded_len());
        assert_eq!(SbiMessage::decode(&pdu).unwrap(), m, "{}", m.kind());
        assert_schema(&m.body);
    }
}

#[test]
fn the_header_block_is_hpack_with_the_pseudo_headers() {
    let m = &samples()[0];
    let pdu = m.encode();
    let len = u32::from_be_bytes([0, pdu[0], pdu[1], pdu[2]]) as usize;
    assert_eq!((pdu[3], pdu[4]), (FRAME_HEADERS, FLAG_END_HEADERS));
    let headers = loona_hpack::Decoder::new()
        .decode(&pdu[9..9 + len])
        .unwrap();
    let names: Vec<&[u8]> = headers.iter().map(|(n, _)| &n[..]).collect();
    assert_eq!(
        names,
        [
            &b":method"[..],
            b":scheme",
            b":authority",
            b":path",
            b"content-type"
        ]
    );
    // ":method: POST" and ":scheme: https" are static-table entries (one octet each).
    assert_eq!(&pdu[9..11], &[0x83, 0x87]);
}

#[test]
fn hostile_input_is_an_error_never_a_panic() {
    for m in samples() {
        let pdu = m.encode();
        for cut in 0..pdu.len() {
            assert!(SbiMessage::decode(&pdu[..cut]).is_err());
        }
        for i in 0..pdu.len() {
            for bit in [0x01, 0x80] {
                let mut b = pdu.clone();
                b[i] ^= bit;
                if let Ok(d) = SbiMessage::decode(&b) {
                    assert_eq!(d.encode(), b, "only canonical encodings decode");
                }
            }
        }
    }
    // Extra whitespace in the JSON is valid JSON, not this codec's encoding.
    let mut pdu = samples()[10].encode();
    let n = pdu.len();
    pdu.insert(n - 1, b' ');
    assert!(SbiMessage::decode(&pdu).is_err());
}

/// The header block written header by header (constant headers from the
/// per-thread cache) is the block a fresh `loona-hpack` encoder writes for
/// the whole list, for every sample and for a `:path` and a `location`
/// longer than 127 octets (multi-octet length); twice, so the second pass
/// reads the cache the first one filled.
#[test]
fn hpack_block_is_per_header() {
    let mut messages = samples();
    let long = format!(
        "{AUSF_UE_AUTHENTICATIONS}/{}/{CONFIRMATION_5G_AKA}",
        "c".repeat(200)
    );
    for m in samples() {
        let mut m = m;
        match &mut m.head {
            Head::Request { path, .. } => *path = long.clone(),
            Head::Response { location, .. } => *location = Some(long.clone()),
        }
        messages.push(m);
    }
    for _ in 0..2 {
        for m in &messages {
            let pdu = m.encode();
            let len = u32::from_be_bytes([0, pdu[0], pdu[1], pdu[2]]) as usize;
            let block = &pdu[9..9 + len];
            let headers = loona_hpack::Decoder::new().decode(block).unwrap();
            let whole =
                loona_hpack::Encoder::new().encode(headers.iter().map(|(n, v)| (&n[..], &v[..])));
            assert_eq!(block, &whole[..], "{}", m.kind());
        }
    }
}

/// `hex_of` and `octets` agree with the `hex` crate they replace: lowercase
/// digits out; both cases, exact length and digits only in.
#[test]
fn hex_helpers_match_the_hex_crate() {
    let bytes: Vec<u8> = (0..=255).collect();
    assert_eq!(hex_of(&bytes), hex::encode(&bytes));
    assert_eq!(hex_of(&[]), "");
    let upper = hex::encode_upper(&bytes[..16]);
    let cases = [
        hex::encode(&bytes[240..]),
        upper.clone(),
        upper[..31].to_string(),
        format!("{upper}00"),
        format!("{}g", &upper[..31]),
        format!("{} ", &upper[..31]),
        String::new(),
        "é".repeat(16),
    ];
    for s in cases {
        let mut want = [0u8; 16];
        let want = hex::decode_to_slice(&s, &mut want).ok().map(|_| want);
        assert_eq!(octets::<16>(&s), want, "{s:?}");
    }
}

/// The PDU of `m` with its DATA frame carrying `json` instead.
fn with_json(m: &SbiMessage, json: &[u8]) -> Vec<u8> {
    let pdu = m.encode();
    let hlen = u32::from_be_bytes([0, pdu[0], pdu[1], pdu[2]]) as usize;
    let mut out = pdu[..2 * FRAME_HEADER_LEN + hlen].to_vec();
    let at = FRAME_HEADER_LEN + hlen;
    out[at..at + 3].copy_from_slice(&(json.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(json);
    out
}

/// The strict check (header block re-encoded, JSON compared while
/// serialising) accepts exactly what `encode(decode(b)) == b` with a
/// full re-encoding accepts: the two are compared on every sample, on
/// each of its single-bit flips, on every octet inserted or removed at
/// every place of the JSON (whitespace, a backslash, a digit), and on
/// bodies rewritten by hand (reordered and duplicated keys, escapes, number
/// forms, explicit nulls).
#[test]
fn the_strict_check_accepts_exactly_the_canonical_encodings() {
    let same_as_full_reencoding = |b: &[u8]| {
        let full = SbiMessage::decode_lenient(b)
            .map(|m| m.encode() == b)
            .unwrap_or(false);
        assert_eq!(SbiMessage::decode(b).is_ok(), full, "{b:?}");
        full
    };
    let mut accepted = 0;
    for m in samples() {
        let pdu = m.encode();
        assert!(same_as_full_reencoding(&pdu));
        for i in 0..pdu.len() {
            for bit in [0x01, 0x02, 0x20, 0x80] {
                let mut b = pdu.clone();
                b[i] ^= bit;
                accepted += usize::from(same_as_full_reencoding(&b));
            }
        }
        let json = m.body.json();
        for i in 0..=json.len() {
            for extra in [b' ', b'\n', b'\\', b'0', b'"', b','] {
                let mut j = json.clone();
                j.insert(i, extra);
                // Inside a string value some of these still give a
                // canonical body; the two checks must agree either way.
                accepted += usize::from(same_as_full_reencoding(&with_json(&m, &j)));
            }
            if i < json.len() {
                let mut j = json.clone();
                j.remove(i);
                accepted += usize::from(same_as_full_reencoding(&with_json(&m, &j)));
            }
        }
    }
    // Some changes land inside a string value and still give a canonical
    // message: both checks must accept those (so both sides are exercised).
    assert!(accepted > 0);

    let s = samples();
    let info = &s[0];
    let json = String::from_utf8(info.body.json()).unwrap();
    assert!(same_as_full_reencoding(&with_json(info, json.as_bytes())));
    let refused = |m: &SbiMessage, j: &str| {
        assert!(!same_as_full_reencoding(&with_json(m, j.as_bytes())), "{j}");
    };
    // Keys reordered, duplicated, escaped; a value escaped; `/` escaped.
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let supi = v["supiOrSuci"].as_str().unwrap();
    let snn = v["servingNetworkName"].as_str().unwrap();
    let resync = serde_json::to_string(&v["resynchronizationInfo"]).unwrap();
    refused(
        info,
        &format!(
            r#"{{"servingNetworkName":"{snn}","supiOrSuci":"{supi}","resynchronizationInfo":{resync}}}"#
        ),
    );
    refused(
        info,
        &format!(
            r#"{{"supiOrSuci":"{supi}","supiOrSuci":"{supi}","servingNetworkName":"{snn}","resynchronizationInfo":{resync}}}"#
        ),
    );
    refused(info, &json.replacen("supiOrSuci", r"supi\u004frSuci", 1));
    refused(info, &json.replacen("5G:", r"5G\u003a", 1));
    refused(info, &json.replacen("5G:", r"\u0035G:", 1));
    refused(info, &json.replacen(".org", r"\u002eorg", 1));
    refused(info, &json.replacen('{', "{ ", 1));
    refused(info, &format!("{json}\n"));
    // An explicit null where the encoder leaves the field out.
    let no_resync = SbiMessage {
        body: Body::AuthenticationInfo(AuthenticationInfo {
            resynchronization_info: None,
            ..match &info.body {
                Body::AuthenticationInfo(b) => b.clone(),
                _ => unreachable!(),
            }
        }),
        ..info.clone()
    };
    let j = String::from_utf8(no_resync.body.json()).unwrap();
    assert!(same_as_full_reencoding(&with_json(
        &no_resync,
        j.as_bytes()
    )));
    refused(
        &no_resync,
        &j.replacen('}', r#","resynchronizationInfo":null}"#, 1),
    );
    // `/` escaped inside a link.
    let ctx = s
        .iter()
        .find(|m| matches!(m.body, Body::UeAuthenticationCtx(_)))
        .unwrap();
    let j = String::from_utf8(ctx.body.json()).unwrap();
    assert!(same_as_full_reencoding(&with_json(ctx, j.as_bytes())));
    refused(ctx, &j.replacen("https:/", r"https:\/", 1));
    // Number forms of ProblemDetails' status.
    let problem = s
        .iter()
        .find(|m| matches!(m.body, Body::ProblemDetails(_)))
        .unwrap();
    let j = String::from_utf8(problem.body.json()).unwrap();
    let status = match &problem.body {
        Body::ProblemDetails(p) => p.status.to_string(),
        _ => unreachable!(),
    };
    assert!(same_as_full_reencoding(&with_json(problem, j.as_bytes())));
    let field = format!(r#""status":{status}"#);
    assert!(j.contains(&field));
    for form in [
        format!("0{status}"),
        format!("{status}.0"),
        format!("{status}e0"),
        format!("{}e2", &status[..1]),
        format!("{status} "),
        format!("\"{status}\""),
    ] {
        refused(
            problem,
            &j.replacen(&field, &format!(r#""status":{form}"#), 1),
        );
    }
}

/// A frame longer than the default SETTINGS_MAX_FRAME_SIZE is refused
/// (encoding never writes one, so it could never pass the strict check;
/// the check used to panic re-encoding it).
#[test]
fn frames_above_the_maximum_frame_size_are_refused() {
    let s = samples();
    let info = &s[0];
    let json = String::from_utf8(info.body.json()).unwrap();
    let long = json.replacen("suci-0", &format!("suci-0{}", "0".repeat(1 << 14)), 1);
    let pdu = with_json(info, long.as_bytes());
    assert!(SbiMessage::decode_lenient(&pdu).is_err());
    assert!(SbiMessage::decode(&pdu).is_err());
}

/// What serde_json writes for `body` through its serde derives: the text
/// the hand-written writer (`sbi/json.rs`) must reproduce.
fn serde_json_of(body: &Body) -> Vec<u8> {
    let text = match body {
        Body::AuthenticationInfo(b) => serde_json::to_vec(b),
        Body::UeAuthenticationCtx(b) => serde_json::to_vec(b),
        Body::UeAuthenticationCtxEap(b) => serde_json::to_vec(b),
        Body::EapSession(b) => serde_json::to_vec(b),
        Body::ConfirmationData(b) => serde_json::to_vec(b),
        Body::ConfirmationDataResponse(b) => serde_json::to_vec(b),
        Body::AuthenticationInfoRequest(b) => serde_json::to_vec(b),
        Body::AuthenticationInfoResult(b) => serde_json::to_vec(b),
        Body::ProblemDetails(b) => serde_json::to_vec(b),
    };
    text.unwrap()
}

/// Every string field of `body`, to be overwritten by the test below.
fn strings_of(body: &mut Body) -> Vec<&mut String> {
    let mut v: Vec<&mut String> = Vec::new();
    fn resync(r: &mut Option<ResynchronizationInfo>) -> Vec<&mut String> {
        match r {
            Some(r) => vec![&mut r.rand, &mut r.auts],
            None => vec![],
        }
    }
    match body {
        Body::AuthenticationInfo(b) => {
            v.extend([&mut b.supi_or_suci, &mut b.serving_network_name]);
            v.extend(resync(&mut b.resynchronization_info));
        }
        Body::UeAuthenticationCtx(b) => {
            let a = &mut b.five_g_auth_data;
            v.extend([&mut a.rand, &mut a.hxres_star, &mut a.autn]);
            v.extend(b.links.values_mut().map(|l| &mut l.href));
            v.extend(b.serving_network_name.as_mut());
        }
        Body::UeAuthenticationCtxEap(b) => {
            v.push(&mut b.five_g_auth_data);
            v.extend(b.links.values_mut().map(|l| &mut l.href));
        }
        Body::EapSession(b) => {
            v.push(&mut b.eap_payload);
            v.extend(b.k_seaf.as_mut());
            v.extend(
                b.links
                    .iter_mut()
                    .flat_map(|l| l.values_mut().map(|l| &mut l.href)),
            );
            v.extend(b.supi.as_mut());
        }
        Body::ConfirmationData(b) => v.push(&mut b.res_star),
        Body::ConfirmationDataResponse(b) => {
            v.extend(b.supi.as_mut());
            v.extend(b.kseaf.as_mut());
        }
        Body::AuthenticationInfoRequest(b) => {
            v.extend([&mut b.serving_network_name, &mut b.ausf_instance_id]);
            v.extend(resync(&mut b.resynchronization_info));
        }
        Body::AuthenticationInfoResult(b) => {
            match &mut b.authentication_vector {
                AuthenticationVector::FiveGHeAka(a) => {
                    v.extend([&mut a.rand, &mut a.xres_star, &mut a.autn, &mut a.kausf])
                }
                AuthenticationVector::EapAkaPrime(a) => v.extend([
                    &mut a.rand,
                    &mut a.xres,
                    &mut a.autn,
                    &mut a.ck_prime,
                    &mut a.ik_prime,
                ]),
            }
            v.push(&mut b.supi);
        }
        Body::ProblemDetails(b) => v.push(&mut b.cause),
    }
    v
}

/// The hand-written JSON (`sbi/json.rs`) is serde_json's text: on every
/// sample; with every optional field present and absent; with several or no
/// links (keys in map order, one needing escapes); with every string field
/// set in turn to strings holding each octet class serde_json treats apart
/// (each control character, `"`, `\`, `/`, DEL, non-ASCII, empty); with
/// every status code 0..=65535 and both values of each enum.
#[test]
fn hand_written_json_is_serde_json() {
    let mut bodies: Vec<Body> = samples().into_iter().map(|m| m.body).collect();
    let every_octet: String = (0u8..0x80).map(char::from).collect();
    let tricky = [
        String::new(),
        every_octet,
        "\"\\/\u{7f}é\u{1F600}".to_string(),
        "a\u{0}b\u{1f}c\u{8}\u{9}\u{a}\u{b}\u{c}\u{d}\u{e}".to_string(),
        "plain-ascii_0123456789".to_string(),
    ];
    let mut variants = Vec::new();
    for b in &bodies {
        // Optional fields both ways, links emptied and multiplied.
        let mut full = b.clone();
        match &mut full {
            Body::AuthenticationInfo(x) => {
                x.resynchronization_info = match x.resynchronization_info {
                    Some(_) => None,
                    None => Some(ResynchronizationInfo {
                        rand: "r".into(),
                        auts: "a".into(),
                    }),
                }
            }
            Body::AuthenticationInfoRequest(x) => {
                x.resynchronization_info = Some(ResynchronizationInfo {
                    rand: "r".into(),
                    auts: "a".into(),
                })
            }
            Body::UeAuthenticationCtx(x) => {
                x.serving_network_name = Some("snn".into());
                x.links.insert("a\"key".into(), Link { href: "h".into() });
                x.links.insert("zz".into(), Link { href: "z".into() });
            }
            Body::UeAuthenticationCtxEap(x) => x.links.clear(),
            Body::EapSession(x) => {
                x.k_seaf = Some("k".into());
                x.links = Some(BTreeMap::from([("l".into(), Link { href: "h".into() })]));
                x.auth_result = Some(AuthResult::AuthenticationFailure);
                x.supi = Some("s".into());
            }
            Body::ConfirmationDataResponse(x) => {
                x.auth_result = AuthResult::AuthenticationFailure;
                x.supi = None;
                x.kseaf = None;
            }
            Body::AuthenticationInfoResult(x) => {
                x.auth_type = match x.auth_type {
                    AuthType::FiveGAka => AuthType::EapAkaPrime,
                    AuthType::EapAkaPrime => AuthType::FiveGAka,
                }
            }
            Body::ConfirmationData(_) | Body::ProblemDetails(_) => {}
        }
        variants.push(full);
    }
    bodies.extend(variants);
    for status in 0..=u16::MAX {
        let b = Body::ProblemDetails(ProblemDetails {
            status,
            cause: "C".into(),
        });
        assert_eq!(b.json(), serde_json_of(&b), "{status}");
    }
    let mut checked = 0;
    for body in bodies {
        assert_eq!(body.json(), serde_json_of(&body), "{}", body.name());
        let n = strings_of(&mut body.clone()).len();
        for i in 0..n {
            for t in &tricky {
                let mut b = body.clone();
                *strings_of(&mut b)[i] = t.clone();
                assert_eq!(b.json(), serde_json_of(&b), "{} field {i}: {t:?}", b.name());
                checked += 1;
            }
        }
    }
    assert!(checked > 300);
}

/// Every header the codec writes (`sbi/hpack.rs`, without the static
/// table search) is what a fresh `loona-hpack` encoder writes for it: each
/// name the codec sends with values of every length from 0 to 300 octets
/// (one- to three-octet lengths), every value of the static table, every
/// status code from 0 to 999, both methods and the three content types;
/// any other name is left to `loona-hpack`.
#[test]
fn hpack_fields_are_loona_hpacks() {
    let mut values: Vec<Vec<u8>> = (0..=300).map(|n| vec![b'p'; n]).collect();
    values.extend((0..1000).map(|s: u32| s.to_string().into_bytes()));
    values.extend(
        [
            "/",
            "/index.html",
            "/x",
            "GET",
            "POST",
            "PUT",
            "http",
            "https",
            JSON,
            HAL_JSON,
            PROBLEM_JSON,
            "gzip, deflate",
        ]
        .map(|v| v.as_bytes().to_vec()),
    );
    let names = [
        &b":authority"[..],
        b":method",
        b":path",
        b":scheme",
        b":status",
        b"content-type",
        b"location",
    ];
    for name in names {
        for v in &values {
            let mut ours = vec![0xaa];
            assert!(hpack::write(name, v, &mut ours));
            let mut theirs = vec![0xaa];
            loona_hpack::Encoder::new()
                .encode_header_into((name, v), &mut theirs)
                .unwrap();
            assert_eq!(ours, theirs, "{name:?} {v:?}");
        }
    }
    for name in [&b"accept"[..], b"x-other", b":Path"] {
        let mut ours = Vec::new();
        assert!(!hpack::write(name, b"v", &mut ours));
        assert!(ours.is_empty());
    }
}

/// The strict JSON reader (`sbi/parse.rs`) on strings that need escapes:
/// every sample with each string field set in turn to strings holding
/// each octet class serde_json treats apart decodes to itself; and every
/// other spelling of those escapes (`\u` forms of the short escapes,
/// uppercase hex, `\/`, a raw control character, a lone backslash) is
/// refused by the reader exactly when serde_json's parse followed by a
/// full re-encoding refuses it.
#[test]
fn the_strict_reader_takes_serde_jsons_escapes_only() {
    let controls: String = (0u8..0x20).map(char::from).collect();
    let tricky = [
        format!("a{controls}\"\\/\u{7f}é"),
        String::new(),
        "\u{1F600}".to_string(),
    ];
    let respellings: [(&str, &str); 8] = [
        (r"\n", r"\u000a"),
        (r"\t", r"\u0009"),
        (r"\u001f", r"\u001F"),
        (r"\u0000", "\u{0}"),
        (r#"\""#, r"\u0022"),
        (r"\\", r"\u005c"),
        ("/", r"\/"),
        ("é", r"\u00e9"),
    ];
    let mut refused = 0;
    for m in samples() {
        let n = strings_of(&mut m.body.clone()).len();
        for i in 0..n {
            for t in &tricky {
                let mut m = m.clone();
                *strings_of(&mut m.body)[i] = t.clone();
                let pdu = m.encode();
                assert_eq!(SbiMessage::decode(&pdu).as_ref(), Ok(&m), "{t:?}");
                let json = String::from_utf8(m.body.json()).unwrap();
                for (from, to) in respellings {
                    if !json.contains(from) {
                        continue;
                    }
                    let b = with_json(&m, json.replacen(from, to, 1).as_bytes());
                    let full = SbiMessage::decode_lenient(&b)
                        .map(|d| d.encode() == b)
                        .unwrap_or(false);
                    assert_eq!(SbiMessage::decode(&b).is_ok(), full, "{from} -> {to}");
                    refused += usize::from(!full);
                }
            }
        }
    }
    assert!(refused > 50);
}

/// The headers `loona-hpack` decodes from `block`, or `None` if it refuses it.
fn loona_headers(block: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    loona_hpack::Decoder::new().decode(block).ok()
}

/// The headers the in-place reader gives for `block`, or `None` if it
/// leaves the block to `loona-hpack`.
fn fast_headers(block: &[u8]) -> Option<Vec<(Vec<u8>, Vec<u8>)>> {
    let mut out = Vec::new();
    hpack::read(block, |n, v| out.push((n.to_vec(), v.to_vec())))?;
    Some(out)
}

/// Every block the in-place HPACK reader takes, `loona-hpack` decodes to
/// the same headers: each static-table index alone (and one past it),
/// every sample's block, and those blocks with each bit flipped, each octet
/// dropped, cut at every length, with Huffman-coded or literal-name fields,
/// and with integers of one to six octets. It takes every block the
/// encoder writes (the fast path is the one the storms run).
#[test]
fn fast_hpack_reader_agrees_with_loona_hpack() {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for i in 0..=62u8 {
        blocks.push(vec![0x80 | i]);
        blocks.push(vec![i, 0x01, b'x']);
        blocks.push(vec![0x10 | (i & 0x0f), 0x81, 0xff]);
    }
    // Literal names, incremental indexing, size updates, long integers.
    blocks.push(vec![0x00, 0x01, b'a', 0x01, b'b']);
    blocks.push(vec![0x44, 0x01, b'/']);
    blocks.push(vec![0x20]);
    blocks.push(vec![0x3f, 0xe1, 0x1f]);
    for extra in 0..6 {
        let mut b = vec![0x0f];
        b.extend(std::iter::repeat_n(0x80, extra));
        b.push(0x00);
        b.extend_from_slice(&[0x01, b'v']);
        blocks.push(b);
        let mut b = vec![0x04, 0x7f];
        b.extend(std::iter::repeat_n(0x80, extra));
        b.push(0x01);
        b.extend(std::iter::repeat_n(b'p', 127 + 128 * 128));
        blocks.push(b);
    }
    let mut written = 0;
    for m in samples() {
        let pdu = m.encode();
        let len = u32::from_be_bytes([0, pdu[0], pdu[1], pdu[2]]) as usize;
        let block = pdu[9..9 + len].to_vec();
        assert!(fast_headers(&block).is_some(), "{}", m.kind());
        written += 1;
        for cut in 0..block.len() {
            blocks.push(block[..cut].to_vec());
            let mut b = block.clone();
            b.remove(cut);
            blocks.push(b);
            for bit in 0..8 {
                let mut b = block.clone();
                b[cut] ^= 1 << bit;
                blocks.push(b);
            }
        }
        blocks.push(block);
    }
    assert!(written > 10);
    let (mut taken, mut left) = (0, 0);
    for b in &blocks {
        match fast_headers(b) {
            Some(h) => {
                assert_eq!(Some(h), loona_headers(b), "{b:02x?}");
                taken += 1;
            }
            None => left += 1,
        }
    }
    // Both ways happen: the comparison above is not vacuous.
    assert!(taken > 100 && left > 100, "{taken} taken, {left} left");
}

/// `api_root_end` finds the first API root where `str::find` does, in
/// paths, URIs, strings holding it twice or cut short, and none at all.
#[test]
fn api_root_end_is_str_find() {
    let root = AUSF_UE_AUTHENTICATIONS;
    let cases = [
        root.to_string(),
        format!("{root}/ctx/{CONFIRMATION_5G_AKA}"),
        format!("https://ausf.5gc.mnc001.mcc001.3gppnetwork.org{root}/c/x"),
        format!("https://a/b{root}{root}"),
        format!("//{root}"),
        format!("x{}", &root[..root.len() - 1]),
        format!("/nausf{root}"),
        "/".to_string(),
        String::new(),
        "no slash".to_string(),
        format!("é/{root}"),
    ];
    for c in &cases {
        assert_eq!(api_root_end(c), c.find(root).map(|i| i + root.len()), "{c}");
    }
}
