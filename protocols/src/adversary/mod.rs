//! An adversary for the protocols' own endpoints, shared by the fuzz targets
//! (`fuzz/`, libFuzzer) and by bounded randomized tests that run the same
//! targets on stable in `cargo test`:
//!
//! - [`decoders`]: every wire decoder on hostile bytes, with round trips;
//! - [`attacker`]: real endpoints behind an attacker who delivers, reorders,
//!   drops, mutates, redirects, spoofs, replays, injects and fires timers,
//!   with the oracle that no authenticated verdict comes from its input;
//! - [`targets`]: each protocol's roles set up for it;
//! - [`injector`]: the adversary endpoint of the simulator's `[[attacks]]`;
//! - [`group`]: group AKA's forged challenges and the compromised member;
//! - [`home_answer`]: forged home-node answers on the serving node's home
//!   interface (`fake_home_answer`);
//! - [`mitm`]: the man in the middle of `[[attacks]]` (relay, modification,
//!   replay, desynchronisation) on a victim device's radio link.
//!
//! The attacker model is meant to be reused by the simulator's attack
//! scenarios: it names moves, not fuzzing.

pub mod attacker;
pub mod decoders;
pub mod fiveg;
pub mod group;
pub mod home_answer;
pub mod home_flood;
pub mod injector;
pub mod mitm;
pub mod targets;

#[cfg(test)]
mod tests;

pub use attacker::{Choices, Network, Violation};
pub use decoders::{DECODERS, RoundTripError};
pub use targets::ENDPOINT_TARGETS;

/// Runs endpoint target `build` under the attacker moves in `data`.
pub fn run_endpoints(build: fn() -> Network, data: &[u8]) -> Result<Network, Violation> {
    let mut net = build();
    net.run(&mut Choices::new(data))?;
    Ok(net)
}
