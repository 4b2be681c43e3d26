//! Group AKA for MTC (Lai 2012 §3.1) in a scenario: groups of devices, one MME,
//! one HSS. Devices 0..n are split into consecutive groups of `group_size`.

use std::sync::Arc;

use authsim_protocols::aka::SqnState;
use authsim_protocols::core::{Addr, SimRng};
use authsim_protocols::group_aka::{Config, Group, Hss, Member, Mme};
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::aka::{
    EPS_LINKS, EPS_NODES, EPS_ROLES, HOME_NODE, SERVING_NODE, check_common, device_serving_home,
    invalid, provision,
};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, derive_seed};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec, seconds};

pub const ABOUT: About = About {
    name: "group-aka",
    summary: "Group AKA for MTC (Lai 2012 §3.1): one S6a exchange per group, members authenticated by the MME with a GAK",
    nodes: EPS_NODES,
    roles: EPS_ROLES,
    links: EPS_LINKS,
    params,
};

fn params() -> Vec<ParamDoc> {
    use defaults as d;
    vec![
        ParamDoc::required(
            "group_size",
            "devices per group; population.devices must be a multiple",
        ),
        ParamDoc::value(
            "gak_lifetime_s",
            "how long the MME may use one GAK",
            d::gak_lifetime_s(),
        ),
        ParamDoc::value(
            "group_sqn_block",
            "group SQNs reserved per GAK",
            d::group_sqn_block(),
        ),
        ParamDoc::value("t3460_s", "MME NAS retransmission timer", d::t3460_s()),
        ParamDoc::value(
            "t3460_max_retx",
            "retransmissions before abort",
            d::t3460_max_retx(),
        ),
        ParamDoc::value("t3410_s", "UE attach guard timer", d::t3410_s()),
        ParamDoc::value(
            "attach_max_attempts",
            "UE attach attempts",
            d::attach_max_attempts(),
        ),
        ParamDoc::value(
            "diameter_timeout_s",
            "MME S6a answer timeout Tx",
            d::diameter_timeout_s(),
        ),
        ParamDoc::value(
            "diameter_max_retx",
            "AIR retransmissions",
            d::diameter_max_retx(),
        ),
        ParamDoc::operator_key(),
    ]
}

/// `[protocol]` of `name = "group-aka"`: `group_size` is required, what
/// else it leaves out is `Config::default()` of the protocols crate.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    #[serde(default = "defaults::gak_lifetime_s")]
    pub gak_lifetime_s: f64,
    #[serde(default = "defaults::group_sqn_block")]
    pub group_sqn_block: u32,
    #[serde(default = "defaults::t3460_s")]
    pub t3460_s: f64,
    #[serde(default = "defaults::t3460_max_retx")]
    pub t3460_max_retx: u32,
    #[serde(default = "defaults::t3410_s")]
    pub t3410_s: f64,
    #[serde(default = "defaults::attach_max_attempts")]
    pub attach_max_attempts: u32,
    #[serde(default = "defaults::diameter_timeout_s")]
    pub diameter_timeout_s: f64,
    #[serde(default = "defaults::diameter_max_retx")]
    pub diameter_max_retx: u32,
    pub op: Option<String>,
}

/// The optional parameters' defaults: `Config::default()` in scenario
/// units (a struct-wide `serde(default)` would default `group_size` too).
mod defaults {
    use super::Config;
    use crate::spec::to_seconds;

    pub fn gak_lifetime_s() -> f64 {
        to_seconds(Config::default().gak_lifetime)
    }
    pub fn group_sqn_block() -> u32 {
        Config::default().group_sqn_block
    }
    pub fn t3460_s() -> f64 {
        to_seconds(Config::default().t3460)
    }
    pub fn t3460_max_retx() -> u32 {
        Config::default().t3460_max_retx
    }
    pub fn t3410_s() -> f64 {
        to_seconds(Config::default().t3410)
    }
    pub fn attach_max_attempts() -> u32 {
        Config::default().attach_max_attempts
    }
    pub fn diameter_timeout_s() -> f64 {
        to_seconds(Config::default().diameter_timeout)
    }
    pub fn diameter_max_retx() -> u32 {
        Config::default().diameter_max_retx
    }
}

impl Params {
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

    /// The groups the HSS provisions: consecutive devices, a random GK each.
    fn groups(&self, ctx: &BuildContext<'_>) -> Vec<Group> {
        self.groups_of(ctx.seed, ctx.population.devices)
    }

    /// [`Self::groups`] of a run with `seed` and `devices` (the adversary's
    /// compromised members hold their group's GK, crate::attacks_group).
    pub(crate) fn groups_of(&self, seed: u64, devices: u32) -> Vec<Group> {
        let mut gk_rng = SimRng::seed_from_u64(derive_seed(seed, "group-keys"));
        (0..devices / self.group_size)
            .map(|g| {
                let mut gk = [0u8; 32];
                gk_rng.fill_bytes(&mut gk);
                Group {
                    id: g + 1,
                    gk,
                    first: g * self.group_size,
                    count: self.group_size,
                }
            })
            .collect()
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, population: &PopulationSpec) -> Result<(), FieldError> {
        if self.group_size == 0 {
            return Err(invalid("group_size", "must be at least 1"));
        }
        if self.group_sqn_block == 0 {
            return Err(invalid("group_sqn_block", "must be at least 1"));
        }
        check_common(
            &[
                ("gak_lifetime_s", self.gak_lifetime_s),
                ("t3460_s", self.t3460_s),
                ("t3410_s", self.t3410_s),
                ("diameter_timeout_s", self.diameter_timeout_s),
            ],
            ("attach_max_attempts", self.attach_max_attempts),
            self.op.as_deref(),
        )?;
        let devices = population.devices;
        if !devices.is_multiple_of(self.group_size) {
            return Err(invalid(
                "group_size",
                &format!(
                    "population.devices ({devices}) must be a multiple of group_size ({})",
                    self.group_size
                ),
            ));
        }
        Ok(())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        self.validate(ctx.population)?;
        let cfg = Arc::new(self.config());
        let groups = self.groups(ctx);
        let mme = Addr::new(SERVING_NODE, 0);
        let (members, subs) = provision(ctx, self.op.as_deref(), |i, index, usim| {
            let g = &groups[(i / self.group_size) as usize];
            Member::new(
                cfg.clone(),
                index,
                mme,
                usim,
                SqnState::default(),
                g.id,
                g.gk,
            )
        })?;
        device_serving_home(
            ctx,
            ABOUT.nodes,
            Box::new(members),
            Box::new(vec![Mme::new(cfg.clone(), Addr::new(HOME_NODE, 0))]),
            Box::new(vec![Hss::new(cfg, subs, groups)]),
        )
    }
}
