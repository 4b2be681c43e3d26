//! A reader for the HPACK blocks (RFC 7541) this codec writes, without a
//! decoder object: every header the encoder sends is an indexed field or a
//! literal without indexing whose name is in the static table, and its
//! values are plain string literals (no Huffman coding), so such a block
//! is read from the static table and slices of the block alone.
//!
//! Why: `loona-hpack` builds a decoder (its dynamic table) for every block
//! and copies each value the codec keeps into a `Vec`; in the 5G storm's
//! profile that was the largest part of decoding an SBI message after the
//! JSON (docs/performance.md, "fifth round").
//!
//! The reader takes only those representations; for anything else (a
//! Huffman-coded string, a literal name, an index past the static table,
//! a literal with incremental indexing, a table size update, a malformed
//! integer or string) it gives up and the caller decodes the block with
//! `loona-hpack` as before, so the accepted blocks, the values read from
//! them and the errors are the same (`sbi::tests::fast_hpack_reader_agrees_with_loona_hpack`).

/// The static table of RFC 7541 Appendix A, as `loona-hpack` has it
/// (indices from 1).
const STATIC_TABLE: [(&[u8], &[u8]); 61] = [
    (b":authority", b""),
    (b":method", b"GET"),
    (b":method", b"POST"),
    (b":path", b"/"),
    (b":path", b"/index.html"),
    (b":scheme", b"http"),
    (b":scheme", b"https"),
    (b":status", b"200"),
    (b":status", b"204"),
    (b":status", b"206"),
    (b":status", b"304"),
    (b":status", b"400"),
    (b":status", b"404"),
    (b":status", b"500"),
    (b"accept-charset", b""),
    (b"accept-encoding", b"gzip, deflate"),
    (b"accept-language", b""),
    (b"accept-ranges", b""),
    (b"accept", b""),
    (b"access-control-allow-origin", b""),
    (b"age", b""),
    (b"allow", b""),
    (b"authorization", b""),
    (b"cache-control", b""),
    (b"content-disposition", b""),
    (b"content-encoding", b""),
    (b"content-language", b""),
    (b"content-length", b""),
    (b"content-location", b""),
    (b"content-range", b""),
    (b"content-type", b""),
    (b"cookie", b""),
    (b"date", b""),
    (b"etag", b""),
    (b"expect", b""),
    (b"expires", b""),
    (b"from", b""),
    (b"host", b""),
    (b"if-match", b""),
    (b"if-modified-since", b""),
    (b"if-none-match", b""),
    (b"if-range", b""),
    (b"if-unmodified-since", b""),
    (b"last-modified", b""),
    (b"link", b""),
    (b"location", b""),
    (b"max-forwards", b""),
    (b"proxy-authenticate", b""),
    (b"proxy-authorization", b""),
    (b"range", b""),
    (b"referer", b""),
    (b"refresh", b""),
    (b"retry-after", b""),
    (b"server", b""),
    (b"set-cookie", b""),
    (b"strict-transport-security", b""),
    (b"transfer-encoding", b""),
    (b"user-agent", b""),
    (b"vary", b""),
    (b"via", b""),
    (b"www-authenticate", b""),
];

/// An HPACK integer with an `n`-bit prefix at the start of `buf`: (value,
/// octets), decoded as `loona-hpack` decodes it (at most 5 octets), or
/// `None` where it would fail.
fn integer(buf: &[u8], n: u32) -> Option<(usize, usize)> {
    let mask = (1u8 << n) - 1;
    let mut value = usize::from(*buf.first()? & mask);
    if value < usize::from(mask) {
        return Some((value, 1));
    }
    let mut m = 0;
    for (i, &b) in buf.iter().enumerate().skip(1) {
        value += usize::from(b & 127) << m;
        m += 7;
        if b & 128 == 0 {
            return Some((value, i + 1));
        }
        if i + 1 == 5 {
            return None;
        }
    }
    None
}

/// The static entry at `index` (from 1), if there is one.
fn entry(index: usize) -> Option<(&'static [u8], &'static [u8])> {
    STATIC_TABLE.get(index.checked_sub(1)?).copied()
}

/// Calls `header` with each (name, value) of `block` in order, if every
/// field of it is one this reader takes (see the module comment); `None`
/// as soon as one is not (`header` may then have been called for the
/// fields before it).
pub(super) fn read<'a>(block: &'a [u8], mut header: impl FnMut(&[u8], &'a [u8])) -> Option<()> {
    let mut at = 0;
    while let Some(&first) = block.get(at) {
        let rest = &block[at..];
        if first & 0x80 != 0 {
            // Indexed header field (RFC 7541 §6.1).
            let (index, used) = integer(rest, 7)?;
            let (name, value) = entry(index)?;
            header(name, value);
            at += used;
        } else if first & 0xe0 == 0 {
            // Literal without indexing (0000) or never indexed (0001), with
            // an indexed name (§6.2.2, §6.2.3).
            let (index, used) = integer(rest, 4)?;
            let (name, _) = entry(index)?;
            let string = &rest[used..];
            if string.first()? & 0x80 != 0 {
                return None; // Huffman-coded
            }
            let (len, len_used) = integer(string, 7)?;
            let value = string.get(len_used..len_used.checked_add(len)?)?;
            header(name, value);
            at += used + len_used + len;
        } else {
            return None;
        }
    }
    Some(())
}

/// Appends what a fresh `loona-hpack` encoder writes for the header
/// (`name`, `value`), for the names this codec sends (the pseudo-headers,
/// `content-type` and `location`, all in the static table), without its
/// scan of the whole table; `false` (nothing written) for any other name.
///
/// That encoder looks for the first static entry equal to the whole
/// header and writes its index (RFC 7541 §6.1, 7-bit prefix after `1`);
/// otherwise it writes a literal without indexing (§6.2.2, 4-bit prefix
/// after `0000`) with the index of the *last* entry of that name and the
/// value as a string literal without Huffman coding (7-bit length prefix).
/// Nothing enters a dynamic table, so each header's octets do not depend
/// on the ones before it (`sbi::tests::hpack_fields_are_loona_hpacks`).
pub(super) fn write(name: &[u8], value: &[u8], out: &mut Vec<u8>) -> bool {
    // The static entries of each name (RFC 7541 Appendix A).
    let (first, last) = match name {
        b":authority" => (1, 1),
        b":method" => (2, 3),
        b":path" => (4, 5),
        b":scheme" => (6, 7),
        b":status" => (8, 14),
        b"content-type" => (31, 31),
        b"location" => (46, 46),
        _ => return false,
    };
    if let Some(i) = (first..=last).find(|&i| STATIC_TABLE[i - 1].1 == value) {
        out.push(0x80);
        integer_into(i, 7, out);
        return true;
    }
    out.push(0x00);
    integer_into(last, 4, out);
    out.push(0x00);
    integer_into(value.len(), 7, out);
    out.extend_from_slice(value);
    true
}

/// An HPACK integer (RFC 7541 §5.1) with an `n`-bit prefix, or-ed into
/// the last octet of `out` (which holds the representation's leading bits).
fn integer_into(mut value: usize, n: u32, out: &mut Vec<u8>) {
    let max = (1usize << n) - 1;
    let last = out.len() - 1;
    if value < max {
        out[last] |= value as u8;
        return;
    }
    out[last] |= max as u8;
    value -= max;
    while value >= 128 {
        out.push((value % 128 + 128) as u8);
        value /= 128;
    }
    out.push(value as u8);
}
