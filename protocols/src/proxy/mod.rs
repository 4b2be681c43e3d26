//! Multiparty authentication with proxy signatures (Lai et al. 2012, §3.2):
//! an MTC device, its access point (MTCAP), the core network (CN) and an MTC
//! server outside the operator's domain authenticate each other with
//! delegated signing rights.
//!
//! - [`hash`], [`schnorr`], [`warrant`], [`delegation`]: the delegation-by-
//!   warrant proxy signature scheme (Kim–Park–Won 1997 / Lee–Kim–Kim 2001,
//!   domain-separated as in Boldyreva–Palacio–Warinschi's triple Schnorr)
//!   over P-256, every operation counted.
//! - [`msg`]: the TLV messages; [`network`]: identities, provisioning and
//!   the signed statements; the roles [`device`], [`mtcap`], [`cn`],
//!   [`server`] (sans-IO endpoints).
//!
//! docs/protocols/proxy-multiparty.md gives the equations, the warrant
//! format, the message flow and every reading of the paper's sketch.

pub mod baseline;
pub mod cn;
pub mod counting;
pub mod delegation;
pub mod device;
pub mod hash;
pub mod msg;
pub mod mtcap;
pub mod network;
pub mod schnorr;
pub mod server;
pub mod warrant;

#[cfg(test)]
mod tests;
