//! `authsim suci`: SUPI concealment (TS 33.501 Annex C.3, profiles A and B)
//! and de-concealment, as one JSON object of lowercase hex, for checking
//! against the Annex C.4 test data or another implementation.

use authsim_protocols::core::CryptoOps;
use authsim_protocols::crypto::suci::{self, Profile};
use authsim_protocols::wire::nas5g::identity::{MobileIdentity5gs, Plmn, Suci};
use clap::{Args, ValueEnum};
use serde_json::{Map, Value};

use crate::Failure;

#[derive(Clone, Copy, ValueEnum)]
enum ProfileArg {
    A,
    B,
}

impl From<ProfileArg> for Profile {
    fn from(p: ProfileArg) -> Self {
        match p {
            ProfileArg::A => Profile::A,
            ProfileArg::B => Profile::B,
        }
    }
}

#[derive(Args)]
pub struct SuciArgs {
    /// ECIES profile: a (X25519) or b (P-256, compressed points).
    #[arg(long, value_enum)]
    profile: ProfileArg,
    /// Home network private key, 64 hex digits (concealing derives the public key from it).
    #[arg(long)]
    hn_private: String,
    /// De-conceal --scheme-output instead of concealing --supi.
    #[arg(long, requires = "scheme_output", conflicts_with_all = ["supi", "eph_private"])]
    deconceal: bool,
    /// SUPI to conceal, imsi-<MCC><MNC><MSIN>.
    #[arg(long, required_unless_present = "deconceal")]
    supi: Option<String>,
    /// Digits of the MNC in --supi (2 or 3).
    #[arg(long, default_value_t = 2)]
    mnc_digits: usize,
    /// Ephemeral private key, 64 hex digits (default: fresh from the OS).
    #[arg(long)]
    eph_private: Option<String>,
    /// Routing indicator, 1 to 4 digits.
    #[arg(long, default_value = "0")]
    routing_indicator: String,
    /// Home network public key identifier, 0..=255.
    #[arg(long, default_value_t = 1)]
    hn_key_id: u8,
    /// Scheme output to de-conceal, hex.
    #[arg(long)]
    scheme_output: Option<String>,
    /// With --deconceal: MCC and MNC (e.g. 274012, needs --mnc-digits) to print the SUPI.
    #[arg(long, requires = "deconceal")]
    plmn: Option<String>,
}

fn key_arg(name: &str, v: &str) -> Result<[u8; 32], Failure> {
    let b =
        hex::decode(v.trim()).map_err(|e| Failure::BadInput(format!("--{name}: not hex ({e})")))?;
    b.try_into().map_err(|b: Vec<u8>| {
        Failure::BadInput(format!(
            "--{name}: expected 32 bytes (64 hex digits), got {}",
            b.len()
        ))
    })
}

/// MCC, MNC and MSIN of `imsi-<digits>`.
fn split_supi(supi: &str, mnc_digits: usize) -> Result<(Plmn, &str), Failure> {
    let bad = |why: &str| Failure::BadInput(format!("--supi: {supi:?} {why}"));
    let d = supi
        .strip_prefix("imsi-")
        .ok_or_else(|| bad("is not imsi-<digits>"))?;
    if !(6..=15).contains(&d.len()) || !d.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("needs 6 to 15 digits after imsi-"));
    }
    if d.len() <= 3 + mnc_digits {
        return Err(bad("has no MSIN after MCC and MNC"));
    }
    let plmn =
        Plmn::new(&d[..3], &d[3..3 + mnc_digits]).ok_or_else(|| bad("has no valid MCC/MNC"))?;
    Ok((plmn, &d[3 + mnc_digits..]))
}

fn fresh_key(profile: Profile) -> Result<[u8; 32], Failure> {
    let mut ops = CryptoOps::default();
    loop {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|e| Failure::run(format!("no OS randomness: {e}")))?;
        // A P-256 scalar must lie in [1, n-1]; X25519 clamps any 32 octets.
        if suci::public_key(profile, &k, &mut ops).is_ok() {
            return Ok(k);
        }
    }
}

