//! The protocol registry: which protocols a scenario can name, their nodes,
//! parameters, and how to build the simulated network for each.

pub mod eps_aka;
pub mod umts_aka;

use serde::Deserialize;

use crate::node::NodeSetup;
use crate::scenario::Scenario;

/// `[protocol]` in a scenario: `name` picks the protocol, the rest are its parameters.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum ProtocolSpec {
    EpsAka(eps_aka::Params),
    UmtsAka(umts_aka::Params),
}

/// What `authsim list` prints about one protocol.
pub struct ProtocolInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub nodes: &'static [&'static str],
    pub params: &'static [(&'static str, &'static str)],
}

pub const PROTOCOLS: &[ProtocolInfo] = &[eps_aka::INFO, umts_aka::INFO];

impl ProtocolSpec {
    fn info(&self) -> &'static ProtocolInfo {
        match self {
            ProtocolSpec::EpsAka(_) => &eps_aka::INFO,
            ProtocolSpec::UmtsAka(_) => &umts_aka::INFO,
        }
    }
    pub fn name(&self) -> &'static str {
        self.info().name
    }
    /// Node names the protocol needs (each needs a `[nodes.NAME]` section).
    pub fn roles(&self) -> Vec<&'static str> {
        self.info().nodes.to_vec()
    }
    /// Pairs of nodes that must be joined by a link.
    pub fn required_links(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            ProtocolSpec::EpsAka(_) => eps_aka::LINKS.to_vec(),
            ProtocolSpec::UmtsAka(_) => umts_aka::LINKS.to_vec(),
        }
    }
    /// Checks the protocol parameters; returns (field path, message).
    pub fn validate(&self) -> Result<(), (String, String)> {
        match self {
            ProtocolSpec::EpsAka(p) => p.validate(),
            ProtocolSpec::UmtsAka(p) => p.validate(),
        }
    }
    /// Builds the nodes for one run with the given seed.
    pub fn build(&self, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
        match self {
            ProtocolSpec::EpsAka(p) => eps_aka::build(p, scn, seed),
            ProtocolSpec::UmtsAka(p) => umts_aka::build(p, scn, seed),
        }
    }
}
