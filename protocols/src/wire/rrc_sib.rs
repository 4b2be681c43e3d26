//! System information with access barring, UPER-encoded as on the
//! BCCH-DL-SCH (TS 36.331 §6.2.2 SystemInformation, §6.3.1 SIB2 and
//! SIB14): how the eNB tells every device of its cell at once whether, and
//! how hard, access is barred (docs/protocols/overload.md, "Access barring").
//!
//! - SIB2 carries `ac-BarringInfo` (ACB for mobile originating signalling,
//!   which an attach is) and the radio configuration every SIB2 must carry;
//!   authsim broadcasts one fixed configuration (`RadioDefaults`), the same
//!   in every message, since nothing in authsim reads it.
//! - SIB14 (Rel-11, an extension alternative of the SIB choice) carries the
//!   EAB parameters for all PLMNs (`eab-Common-r11`) or nothing (EAB off).
//!
//! Each SystemInformation message carries one SIB. Only what authsim sends
//! is decoded; anything else is a `WireError` naming its octet.

use super::per::{BitReader, BitWriter};
use super::{Message, WireError, inherent_message_methods};

/// ac-BarringFactor values (%), in the order of the enumeration.
pub const AC_BARRING_FACTORS: [u8; 16] =
    [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95];

/// ac-BarringFactor (one of [`AC_BARRING_FACTORS`]) and ac-BarringTime s4..s512.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AcBarringConfig {
    /// The probability (%) that a draw passes: one of [`AC_BARRING_FACTORS`].
    pub factor_pct: u8,
    /// ac-BarringTime: 4, 8, 16, .., 512 s.
    pub time_s: u16,
}

impl AcBarringConfig {
    /// Whether the values are ones the enumerations can carry.
    pub fn is_valid(&self) -> bool {
        AC_BARRING_FACTORS.contains(&self.factor_pct)
            && self.time_s.is_power_of_two()
            && (4..=512).contains(&self.time_s)
    }
    fn factor_index(&self) -> u64 {
        AC_BARRING_FACTORS
            .iter()
            .position(|&f| f == self.factor_pct)
            .expect("a factor of the enumeration") as u64
    }
    fn time_index(&self) -> u64 {
        u64::from(self.time_s.trailing_zeros() - 2)
    }
}

/// eab-Category-r11 (TS 22.011 §4.3.4): which devices configured for EAB
/// the bitmap applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EabCategory {
    /// a: all of them.
    All = 0,
    /// b: those not in their HPLMN nor an equivalent PLMN.
    Roaming = 1,
    /// c: those neither in their HPLMN nor in a PLMN listed as most
    /// preferred of their roaming country.
    RoamingNotPreferred = 2,
}

/// EAB-Config-r11: the category and one bit per access class 0..9 (bit
/// set: barred).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EabConfig {
    pub category: EabCategory,
    /// Bit `ac` (0..=9) set: access class `ac` is barred.
    pub barred_classes: u16,
}

/// One SystemInformation message on the BCCH-DL-SCH.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SystemInformation {
    /// SIB2: ACB for mobile originating signalling, if any; `t300_ms` is
    /// the cell's T300 (one of 100, 200, 300, 400, 600, 1000, 1500, 2000).
    Sib2 {
        mo_signalling: Option<AcBarringConfig>,
        t300_ms: u16,
    },
    /// SIB14: EAB for all PLMNs, or none.
    Sib14 { eab: Option<EabConfig> },
}

/// ue-TimersAndConstants t300/t301 values (ms).
const T300_MS: [u16; 8] = [100, 200, 300, 400, 600, 1000, 1500, 2000];

/// Whether `ms` is a T300 value SIB2 can broadcast.
pub fn t300_broadcastable(ms: u16) -> bool {
    T300_MS.contains(&ms)
}

