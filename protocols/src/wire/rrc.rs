//! The RRC connection establishment messages of E-UTRA (TS 36.331 §6.2.2),
//! UPER-encoded as on the CCCH: the UE's RRCConnectionRequest (UL-CCCH) and
//! the eNB's RRCConnectionSetup or RRCConnectionReject (DL-CCCH). The
//! reject carries `waitTime` (1..16 s) and, for delay-tolerant access, the
//! Rel-10 `extendedWaitTime` (1..1800 s) that MME overload control asks for
//! (TS 23.401 §4.3.7.4.1, docs/protocols/overload.md).
//!
//! Only what authsim sends is decoded; anything else (another CCCH message,
//! a critical extension, an option authsim never sets) is a `WireError`
//! naming its octet.

use super::per::{BitReader, BitWriter};
use super::{Message, WireError, inherent_message_methods};

/// EstablishmentCause (TS 36.331 §6.2.2, Rel-10 values).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EstablishmentCause {
    Emergency = 0,
    HighPriorityAccess = 1,
    MtAccess = 2,
    MoSignalling = 3,
    MoData = 4,
    /// delayTolerantAccess-v1020: what MTC devices configured for low
    /// access priority use, and what OVERLOAD START can bar.
    DelayTolerantAccess = 5,
}

impl EstablishmentCause {
    fn from_bits(v: u64) -> Option<Self> {
        Some(match v {
            0 => Self::Emergency,
            1 => Self::HighPriorityAccess,
            2 => Self::MtAccess,
            3 => Self::MoSignalling,
            4 => Self::MoData,
            5 => Self::DelayTolerantAccess,
            _ => return None,
        })
    }
}

/// RRCConnectionRequest-r8: the UE's random 40-bit identity (no S-TMSI
/// before its first attach) and why it wants a connection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RrcConnectionRequest {
    /// ue-Identity randomValue, 40 bits.
    pub random_value: u64,
    pub cause: EstablishmentCause,
}

const RANDOM_BITS: u32 = 40;

impl Message for RrcConnectionRequest {
    fn kind(&self) -> &'static str {
        "RRCConnectionRequest"
    }
    fn encoded_len(&self) -> usize {
        6
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        assert!(
            self.random_value < 1 << RANDOM_BITS,
            "randomValue is 40 bits"
        );
        let mut w = BitWriter::default();
        w.put(0, 1); // UL-CCCH-MessageType: c1
        w.put(1, 1); // c1: rrcConnectionRequest
        w.put(0, 1); // criticalExtensions: rrcConnectionRequest-r8
        w.put(1, 1); // InitialUE-Identity: randomValue
        w.put(self.random_value, RANDOM_BITS);
        w.put(self.cause as u64, 3);
        w.put(0, 1); // spare
        out.extend_from_slice(&w.finish());
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = BitReader::new(pdu);
        r.expect(1, 0, "UL-CCCH-MessageType", "messageClassExtension")?;
        r.expect(1, 1, "c1", "not an RRCConnectionRequest")?;
        r.expect(1, 0, "criticalExtensions", "criticalExtensionsFuture")?;
        r.expect(1, 1, "ue-Identity", "s-TMSI (authsim's UEs have none)")?;
        let random_value = r.get(RANDOM_BITS, "randomValue")?;
        let at = 5;
        let cause = EstablishmentCause::from_bits(r.get(3, "establishmentCause")?)
            .ok_or(WireError::new(at, "establishmentCause", "spare value"))?;
        r.expect(1, 0, "spare", "not zero")?;
        r.end()?;
        Ok(Self {
            random_value,
            cause,
        })
    }
}

/// RRCConnectionSetup-r8 with the default SRB1 configuration (TS 36.331
/// §9.2.1.1: `srb-Identity` 1, RLC and logical channel `defaultValue`):
/// the smallest setup a UE accepts. A real eNB adds its MAC and physical
/// layer configuration (docs/protocols/overload.md, "Simplified").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RrcConnectionSetup {
    /// rrc-TransactionIdentifier, 0..=3.
    pub transaction_id: u8,
}

