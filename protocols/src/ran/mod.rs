//! The radio access network as a node of its own (issue 12,
//! docs/protocols/overload.md): the eNB that answers the devices' RRC
//! connection requests, and the MME's overload control towards it.
//!
//! - [`Access`]: what a device needs to reach the network through an eNB
//!   (its address, T300, its establishment cause). With it, every attach
//!   attempt starts with an RRC connection request; the ATTACH REQUEST
//!   follows the RRC connection setup (`aka/device.rs`).
//! - [`MmeOverload`]: the MME's hysteresis on its queueing wait, which
//!   sends S1AP OVERLOAD START and OVERLOAD STOP (TS 36.413 §8.7.6/8.7.7).
//! - [`Enb`]: answers a connection request with a setup, or, while the MME
//!   is overloaded and the request's cause is barred by the overload action,
//!   with an RRC connection reject carrying an extended wait time
//!   (TS 23.401 §4.3.7.4.1, TS 36.331 §5.3.3.8).
//! - [`barring`]: access class barring and extended access barring, from
//!   the eNB's SIB2/SIB14 broadcast to the device's check before a request.
//! - [`rach`]: the cell's contention-based random access (TR 37.868), run
//!   by the eNB before it answers a connection request.

pub mod barring;
mod enb;
mod overload;
pub mod rach;

pub use enb::{Enb, EnbConfig, barred};
pub use overload::{MmeOverload, OverloadControl};

use crate::core::{Addr, Nanos};
use crate::wire::rrc::EstablishmentCause;

/// A device's access through an eNB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    pub enb: Addr,
    /// T300: how long the device waits for the eNB's answer (TS 36.331
    /// §7.3, 100..2000 ms); its expiry is a failed attempt.
    pub t300: Nanos,
    /// The establishment cause of the devices' requests.
    pub cause: EstablishmentCause,
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod barring_tests;

#[cfg(test)]
mod rach_tests;