/// The fixed radio part of SIB2 (`radioResourceConfigCommon` and the
/// other mandatory fields), field by field with its width in bits, in the
/// order of the ASN.1. Values: 52 contention preambles (the enumeration has
/// no 54, TR 37.868's count), preambleTransMax n10, ra-ResponseWindowSize
/// sf10, mac-ContentionResolutionTimer sf48, maxHARQ-Msg3Tx 5, PRACH
/// configuration index 6 (one opportunity per 5 ms), paging cycle rf128;
/// the rest are common defaults.
const RADIO: &[(&str, u64, u32)] = &[
    ("RadioResourceConfigCommonSIB extension", 0, 1),
    ("RACH-ConfigCommon extension", 0, 1),
    ("preamblesGroupAConfig", 0, 1),
    ("numberOfRA-Preambles", 12, 4),               // n52
    ("powerRampingStep", 1, 2),                    // dB2
    ("preambleInitialReceivedTargetPower", 10, 4), // dBm-100
    ("preambleTransMax", 6, 4),                    // n10
    ("ra-ResponseWindowSize", 7, 3),               // sf10
    ("mac-ContentionResolutionTimer", 5, 3),       // sf48
    ("maxHARQ-Msg3Tx", 4, 3),                      // 5
    ("modificationPeriodCoeff", 0, 2),             // n2
    ("defaultPagingCycle", 2, 2),                  // rf128
    ("nB", 2, 3),                                  // oneT
    ("rootSequenceIndex", 22, 10),
    ("prach-ConfigIndex", 6, 6),
    ("highSpeedFlag", 0, 1),
    ("zeroCorrelationZoneConfig", 5, 4),
    ("prach-FreqOffset", 2, 7),
    ("referenceSignalPower", 78, 7), // 18 dBm
    ("p-b", 0, 2),
    ("n-SB", 0, 2), // 1
    ("hoppingMode", 0, 1),
    ("pusch-HoppingOffset", 4, 7),
    ("enable64QAM", 0, 1),
    ("groupHoppingEnabled", 0, 1),
    ("groupAssignmentPUSCH", 0, 5),
    ("sequenceHoppingEnabled", 0, 1),
    ("cyclicShift", 0, 3),
    ("deltaPUCCH-Shift", 1, 2), // ds2
    ("nRB-CQI", 2, 7),
    ("nCS-AN", 0, 3),
    ("n1PUCCH-AN", 36, 11),
    ("soundingRS-UL-ConfigCommon", 0, 1), // release
    ("p0-NominalPUSCH", 41, 8),           // -85 dBm
    ("alpha", 5, 3),                      // 0.8
    ("p0-NominalPUCCH", 10, 5),           // -117 dBm
    ("deltaF-PUCCH-Format1", 1, 2),
    ("deltaF-PUCCH-Format1b", 0, 2),
    ("deltaF-PUCCH-Format2", 1, 2),
    ("deltaF-PUCCH-Format2a", 1, 2),
    ("deltaF-PUCCH-Format2b", 1, 2),
    ("deltaPreambleMsg3", 5, 3),     // 4 dB
    ("ul-CyclicPrefixLength", 0, 1), // len1
];

/// After t300: t301 ms1000, t310 ms1000, n310 n10, t311 ms10000, n311 n1.
const TIMERS_AFTER_T300: &[(&str, u64, u32)] = &[
    ("t301", 5, 3),
    ("t310", 5, 3),
    ("n310", 6, 3),
    ("t311", 3, 3),
    ("n311", 0, 3),
];

/// freqInfo (no ul-CarrierFreq, no ul-Bandwidth: as on the downlink,
/// additionalSpectrumEmission 1) and timeAlignmentTimerCommon infinity.
const AFTER_TIMERS: &[(&str, u64, u32)] = &[
    ("freqInfo options", 0, 2),
    ("additionalSpectrumEmission", 0, 5),
    ("timeAlignmentTimerCommon", 7, 3),
];

/// The sib-TypeAndInfo extension alternative of sib14-v1130.
const SIB14_EXTENSION_INDEX: u64 = 2;

