//! UMTS AKA in a scenario: a population of MSs, one VLR/SGSN, one HLR/AuC.

use std::sync::Arc;

use authsim_protocols::aka::{HeSqn, SqnState};
use authsim_protocols::core::Addr;
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::umts_aka::{Config, Hlr, Ms, Subscriber, Vlr};
use serde::Deserialize;

use super::ProtocolInfo;
use crate::build::{Topology, subscriber_keys};
use crate::node::NodeSetup;
use crate::scenario::{Scenario, seconds};

pub const INFO: ProtocolInfo = ProtocolInfo {
    name: "umts-aka",
    summary: "UMTS AKA (TS 33.102 §6.3): MM location updating + authentication (TS 24.008), MAP SendAuthenticationInfo quintets",
    nodes: &["ms", "vlr", "hlr"],
    roles: &[("ms", "device"), ("vlr", "serving"), ("hlr", "home")],
    params: &[
        (
            "quintets_per_request",
            "quintets per SendAuthenticationInfo, 1..=5 (default 1)",
        ),
        (
            "t3260_s",
            "VLR authentication retransmission timer (default 12)",
        ),
        ("t3260_max_retx", "retransmissions before abort (default 4)"),
        ("t3210_s", "MS location updating guard timer (default 20)"),
        (
            "lu_max_attempts",
            "MS location updating attempts (default 4)",
        ),
        ("map_timeout_s", "VLR MAP operation timer (default 15)"),
        (
            "map_max_retx",
            "SendAuthenticationInfo re-invocations (default 2)",
        ),
        (
            "op",
            "operator variant key OP, 32 hex digits (default: derived from the seed)",
        ),
    ],
};

pub const LINKS: &[(&str, &str)] = &[("ms", "vlr"), ("vlr", "hlr")];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default = "one")]
    pub quintets_per_request: u8,
    #[serde(default = "twelve")]
    pub t3260_s: f64,
    #[serde(default = "four")]
    pub t3260_max_retx: u32,
    #[serde(default = "twenty")]
    pub t3210_s: f64,
    #[serde(default = "four")]
    pub lu_max_attempts: u32,
    #[serde(default = "fifteen")]
    pub map_timeout_s: f64,
    #[serde(default = "two")]
    pub map_max_retx: u32,
    pub op: Option<String>,
}

fn one() -> u8 {
    1
}
fn two() -> u32 {
    2
}
fn four() -> u32 {
    4
}
fn twelve() -> f64 {
    12.0
}
fn fifteen() -> f64 {
    15.0
}
fn twenty() -> f64 {
    20.0
}

impl Params {
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |f: &str, m: &str| Err((format!("protocol.{f}"), m.to_string()));
        if !(1..=5).contains(&self.quintets_per_request) {
            return bad("quintets_per_request", "must be 1..=5 (TS 29.002)");
        }
        for (f, v) in [
            ("t3260_s", self.t3260_s),
            ("t3210_s", self.t3210_s),
            ("map_timeout_s", self.map_timeout_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(f, "must be a positive number of seconds");
            }
        }
        if self.lu_max_attempts == 0 {
            return bad("lu_max_attempts", "must be at least 1");
        }
        if let Some(op) = &self.op
            && !matches!(hex::decode(op), Ok(b) if b.len() == 16)
        {
            return bad("op", "must be 32 hex digits");
        }
        Ok(())
    }

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

pub fn build(p: &Params, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
    let cfg = Arc::new(p.config());
    let n = scn.population.devices;
    let vlr = Addr::new(1, 0);
    let mut mss = Vec::with_capacity(n as usize);
    let mut subs = Vec::with_capacity(n as usize);
    for (i, (k, opc)) in subscriber_keys(seed, p.op.as_deref(), n)?.enumerate() {
        mss.push(Ms::new(
            cfg.clone(),
            i as u32,
            vlr,
            Milenage::new(k, opc),
            SqnState::default(),
        ));
        subs.push(Subscriber {
            milenage: Milenage::new(k, opc),
            sqn: HeSqn::new(1),
        });
    }
    let mut topo = Topology::new(scn, seed, INFO.nodes)?;
    topo.population("ms", Box::new(mss), n)?;
    topo.server(
        "vlr",
        Box::new(vec![Vlr::new(cfg.clone(), Addr::new(2, 0))]),
    )?;
    topo.server("hlr", Box::new(vec![Hlr::new(cfg, subs)]))?;
    topo.finish()
}
