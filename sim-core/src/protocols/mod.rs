//! The protocol registry: which protocols a scenario can name, their nodes,
//! parameters, and how to build the simulated network for each.
//!
//! Each protocol is one module whose `Params` (the `[protocol]` table)
//! implements [`Protocol`] and whose `ABOUT` describes it. Adding a protocol
//! is that module, its `pub mod` line and one line in the `registry!` call
//! below.

pub mod aggregate_signatures;
pub mod barring;
pub mod chien_gas;
pub mod eap_aka_prime;
pub mod eps_aka;
pub mod fiveg_aka;
pub mod gas;
pub mod group_aka;
pub mod harn_gas;
pub mod overload;
pub mod proxy_baseline;
pub mod proxy_multiparty;
pub mod rach;
pub mod threshold_gas;
pub mod umts_aka;

mod about;
mod aka;

pub use about::{About, ParamDefault, ParamDoc};
pub use aka::SUBSCRIBER_PROTOCOLS;

use crate::build::{BuildContext, BuildError};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec};

/// What the scenario needs from a protocol's parameters.
pub trait Protocol: Sync {
    /// Name, summary, nodes, roles, links and parameter docs.
    fn about(&self) -> &'static About;

    /// Node names these parameters need (each needs a `[nodes.NAME]` section).
    fn nodes(&self) -> Vec<&'static str> {
        self.about().nodes.to_vec()
    }

    /// Pairs of nodes that must be joined by a link.
    fn links(&self) -> Vec<(&'static str, &'static str)> {
        self.about().links.to_vec()
    }

    /// Checks the parameters and the population they imply.
    fn validate(&self, population: &PopulationSpec) -> Result<(), FieldError>;

    /// Builds the nodes for one run.
    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError>;
}

/// Declares the protocols once: the `[protocol]` enum serde reads (variant
/// `EpsAka` is `name = "eps-aka"`), its dispatch to [`Protocol`], and the
/// list `authsim list` prints.
macro_rules! registry {
    ($($(#[$attr:meta])* $variant:ident => $module:ident),+ $(,)?) => {
        /// `[protocol]` in a scenario: `name` picks the protocol, the rest are its parameters.
        #[derive(Debug, Clone, serde::Deserialize, PartialEq)]
        #[serde(tag = "name", rename_all = "kebab-case")]
        pub enum ProtocolSpec {
            $($(#[$attr])* $variant($module::Params),)+
        }

        impl ProtocolSpec {
            /// The parameters as the protocol they belong to.
            pub fn protocol(&self) -> &dyn Protocol {
                match self {
                    $(ProtocolSpec::$variant(p) => p,)+
                }
            }
        }

        /// Every protocol, in the order `authsim list` shows them.
        pub static PROTOCOLS: &[&About] = &[$(&$module::ABOUT,)+];
    };
}

registry! {
    EpsAka => eps_aka,
    UmtsAka => umts_aka,
    GroupAka => group_aka,
    HarnGas => harn_gas,
    ChienGas => chien_gas,
    ThresholdGas => threshold_gas,
    #[serde(rename = "5g-aka")]
    FiveGAka => fiveg_aka,
    ProxyMultiparty => proxy_multiparty,
    AggregateSignatures => aggregate_signatures,
    ProxyBaseline => proxy_baseline,
    EapAkaPrime => eap_aka_prime,
}

impl ProtocolSpec {
    pub fn name(&self) -> &'static str {
        self.protocol().about().name
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    /// Every registered protocol is the one its `name` selects.
    #[test]
    fn registry_names_match_serde_names() {
        let extras = ["", "group_size = 2\n", "group_size = 2\nthreshold = 1\n"];
        for about in PROTOCOLS {
            let spec = extras
                .iter()
                .find_map(|extra| {
                    toml::from_str::<ProtocolSpec>(&format!("name = \"{}\"\n{extra}", about.name))
                        .ok()
                })
                .unwrap_or_else(|| panic!("`{}` does not parse", about.name));
            assert_eq!(spec.name(), about.name);
        }
    }

    /// Parameters with no value in the table take the documented defaults.
    #[test]
    fn documented_defaults_are_the_parsed_ones() {
        let spec: ProtocolSpec = toml::from_str("name = \"eps-aka\"").unwrap();
        assert_eq!(spec, ProtocolSpec::EpsAka(eps_aka::Params::default()));
        let doc = (eps_aka::ABOUT.params)();
        let t3460 = doc.iter().find(|d| d.key == "t3460_s").unwrap();
        assert_eq!(t3460.default, ParamDefault::Value("6".into()));
    }
}
