//! The 5GS mobile identity IE (TS 24.501 §9.11.3.4) for the two identities
//! 5G-AKA needs: a SUCI in SUPI format IMSI (Registration Request) and a
//! 5G-GUTI (Registration Accept). The value part is returned and read here;
//! the messages frame it (LV-E in Registration Request, TLV-E elsewhere).

use crate::wire::{Reader, WireError};

/// Type of identity (bits 3-1 of the first value octet).
pub const TYPE_SUCI: u8 = 0b001;
pub const TYPE_5G_GUTI: u8 = 0b010;
/// SUPI format IMSI (bits 7-5 of the first octet of a SUCI).
pub const SUPI_FORMAT_IMSI: u8 = 0b000;
/// Protection scheme identifiers (TS 33.501 Annex C.1).
pub const SCHEME_NULL: u8 = 0;

/// MCC and MNC as decimal digits (MCC 3, MNC 2 or 3).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Plmn {
    pub mcc: String,
    pub mnc: String,
}

impl Plmn {
    /// `None` unless MCC has 3 digits and MNC 2 or 3.
    pub fn new(mcc: &str, mnc: &str) -> Option<Self> {
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        (mcc.len() == 3 && (2..=3).contains(&mnc.len()) && digits(mcc) && digits(mnc)).then(|| {
            Self {
                mcc: mcc.to_string(),
                mnc: mnc.to_string(),
            }
        })
    }

    /// The three octets of TS 24.008 §10.5.1.3: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1
    /// (MNC3 = 0xF for a two-digit MNC).
    pub fn encode(&self) -> [u8; 3] {
        let m: Vec<u8> = self.mcc.bytes().map(|b| b - b'0').collect();
        let n: Vec<u8> = self.mnc.bytes().map(|b| b - b'0').collect();
        let mnc3 = n.get(2).copied().unwrap_or(0xF);
        [(m[1] << 4) | m[0], (mnc3 << 4) | m[2], (n[1] << 4) | n[0]]
    }

    pub fn decode(b: [u8; 3], at: usize) -> Result<Self, WireError> {
        let nib = |o: u8, hi: bool| if hi { o >> 4 } else { o & 0xF };
        let digit = |v: u8, off: usize| {
            if v > 9 {
                Err(WireError::new(
                    at + off,
                    "MCC/MNC",
                    "half octet is not a digit",
                ))
            } else {
                Ok(char::from(b'0' + v))
            }
        };
        let mut mcc = String::with_capacity(3);
        mcc.push(digit(nib(b[0], false), 0)?);
        mcc.push(digit(nib(b[0], true), 0)?);
        mcc.push(digit(nib(b[1], false), 1)?);
        let mut mnc = String::with_capacity(3);
        mnc.push(digit(nib(b[2], false), 2)?);
        mnc.push(digit(nib(b[2], true), 2)?);
        if nib(b[1], true) != 0xF {
            mnc.push(digit(nib(b[1], true), 1)?);
        }
        Ok(Self { mcc, mnc })
    }
}

/// A SUCI with SUPI format IMSI (TS 24.501 figure 9.11.3.4.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suci {
    pub plmn: Plmn,
    /// Routing indicator, 1 to 4 decimal digits ("0" when none is provisioned).
    pub routing_indicator: String,
    /// Protection scheme identifier, 0..=15 (0 null scheme, 1 profile A, 2 profile B).
    pub protection_scheme: u8,
    /// Home network public key identifier (0 with the null scheme).
    pub hn_key_id: u8,
    /// The BCD MSIN (null scheme) or the ECIES scheme output.
    pub scheme_output: Vec<u8>,
}

/// 5G-GUTI (TS 24.501 figure 9.11.3.4.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Guti5g {
    /// MCC + MNC as encoded on the wire (see [`Plmn::encode`]).
    pub plmn: [u8; 3],
    pub amf_region_id: u8,
    /// 10 bits.
    pub amf_set_id: u16,
    /// 6 bits.
    pub amf_pointer: u8,
    pub tmsi: u32,
}

