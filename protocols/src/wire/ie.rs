//! Information element helpers of TS 24.007 §11.2.1.1 (V, LV, LV-E, TV, TLV)
//! and the BCD digits of TS 24.008 §10.5.1.4 mobile identities, shared by the
//! EMM (`nas`) and MM (`mm`) codecs.

use super::{Reader, WireError};

/// Identity type values of TS 24.008 §10.5.1.4 / TS 24.301 §9.9.3.12.
pub const IDENTITY_IMSI: u8 = 0b001;
pub const IDENTITY_IMEISV: u8 = 0b011;
pub const IDENTITY_GUTI: u8 = 0b110;

/// One octet from two half octets: `high` in bits 8-5, `low` in bits 4-1.
pub fn half_octets(high: u8, low: u8) -> u8 {
    assert!(high <= 0x0f && low <= 0x0f, "half octet out of range");
    (high << 4) | low
}

/// A half-octet V (bits 4-1) whose upper half octet is spare (must be 0).
pub fn low_half_with_spare(r: &mut Reader<'_>, what: &'static str) -> Result<u8, WireError> {
    let at = r.offset();
    let octet = r.u8(what)?;
    if octet >> 4 != 0 {
        return Err(WireError::new(at, what, "spare half octet is not 0"));
    }
    Ok(octet)
}

/// Reads the IEI of an optional IE, which must be `iei`.
pub fn expect_iei(r: &mut Reader<'_>, iei: u8, what: &'static str) -> Result<(), WireError> {
    let at = r.offset();
    if r.u8(what)? != iei {
        return Err(WireError::new(at, what, "unexpected IEI"));
    }
    Ok(())
}

pub fn put_lv(out: &mut Vec<u8>, value: &[u8]) {
    let len = u8::try_from(value.len()).expect("LV value longer than 255 octets");
    out.push(len);
    out.extend_from_slice(value);
}

pub fn put_lv_e(out: &mut Vec<u8>, value: &[u8]) {
    let len = u16::try_from(value.len()).expect("LV-E value longer than 65535 octets");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(value);
}

/// An LV whose length must lie in `min..=max`.
pub fn lv_bounded<'a>(
    r: &mut Reader<'a>,
    min: usize,
    max: usize,
    what: &'static str,
) -> Result<&'a [u8], WireError> {
    let at = r.offset();
    let len = r.u8(what)? as usize;
    if !(min..=max).contains(&len) {
        return Err(WireError::new(at, what, "length out of range"));
    }
    r.bytes(len, what)
}

/// An LV of exactly `N` octets.
pub fn lv_array<const N: usize>(
    r: &mut Reader<'_>,
    what: &'static str,
) -> Result<[u8; N], WireError> {
    let value = lv_bounded(r, N, N, what)?;
    let mut a = [0u8; N];
    a.copy_from_slice(value);
    Ok(a)
}

pub fn lv_e<'a>(r: &mut Reader<'a>, what: &'static str) -> Result<&'a [u8], WireError> {
    let len = r.u16(what)? as usize;
    r.bytes(len, what)
}

/// Mobile identity digits (TS 24.008 §10.5.1.4): octet 1 carries digit 1 in
/// bits 8-5, the odd/even indicator in bit 4 and the type in bits 3-1; each
/// further octet carries two digits, low half first, with 0xF filling the last
/// high half when the number of digits is even.
///
/// # Panics
/// If `digits` is empty or contains a non-decimal character.
pub fn put_digits(out: &mut Vec<u8>, identity_type: u8, digits: &str) {
    let d = digits.as_bytes();
    assert!(
        d.iter().all(u8::is_ascii_digit),
        "identity digits must be 0-9"
    );
    assert!(!d.is_empty(), "identity has no digits");
    let digit = |i: usize| d[i] - b'0';
    let odd = d.len() % 2 == 1;
    out.push((digit(0) << 4) | (u8::from(odd) << 3) | identity_type);
    let mut i = 1;
    while i < d.len() {
        let high = if i + 1 < d.len() { digit(i + 1) } else { 0x0f };
        out.push((high << 4) | digit(i));
        i += 2;
    }
}

