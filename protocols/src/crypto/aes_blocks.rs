//! Chained single-block AES-128 encryptions under one backend selection.
//!
//! The `aes` crate picks its backend on every call; on CPUs with VAES/AVX-512
//! that backend broadcasts all round keys into wide registers first, a cost
//! larger than one AES-NI block encryption. CMAC and other chained modes
//! encrypt one block at a time, so they run their whole chain inside one
//! backend call here and the round keys are prepared once.

use aes::Aes128Enc;
use aes::cipher::consts::U16;
use aes::cipher::{
    BlockCipherEncBackend, BlockCipherEncClosure, BlockCipherEncrypt, BlockSizeUser,
};

/// Runs `f` with a function that encrypts one 16-octet block in place.
pub fn with_block_encrypt<R>(
    cipher: &Aes128Enc,
    f: impl FnOnce(&mut dyn FnMut(&mut [u8; 16])) -> R,
) -> R {
    let mut out = None;
    cipher.encrypt_with_backend(Chain { f, out: &mut out });
    out.expect("the backend runs the closure exactly once")
}

struct Chain<'a, F, R> {
    f: F,
    out: &'a mut Option<R>,
}

impl<F, R> BlockSizeUser for Chain<'_, F, R> {
    type BlockSize = U16;
}

impl<F, R> BlockCipherEncClosure for Chain<'_, F, R>
where
    F: FnOnce(&mut dyn FnMut(&mut [u8; 16])) -> R,
{
    fn call<B: BlockCipherEncBackend<BlockSize = U16>>(self, backend: &B) {
        let mut encrypt = |block: &mut [u8; 16]| {
            let block: &mut aes::Block = block.into();
            backend.encrypt_block(block.into());
        };
        *self.out = Some((self.f)(&mut encrypt));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aes::cipher::KeyInit;

    /// FIPS 197 Appendix C.1 (AES-128), twice in a chain.
    #[test]
    fn matches_fips_197_and_the_plain_api() {
        let key: [u8; 16] = std::array::from_fn(|i| i as u8);
        let cipher = Aes128Enc::new(&key.into());
        let mut block: [u8; 16] = std::array::from_fn(|i| (i as u8) * 0x11);
        let mut again = block;
        let n = with_block_encrypt(&cipher, |enc| {
            enc(&mut block);
            let first = block;
            enc(&mut block);
            first
        });
        assert_eq!(hex::encode(n), "69c4e0d86a7b0430d8cdb78070b4c55a");
        cipher.encrypt_block((&mut again).into());
        cipher.encrypt_block((&mut again).into());
        assert_eq!(block, again);
    }
}