impl SystemInformation {
    fn header(w: &mut BitWriter) {
        w.put(0, 1); // BCCH-DL-SCH-MessageType: c1
        w.put(0, 1); // c1: systemInformation
        w.put(0, 1); // criticalExtensions: systemInformation-r8
        w.put(0, 1); // nonCriticalExtension absent
        w.put(0, 5); // sib-TypeAndInfo: one element
    }

    fn bits(&self) -> BitWriter {
        let mut w = BitWriter::default();
        Self::header(&mut w);
        match self {
            SystemInformation::Sib2 {
                mo_signalling,
                t300_ms,
            } => {
                let t300 = T300_MS
                    .iter()
                    .position(|&t| t == *t300_ms)
                    .expect("t300 is broadcastable (checked by the scenario)");
                w.put(0, 1); // sib-TypeAndInfo choice: root
                w.put(0, 4); // sib2
                w.put(0, 1); // SIB2: no extension
                w.put(u64::from(mo_signalling.is_some()), 1); // ac-BarringInfo
                w.put(0, 1); // mbsfn-SubframeConfigList absent
                if let Some(acb) = mo_signalling {
                    assert!(acb.is_valid(), "ac-Barring values out of range");
                    w.put(0b10, 2); // MO-Signalling present, MO-Data absent
                    w.put(0, 1); // ac-BarringForEmergency: false
                    w.put(acb.factor_index(), 4);
                    w.put(acb.time_index(), 3);
                    w.put(0, 5); // ac-BarringForSpecialAC: none barred
                }
                for &(_, v, n) in RADIO {
                    w.put(v, n);
                }
                w.put(0, 1); // UE-TimersAndConstants: no extension
                w.put(t300 as u64, 3);
                for &(_, v, n) in TIMERS_AFTER_T300.iter().chain(AFTER_TIMERS) {
                    w.put(v, n);
                }
            }
            SystemInformation::Sib14 { eab } => {
                w.put(1, 1); // sib-TypeAndInfo choice: extension
                w.put(0, 1); // normally small index
                w.put(SIB14_EXTENSION_INDEX, 6);
                let inner = sib14_bits(eab);
                w.put(inner.len() as u64, 8); // open type length (< 128)
                for b in inner {
                    w.put(u64::from(b), 8);
                }
            }
        }
        w
    }
}

/// SystemInformationBlockType14-r11 as a complete encoding (octets).
fn sib14_bits(eab: &Option<EabConfig>) -> Vec<u8> {
    let mut w = BitWriter::default();
    w.put(0, 1); // no extension
    w.put(u64::from(eab.is_some()), 1); // eab-Param-r11
    w.put(0, 1); // lateNonCriticalExtension absent
    if let Some(e) = eab {
        assert!(e.barred_classes < 1 << 10, "ten access classes");
        w.put(0, 1); // eab-Common-r11
        w.put(e.category as u64, 2);
        w.put(u64::from(e.barred_classes.reverse_bits() >> 6), 10); // AC 0 first
    }
    w.finish()
}

