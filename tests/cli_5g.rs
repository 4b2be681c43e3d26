//! End-to-end tests of the 5G CLI: `authsim milenage --snn/--supi/--abba`,
//! `--eap-aka-prime-network/--identity` and `authsim suci`, against published
//! data (RFC 9048, TS 33.501 Annex C.4) and the independent Python vectors in
//! protocols/tests/data/kdf_5g_vectors.txt.

use std::process::Output;

mod common;
use common::{authsim, stderr};

fn json(o: &Output) -> serde_json::Value {
    assert!(o.status.success(), "{}", stderr(o));
    serde_json::from_slice(&o.stdout).expect("one JSON object")
}

/// `name = hex` lines written by protocols/tests/data/kdf_5g_vectors.py.
fn python_vector(name: &str) -> String {
    let text = include_str!("../protocols/tests/data/kdf_5g_vectors.txt");
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(" = "))
        .unwrap_or_else(|| panic!("no vector {name}"))
        .to_string()
}

/// TS 35.208 test set 19: the MILENAGE inputs behind RFC 9048's cases.
const SET_19: [&str; 10] = [
    "milenage",
    "--k",
    "5122250214c33e723a5dd523fc145fc0",
    "--opc",
    "981d464c7c52eb6e5036234984ad0bcf",
    "--rand",
    "81e92b6c0ee0e12ebceba8d92a99dfa5",
    "--sqn",
    "16f3b3f70fc2",
    "--amf",
];

fn set_19(extra: &[&str]) -> Output {
    let mut args = SET_19.to_vec();
    args.push("c3ab");
    args.extend_from_slice(extra);
    authsim(&args)
}

#[test]
fn milenage_eap_aka_prime_reproduces_rfc_9048_case_1() {
    let v = json(&set_19(&[
        "--eap-aka-prime-network",
        "WLAN",
        "--identity",
        "0555444333222111",
    ]));
    assert_eq!(v["autn"], "bb52e91c747ac3ab2a5c23d15ee351d5");
    assert_eq!(v["f2"], "28d7b0f2a2ec3de5");
    for (k, want) in [
        ("ck_prime", "0093962d0dd84aa5684b045c9edffa04"),
        ("ik_prime", "ccfc230ca74fcc96c0a5d61164f5a76c"),
        ("k_encr", "766fa0a6c317174b812d52fbcd11a179"),
        (
            "k_aut",
            "0842ea722ff6835bfa2032499fc3ec23c2f0e388b4f07543ffc677f1696d71ea",
        ),
        (
            "k_re",
            "cf83aa8bc7e0aced892acc98e76a9b2095b558c7795c7094715cb3393aa7d17a",
        ),
        (
            "msk",
            "67c42d9aa56c1b79e295e3459fc3d187d42be0bf818d3070e362c5e967a4d544\
             e8ecfe19358ab3039aff03b7c930588c055babee58a02650b067ec4e9347c75a",
        ),
        (
            "emsk",
            "f861703cd775590e16c7679ea3874ada866311de290764d760cf76df647ea01c\
             313f69924bdd7650ca9bac141ea075c4ef9e8029c0e290cdbad5638b63bc23fb",
        ),
    ] {
        assert_eq!(v[k], want, "{k}");
    }
    assert!(v.get("kausf").is_none(), "5G keys only with --snn");
}

#[test]
fn milenage_5g_chain_matches_independent_vectors() {
    let v = json(&set_19(&[
        "--snn",
        "5G:mnc001.mcc001.3gppnetwork.org",
        "--supi",
        "imsi-001010000000001",
        "--abba",
        "0000",
    ]));
    for (k, name) in [
        ("res_star", "set19.xres_star"),
        ("hres_star", "set19.hxres_star"),
        ("kausf", "set19.kausf"),
        ("kseaf", "set19.kseaf"),
        ("kamf", "set19.kamf"),
    ] {
        assert_eq!(v[k], python_vector(name), "{k}");
    }
    // Without --supi/--abba: no K_AMF.
    let v = json(&set_19(&["--snn", "5G:mnc001.mcc001.3gppnetwork.org"]));
    assert!(v.get("kamf").is_none() && v.get("kseaf").is_some());
}

#[test]
fn milenage_5g_bad_input_exits_2_naming_the_argument() {
    for (bad, name) in [
        (&["--snn", "mnc001.mcc001.3gppnetwork.org"][..], "--snn"),
        (
            &["--snn", "5G:x", "--supi", "nai-x@y", "--abba", "0000"][..],
            "--supi",
        ),
        (
            &[
                "--snn",
                "5G:x",
                "--supi",
                "imsi-001010000000001",
                "--abba",
                "0g",
            ][..],
            "--abba",
        ),
        (
            &["--supi", "imsi-001010000000001", "--abba", "00"][..],
            "--snn",
        ),
        (&["--eap-aka-prime-network", "WLAN"][..], "--identity"),
    ] {
        let o = set_19(bad);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{bad:?}: {}", stderr(&o));
    }
}