pub fn run(a: SuciArgs) -> Result<(), Failure> {
    if !(2..=3).contains(&a.mnc_digits) {
        return Err(Failure::BadInput(format!(
            "--mnc-digits: {} is not 2 or 3",
            a.mnc_digits
        )));
    }
    let profile = Profile::from(a.profile);
    let hn_private = key_arg("hn-private", &a.hn_private)?;
    let mut ops = CryptoOps::default();
    let mut out = Map::new();
    let mut put = |k: &str, v: &[u8]| {
        out.insert(k.into(), Value::String(hex::encode(v)));
    };
    if a.deconceal {
        let so = a.scheme_output.as_deref().unwrap_or_default();
        let so = hex::decode(so.trim())
            .map_err(|e| Failure::BadInput(format!("--scheme-output: not hex ({e})")))?;
        let plain = suci::deconceal(profile, &hn_private, &so, &mut ops)
            .map_err(|e| Failure::BadInput(format!("--scheme-output: {e}")))?;
        put("scheme_input", &plain);
        let msin = suci::msin_from_bcd(&plain).ok_or_else(|| {
            Failure::BadInput("--scheme-output: decrypts to no BCD MSIN".to_string())
        })?;
        out.insert("msin".into(), Value::String(msin.clone()));
        if let Some(plmn) = &a.plmn {
            if plmn.len() != 3 + a.mnc_digits || Plmn::new(&plmn[..3], &plmn[3..]).is_none() {
                return Err(Failure::BadInput(format!(
                    "--plmn: {plmn:?} is not MCC+MNC with {} MNC digits",
                    a.mnc_digits
                )));
            }
            out.insert("supi".into(), Value::String(format!("imsi-{plmn}{msin}")));
        }
    } else {
        let supi = a.supi.as_deref().unwrap_or_default();
        let (plmn, msin) = split_supi(supi, a.mnc_digits)?;
        let ri = &a.routing_indicator;
        if !(1..=4).contains(&ri.len()) || !ri.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Failure::BadInput(format!(
                "--routing-indicator: {ri:?} is not 1 to 4 digits"
            )));
        }
        let eph_private = match &a.eph_private {
            Some(k) => key_arg("eph-private", k)?,
            None => fresh_key(profile)?,
        };
        let hn_public = suci::public_key(profile, &hn_private, &mut ops)
            .map_err(|e| Failure::BadInput(format!("--hn-private: {e}")))?;
        let input = suci::msin_bcd(msin).map_err(|e| Failure::BadInput(format!("--supi: {e}")))?;
        let c = suci::conceal(profile, &hn_public, &eph_private, &input, &mut ops)
            .map_err(|e| Failure::BadInput(format!("--eph-private: {e}")))?;
        let scheme_output = c.scheme_output();
        let identity = MobileIdentity5gs::Suci(Suci {
            plmn: plmn.clone(),
            routing_indicator: ri.clone(),
            protection_scheme: profile.scheme_id(),
            hn_key_id: a.hn_key_id,
            scheme_output: scheme_output.clone(),
        });
        put("hn_public", &hn_public);
        put("scheme_input", &input);
        put("eph_public", &c.eph_public);
        put("ciphertext", &c.ciphertext);
        put("mac", &c.mac);
        put("scheme_output", &scheme_output);
        put("mobile_identity", &identity.encode());
        // TS 23.003 §28.7.3: suci-0-<MCC>-<MNC>-<RI>-<scheme>-<key id>-<output>.
        out.insert(
            "suci".into(),
            Value::String(format!(
                "suci-0-{}-{}-{}-{}-{}-{}",
                plmn.mcc,
                plmn.mnc,
                ri,
                profile.scheme_id(),
                a.hn_key_id,
                hex::encode(&scheme_output)
            )),
        );
    }
    println!("{}", Value::Object(out));
    Ok(())
}
