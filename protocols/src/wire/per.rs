//! Bit-level helpers for the ASN.1 packed encoding rules: unaligned PER (RRC,
//! TS 36.331) writes fields bit after bit; aligned PER (S1AP, TS 36.413) is
//! written octet by octet in `s1ap.rs` and needs none of this.

use super::WireError;

/// Writes bits most significant first; [`BitWriter::finish`] pads the last
/// octet with zero bits (X.691 §11.1: a complete encoding is octets).
#[derive(Default)]
pub(crate) struct BitWriter {
    out: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    /// The `n` low bits of `v`, most significant first.
    pub(crate) fn put(&mut self, v: u64, n: u32) {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.out.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.out.len() - 1;
                self.out[last] |= 0x80 >> (self.bits % 8);
            }
            self.bits += 1;
        }
    }

    pub(crate) fn finish(self) -> Vec<u8> {
        self.out
    }
}

/// Reads bits most significant first; every read names its field on error.
pub(crate) struct BitReader<'a> {
    buf: &'a [u8],
    bit: usize,
}

impl<'a> BitReader<'a> {
    pub(crate) fn new(buf: &'a [u8]) -> Self {
        Self { buf, bit: 0 }
    }

    pub(crate) fn get(&mut self, n: u32, what: &'static str) -> Result<u64, WireError> {
        let mut v = 0u64;
        for _ in 0..n {
            let byte = *self.buf.get(self.bit / 8).ok_or(WireError::new(
                self.bit / 8,
                what,
                "PDU ends early",
            ))?;
            v = (v << 1) | u64::from((byte >> (7 - self.bit % 8)) & 1);
            self.bit += 1;
        }
        Ok(v)
    }

    /// A field whose value must be `want` (a CHOICE index, an absent option).
    pub(crate) fn expect(
        &mut self,
        n: u32,
        want: u64,
        what: &'static str,
        problem: &'static str,
    ) -> Result<(), WireError> {
        let at = self.bit / 8;
        if self.get(n, what)? != want {
            return Err(WireError::new(at, what, problem));
        }
        Ok(())
    }

    /// The encoding ends here: only zero padding up to the octet boundary.
    pub(crate) fn end(self) -> Result<(), WireError> {
        let octets = self.bit.div_ceil(8);
        if self.buf.len() != octets {
            return Err(WireError::new(
                octets,
                "padding",
                "octets after the message",
            ));
        }
        if !self.bit.is_multiple_of(8) && self.buf[octets - 1] & (0xff >> (self.bit % 8)) != 0 {
            return Err(WireError::new(
                octets - 1,
                "padding",
                "non-zero padding bits",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_and_pad_with_zeros() {
        let mut w = BitWriter::default();
        w.put(1, 1);
        w.put(0b101, 3);
        w.put(0x3ff, 10);
        let b = w.finish();
        assert_eq!(b, vec![0b1101_1111, 0b1111_1100]);
        let mut r = BitReader::new(&b);
        assert_eq!(r.get(1, "a").unwrap(), 1);
        assert_eq!(r.get(3, "b").unwrap(), 5);
        assert_eq!(r.get(10, "c").unwrap(), 0x3ff);
        r.end().unwrap();
        let mut r = BitReader::new(&[0b1000_0001]);
        r.get(1, "a").unwrap();
        assert_eq!(r.end().unwrap_err().problem, "non-zero padding bits");
    }
}
