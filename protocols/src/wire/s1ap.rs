//! The two S1AP procedures of MME overload control (TS 36.413 §8.7.6,
//! §8.7.7), APER-encoded by hand (X.691 aligned variant): OVERLOAD START
//! (procedure code 34, id-OverloadStart) with the OverloadResponse IE (id 101) and optionally
//! the Traffic Load Reduction Indication (id 161, 1..99 %), and OVERLOAD
//! STOP (procedure code 35, id-OverloadStop) with no IE. Both are class 2 procedures of
//! criticality "ignore". authsim sends no GUMMEI list: the MME has one.
//!
//! Decoding is strict: another procedure, an unknown IE or an option
//! authsim never sets is a `WireError` naming its octet.

use super::{Message, WireError, inherent_message_methods};

pub const PROC_OVERLOAD_START: u8 = 34;
pub const PROC_OVERLOAD_STOP: u8 = 35;
const IE_OVERLOAD_RESPONSE: u16 = 101;
const IE_TRAFFIC_LOAD_REDUCTION: u16 = 161;
/// Criticality octets as APER writes them (2 bits, then alignment).
const CRIT_REJECT: u8 = 0x00;
const CRIT_IGNORE: u8 = 0x40;

/// OverloadAction (TS 36.413 §9.2.3.20); the last two are extension values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OverloadAction {
    /// "reject RRC connection establishments for non-emergency mobile
    /// originated data transfer".
    RejectNonEmergencyMoDt,
    RejectRrcCrSignalling,
    PermitEmergencySessionsAndMtOnly,
    PermitHighPrioritySessionsAndMtOnly,
    /// "reject RRC connection establishments for delay tolerant access" (Rel-10).
    RejectDelayTolerantAccess,
}

impl OverloadAction {
    /// The open-type content of the OverloadResponse CHOICE holding this
    /// action: CHOICE extension bit 0 (one root alternative: no index),
    /// then the extensible ENUMERATED (3 root values: 2 bits; extension
    /// values: bit 1 and a 7-bit normally small number).
    fn encode(self) -> [u8; 2] {
        match self {
            Self::RejectNonEmergencyMoDt => [0x00, 0],
            Self::RejectRrcCrSignalling => [0x10, 0],
            Self::PermitEmergencySessionsAndMtOnly => [0x20, 0],
            Self::PermitHighPrioritySessionsAndMtOnly => [0x40, 0x00],
            Self::RejectDelayTolerantAccess => [0x40, 0x80],
        }
    }
    fn len(self) -> usize {
        match self {
            Self::PermitHighPrioritySessionsAndMtOnly | Self::RejectDelayTolerantAccess => 2,
            _ => 1,
        }
    }
    fn decode(v: &[u8], at: usize) -> Result<Self, WireError> {
        let bad = WireError::new(
            at,
            "OverloadResponse",
            "not an OverloadAction authsim knows",
        );
        Ok(match v {
            [0x00] => Self::RejectNonEmergencyMoDt,
            [0x10] => Self::RejectRrcCrSignalling,
            [0x20] => Self::PermitEmergencySessionsAndMtOnly,
            [0x40, 0x00] => Self::PermitHighPrioritySessionsAndMtOnly,
            [0x40, 0x80] => Self::RejectDelayTolerantAccess,
            _ => return Err(bad),
        })
    }
}

/// An S1AP PDU of MME overload control.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum S1ap {
    OverloadStart {
        action: OverloadAction,
        /// Traffic Load Reduction Indication: the share (1..=99 %) of the
        /// barred traffic the eNB shall reject; `None`: all of it.
        traffic_load_reduction: Option<u8>,
    },
    OverloadStop,
}

impl S1ap {
    fn value_len(&self) -> usize {
        match self {
            // SEQUENCE extension bit + IE count (3 octets), then per IE:
            // id (2), criticality (1), length (1), value.
            S1ap::OverloadStart {
                action,
                traffic_load_reduction,
            } => 3 + 4 + action.len() + traffic_load_reduction.map_or(0, |_| 5),
            S1ap::OverloadStop => 3,
        }
    }
}