/// RRCConnectionReject-r8: wait `wait_time_s` (T302, 1..=16 s) before the
/// next request; a delay-tolerant UE given `extended_wait_time_s`
/// (1..=1800 s, v1020) hands it to NAS as its T3346 instead (TS 24.301
/// §5.5.1.2.6).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RrcConnectionReject {
    pub wait_time_s: u8,
    pub extended_wait_time_s: Option<u16>,
}

/// A DL-CCCH message authsim sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DlCcch {
    Setup(RrcConnectionSetup),
    Reject(RrcConnectionReject),
}

/// c1 choices of DL-CCCH-MessageType (2 bits).
const C1_REJECT: u64 = 2;
const C1_SETUP: u64 = 3;
/// extendedWaitTime-r10 INTEGER (1..1800): 11 bits.
const EXTENDED_WAIT_BITS: u32 = 11;
pub const MAX_EXTENDED_WAIT_S: u16 = 1800;

impl DlCcch {
    fn bits(&self) -> BitWriter {
        let mut w = BitWriter::default();
        w.put(0, 1); // DL-CCCH-MessageType: c1
        match self {
            DlCcch::Setup(s) => {
                assert!(s.transaction_id < 4, "rrc-TransactionIdentifier is 0..=3");
                w.put(C1_SETUP, 2);
                w.put(u64::from(s.transaction_id), 2);
                w.put(0, 1); // criticalExtensions: c1
                w.put(0, 3); // c1: rrcConnectionSetup-r8
                w.put(0, 1); // nonCriticalExtension absent
                // RadioResourceConfigDedicated: no extension; only
                // srb-ToAddModList of the six options.
                w.put(0, 1);
                w.put(0b100000, 6);
                w.put(0, 1); // one SRB-ToAddMod
                w.put(0, 1); // SRB-ToAddMod: no extension
                w.put(0b11, 2); // rlc-Config, logicalChannelConfig present
                w.put(0, 1); // srb-Identity 1
                w.put(1, 1); // rlc-Config: defaultValue
                w.put(1, 1); // logicalChannelConfig: defaultValue
            }
            DlCcch::Reject(r) => {
                assert!((1..=16).contains(&r.wait_time_s), "waitTime is 1..=16");
                w.put(C1_REJECT, 2);
                w.put(0, 1); // criticalExtensions: c1
                w.put(0, 2); // c1: rrcConnectionReject-r8
                w.put(u64::from(r.extended_wait_time_s.is_some()), 1);
                w.put(u64::from(r.wait_time_s - 1), 4);
                if let Some(e) = r.extended_wait_time_s {
                    assert!(
                        (1..=MAX_EXTENDED_WAIT_S).contains(&e),
                        "extendedWaitTime is 1..=1800"
                    );
                    w.put(0b01, 2); // v8a0: nonCriticalExtension only
                    w.put(0b10, 2); // v1020: extendedWaitTime-r10 only
                    w.put(u64::from(e - 1), EXTENDED_WAIT_BITS);
                }
            }
        }
        w
    }
}

