//! authsim-plots: PNG plots.

// Used by the charts added next.
#[allow(dead_code)]
mod font;
