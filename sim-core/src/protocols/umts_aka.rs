//! UMTS AKA in a scenario: a population of MSs, one VLR/SGSN, one HLR/AuC.

use std::sync::Arc;

use authsim_protocols::aka::SqnState;
use authsim_protocols::core::Addr;
use authsim_protocols::umts_aka::{Config, Hlr, Ms, Vlr};
use serde::Deserialize;

use super::aka::{HOME_NODE, SERVING_NODE, check_common, device_serving_home, invalid, provision};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError};
use crate::host::Independent;
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec, seconds, to_seconds};

pub const ABOUT: About = About {
    name: "umts-aka",
    summary: "UMTS AKA (TS 33.102 §6.3): MM location updating + authentication (TS 24.008), MAP SendAuthenticationInfo quintets",
    nodes: &["ms", "vlr", "hlr"],
    roles: &[("ms", "device"), ("vlr", "serving"), ("hlr", "home")],
    links: &[("ms", "vlr"), ("vlr", "hlr")],
    params,
};

fn params() -> Vec<ParamDoc> {
    let d = Params::default();
    vec![
        ParamDoc::value(
            "quintets_per_request",
            "quintets per SendAuthenticationInfo, 1..=5",
            d.quintets_per_request,
        ),
        ParamDoc::value(
            "t3260_s",
            "VLR authentication retransmission timer",
            d.t3260_s,
        ),
        ParamDoc::value(
            "t3260_max_retx",
            "retransmissions before abort",
            d.t3260_max_retx,
        ),
        ParamDoc::value("t3210_s", "MS location updating guard timer", d.t3210_s),
        ParamDoc::value(
            "lu_max_attempts",
            "MS location updating attempts",
            d.lu_max_attempts,
        ),
        ParamDoc::value("map_timeout_s", "VLR MAP operation timer", d.map_timeout_s),
        ParamDoc::value(
            "map_max_retx",
            "SendAuthenticationInfo re-invocations",
            d.map_max_retx,
        ),
        ParamDoc::value(
            "home",
            "[protocol.home] allowed_peers: the nodes whose requests the HLR answers (others discarded, counted `unknown_peer`)",
            "off: every peer",
        ),
        ParamDoc::operator_key(),
    ]
}

/// `[protocol]` of `name = "umts-aka"`; what it leaves out is
/// `Config::default()` of the protocols crate.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub quintets_per_request: u8,
    pub t3260_s: f64,
    pub t3260_max_retx: u32,
    pub t3210_s: f64,
    pub lu_max_attempts: u32,
    pub map_timeout_s: f64,
    pub map_max_retx: u32,
    pub home: Option<super::aka::HomeParams>,
    pub op: Option<String>,
}

impl Default for Params {
    fn default() -> Self {
        let c = Config::default();
        Self {
            quintets_per_request: c.quintets_per_request,
            t3260_s: to_seconds(c.t3260),
            t3260_max_retx: c.t3260_max_retx,
            t3210_s: to_seconds(c.t3210),
            lu_max_attempts: c.lu_max_attempts,
            map_timeout_s: to_seconds(c.map_timeout),
            map_max_retx: c.map_max_retx,
            home: None,
            op: None,
        }
    }
}

impl Params {
    pub fn config(&self) -> Config {
        Config {
            quintets_per_request: self.quintets_per_request,
            t3260: seconds(self.t3260_s),
            t3260_max_retx: self.t3260_max_retx,
            t3210: seconds(self.t3210_s),
            lu_max_attempts: self.lu_max_attempts,
            map_timeout: seconds(self.map_timeout_s),
            map_max_retx: self.map_max_retx,
            ..Config::default()
        }
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, _: &PopulationSpec) -> Result<(), FieldError> {
        if !(1..=5).contains(&self.quintets_per_request) {
            return Err(invalid("quintets_per_request", "must be 1..=5 (TS 29.002)"));
        }
        if let Some(h) = &self.home {
            h.validate(ABOUT.nodes)?;
        }
        check_common(
            &[
                ("t3260_s", self.t3260_s),
                ("t3210_s", self.t3210_s),
                ("map_timeout_s", self.map_timeout_s),
            ],
            ("lu_max_attempts", self.lu_max_attempts),
            self.op.as_deref(),
        )
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let cfg = Arc::new(self.config());
        let vlr = Addr::new(SERVING_NODE, 0);
        let (mss, subs) = provision(ctx, self.op.as_deref(), |_, index, usim| {
            Ms::new(cfg.clone(), index, vlr, usim, SqnState::default())
        })?;
        let mut hlr = Hlr::new(cfg.clone(), subs);
        hlr.allowed_peers = self.home.clone().unwrap_or_default().peers(ABOUT.nodes);
        device_serving_home(
            ctx,
            ABOUT.nodes,
            // Each device's attach touches only its own state and draws no
            // randomness: a window's inputs may be handled on several threads.
            Box::new(Independent(mss)),
            Box::new(vec![Vlr::new(cfg.clone(), Addr::new(HOME_NODE, 0))]),
            Box::new(vec![hlr]),
        )
    }
}
