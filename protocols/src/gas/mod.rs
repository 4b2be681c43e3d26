//! Secret-sharing group authentication schemes (GAS).
//!
//! - [`harn`]: Harn 2013, Shamir (t, m, n) GAS with scalar tokens (basic
//!   one-time scheme and the multiple-authentication variant GAS2);
//! - [`chien`]: Chien 2017, tokens as points T_i = c_i·P_j on per-session
//!   points, shares reusable;
//! - [`threshold`]: the smart-metering threshold GAS (Sensors 2018): node
//!   registration, nodes–smart meter group authentication with identification
//!   of failing nodes, group session key distribution and the MDMS–gateway
//!   phase.
//!
//! All arithmetic is real (P-256 scalar field and points, SHA-256, AES-GCM)
//! and counted where it is done (see [`field`], [`ec`], [`hash`], [`aead`]).
//! docs/protocols/{harn,chien,threshold}-gas.md give equations, flows and the
//! interpretations made; docs/counting-gas.md the closed-form counts.

pub mod aead;
pub mod ec;
pub mod field;
pub mod hash;
pub mod msg;
