//! authsim-plots: PNG plots.
