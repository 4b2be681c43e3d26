//! The strict decoder's JSON reader: it reads a body only in the form the
//! hand-written writer (`sbi/json.rs`, serde_json's text) gives it, so a
//! body it accepts is one whose re-encoding is the received text, and it
//! refuses every other text. That is the set the strict check accepted
//! before (serde_json's parse, then `encode(decode(b)) == b`): the same
//! fields in declaration order, optional fields present only when they are
//! `Some` (no explicit `null`), map keys strictly increasing, no
//! whitespace, numbers without leading zeros, fraction or exponent, and
//! in strings only the escapes serde_json writes (`\"`, `\\`, `\b`, `\t`,
//! `\n`, `\f`, `\r` and `\u00xx` in lowercase for the other control
//! characters), with valid UTF-8 between them.
//!
//! Why: the serde_json parse and the re-encoding it needed for the check
//! were a fifth of the SBI codec's cost in the 5G storm's profile
//! (docs/performance.md). `sbi::tests::the_strict_check_accepts_exactly_the_canonical_encodings`
//! compares this reader with serde_json's parse followed by the full
//! re-encoding on every sample, its bit flips, insertions and removals.

use std::collections::BTreeMap;

use super::{
    AuthResult, AuthType, AuthenticationInfo, AuthenticationInfoRequest, AuthenticationInfoResult,
    AuthenticationVector, Av5gAka, Av5gHeAka, AvEapAkaPrime, ConfirmationData,
    ConfirmationDataResponse, EapSession, Link, ProblemDetails, ResynchronizationInfo,
    UeAuthenticationCtx, UeAuthenticationCtxEap,
};

/// Where reading stopped: the offset in the JSON text.
pub(super) type Stop = usize;

