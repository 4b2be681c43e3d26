//! EAP-AKA' (RFC 9048, TS 33.501 §6.1.3.1) in a scenario: the 5G-AKA nodes
//! and parameters with the UDM's authentication method set to EAP-AKA'.

use authsim_protocols::fiveg_aka::AuthMethod;
use serde::Deserialize;

use super::fiveg_aka::{self, NODES};
use super::{About, Protocol};
use crate::build::{BuildContext, BuildError};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec};

pub const ABOUT: About = About {
    name: "eap-aka-prime",
    summary: "EAP-AKA' registration (RFC 9048, TS 33.501 6.1.3.1): the 5G-AKA roles with the AUSF as EAP server, EAP in NAS (TS 24.501) and in the SBI eap-session (TS 29.509), CK'/IK', PRF' keys, K_AUSF from EMSK",
    nodes: NODES,
    roles: fiveg_aka::ABOUT.roles,
    links: fiveg_aka::ABOUT.links,
    params: fiveg_aka::ABOUT.params,
};

/// `[protocol]` of `name = "eap-aka-prime"`: the parameters of 5g-aka.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(transparent)]
pub struct Params(pub fiveg_aka::Params);

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, population: &PopulationSpec) -> Result<(), FieldError> {
        self.0.validate(population)
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let mut cfg = self.0.config()?;
        cfg.method = AuthMethod::EapAkaPrime;
        fiveg_aka::build_nodes(cfg, self.0.op.as_deref(), ctx)
    }
}
