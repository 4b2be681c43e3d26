//! Diameter identities of the EPC nodes per TS 23.003 §19.4.2.3-4: the realm
//! `epc.mnc<MNC>.mcc<MCC>.3gppnetwork.org` (MNC padded to 3 digits) and
//! host names `<node>.<realm>`. MME and HSS take theirs from the same PLMN,
//! so the AIA's Origin-Realm is the realm the AIR was sent to.

/// The EPC realm of the PLMN whose digits (MCC + MNC) are `plmn_digits`.
pub fn epc_realm(plmn_digits: &str) -> String {
    let mcc = plmn_digits.get(..3).unwrap_or("001");
    let mnc = plmn_digits
        .get(3..)
        .and_then(|d| d.parse::<u32>().ok())
        .unwrap_or(1);
    format!("epc.mnc{mnc:03}.mcc{mcc}.3gppnetwork.org")
}

/// The Diameter host name of `node` (`mme`, `hss`) in that realm.
pub fn epc_host(node: &str, plmn_digits: &str) -> String {
    format!("{node}.{}", epc_realm(plmn_digits))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realms_follow_ts_23_003() {
        assert_eq!(epc_realm("00101"), "epc.mnc001.mcc001.3gppnetwork.org");
        assert_eq!(epc_realm("310410"), "epc.mnc410.mcc310.3gppnetwork.org");
        assert_eq!(
            epc_host("hss", "00101"),
            "hss.epc.mnc001.mcc001.3gppnetwork.org"
        );
    }
}
