//! The 5G additions to `authsim milenage`: the TS 33.501 key chain (RES*,
//! HXRES*, K_AUSF, K_SEAF, K_AMF) and the EAP-AKA' keys (RFC 9048), so that
//! outside tools can check them against the same inputs.

use authsim_protocols::core::CryptoOps;
use authsim_protocols::crypto::{eap_aka_prime, kdf_5g};
use clap::Args;

use crate::Failure;

#[derive(Args, Default)]
pub struct FiveGArgs {
    /// 5G serving network name, e.g. "5G:mnc001.mcc001.3gppnetwork.org": adds
    /// `res_star`, `hres_star` (= HXRES*), `kausf`, `kseaf`.
    #[arg(long)]
    snn: Option<String>,
    /// SUPI for K_AMF, e.g. imsi-001010000000001 (needs --snn and --abba): adds `kamf`.
    #[arg(long, requires_all = ["snn", "abba"])]
    supi: Option<String>,
    /// ABBA parameter in hex, e.g. 0000 (TS 33.501 A.7.1).
    #[arg(long, requires = "supi")]
    abba: Option<String>,
    /// EAP-AKA' access network name, e.g. WLAN: adds `ck_prime`, `ik_prime`,
    /// `k_encr`, `k_aut`, `k_re`, `msk`, `emsk` (needs --identity).
    #[arg(long, requires = "identity")]
    eap_aka_prime_network: Option<String>,
    /// EAP identity for the EAP-AKA' key schedule, e.g. 0555444333222111.
    #[arg(long, requires = "eap_aka_prime_network")]
    identity: Option<String>,
}

/// The MILENAGE outputs the 5G derivations start from.
pub struct AkaOutputs<'a> {
    pub rand: &'a [u8; 16],
    pub res: &'a [u8],
    pub ck: &'a [u8; 16],
    pub ik: &'a [u8; 16],
    pub sqn_xor_ak: &'a [u8; 6],
}

/// The IMSI digits of an `imsi-` SUPI (TS 23.003 §28.7.2).
fn supi_digits(supi: &str) -> Result<&str, Failure> {
    let digits = supi.strip_prefix("imsi-").ok_or_else(|| {
        Failure::BadInput(format!("--supi: {supi:?} is not of the form imsi-<digits>"))
    })?;
    if !(6..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Failure::BadInput(format!(
            "--supi: {supi:?} needs 6 to 15 IMSI digits after imsi-"
        )));
    }
    Ok(digits)
}

/// Adds the requested 5G values through `put`.
pub fn extend(
    a: &FiveGArgs,
    m: &AkaOutputs<'_>,
    ops: &mut CryptoOps,
    put: &mut dyn FnMut(&str, &[u8]),
) -> Result<(), Failure> {
    if let Some(snn) = &a.snn {
        let snn = kdf_5g::ServingNetworkName::new(snn)
            .map_err(|e| Failure::BadInput(format!("--snn: {e}")))?;
        let res_star = kdf_5g::res_star(m.ck, m.ik, &snn, m.rand, m.res, ops)
            .map_err(|e| Failure::BadInput(format!("--snn: {e}")))?;
        put("res_star", &res_star);
        put("hres_star", &kdf_5g::hres_star(m.rand, &res_star, ops));
        let kausf = kdf_5g::kausf(m.ck, m.ik, &snn, m.sqn_xor_ak, ops);
        put("kausf", &kausf);
        let kseaf = kdf_5g::kseaf(&kausf, &snn, ops);
        put("kseaf", &kseaf);
        if let (Some(supi), Some(abba)) = (&a.supi, &a.abba) {
            let digits = supi_digits(supi)?;
            let abba = hex::decode(abba.trim())
                .map_err(|e| Failure::BadInput(format!("--abba: not hex ({e})")))?;
            let kamf = kdf_5g::kamf(&kseaf, digits.as_bytes(), &abba, ops)
                .map_err(|e| Failure::BadInput(format!("--abba: {e}")))?;
            put("kamf", &kamf);
        }
    }
    if let (Some(network), Some(identity)) = (&a.eap_aka_prime_network, &a.identity) {
        let (ck_p, ik_p) =
            eap_aka_prime::ck_ik_prime(m.ck, m.ik, network.as_bytes(), m.sqn_xor_ak, ops)
                .map_err(|e| Failure::BadInput(format!("--eap-aka-prime-network: {e}")))?;
        put("ck_prime", &ck_p);
        put("ik_prime", &ik_p);
        let keys = eap_aka_prime::Keys::derive(&ck_p, &ik_p, identity.as_bytes(), ops);
        put("k_encr", &keys.k_encr);
        put("k_aut", &keys.k_aut);
        put("k_re", &keys.k_re);
        put("msk", &keys.msk);
        put("emsk", &keys.emsk);
    }
    Ok(())
}