fn expect_fields(
    r: &mut BitReader<'_>,
    fields: &[(&'static str, u64, u32)],
) -> Result<(), WireError> {
    for &(what, v, n) in fields {
        r.expect(n, v, what, "not authsim's fixed value")?;
    }
    Ok(())
}

/// An error inside the open type, its offset counted from the message's start.
fn shift(e: WireError, base: usize) -> WireError {
    WireError::new(e.offset + base, e.what, e.problem)
}

fn decode_sib14(pdu: &[u8], base: usize) -> Result<Option<EabConfig>, WireError> {
    let mut r = BitReader::new(pdu);
    r.expect(1, 0, "SystemInformationBlockType14-r11", "extension")
        .map_err(|e| shift(e, base))?;
    let present = r.get(1, "eab-Param-r11").map_err(|e| shift(e, base))? == 1;
    r.expect(1, 0, "lateNonCriticalExtension", "not supported")
        .map_err(|e| shift(e, base))?;
    let eab = if present {
        r.expect(1, 0, "eab-Param-r11", "eab-PerPLMN-List-r11")
            .map_err(|e| shift(e, base))?;
        let category = match r.get(2, "eab-Category-r11").map_err(|e| shift(e, base))? {
            0 => EabCategory::All,
            1 => EabCategory::Roaming,
            2 => EabCategory::RoamingNotPreferred,
            _ => return Err(WireError::new(base, "eab-Category-r11", "spare value")),
        };
        let bits = r
            .get(10, "eab-BarringBitmap-r11")
            .map_err(|e| shift(e, base))? as u16;
        Some(EabConfig {
            category,
            barred_classes: (bits << 6).reverse_bits(),
        })
    } else {
        None
    };
    r.end().map_err(|e| shift(e, base))?;
    Ok(eab)
}

impl Message for SystemInformation {
    fn kind(&self) -> &'static str {
        match self {
            SystemInformation::Sib2 { .. } => "SystemInformation(SIB2)",
            SystemInformation::Sib14 { .. } => "SystemInformation(SIB14)",
        }
    }
    fn encoded_len(&self) -> usize {
        match self {
            SystemInformation::Sib2 { mo_signalling, .. } => {
                let radio: u32 = RADIO.iter().map(|f| f.2).sum();
                let timers: u32 = TIMERS_AFTER_T300
                    .iter()
                    .chain(AFTER_TIMERS)
                    .map(|f| f.2)
                    .sum();
                let acb = if mo_signalling.is_some() { 15 } else { 0 };
                (9 + 3 + acb + radio + 4 + timers).div_ceil(8) as usize
            }
            SystemInformation::Sib14 { eab } => {
                let inner = if eab.is_some() { 2 } else { 1 };
                (9 + 8 + 8 + 8 * inner as u32).div_ceil(8) as usize
            }
        }
    }
    fn encode_into(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.bits().finish());
    }
    fn decode(pdu: &[u8]) -> Result<Self, WireError> {
        let mut r = BitReader::new(pdu);
        r.expect(1, 0, "BCCH-DL-SCH-MessageType", "messageClassExtension")?;
        r.expect(1, 0, "c1", "systemInformationBlockType1")?;
        r.expect(1, 0, "criticalExtensions", "criticalExtensionsFuture")?;
        r.expect(1, 0, "nonCriticalExtension", "not supported")?;
        r.expect(5, 0, "sib-TypeAndInfo", "more than one SIB")?;
        let msg = if r.get(1, "sib-TypeAndInfo")? == 0 {
            r.expect(4, 0, "sib-TypeAndInfo", "not SIB2")?;
            r.expect(1, 0, "SystemInformationBlockType2", "extension")?;
            let acb = r.get(1, "ac-BarringInfo")? == 1;
            r.expect(1, 0, "mbsfn-SubframeConfigList", "not supported")?;
            let mo_signalling = if acb {
                r.expect(2, 0b10, "ac-BarringInfo", "not MO signalling only")?;
                r.expect(1, 0, "ac-BarringForEmergency", "emergency barred")?;
                let factor_pct = AC_BARRING_FACTORS[r.get(4, "ac-BarringFactor")? as usize];
                let time_s = 4u16 << r.get(3, "ac-BarringTime")?;
                r.expect(5, 0, "ac-BarringForSpecialAC", "special classes barred")?;
                Some(AcBarringConfig { factor_pct, time_s })
            } else {
                None
            };
            expect_fields(&mut r, RADIO)?;
            r.expect(1, 0, "UE-TimersAndConstants", "extension")?;
            let t300_ms = T300_MS[r.get(3, "t300")? as usize];
            expect_fields(&mut r, TIMERS_AFTER_T300)?;
            expect_fields(&mut r, AFTER_TIMERS)?;
            SystemInformation::Sib2 {
                mo_signalling,
                t300_ms,
            }
        } else {
            r.expect(1, 0, "sib-TypeAndInfo", "extension index above 63")?;
            r.expect(6, SIB14_EXTENSION_INDEX, "sib-TypeAndInfo", "not SIB14")?;
            let len = r.get(8, "open type length")? as usize;
            if !(1..=2).contains(&len) {
                return Err(WireError::new(
                    3,
                    "open type length",
                    "not a SIB14 of authsim",
                ));
            }
            let mut inner = Vec::with_capacity(len);
            for _ in 0..len {
                inner.push(r.get(8, "SystemInformationBlockType14-r11")? as u8);
            }
            SystemInformation::Sib14 {
                eab: decode_sib14(&inner, 3)?,
            }
        };
        r.end()?;
        Ok(msg)
    }
}