struct Annex {
    profile: &'static str,
    hn_private: &'static str,
    eph_private: &'static str,
    scheme_output: &'static str,
}

/// TS 33.501 Annex C.4.3.1 (profile A) and C.4.4.1 (profile B).
const ANNEX: [Annex; 2] = [
    Annex {
        profile: "a",
        hn_private: "c53c22208b61860b06c62e5406a7b330c2b577aa5558981510d128247d38bd1d",
        eph_private: "c80949f13ebe61af4ebdbd293ea4f942696b9e815d7e8f0096bbf6ed7de62256",
        scheme_output: "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457d\
                        cb02352410cddd9e730ef3fa87",
    },
    Annex {
        profile: "b",
        hn_private: "f1ab1074477ebcc7f554ea1c5fc368b1616730155e0041ac447d6301975fecda",
        eph_private: "99798858a1dc6a2c68637149a4b1dbfd1fdff5addd62a2142f06699ed7602529",
        scheme_output: "039aab8376597021e855679a9778ea0b67396e68c66df32c0f41e9acca2da9b9d1\
                        46a33fc2716ac7dae96aa30a4d",
    },
];

#[test]
fn suci_reproduces_annex_c4_both_profiles() {
    for t in &ANNEX {
        let v = json(&authsim(&[
            "suci",
            "--profile",
            t.profile,
            "--supi",
            "imsi-274012001002086",
            "--mnc-digits",
            "3",
            "--hn-private",
            t.hn_private,
            "--eph-private",
            t.eph_private,
        ]));
        let klen = if t.profile == "a" { 64 } else { 66 };
        assert_eq!(v["scheme_input"], "00012080f6");
        assert_eq!(v["scheme_output"], t.scheme_output, "{}", t.profile);
        assert_eq!(v["eph_public"], t.scheme_output[..klen]);
        assert_eq!(v["ciphertext"], t.scheme_output[klen..klen + 10]);
        assert_eq!(v["mac"], t.scheme_output[klen + 10..]);
        // 5GS mobile identity: SUCI, IMSI format; MCC 274 MNC 012; RI 0; scheme; key id 1.
        let scheme = if t.profile == "a" { "01" } else { "02" };
        assert_eq!(
            v["mobile_identity"],
            format!("01722410f0ff{scheme}01{}", t.scheme_output)
        );
        let suci = format!("suci-0-274-012-0-{}-1-{}", &scheme[1..], t.scheme_output);
        assert_eq!(v["suci"], suci);

        let v = json(&authsim(&[
            "suci",
            "--deconceal",
            "--profile",
            t.profile,
            "--hn-private",
            t.hn_private,
            "--scheme-output",
            t.scheme_output,
            "--plmn",
            "274012",
            "--mnc-digits",
            "3",
        ]));
        assert_eq!(v["msin"], "001002086");
        assert_eq!(v["supi"], "imsi-274012001002086");
    }
}

#[test]
fn suci_without_eph_key_round_trips() {
    let t = &ANNEX[1];
    let v = json(&authsim(&[
        "suci",
        "--profile",
        "b",
        "--supi",
        "imsi-00101123456789",
        "--hn-private",
        t.hn_private,
    ]));
    let out = v["scheme_output"].as_str().unwrap().to_string();
    let v = json(&authsim(&[
        "suci",
        "--deconceal",
        "--profile",
        "b",
        "--hn-private",
        t.hn_private,
        "--scheme-output",
        &out,
    ]));
    assert_eq!(v["msin"], "123456789");
}

#[test]
fn suci_bad_input_exits_2_naming_the_argument() {
    let t = &ANNEX[0];
    let conceal = |extra: &[&str]| {
        let mut a = vec!["suci", "--profile", "a", "--hn-private", t.hn_private];
        a.extend_from_slice(extra);
        authsim(&a)
    };
    let mut tampered = t.scheme_output.to_string();
    tampered.replace_range(70..72, "00");
    for (o, name) in [
        (conceal(&["--supi", "274012001002086"]), "--supi"),
        (conceal(&["--supi", "imsi-27401"]), "--supi"),
        (
            conceal(&["--supi", "imsi-274012001002086", "--mnc-digits", "4"]),
            "--mnc-digits",
        ),
        (
            conceal(&["--supi", "imsi-274012001002086", "--eph-private", "12"]),
            "--eph-private",
        ),
        (
            conceal(&[
                "--supi",
                "imsi-274012001002086",
                "--routing-indicator",
                "12345",
            ]),
            "--routing-indicator",
        ),
        (
            conceal(&["--deconceal", "--scheme-output", "zz"]),
            "--scheme-output",
        ),
        (
            conceal(&["--deconceal", "--scheme-output", &tampered]),
            "--scheme-output",
        ),
        (
            conceal(&["--deconceal", "--scheme-output", "00"]),
            "--scheme-output",
        ),
        (
            authsim(&[
                "suci",
                "--profile",
                "b",
                "--hn-private",
                &"ff".repeat(32),
                "--supi",
                "imsi-274012001002086",
            ]),
            "--hn-private",
        ),
    ] {
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
    }
}
