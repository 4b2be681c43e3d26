//! authsim-protocols: pure protocol logic, crypto and wire encodings.
//!
//! Nothing here knows about simulated networks, clocks or threads: every role is
//! a sans-IO [`core::Endpoint`] driven by its host (see `authsim-sim`), and every
//! message size is the length of a real encoding from [`wire`].

#![forbid(unsafe_code)]

pub mod adversary;
pub mod aggsig;
pub mod aka;
pub mod calibrate;
pub mod core;
pub mod crypto;
pub mod eps_aka;
pub mod fiveg_aka;
pub mod gas;
pub mod group_aka;
pub mod proxy;
pub mod ran;
#[cfg(test)]
pub(crate) mod testing;
pub mod tls13;
pub mod umts_aka;
pub mod wire;