inherent_message_methods!(SystemInformation);

#[cfg(test)]
mod tests {
    use super::*;

    fn sib2(acb: Option<AcBarringConfig>) -> SystemInformation {
        SystemInformation::Sib2 {
            mo_signalling: acb,
            t300_ms: 1000,
        }
    }

    #[test]
    fn sib2_round_trips_with_and_without_barring() {
        for acb in [
            None,
            Some(AcBarringConfig {
                factor_pct: 0,
                time_s: 4,
            }),
            Some(AcBarringConfig {
                factor_pct: 95,
                time_s: 512,
            }),
            Some(AcBarringConfig {
                factor_pct: 50,
                time_s: 16,
            }),
        ] {
            let m = sib2(acb);
            let b = m.encode();
            assert_eq!(b.len(), m.encoded_len());
            assert_eq!(SystemInformation::decode(&b).unwrap(), m);
        }
    }

    #[test]
    fn sib2_barring_bits_are_where_the_asn1_puts_them() {
        let m = sib2(Some(AcBarringConfig {
            factor_pct: 50,
            time_s: 16,
        }));
        // 0 0 0 0 00000 | 0 0000 | 0 1 0 | 10 0 1000 (p50) 010 (s16) 00000
        let b = m.encode();
        assert_eq!(b[0], 0x00);
        assert_eq!(b[1], 0b0000_0001);
        assert_eq!(b[2], 0b0100_1000);
        assert_eq!(b[3] >> 2, 0b01_0000);
        // The last factor index is p95.
        let mut high = b.clone();
        high[2] = 0b0100_1111;
        assert_eq!(
            SystemInformation::decode(&high).unwrap(),
            sib2(Some(AcBarringConfig {
                factor_pct: 95,
                time_s: 16
            }))
        );
        // A changed radio field is refused, naming it.
        let mut bad = b;
        bad[5] ^= 0x10;
        assert!(SystemInformation::decode(&bad).is_err());
    }

    #[test]
    fn sib14_carries_category_and_access_class_bitmap() {
        let m = SystemInformation::Sib14 {
            eab: Some(EabConfig {
                category: EabCategory::All,
                barred_classes: 0b00_0001_0011, // AC 0, 1, 4
            }),
        };
        let b = m.encode();
        // header 0 0 0 0 00000, 1 0 000010, length 00000010, then
        // 0 1 0 0 00 1100100000 (AC 0 first), pad
        assert_eq!(b, vec![0x00, 0x41, 0x01, 0x21, 0x90, 0x00]);
        assert_eq!(b.len(), m.encoded_len());
        assert_eq!(SystemInformation::decode(&b).unwrap(), m);
        let off = SystemInformation::Sib14 { eab: None };
        assert_eq!(SystemInformation::decode(&off.encode()).unwrap(), off);
        assert_eq!(off.encode().len(), off.encoded_len());
        // Category value 3 is a spare.
        let mut bad = b;
        bad[3] = 0x27;
        assert_eq!(
            SystemInformation::decode(&bad).unwrap_err().what,
            "eab-Category-r11"
        );
    }

    #[test]
    fn truncated_and_padded_pdus_are_refused() {
        let b = sib2(None).encode();
        for n in 0..b.len() {
            assert!(SystemInformation::decode(&b[..n]).is_err());
        }
        let mut long = b;
        long.push(0);
        assert!(SystemInformation::decode(&long).is_err());
    }
}
