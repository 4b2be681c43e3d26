//! A cache prefetch hint: the crate's only `unsafe` code.

/// Prefetches up to 512 bytes at `ptr` into all cache levels.
#[allow(unsafe_code)]
#[inline]
pub(crate) fn prefetch(ptr: *const u8, len: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let mut off = 0;
        while off < len.min(512) {
            // SAFETY: a prefetch is only a hint: it reads nothing and never
            // faults, whatever the address; SSE is part of x86-64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(ptr.wrapping_add(off).cast()) };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (ptr, len);
}