/// The identities modelled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MobileIdentity5gs {
    Suci(Suci),
    Guti(Guti5g),
}

impl MobileIdentity5gs {
    /// Octets of the value part.
    pub fn encoded_len(&self) -> usize {
        match self {
            Self::Suci(s) => 8 + s.scheme_output.len(),
            Self::Guti(_) => 11,
        }
    }

    /// Appends the value part.
    ///
    /// # Panics
    /// If a field is out of range (routing indicator not 1-4 digits, scheme
    /// above 15, AMF set id above 10 bits, AMF pointer above 6 bits).
    pub fn encode_into(&self, out: &mut Vec<u8>) {
        match self {
            Self::Suci(s) => {
                let ri = s.routing_indicator.as_bytes();
                assert!(
                    (1..=4).contains(&ri.len()) && ri.iter().all(u8::is_ascii_digit),
                    "routing indicator must have 1 to 4 digits"
                );
                assert!(s.protection_scheme <= 15, "protection scheme is 4 bits");
                let d = |i: usize| ri.get(i).map_or(0xF, |b| b - b'0');
                out.push((SUPI_FORMAT_IMSI << 4) | TYPE_SUCI);
                out.extend_from_slice(&s.plmn.encode());
                out.push((d(1) << 4) | d(0));
                out.push((d(3) << 4) | d(2));
                out.push(s.protection_scheme);
                out.push(s.hn_key_id);
                out.extend_from_slice(&s.scheme_output);
            }
            Self::Guti(g) => {
                assert!(g.amf_set_id < 1 << 10 && g.amf_pointer < 1 << 6);
                out.push(0xF0 | TYPE_5G_GUTI);
                out.extend_from_slice(&g.plmn);
                out.push(g.amf_region_id);
                let set_ptr = (g.amf_set_id << 6) | u16::from(g.amf_pointer);
                out.extend_from_slice(&set_ptr.to_be_bytes());
                out.extend_from_slice(&g.tmsi.to_be_bytes());
            }
        }
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.encoded_len());
        self.encode_into(&mut v);
        v
    }

    /// Reads a value part; `at` is the PDU offset of `v[0]`.
    pub fn decode(v: &[u8], at: usize) -> Result<Self, WireError> {
        let mut r = Reader::with_base(v, at);
        let first_at = r.offset();
        let first = r.u8("5GS mobile identity")?;
        match first & 0x07 {
            TYPE_SUCI => {
                if first & 0xF8 != 0 {
                    return Err(WireError::new(
                        first_at,
                        "5GS mobile identity",
                        "SUPI format other than IMSI or spare bit set",
                    ));
                }
                let plmn_at = r.offset();
                let plmn = Plmn::decode(r.array("SUCI: MCC/MNC")?, plmn_at)?;
                let ri_at = r.offset();
                let [a, b] = r.array::<2>("SUCI: routing indicator")?;
                let nibbles = [a & 0xF, a >> 4, b & 0xF, b >> 4];
                let len = nibbles.iter().take_while(|&&n| n != 0xF).count();
                if len == 0
                    || nibbles[..len].iter().any(|&n| n > 9)
                    || nibbles[len..].iter().any(|&n| n != 0xF)
                {
                    return Err(WireError::new(
                        ri_at,
                        "SUCI: routing indicator",
                        "not 1 to 4 digits with 0xF filler",
                    ));
                }
                let routing_indicator = nibbles[..len]
                    .iter()
                    .map(|&n| char::from(b'0' + n))
                    .collect();
                let ps_at = r.offset();
                let protection_scheme = r.u8("SUCI: protection scheme id")?;
                if protection_scheme > 15 {
                    return Err(WireError::new(
                        ps_at,
                        "SUCI: protection scheme id",
                        "spare bits set",
                    ));
                }
                let hn_key_id = r.u8("SUCI: home network public key identifier")?;
                Ok(Self::Suci(Suci {
                    plmn,
                    routing_indicator,
                    protection_scheme,
                    hn_key_id,
                    scheme_output: r.rest().to_vec(),
                }))
            }
            TYPE_5G_GUTI => {
                if first != 0xF0 | TYPE_5G_GUTI {
                    return Err(WireError::new(
                        first_at,
                        "5GS mobile identity",
                        "5G-GUTI needs 1111 in bits 8-5 and bit 4 spare",
                    ));
                }
                let plmn = r.array("5G-GUTI: MCC/MNC")?;
                let amf_region_id = r.u8("5G-GUTI: AMF region id")?;
                let set_ptr = r.u16("5G-GUTI: AMF set id")?;
                let tmsi = r.u32("5G-GUTI: 5G-TMSI")?;
                r.finish("5G-GUTI")?;
                Ok(Self::Guti(Guti5g {
                    plmn,
                    amf_region_id,
                    amf_set_id: set_ptr >> 6,
                    amf_pointer: (set_ptr & 0x3F) as u8,
                    tmsi,
                }))
            }
            _ => Err(WireError::new(
                first_at,
                "5GS mobile identity",
                "type of identity not modelled (SUCI and 5G-GUTI are)",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The SUCI of TS 33.501 Annex C.4.3.1 with routing indicator 678 and key
    /// id 27, as free5GC/open5gs write it: suci-0-274-012-678-1-27-<output>.
    #[test]
    fn suci_profile_a_annex_c4() {
        let output = hex::decode(
            "b2e92f836055a255837debf850b528997ce0201cb82adfe4be1f587d07d8457dcb02352410cddd9e730ef3fa87",
        )
        .unwrap();
        let id = MobileIdentity5gs::Suci(Suci {
            plmn: Plmn::new("274", "012").unwrap(),
            routing_indicator: "678".into(),
            protection_scheme: 1,
            hn_key_id: 27,
            scheme_output: output.clone(),
        });
        let v = id.encode();
        assert_eq!(v.len(), id.encoded_len());
        assert_eq!(hex::encode(&v[..8]), "0172241076f8011b");
        assert_eq!(v[8..], output[..]);
        assert_eq!(MobileIdentity5gs::decode(&v, 3).unwrap(), id);
    }

    #[test]
    fn null_scheme_and_two_digit_mnc() {
        let id = MobileIdentity5gs::Suci(Suci {
            plmn: Plmn::new("001", "01").unwrap(),
            routing_indicator: "0".into(),
            protection_scheme: SCHEME_NULL,
            hn_key_id: 0,
            scheme_output: vec![0x00, 0x00, 0x00, 0x00, 0x10],
        });
        let v = id.encode();
        assert_eq!(hex::encode(&v), "0100f110f0ff00000000000010");
        assert_eq!(MobileIdentity5gs::decode(&v, 0).unwrap(), id);
    }

    #[test]
    fn guti_round_trip() {
        let id = MobileIdentity5gs::Guti(Guti5g {
            plmn: Plmn::new("208", "93").unwrap().encode(),
            amf_region_id: 0xca,
            amf_set_id: 0x3f8,
            amf_pointer: 0x01,
            tmsi: 0x1234_5678,
        });
        let v = id.encode();
        assert_eq!(hex::encode(&v), "f202f839cafe0112345678");
        assert_eq!(MobileIdentity5gs::decode(&v, 0).unwrap(), id);
    }

    #[test]
    fn malformed_identities_name_offsets() {
        let e = MobileIdentity5gs::decode(&[0x03], 10).unwrap_err();
        assert_eq!(e.offset, 10);
        let e =
            MobileIdentity5gs::decode(&[0x01, 0x00, 0xf1, 0x10, 0xff, 0xff, 0, 0], 4).unwrap_err();
        assert_eq!((e.offset, e.what), (8, "SUCI: routing indicator"));
        let e = MobileIdentity5gs::decode(&[0x01, 0x0a, 0xf1, 0x10], 0).unwrap_err();
        assert_eq!(e.offset, 1);
        assert!(MobileIdentity5gs::decode(&[0xf2, 0, 0], 0).is_err());
        assert!(MobileIdentity5gs::decode(&[], 0).is_err());
    }
}