impl Message for S1ap {
    fn kind(&self) -> &'static str {
        match self {
            S1ap::OverloadStart { .. } => "OverloadStart",
            S1ap::OverloadStop => "OverloadStop",
        }
    }
    fn encoded_len(&self) -> usize {
        4 + self.value_len()
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        // initiatingMessage (extension bit 0, index 0 of 3), procedureCode,
        // criticality ignore, open type length (< 128: one octet).
        let code = match self {
            S1ap::OverloadStart { .. } => PROC_OVERLOAD_START,
            S1ap::OverloadStop => PROC_OVERLOAD_STOP,
        };
        out.extend_from_slice(&[0x00, code, CRIT_IGNORE, self.value_len() as u8]);
        match self {
            S1ap::OverloadStart {
                action,
                traffic_load_reduction,
            } => {
                let count = 1 + u16::from(traffic_load_reduction.is_some());
                out.push(0x00);
                out.extend_from_slice(&count.to_be_bytes());
                out.extend_from_slice(&IE_OVERLOAD_RESPONSE.to_be_bytes());
                out.extend_from_slice(&[CRIT_REJECT, action.len() as u8]);
                out.extend_from_slice(&action.encode()[..action.len()]);
                if let Some(p) = traffic_load_reduction {
                    assert!((1..=99).contains(p), "Traffic Load Reduction is 1..=99 %");
                    out.extend_from_slice(&IE_TRAFFIC_LOAD_REDUCTION.to_be_bytes());
                    // INTEGER (1..99): 7 bits, left-aligned in its octet.
                    out.extend_from_slice(&[CRIT_IGNORE, 1, (p - 1) << 1]);
                }
            }
            S1ap::OverloadStop => out.extend_from_slice(&[0x00, 0x00, 0x00]),
        }
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let head = pdu
            .get(..4)
            .ok_or(WireError::new(pdu.len(), "S1AP-PDU", "PDU ends early"))?;
        if head[0] != 0x00 {
            return Err(WireError::new(0, "S1AP-PDU", "not an initiatingMessage"));
        }
        if head[2] != CRIT_IGNORE {
            return Err(WireError::new(2, "criticality", "not ignore"));
        }
        if usize::from(head[3]) != pdu.len() - 4 {
            return Err(WireError::new(3, "value", "length differs from the PDU"));
        }
        let v = &pdu[4..];
        if v.len() < 3 || v[0] != 0x00 {
            return Err(WireError::new(4, "protocolIEs", "missing or extended"));
        }
        let count = u16::from_be_bytes([v[1], v[2]]);
        let mut at = 7;
        let mut ies = Vec::new();
        for _ in 0..count {
            let h = pdu.get(at..at + 4).ok_or(WireError::new(
                at,
                "ProtocolIE-Field",
                "PDU ends early",
            ))?;
            let (id, crit, len) = (u16::from_be_bytes([h[0], h[1]]), h[2], usize::from(h[3]));
            let value = pdu.get(at + 4..at + 4 + len).ok_or(WireError::new(
                at + 3,
                "ProtocolIE-Field",
                "value ends early",
            ))?;
            ies.push((at, id, crit, value));
            at += 4 + len;
        }
        if at != pdu.len() {
            return Err(WireError::new(
                at,
                "protocolIEs",
                "octets after the last IE",
            ));
        }
        match head[1] {
            PROC_OVERLOAD_STOP if ies.is_empty() => Ok(S1ap::OverloadStop),
            PROC_OVERLOAD_STOP => Err(WireError::new(7, "OverloadStop", "unexpected IE")),
            PROC_OVERLOAD_START => {
                let mut action = None;
                let mut traffic_load_reduction = None;
                for (at, id, crit, value) in ies {
                    match (id, crit) {
                        (IE_OVERLOAD_RESPONSE, CRIT_REJECT) if action.is_none() => {
                            action = Some(OverloadAction::decode(value, at + 4)?)
                        }
                        // After the OverloadResponse, as the ASN.1 lists them.
                        (IE_TRAFFIC_LOAD_REDUCTION, CRIT_IGNORE)
                            if action.is_some() && traffic_load_reduction.is_none() =>
                        {
                            match value {
                                [b] if b & 1 == 0 && (b >> 1) < 99 => {
                                    traffic_load_reduction = Some((b >> 1) + 1)
                                }
                                _ => {
                                    return Err(WireError::new(
                                        at + 4,
                                        "TrafficLoadReductionIndication",
                                        "not 1..99",
                                    ));
                                }
                            }
                        }
                        _ => return Err(WireError::new(at, "ProtocolIE-Field", "unexpected IE")),
                    }
                }
                let action = action.ok_or(WireError::new(
                    7,
                    "OverloadResponse",
                    "mandatory IE missing",
                ))?;
                Ok(S1ap::OverloadStart {
                    action,
                    traffic_load_reduction,
                })
            }
            _ => Err(WireError::new(
                1,
                "procedureCode",
                "not Overload Start or Stop",
            )),
        }
    }
}

inherent_message_methods!(S1ap);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overload_start_and_stop_bytes() {
        let start = S1ap::OverloadStart {
            action: OverloadAction::RejectNonEmergencyMoDt,
            traffic_load_reduction: None,
        };
        // initiatingMessage, code 34, ignore, 8 octets: no extension, 1 IE:
        // id 101, reject, 1 octet, reject-non-emergency-mo-dt.
        let want = [
            0x00, 0x22, 0x40, 0x08, 0x00, 0x00, 0x01, 0x00, 0x65, 0x00, 0x01, 0x00,
        ];
        assert_eq!(start.encode(), want);
        assert_eq!(S1ap::decode(&want).unwrap(), start);
        let stop = [0x00, 0x23, 0x40, 0x03, 0x00, 0x00, 0x00];
        assert_eq!(S1ap::OverloadStop.encode(), stop);
        assert_eq!(S1ap::decode(&stop).unwrap(), S1ap::OverloadStop);
    }

    #[test]
    fn delay_tolerant_action_and_load_reduction_round_trip() {
        let m = S1ap::OverloadStart {
            action: OverloadAction::RejectDelayTolerantAccess,
            traffic_load_reduction: Some(75),
        };
        let b = m.encode();
        assert_eq!(b.len(), m.encoded_len());
        assert_eq!(&b[11..13], &[0x40, 0x80]);
        assert_eq!(&b[13..], &[0x00, 0xa1, 0x40, 0x01, 74 << 1]);
        assert_eq!(S1ap::decode(&b).unwrap(), m);
        let mut bad = b.clone();
        bad[17] = 99 << 1;
        assert_eq!(S1ap::decode(&bad).unwrap_err().offset, 17);
    }

    #[test]
    fn other_procedures_are_refused_with_their_offset() {
        let mut b = S1ap::OverloadStop.encode();
        b[1] = 9;
        assert_eq!(S1ap::decode(&b).unwrap_err().offset, 1);
        assert!(S1ap::decode(&b[..5]).is_err());
    }
}
