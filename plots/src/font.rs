//! The bundled font: measured by plotters, drawn by resvg.
//!
//! The font is DejaVu Sans, shipped in `plots/fonts/` with its licence
//! (`plots/fonts/LICENSE-DejaVu.txt`). plotters lays text out (legend box, title height)
//! with the copy registered through its `ab_glyph` feature; the glyphs themselves are drawn
//! by resvg from the SVG, with a font database holding only this font, so the pictures do
//! not depend on the fonts installed on the machine.

use std::sync::{Arc, OnceLock};

use ab_glyph::{Font, FontRef};
use plotters::style::{FontStyle, register_font};
use resvg::usvg::fontdb::Database;

/// Family name plotters writes into the SVG; resvg resolves it to the bundled font.
pub(crate) const FAMILY: &str = "sans-serif";

/// DejaVu Sans 2.37 (Bitstream Vera licence with public-domain DejaVu changes).
static DEJAVU_SANS: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");

/// Registers the bundled font with plotters exactly once per process; returns whether it
/// is usable. Thread-safe: concurrent callers wait for the first registration.
pub(crate) fn ensure_registered() -> bool {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    *REGISTERED.get_or_init(|| register_font(FAMILY, FontStyle::Normal, DEJAVU_SANS).is_ok())
}

/// Width in pixels of `s` set at an em size of `em_px`, from the font's advance widths
/// (kerning, which resvg applies, only narrows it). plotters' own estimate, which it
/// uses for the legend box, is about 6 % wider.
pub(crate) fn text_width(s: &str, em_px: f64) -> f64 {
    static FACE: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let Some(face) = FACE.get_or_init(|| FontRef::try_from_slice(DEJAVU_SANS).ok()) else {
        return 0.0;
    };
    let units: f32 = s
        .chars()
        .map(|c| face.h_advance_unscaled(face.glyph_id(c)))
        .sum();
    f64::from(units) * em_px / f64::from(face.units_per_em().unwrap_or(2048.0))
}

/// The font database resvg draws text with: the bundled font only (no system fonts), also
/// answering for the generic `sans-serif` family. Built once per process.
pub(crate) fn database() -> Arc<Database> {
    static DB: OnceLock<Arc<Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = Database::new();
        db.load_font_data(DEJAVU_SANS.to_vec());
        let family = db
            .faces()
            .next()
            .and_then(|face| face.families.first())
            .map(|(name, _)| name.clone());
        if let Some(family) = family {
            db.set_sans_serif_family(family);
        }
        Arc::new(db)
    })
    .clone()
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

    #[test]
    fn text_width_follows_the_advances() {
        assert_eq!(text_width("", 18.0), 0.0);
        let w = text_width("5G-AKA", 18.0);
        assert!(w > 40.0 && w < 90.0, "{w}");
        assert!((text_width("5G-AKA", 36.0) - 2.0 * w).abs() < 1e-9);
        assert!(text_width("MMMM", 18.0) > text_width("iiii", 18.0));
    }

    #[test]
    fn database_holds_only_the_bundled_font() {
        let db = database();
        assert_eq!(db.len(), 1);
        let face = db.faces().next().unwrap();
        assert_eq!(face.families[0].0, "DejaVu Sans");
    }
}
