//! The protocol registry: which protocols a scenario can name, their nodes,
//! parameters, and how to build the simulated network for each.

pub mod chien_gas;
pub mod eps_aka;
pub mod gas;
pub mod group_aka;
pub mod harn_gas;
pub mod threshold_gas;
pub mod umts_aka;

use serde::Deserialize;

use crate::node::NodeSetup;
use crate::scenario::Scenario;

/// The neutral role of `node` in protocol `protocol`, if it has one.
pub fn role_of(protocol: &str, node: &str) -> Option<&'static str> {
    PROTOCOLS
        .iter()
        .find(|p| p.name == protocol)?
        .roles
        .iter()
        .find(|(n, _)| *n == node)
        .map(|(_, r)| *r)
}

/// `[protocol]` in a scenario: `name` picks the protocol, the rest are its parameters.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "name", rename_all = "kebab-case")]
pub enum ProtocolSpec {
    EpsAka(eps_aka::Params),
    UmtsAka(umts_aka::Params),
    GroupAka(group_aka::Params),
    HarnGas(harn_gas::Params),
    ChienGas(chien_gas::Params),
    ThresholdGas(threshold_gas::Params),
}

/// What `authsim list` prints about one protocol.
pub struct ProtocolInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub nodes: &'static [&'static str],
    /// Protocol-neutral role names of nodes (node, role), so sweeps can compare
    /// e.g. the MME's and the VLR's verdicts as `serving`.
    pub roles: &'static [(&'static str, &'static str)],
    pub params: &'static [(&'static str, &'static str)],
}

pub const PROTOCOLS: &[ProtocolInfo] = &[
    eps_aka::INFO,
    umts_aka::INFO,
    group_aka::INFO,
    harn_gas::INFO,
    chien_gas::INFO,
    threshold_gas::INFO,
];

impl ProtocolSpec {
    fn info(&self) -> &'static ProtocolInfo {
        match self {
            ProtocolSpec::EpsAka(_) => &eps_aka::INFO,
            ProtocolSpec::UmtsAka(_) => &umts_aka::INFO,
            ProtocolSpec::GroupAka(_) => &group_aka::INFO,
            ProtocolSpec::HarnGas(_) => &harn_gas::INFO,
            ProtocolSpec::ChienGas(_) => &chien_gas::INFO,
            ProtocolSpec::ThresholdGas(_) => &threshold_gas::INFO,
        }
    }
    pub fn name(&self) -> &'static str {
        self.info().name
    }
    /// Node names the protocol needs (each needs a `[nodes.NAME]` section).
    pub fn roles(&self) -> Vec<&'static str> {
        match self {
            ProtocolSpec::ThresholdGas(p) => p.roles(),
            _ => self.info().nodes.to_vec(),
        }
    }
    /// Pairs of nodes that must be joined by a link.
    pub fn required_links(&self) -> Vec<(&'static str, &'static str)> {
        match self {
            ProtocolSpec::EpsAka(_) => eps_aka::LINKS.to_vec(),
            ProtocolSpec::UmtsAka(_) => umts_aka::LINKS.to_vec(),
            ProtocolSpec::GroupAka(_) => group_aka::LINKS.to_vec(),
            ProtocolSpec::HarnGas(_) => harn_gas::LINKS.to_vec(),
            ProtocolSpec::ChienGas(_) => chien_gas::LINKS.to_vec(),
            ProtocolSpec::ThresholdGas(p) => p.links(),
        }
    }
    /// Checks the protocol parameters (and the population they imply);
    /// returns (field path, message).
    pub fn validate(&self, scn: &Scenario) -> Result<(), (String, String)> {
        match self {
            ProtocolSpec::EpsAka(p) => p.validate(),
            ProtocolSpec::UmtsAka(p) => p.validate(),
            ProtocolSpec::GroupAka(p) => {
                p.validate()?;
                p.validate_with(scn.population.devices)
            }
            ProtocolSpec::HarnGas(p) => p.validate(&scn.population),
            ProtocolSpec::ChienGas(p) => p.validate(&scn.population),
            ProtocolSpec::ThresholdGas(p) => p.validate(&scn.population),
        }
    }
    /// Builds the nodes for one run with the given seed.
    pub fn build(&self, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
        match self {
            ProtocolSpec::EpsAka(p) => eps_aka::build(p, scn, seed),
            ProtocolSpec::UmtsAka(p) => umts_aka::build(p, scn, seed),
            ProtocolSpec::GroupAka(p) => group_aka::build(p, scn, seed),
            ProtocolSpec::HarnGas(p) => harn_gas::build(p, scn, seed),
            ProtocolSpec::ChienGas(p) => chien_gas::build(p, scn, seed),
            ProtocolSpec::ThresholdGas(p) => threshold_gas::build(p, scn, seed),
        }
    }
}
