//! The bundled font and its one-time registration with plotters' `ab_glyph` text backend.
//!
//! plotters is built without system font support (`ttf` feature off), so every text
//! element would fail to render unless a font has been registered under the family name
//! the charts use. The font is DejaVu Sans, shipped in `plots/fonts/` together with its
//! licence (`plots/fonts/LICENSE-DejaVu.txt`).

use std::sync::OnceLock;

use plotters::style::{FontStyle, register_font};

/// Family name under which the font is registered; all text styles of this crate use it.
pub(crate) const FAMILY: &str = "sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence with public-domain DejaVu changes).
pub(crate) static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

static REGISTERED: OnceLock<bool> = OnceLock::new();

/// Registers the bundled font exactly once per process; returns whether it is usable.
///
/// Thread-safe: concurrent callers (e.g. several rayon workers drawing charts) block on the
/// `OnceLock` until the first registration finished and then all see the same result.
/// Only the normal style is registered: plotters falls back to it for bold/italic requests.
pub(crate) fn ensure_registered() -> bool {
    *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registration_is_idempotent_and_thread_safe() {
        let handles: Vec<_> = (0..4)
            .map(|_| std::thread::spawn(ensure_registered))
            .collect();
        for h in handles {
            assert!(h.join().unwrap());
        }
        assert!(ensure_registered());
    }
}