/// A reader over one JSON text.
pub(super) struct Reader<'a> {
    text: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(text: &'a [u8]) -> Self {
        Reader { text, at: 0 }
    }

    /// Whether the text continues with `lit` (consumed if so).
    fn next_is(&mut self, lit: &[u8]) -> bool {
        if self.text[self.at..].starts_with(lit) {
            self.at += lit.len();
            true
        } else {
            false
        }
    }

    /// `lit`, or a stop here.
    fn expect(&mut self, lit: &[u8]) -> Result<(), Stop> {
        if self.next_is(lit) {
            Ok(())
        } else {
            Err(self.at)
        }
    }

    /// The whole text has been read.
    pub(super) fn end(&self) -> Result<(), Stop> {
        if self.at == self.text.len() {
            Ok(())
        } else {
            Err(self.at)
        }
    }

    /// A string in serde_json's form.
    fn string(&mut self) -> Result<String, Stop> {
        self.expect(b"\"")?;
        let start = self.at;
        let rest = &self.text[start..];
        // The usual case: no escape before the closing quote.
        let run = super::json::first_escaped(rest).ok_or(self.text.len())?;
        let mut out = rest[..run].to_vec();
        self.at = start + run;
        loop {
            let b = self.text.get(self.at).copied().ok_or(self.at)?;
            match b {
                b'"' => break,
                b'\\' => {
                    let e = self.text.get(self.at + 1).copied().ok_or(self.at)?;
                    let (octet, len) = match e {
                        b'"' => (b'"', 2),
                        b'\\' => (b'\\', 2),
                        b'b' => (0x08, 2),
                        b't' => (0x09, 2),
                        b'n' => (0x0a, 2),
                        b'f' => (0x0c, 2),
                        b'r' => (0x0d, 2),
                        b'u' => (self.control_escape()?, 6),
                        _ => return Err(self.at),
                    };
                    out.push(octet);
                    self.at += len;
                }
                0x00..=0x1f => return Err(self.at),
                _ => {
                    out.push(b);
                    self.at += 1;
                }
            }
        }
        let s = String::from_utf8(out).map_err(|_| start)?;
        self.at += 1;
        Ok(s)
    }

    /// The octet of `\u00xx` at the reader (lowercase hex), if serde_json
    /// writes that control character this way (not one with a short escape).
    fn control_escape(&self) -> Result<u8, Stop> {
        const LOWER_HEX: &[u8; 16] = b"0123456789abcdef";
        let e = self.text.get(self.at..self.at + 6).ok_or(self.at)?;
        if &e[..4] != b"\\u00" {
            return Err(self.at);
        }
        let digit = |d: u8| LOWER_HEX.iter().position(|&x| x == d);
        match (digit(e[4]), digit(e[5])) {
            (Some(hi @ 0..=1), Some(lo)) => {
                let octet = (hi * 16 + lo) as u8;
                match octet {
                    0x08 | 0x09 | 0x0a | 0x0c | 0x0d => Err(self.at),
                    _ => Ok(octet),
                }
            }
            _ => Err(self.at),
        }
    }

    /// `,"name":` and a string, if the text continues with that key.
    fn opt_string(&mut self, key: &[u8]) -> Result<Option<String>, Stop> {
        if self.next_is(key) {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    /// A `u16` as serde_json writes it: decimal, no leading zero.
    fn u16(&mut self) -> Result<u16, Stop> {
        let start = self.at;
        let digits = self.text[start..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let d = &self.text[start..start + digits];
        if d.is_empty() || d.len() > 5 || (d[0] == b'0' && d.len() > 1) {
            return Err(start);
        }
        let v = d.iter().fold(0u32, |v, &c| v * 10 + u32::from(c - b'0'));
        let v = u16::try_from(v).map_err(|_| start)?;
        self.at += digits;
        Ok(v)
    }

    fn auth_type(&mut self) -> Result<AuthType, Stop> {
        if self.next_is(b"\"5G_AKA\"") {
            Ok(AuthType::FiveGAka)
        } else if self.next_is(b"\"EAP_AKA_PRIME\"") {
            Ok(AuthType::EapAkaPrime)
        } else {
            Err(self.at)
        }
    }

    fn auth_result(&mut self) -> Result<AuthResult, Stop> {
        if self.next_is(b"\"AUTHENTICATION_SUCCESS\"") {
            Ok(AuthResult::AuthenticationSuccess)
        } else if self.next_is(b"\"AUTHENTICATION_FAILURE\"") {
            Ok(AuthResult::AuthenticationFailure)
        } else {
            Err(self.at)
        }
    }

    fn resynchronization_info(&mut self) -> Result<ResynchronizationInfo, Stop> {
        self.expect(br#"{"rand":"#)?;
        let rand = self.string()?;
        self.expect(br#","auts":"#)?;
        let auts = self.string()?;
        self.expect(b"}")?;
        Ok(ResynchronizationInfo { rand, auts })
    }

    /// A `_links` map: keys strictly increasing (a `BTreeMap` writes them
    /// in order, and a repeated key would be written once).
    fn links(&mut self) -> Result<BTreeMap<String, Link>, Stop> {
        self.expect(b"{")?;
        let mut map = BTreeMap::new();
        if self.next_is(b"}") {
            return Ok(map);
        }
        loop {
            let at = self.at;
            let name = self.string()?;
            if map.last_key_value().is_some_and(|(k, _)| *k >= name) {
                return Err(at);
            }
            self.expect(br#":{"href":"#)?;
            let href = self.string()?;
            self.expect(b"}")?;
            map.insert(name, Link { href });
            if self.next_is(b"}") {
                return Ok(map);
            }
            self.expect(b",")?;
        }
    }

    pub(super) fn authentication_info(&mut self) -> Result<AuthenticationInfo, Stop> {
        self.expect(br#"{"supiOrSuci":"#)?;
        let supi_or_suci = self.string()?;
        self.expect(br#","servingNetworkName":"#)?;
        let serving_network_name = self.string()?;
        let resynchronization_info = if self.next_is(br#","resynchronizationInfo":"#) {
            Some(self.resynchronization_info()?)
        } else {
            None
        };
        self.expect(b"}")?;
        Ok(AuthenticationInfo {
            supi_or_suci,
            serving_network_name,
            resynchronization_info,
        })
    }

    pub(super) fn ue_authentication_ctx(&mut self) -> Result<UeAuthenticationCtx, Stop> {
        self.expect(br#"{"authType":"#)?;
        let auth_type = self.auth_type()?;
        self.expect(br#","5gAuthData":{"rand":"#)?;
        let rand = self.string()?;
        self.expect(br#","hxresStar":"#)?;
        let hxres_star = self.string()?;
        self.expect(br#","autn":"#)?;
        let autn = self.string()?;
        self.expect(br#"},"_links":"#)?;
        let links = self.links()?;
        let serving_network_name = self.opt_string(br#","servingNetworkName":"#)?;
        self.expect(b"}")?;
        Ok(UeAuthenticationCtx {
            auth_type,
            five_g_auth_data: Av5gAka {
                rand,
                hxres_star,
                autn,
            },
            links,
            serving_network_name,
        })
    }

    pub(super) fn ue_authentication_ctx_eap(&mut self) -> Result<UeAuthenticationCtxEap, Stop> {
        self.expect(br#"{"authType":"#)?;
        let auth_type = self.auth_type()?;
        self.expect(br#","5gAuthData":"#)?;
        let five_g_auth_data = self.string()?;
        self.expect(br#","_links":"#)?;
        let links = self.links()?;
        self.expect(b"}")?;
        Ok(UeAuthenticationCtxEap {
            auth_type,
            five_g_auth_data,
            links,
        })
    }

    pub(super) fn eap_session(&mut self) -> Result<EapSession, Stop> {
        self.expect(br#"{"eapPayload":"#)?;
        let eap_payload = self.string()?;
        let k_seaf = self.opt_string(br#","kSeaf":"#)?;
        let links = if self.next_is(br#","_links":"#) {
            Some(self.links()?)
        } else {
            None
        };
        let auth_result = if self.next_is(br#","authResult":"#) {
            Some(self.auth_result()?)
        } else {
            None
        };
        let supi = self.opt_string(br#","supi":"#)?;
        self.expect(b"}")?;
        Ok(EapSession {
            eap_payload,
            k_seaf,
            links,
            auth_result,
            supi,
        })
    }

    pub(super) fn confirmation_data(&mut self) -> Result<ConfirmationData, Stop> {
        self.expect(br#"{"resStar":"#)?;
        let res_star = self.string()?;
        self.expect(b"}")?;
        Ok(ConfirmationData { res_star })
    }

    pub(super) fn confirmation_data_response(&mut self) -> Result<ConfirmationDataResponse, Stop> {
        self.expect(br#"{"authResult":"#)?;
        let auth_result = self.auth_result()?;
        let supi = self.opt_string(br#","supi":"#)?;
        let kseaf = self.opt_string(br#","kseaf":"#)?;
        self.expect(b"}")?;
        Ok(ConfirmationDataResponse {
            auth_result,
            supi,
            kseaf,
        })
    }

    pub(super) fn authentication_info_request(
        &mut self,
    ) -> Result<AuthenticationInfoRequest, Stop> {
        self.expect(br#"{"servingNetworkName":"#)?;
        let serving_network_name = self.string()?;
        let resynchronization_info = if self.next_is(br#","resynchronizationInfo":"#) {
            Some(self.resynchronization_info()?)
        } else {
            None
        };
        self.expect(br#","ausfInstanceId":"#)?;
        let ausf_instance_id = self.string()?;
        self.expect(b"}")?;
        Ok(AuthenticationInfoRequest {
            serving_network_name,
            resynchronization_info,
            ausf_instance_id,
        })
    }

    pub(super) fn authentication_info_result(&mut self) -> Result<AuthenticationInfoResult, Stop> {
        self.expect(br#"{"authType":"#)?;
        let auth_type = self.auth_type()?;
        self.expect(br#","authenticationVector":{"avType":"#)?;
        let authentication_vector = if self.next_is(br#""5G_HE_AKA","rand":"#) {
            let rand = self.string()?;
            self.expect(br#","xresStar":"#)?;
            let xres_star = self.string()?;
            self.expect(br#","autn":"#)?;
            let autn = self.string()?;
            self.expect(br#","kausf":"#)?;
            let kausf = self.string()?;
            AuthenticationVector::FiveGHeAka(Av5gHeAka {
                rand,
                xres_star,
                autn,
                kausf,
            })
        } else {
            self.expect(br#""EAP_AKA_PRIME","rand":"#)?;
            let rand = self.string()?;
            self.expect(br#","xres":"#)?;
            let xres = self.string()?;
            self.expect(br#","autn":"#)?;
            let autn = self.string()?;
            self.expect(br#","ckPrime":"#)?;
            let ck_prime = self.string()?;
            self.expect(br#","ikPrime":"#)?;
            let ik_prime = self.string()?;
            AuthenticationVector::EapAkaPrime(AvEapAkaPrime {
                rand,
                xres,
                autn,
                ck_prime,
                ik_prime,
            })
        };
        self.expect(br#"},"supi":"#)?;
        let supi = self.string()?;
        self.expect(b"}")?;
        Ok(AuthenticationInfoResult {
            auth_type,
            authentication_vector,
            supi,
        })
    }

    pub(super) fn problem_details(&mut self) -> Result<ProblemDetails, Stop> {
        self.expect(br#"{"status":"#)?;
        let status = self.u16()?;
        self.expect(br#","cause":"#)?;
        let cause = self.string()?;
        self.expect(b"}")?;
        Ok(ProblemDetails { status, cause })
    }
}
