//! EPS-AKA in a scenario: a population of UEs, one MME, one HSS.

use std::sync::Arc;

use authsim_protocols::aka::{HeSqn, SqnState};
use authsim_protocols::core::Addr;
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::eps_aka::{Config, Hss, Mme, Subscriber, Ue};
use serde::Deserialize;

use super::ProtocolInfo;
use crate::build::{Topology, subscriber_keys};
use crate::node::NodeSetup;
use crate::scenario::{Scenario, seconds};

pub const INFO: ProtocolInfo = ProtocolInfo {
    name: "eps-aka",
    summary: "EPS AKA attach: NAS (TS 24.301) + S6a (TS 29.272), Milenage, K_ASME, NAS SMC with 128-EIA2",
    nodes: &["ue", "mme", "hss"],
    roles: &[("ue", "device"), ("mme", "serving"), ("hss", "home")],
    params: &[
        (
            "vectors_per_request",
            "E-UTRAN vectors per AIR, 1..=5 (default 1)",
        ),
        ("t3460_s", "MME NAS retransmission timer (default 6)"),
        ("t3460_max_retx", "retransmissions before abort (default 4)"),
        ("t3410_s", "UE attach guard timer (default 15)"),
        ("attach_max_attempts", "UE attach attempts (default 5)"),
        (
            "diameter_timeout_s",
            "MME S6a answer timeout Tx (default 5)",
        ),
        ("diameter_max_retx", "AIR retransmissions (default 2)"),
        (
            "op",
            "operator variant key OP, 32 hex digits (default: derived from the seed)",
        ),
    ],
};

pub const LINKS: &[(&str, &str)] = &[("ue", "mme"), ("mme", "hss")];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default = "one")]
    pub vectors_per_request: u32,
    #[serde(default = "six")]
    pub t3460_s: f64,
    #[serde(default = "four")]
    pub t3460_max_retx: u32,
    #[serde(default = "fifteen")]
    pub t3410_s: f64,
    #[serde(default = "five")]
    pub attach_max_attempts: u32,
    #[serde(default = "five_f")]
    pub diameter_timeout_s: f64,
    #[serde(default = "two")]
    pub diameter_max_retx: u32,
    pub op: Option<String>,
}

fn one() -> u32 {
    1
}
fn two() -> u32 {
    2
}
fn four() -> u32 {
    4
}
fn five() -> u32 {
    5
}
fn six() -> f64 {
    6.0
}
fn fifteen() -> f64 {
    15.0
}
fn five_f() -> f64 {
    5.0
}

impl Params {
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |f: &str, m: &str| Err((format!("protocol.{f}"), m.to_string()));
        if !(1..=5).contains(&self.vectors_per_request) {
            return bad("vectors_per_request", "must be 1..=5 (TS 29.272)");
        }
        for (f, v) in [
            ("t3460_s", self.t3460_s),
            ("t3410_s", self.t3410_s),
            ("diameter_timeout_s", self.diameter_timeout_s),
        ] {
            if !(v.is_finite() && v > 0.0) {
                return bad(f, "must be a positive number of seconds");
            }
        }
        if self.attach_max_attempts == 0 {
            return bad("attach_max_attempts", "must be at least 1");
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
            vectors_per_request: self.vectors_per_request,
            t3460: seconds(self.t3460_s),
            t3460_max_retx: self.t3460_max_retx,
            t3410: seconds(self.t3410_s),
            attach_max_attempts: self.attach_max_attempts,
            diameter_timeout: seconds(self.diameter_timeout_s),
            diameter_max_retx: self.diameter_max_retx,
            ..Config::default()
        }
    }
}

/// Node ids in the built network.
pub const UE_NODE: u16 = 0;
pub const MME_NODE: u16 = 1;
pub const HSS_NODE: u16 = 2;

pub fn build(p: &Params, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
    let cfg = Arc::new(p.config());
    let n = scn.population.devices;
    let mme = Addr::new(MME_NODE, 0);
    let mut ues = Vec::with_capacity(n as usize);
    let mut subs = Vec::with_capacity(n as usize);
    for (i, (k, opc)) in subscriber_keys(seed, p.op.as_deref(), n)?.enumerate() {
        ues.push(Ue::new(
            cfg.clone(),
            i as u32,
            mme,
            Milenage::new(k, opc),
            SqnState::default(),
        ));
        subs.push(Subscriber {
            milenage: Milenage::new(k, opc),
            sqn: HeSqn::new(1),
        });
    }
    let mut topo = Topology::new(scn, seed, INFO.nodes)?;
    topo.population("ue", Box::new(ues), n)?;
    topo.server(
        "mme",
        Box::new(vec![Mme::new(cfg.clone(), Addr::new(HSS_NODE, 0))]),
    )?;
    topo.server("hss", Box::new(vec![Hss::new(cfg, subs)]))?;
    topo.finish()
}
