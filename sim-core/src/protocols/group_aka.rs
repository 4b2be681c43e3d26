//! Group AKA for MTC (Lai 2012 §3.1) in a scenario: groups of devices, one MME,
//! one HSS. Devices 0..n are split into consecutive groups of `group_size`.

use std::sync::Arc;

use authsim_protocols::aka::{HeSqn, SqnState};
use authsim_protocols::core::{Addr, SimRng};
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::eps_aka::Subscriber;
use authsim_protocols::group_aka::{Config, Group, Hss, Member, Mme};
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::ProtocolInfo;
use crate::build::{Topology, derive_seed, subscriber_keys};
use crate::node::NodeSetup;
use crate::scenario::{Scenario, seconds};

pub const INFO: ProtocolInfo = ProtocolInfo {
    name: "group-aka",
    summary: "Group AKA for MTC (Lai 2012 §3.1): one S6a exchange per group, members authenticated by the MME with a GAK",
    nodes: &["ue", "mme", "hss"],
    roles: &[("ue", "device"), ("mme", "serving"), ("hss", "home")],
    params: &[
        (
            "group_size",
            "devices per group; population.devices must be a multiple (required)",
        ),
        (
            "gak_lifetime_s",
            "how long the MME may use one GAK (default 3600)",
        ),
        (
            "group_sqn_block",
            "group SQNs reserved per GAK (default 65536)",
        ),
        (
            "t3460_s, t3460_max_retx, t3410_s, attach_max_attempts",
            "as eps-aka",
        ),
        ("diameter_timeout_s, diameter_max_retx, op", "as eps-aka"),
    ],
};

pub const LINKS: &[(&str, &str)] = &[("ue", "mme"), ("mme", "hss")];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    #[serde(default = "hour")]
    pub gak_lifetime_s: f64,
    #[serde(default = "block")]
    pub group_sqn_block: u32,
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

fn hour() -> f64 {
    3600.0
}
fn block() -> u32 {
    1 << 16
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
        if self.group_size == 0 {
            return bad("group_size", "must be at least 1");
        }
        if self.group_sqn_block == 0 {
            return bad("group_sqn_block", "must be at least 1");
        }
        for (f, v) in [
            ("gak_lifetime_s", self.gak_lifetime_s),
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

    /// Checks what needs the population too.
    pub fn validate_with(&self, devices: u32) -> Result<(), (String, String)> {
        if !devices.is_multiple_of(self.group_size) {
            return Err((
                "protocol.group_size".into(),
                format!(
                    "population.devices ({devices}) must be a multiple of group_size ({})",
                    self.group_size
                ),
            ));
        }
        Ok(())
    }

    pub fn config(&self) -> Config {
        Config {
            t3460: seconds(self.t3460_s),
            t3460_max_retx: self.t3460_max_retx,
            t3410: seconds(self.t3410_s),
            attach_max_attempts: self.attach_max_attempts,
            diameter_timeout: seconds(self.diameter_timeout_s),
            diameter_max_retx: self.diameter_max_retx,
            gak_lifetime: seconds(self.gak_lifetime_s),
            group_sqn_block: self.group_sqn_block,
            ..Config::default()
        }
    }
}

pub fn build(p: &Params, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
    let cfg = Arc::new(p.config());
    let n = scn.population.devices;
    p.validate_with(n).map_err(|(f, m)| format!("{f}: {m}"))?;
    let mut gk_rng = SimRng::seed_from_u64(derive_seed(seed, "group-keys"));
    let groups: Vec<Group> = (0..n / p.group_size)
        .map(|g| {
            let mut gk = [0u8; 32];
            gk_rng.fill_bytes(&mut gk);
            Group {
                id: g + 1,
                gk,
                first: g * p.group_size,
                count: p.group_size,
            }
        })
        .collect();
    let mme = Addr::new(1, 0);
    let mut members = Vec::with_capacity(n as usize);
    let mut subs = Vec::with_capacity(n as usize);
    for (i, (k, opc)) in subscriber_keys(seed, p.op.as_deref(), n)?.enumerate() {
        let g = &groups[i / p.group_size as usize];
        members.push(Member::new(
            cfg.clone(),
            i as u32,
            mme,
            Milenage::new(k, opc),
            SqnState::default(),
            g.id,
            g.gk,
        ));
        subs.push(Subscriber {
            milenage: Milenage::new(k, opc),
            sqn: HeSqn::new(1),
        });
    }
    let mut topo = Topology::new(scn, seed, INFO.nodes)?;
    topo.population("ue", Box::new(members), n)?;
    topo.server(
        "mme",
        Box::new(vec![Mme::new(cfg.clone(), Addr::new(2, 0))]),
    )?;
    topo.server("hss", Box::new(vec![Hss::new(cfg, subs, groups)]))?;
    topo.finish()
}
