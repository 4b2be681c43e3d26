//! The SUCI as a string on the SBI (TS 23.003 §28.7.3, TS 29.503 `SupiOrSuci`):
//! `suci-0-<MCC>-<MNC>-<routing indicator>-<scheme>-<HN key id>-<scheme output>`,
//! the scheme output being the MSIN digits for the null scheme and
//! lowercase hex for the ECIES profiles.

use crate::crypto::suci::msin_from_bcd;
use crate::wire::nas5g::identity::{SCHEME_NULL, Suci};

/// The string of a SUCI from a Registration Request, or `None` if a null
/// scheme output is not a BCD MSIN.
pub fn suci_string(s: &Suci) -> Option<String> {
    let output = if s.protection_scheme == SCHEME_NULL {
        msin_from_bcd(&s.scheme_output)?
    } else {
        hex::encode(&s.scheme_output)
    };
    Some(format!(
        "suci-0-{}-{}-{}-{}-{}-{}",
        s.plmn.mcc, s.plmn.mnc, s.routing_indicator, s.protection_scheme, s.hn_key_id, output
    ))
}

/// A SUCI string taken apart.
#[derive(Debug, PartialEq, Eq)]
pub struct SuciParts<'a> {
    pub mcc: &'a str,
    pub mnc: &'a str,
    pub scheme: u8,
    pub hn_key_id: u8,
    pub output: &'a str,
}

/// Parses `suci-0-...` (SUPI type IMSI only).
pub fn parse(s: &str) -> Option<SuciParts<'_>> {
    let mut it = s.strip_prefix("suci-0-")?.splitn(6, '-');
    let (mcc, mnc, _ri) = (it.next()?, it.next()?, it.next()?);
    let scheme = it.next()?.parse().ok()?;
    let hn_key_id = it.next()?.parse().ok()?;
    let output = it.next()?;
    Some(SuciParts {
        mcc,
        mnc,
        scheme,
        hn_key_id,
        output,
    })
}
