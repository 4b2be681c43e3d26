//! IMSIs of simulated subscribers: the PLMN's digits followed by the
//! subscriber index as a zero-padded MSIN, so every role can go from an
//! index to an IMSI and back without a lookup table.

/// IMSI of subscriber `index`: PLMN digits followed by a zero-padded MSIN.
pub fn imsi(plmn_digits: &str, index: u32) -> String {
    let mut s = String::with_capacity(15);
    imsi_into(&mut s, plmn_digits, index);
    s
}

/// [`imsi`] written into `out` (cleared first), reusing its buffer.
pub fn imsi_into(out: &mut String, plmn_digits: &str, index: u32) {
    out.clear();
    out.push_str(plmn_digits);
    push_zero_padded(out, index as u64, 15usize.saturating_sub(plmn_digits.len()));
}

/// Subscriber index from an IMSI built by [`imsi`].
pub fn imsi_index(plmn_digits: &str, imsi: &str) -> Option<u32> {
    imsi.strip_prefix(plmn_digits)?.parse().ok()
}

/// Appends `v` in decimal, zero-padded to at least `width` digits (what
/// `format!("{v:0width$}")` writes, without the formatting machinery).
pub(crate) fn push_zero_padded(out: &mut String, v: u64, width: usize) {
    // Right-aligned in a buffer wide enough for u64::MAX padded to `width`
    // (up to 32 digits), then appended at once.
    let mut buf = [b'0'; 32];
    let mut n = v;
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let start = start.min(buf.len().saturating_sub(width));
    for _ in buf.len()..width {
        out.push('0');
    }
    out.extend(buf[start..].iter().map(|&d| char::from(d)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_padding_matches_format() {
        for v in [
            0u64,
            1,
            9,
            10,
            42,
            999_999,
            1_000_000_000,
            9_999_999_999,
            12_345_678_901,
            u64::MAX,
        ] {
            for width in [0usize, 1, 5, 10, 12, 25, 32, 40] {
                let mut s = String::from("x");
                push_zero_padded(&mut s, v, width);
                assert_eq!(s, format!("x{v:0width$}"));
            }
        }
        for (plmn, index) in [
            ("00101", 0u32),
            ("00101", 42),
            ("310260", 7),
            ("00101", u32::MAX),
        ] {
            let msin_len = 15 - plmn.len();
            assert_eq!(imsi(plmn, index), format!("{plmn}{index:0msin_len$}"));
        }
    }

    #[test]
    fn index_round_trips_and_foreign_imsis_are_refused() {
        assert_eq!(imsi_index("00101", &imsi("00101", 1234)), Some(1234));
        assert_eq!(imsi_index("00101", &imsi("00102", 1234)), None);
        assert_eq!(imsi_index("00101", "00101abc"), None);
    }
}
