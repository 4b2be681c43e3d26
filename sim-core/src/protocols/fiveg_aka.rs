//! 5G-AKA in a scenario: a population of UEs, an AMF (with the SEAF), an
//! AUSF and a UDM (with the ARPF and the SIDF).

use std::sync::Arc;

use authsim_protocols::aka::SqnState;
use authsim_protocols::core::Addr;
use authsim_protocols::crypto::suci::Profile;
use authsim_protocols::fiveg_aka::{Amf, Ausf, Config, Udm, Ue};
use serde::Deserialize;

use super::aka::{check_common, invalid, provision};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec, seconds, to_seconds};

pub(crate) const NODES: &[&str] = &["ue", "amf", "ausf", "udm"];
const ROLES: &[(&str, &str)] = &[
    ("ue", "device"),
    ("amf", "serving"),
    ("ausf", "home"),
    ("udm", "home"),
];
const LINKS: &[(&str, &str)] = &[("ue", "amf"), ("amf", "ausf"), ("ausf", "udm")];

/// Node ids in [`NODES`] order (the UEs are node 0, the subscriber node).
pub(crate) const AMF_NODE: u16 = 1;
const AUSF_NODE: u16 = 2;
const UDM_NODE: u16 = 3;

pub const ABOUT: About = About {
    name: "5g-aka",
    summary: "5G-AKA registration: N1 NAS (TS 24.501) with a SUCI, N12/N13 SBI JSON over HTTP/2 (TS 29.509/29.503), RES*/HRES*, K_AMF, NAS SMC with 128-NIA2",
    nodes: NODES,
    roles: ROLES,
    links: LINKS,
    params,
};

/// SUPI protection scheme of the SUCIs (TS 33.501 Annex C).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Protection {
    /// The null scheme: the MSIN in clear.
    Null,
    /// ECIES profile A (X25519).
    A,
    /// ECIES profile B (P-256, compressed point).
    B,
}

impl Protection {
    fn profile(self) -> Option<Profile> {
        match self {
            Protection::Null => None,
            Protection::A => Some(Profile::A),
            Protection::B => Some(Profile::B),
        }
    }

    fn name(self) -> &'static str {
        match self {
            Protection::Null => "null",
            Protection::A => "a",
            Protection::B => "b",
        }
    }
}

fn params() -> Vec<ParamDoc> {
    let d = Params::default();
    vec![
        ParamDoc::value(
            "protection",
            "SUCI protection scheme: \"null\", \"a\" (X25519) or \"b\" (P-256)",
            format!("\"{}\"", d.protection.name()),
        ),
        ParamDoc::derived(
            "hn_private",
            "home network private key, 64 hex digits",
            "the TS 33.501 Annex C.4 test key of the profile",
        ),
        ParamDoc::value("t3560_s", "AMF NAS retransmission timer", d.t3560_s),
        ParamDoc::value(
            "t3560_max_retx",
            "retransmissions before abort",
            d.t3560_max_retx,
        ),
        ParamDoc::value("t3510_s", "UE registration guard timer", d.t3510_s),
        ParamDoc::value(
            "registration_max_attempts",
            "UE registration attempts",
            d.registration_max_attempts,
        ),
        ParamDoc::value(
            "sbi_timeout_s",
            "AMF wait for the AUSF's response",
            d.sbi_timeout_s,
        ),
        ParamDoc::value("sbi_max_retx", "N12 request retries", d.sbi_max_retx),
        ParamDoc::operator_key(),
    ]
}

/// `[protocol]` of `name = "5g-aka"`; what it leaves out is
/// `Config::default()` of the protocols crate.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub protection: Protection,
    pub hn_private: Option<String>,
    pub t3560_s: f64,
    pub t3560_max_retx: u32,
    pub t3510_s: f64,
    pub registration_max_attempts: u32,
    pub sbi_timeout_s: f64,
    pub sbi_max_retx: u32,
    pub op: Option<String>,
}

impl Default for Params {
    fn default() -> Self {
        let c = Config::default();
        Self {
            protection: Protection::A,
            hn_private: None,
            t3560_s: to_seconds(c.t3560),
            t3560_max_retx: c.t3560_max_retx,
            t3510_s: to_seconds(c.t3510),
            registration_max_attempts: c.registration_max_attempts,
            sbi_timeout_s: to_seconds(c.sbi_timeout),
            sbi_max_retx: c.sbi_max_retx,
            op: None,
        }
    }
}

impl Params {
    fn hn_private(&self) -> Result<[u8; 32], FieldError> {
        match &self.hn_private {
            None => Ok(Config::default_hn_private(self.protection.profile())),
            Some(h) => hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| invalid("hn_private", "must be 64 hex digits")),
        }
    }

    pub fn config(&self) -> Result<Config, FieldError> {
        let base = Config::with_protection(self.protection.profile(), self.hn_private()?)
            .map_err(|e| invalid("hn_private", &e.to_string()))?;
        Ok(Config {
            t3560: seconds(self.t3560_s),
            t3560_max_retx: self.t3560_max_retx,
            t3510: seconds(self.t3510_s),
            registration_max_attempts: self.registration_max_attempts,
            sbi_timeout: seconds(self.sbi_timeout_s),
            sbi_max_retx: self.sbi_max_retx,
            ..base
        })
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, _: &PopulationSpec) -> Result<(), FieldError> {
        check_common(
            &[
                ("t3560_s", self.t3560_s),
                ("t3510_s", self.t3510_s),
                ("sbi_timeout_s", self.sbi_timeout_s),
            ],
            ("registration_max_attempts", self.registration_max_attempts),
            self.op.as_deref(),
        )?;
        self.config().map(|_| ())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        build_nodes(self.config()?, self.op.as_deref(), ctx)
    }
}

/// The UEs, the AMF, the AUSF and the UDM of `cfg` (5G-AKA or EAP-AKA').
pub(crate) fn build_nodes(
    cfg: Config,
    op: Option<&str>,
    ctx: &BuildContext<'_>,
) -> Result<Vec<NodeSetup>, BuildError> {
    let cfg = Arc::new(cfg);
    let amf = Addr::new(AMF_NODE, 0);
    let (ues, subs) = provision(ctx, op, |_, index, usim| {
        Ue::new(cfg.clone(), index, amf, usim, SqnState::default())
    })?;
    let mut topo = Topology::new(ctx, NODES);
    topo.population(NODES[0], Box::new(ues), ctx.population.devices)?;
    let ausf = Addr::new(AUSF_NODE, 0);
    let udm = Addr::new(UDM_NODE, 0);
    topo.server(NODES[1], Box::new(vec![Amf::new(cfg.clone(), ausf)]))?;
    topo.server(NODES[2], Box::new(vec![Ausf::new(cfg.clone(), udm)]))?;
    topo.server(NODES[3], Box::new(vec![Udm::new(cfg, subs)]))?;
    topo.finish()
}