impl Message for DlCcch {
    fn kind(&self) -> &'static str {
        match self {
            DlCcch::Setup(_) => "RRCConnectionSetup",
            DlCcch::Reject(_) => "RRCConnectionReject",
        }
    }
    fn encoded_len(&self) -> usize {
        match self {
            DlCcch::Setup(_) => 3,
            DlCcch::Reject(r) if r.extended_wait_time_s.is_some() => 4,
            DlCcch::Reject(_) => 2,
        }
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bits().finish());
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = BitReader::new(pdu);
        r.expect(1, 0, "DL-CCCH-MessageType", "messageClassExtension")?;
        let msg = match r.get(2, "c1")? {
            C1_SETUP => {
                let transaction_id = r.get(2, "rrc-TransactionIdentifier")? as u8;
                r.expect(1, 0, "criticalExtensions", "criticalExtensionsFuture")?;
                r.expect(3, 0, "c1", "spare critical extension")?;
                r.expect(1, 0, "nonCriticalExtension", "not supported")?;
                r.expect(1, 0, "RadioResourceConfigDedicated", "extension")?;
                r.expect(
                    6,
                    0b100000,
                    "RadioResourceConfigDedicated",
                    "options other than SRB1",
                )?;
                r.expect(1, 0, "srb-ToAddModList", "more than SRB1")?;
                r.expect(1, 0, "SRB-ToAddMod", "extension")?;
                r.expect(2, 0b11, "SRB-ToAddMod", "explicit or absent configuration")?;
                r.expect(1, 0, "srb-Identity", "not SRB1")?;
                r.expect(1, 1, "rlc-Config", "explicitValue")?;
                r.expect(1, 1, "logicalChannelConfig", "explicitValue")?;
                DlCcch::Setup(RrcConnectionSetup { transaction_id })
            }
            C1_REJECT => {
                r.expect(1, 0, "criticalExtensions", "criticalExtensionsFuture")?;
                r.expect(2, 0, "c1", "spare critical extension")?;
                let extended = r.get(1, "nonCriticalExtension")? == 1;
                let wait_time_s = r.get(4, "waitTime")? as u8 + 1;
                let extended_wait_time_s = if extended {
                    r.expect(
                        2,
                        0b01,
                        "RRCConnectionReject-v8a0-IEs",
                        "unsupported options",
                    )?;
                    r.expect(
                        2,
                        0b10,
                        "RRCConnectionReject-v1020-IEs",
                        "unsupported options",
                    )?;
                    let e = r.get(EXTENDED_WAIT_BITS, "extendedWaitTime-r10")? as u16 + 1;
                    if e > MAX_EXTENDED_WAIT_S {
                        return Err(WireError::new(2, "extendedWaitTime-r10", "above 1800 s"));
                    }
                    Some(e)
                } else {
                    None
                };
                DlCcch::Reject(RrcConnectionReject {
                    wait_time_s,
                    extended_wait_time_s,
                })
            }
            _ => return Err(WireError::new(0, "c1", "not a connection setup or reject")),
        };
        r.end()?;
        Ok(msg)
    }
}

inherent_message_methods!(RrcConnectionRequest, DlCcch);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_six_octets_with_its_cause_in_the_last() {
        let m = RrcConnectionRequest {
            random_value: 0x12_3456_789a,
            cause: EstablishmentCause::DelayTolerantAccess,
        };
        // 0 1 0 1 | 40 bits | 101 | 0
        assert_eq!(m.encode(), vec![0x51, 0x23, 0x45, 0x67, 0x89, 0xaa]);
        assert_eq!(RrcConnectionRequest::decode(&m.encode()).unwrap(), m);
        let spare = [0x51, 0x23, 0x45, 0x67, 0x89, 0xae];
        assert_eq!(
            RrcConnectionRequest::decode(&spare).unwrap_err().what,
            "establishmentCause"
        );
    }

    #[test]
    fn reject_carries_the_extended_wait_time_in_eleven_bits() {
        let m = DlCcch::Reject(RrcConnectionReject {
            wait_time_s: 16,
            extended_wait_time_s: Some(1800),
        });
        // 0 10 0 00, 1 1111, 01 10, 11100000111 (1799), pad
        assert_eq!(m.encode(), vec![0x43, 0xed, 0xc1, 0xc0]);
        assert_eq!(DlCcch::decode(&m.encode()).unwrap(), m);
        let plain = DlCcch::Reject(RrcConnectionReject {
            wait_time_s: 1,
            extended_wait_time_s: None,
        });
        assert_eq!(plain.encode(), vec![0x40, 0x00]);
        assert_eq!(DlCcch::decode(&plain.encode()).unwrap(), plain);
        // 1801 s is out of range.
        assert_eq!(
            DlCcch::decode(&[0x43, 0xed, 0xc2, 0x00]).unwrap_err().what,
            "extendedWaitTime-r10"
        );
    }

    #[test]
    fn setup_configures_srb1_by_default() {
        let m = DlCcch::Setup(RrcConnectionSetup { transaction_id: 1 });
        assert_eq!(m.encode().len(), m.encoded_len());
        assert_eq!(DlCcch::decode(&m.encode()).unwrap(), m);
        assert!(DlCcch::decode(&[0x00, 0x00]).is_err());
    }
}
