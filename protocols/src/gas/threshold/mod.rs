//! The threshold GAS of the smart-metering paper (Sensors 2018, §4), every
//! phase, with the roles as sans-IO endpoints:
//!
//! - [`SmartMeter`]: group leader of its meter nodes (§4.2, §4.3) and, towards
//!   the gateway, one of the meters of the MDMS–gateway phase (§4.4);
//! - [`MeterNode`]: a group member; small fixed-size state (no member list);
//! - [`Gateway`], [`Mdms`], [`AuthServer`]: the §4.4 parties.
//!
//! Registration (§4.1) is offline: [`register`] and [`register_uplink`]
//! return the provisioned secrets. docs/protocols/threshold-gas.md has the
//! equations, flows and every interpretation made.

mod auth_server;
mod derive;
mod gateway;
mod identify;
mod leader;
mod mdms;
mod node;
mod setup;
mod uplink;

#[cfg(test)]
mod tests;

pub use auth_server::{AuthServer, GatewayRecord};
pub use gateway::Gateway;
pub use identify::identify;
pub use leader::SmartMeter;
pub use mdms::Mdms;
pub use node::MeterNode;
pub use setup::{
    GatewayKeys, LeaderKeys, MdmsKeys, MeterUplinkKeys, NodeKeys, Registration, UplinkRegistration,
    register, register_uplink,
};

use crate::core::{Nanos, time};

/// Timing of the nodes–smart meter phase.
#[derive(Clone, Copy, Debug)]
pub struct ThresholdConfig {
    /// Threshold t: fewer authenticated participants fail the session.
    pub t: usize,
    /// How long the leader collects joins (step 2) when not all n answer.
    pub join_timeout: Nanos,
    /// How long the leader waits for tokens (step 6) before identifying.
    pub token_timeout: Nanos,
}

impl ThresholdConfig {
    pub fn new(t: usize) -> Self {
        Self {
            t,
            join_timeout: time::SECOND,
            token_timeout: time::SECOND,
        }
    }
}