/// Octets [`put_digits`] writes for `n` digits.
pub const fn digits_len(n: usize) -> usize {
    1 + n / 2
}

/// Inverse of [`put_digits`]; `at` is the PDU offset of `v[0]`.
pub fn decode_digits(
    v: &[u8],
    at: usize,
    identity_type: u8,
    what: &'static str,
) -> Result<String, WireError> {
    let Some(&first) = v.first() else {
        return Err(WireError::new(at, what, "empty"));
    };
    if first & 0x07 != identity_type {
        return Err(WireError::new(at, what, "wrong identity type"));
    }
    let odd = first & 0x08 != 0;
    let mut digits = String::with_capacity(2 * v.len());
    let mut push = |nibble: u8, offset: usize| {
        if nibble > 9 {
            return Err(WireError::new(offset, what, "half octet is not a digit"));
        }
        digits.push(char::from(b'0' + nibble));
        Ok(())
    };
    push(first >> 4, at)?;
    for (i, &octet) in v.iter().enumerate().skip(1) {
        push(octet & 0x0f, at + i)?;
        let last = i == v.len() - 1;
        if last && !odd {
            if octet >> 4 != 0x0f {
                return Err(WireError::new(
                    at + i,
                    what,
                    "even number of digits needs filler 0xF",
                ));
            }
        } else {
            push(octet >> 4, at + i)?;
        }
    }
    if !odd && v.len() == 1 {
        return Err(WireError::new(
            at,
            what,
            "odd/even indicator says even for one digit",
        ));
    }
    Ok(digits)
}

/// Appends the value part of a mobile identity IE carrying `imsi`.
///
/// # Panics
/// If `imsi` does not have 6..=15 decimal digits (TS 23.003 §2.2).
pub fn put_imsi(out: &mut Vec<u8>, imsi: &str) {
    assert!(
        (6..=15).contains(&imsi.len()),
        "IMSI must have 6..=15 digits"
    );
    put_digits(out, IDENTITY_IMSI, imsi);
}

/// The value part of a TS 24.008 §10.5.1.4 mobile identity IE carrying an
/// IMSI (EMM's EPS mobile identity uses the same octets).
///
/// # Panics
/// If `imsi` does not have 6..=15 decimal digits.
pub fn encode_imsi_identity(imsi: &str) -> Vec<u8> {
    let mut v = Vec::with_capacity(digits_len(imsi.len()));
    put_imsi(&mut v, imsi);
    v
}

/// Decodes the value part of a mobile identity IE that must carry an IMSI;
/// `at` is the PDU offset of `v[0]` (for error offsets).
pub fn decode_imsi_identity(v: &[u8], at: usize) -> Result<String, WireError> {
    let imsi = decode_digits(v, at, IDENTITY_IMSI, "IMSI")?;
    if !(6..=15).contains(&imsi.len()) {
        return Err(WireError::new(at, "IMSI", "digit count not in 6..=15"));
    }
    Ok(imsi)
}

#[cfg(test)]
mod tests {
    use super::*;

    const IMSI: &str = "001010123456789";

    #[test]
    fn imsi_identity_matches_ts_24_008() {
        let v = encode_imsi_identity(IMSI);
        assert_eq!(hex::encode(&v), "0910101032547698");
        assert_eq!(v.len(), digits_len(IMSI.len()));
        assert_eq!(decode_imsi_identity(&v, 7).unwrap(), IMSI);
        assert_eq!(
            decode_imsi_identity(&[0xf6, 0, 0], 7).unwrap_err().offset,
            7
        );
        assert_eq!(decode_imsi_identity(&[], 9).unwrap_err().offset, 9);
    }
}
