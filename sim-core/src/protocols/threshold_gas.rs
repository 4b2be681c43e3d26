//! The smart-metering threshold GAS (Sensors 2018, §4) in a scenario.
//!
//! - `meter`: all meter nodes, `population.devices` = groups × n of them;
//!   node i of group g is endpoint g·n + i. In each group nodes 0..m take
//!   part; nodes m..n are switched off (they ignore the request), so the
//!   smart meter challenges the m that joined when its join timer expires.
//! - `smart_meter`: one smart meter (group leader) per group, endpoint g, a
//!   device population (each processes on its own); smart meter g starts
//!   its group's authentication at the g-th time drawn from
//!   `population.arrivals`.
//! - With `mdms_phase`: `gateway` (gateway w serves the smart meters of
//!   groups w·u .. w·u + u − 1, the last one fewer), `mdms` (one MDMS; its
//!   session with gateway w is endpoint w) and `auth_server` (endpoint w
//!   holds gateway w's records). The MDMS opens its session with gateway w
//!   `mdms_delay_s` after the last of gateway w's smart meters started
//!   (default: join_timeout_s + token_timeout_s, when the nodes–smart meter
//!   phase of those groups is over unless links are slower than the timers).

use authsim_protocols::core::{Addr, CryptoOps, Nanos, SimRng};
use authsim_protocols::gas::Member;
use authsim_protocols::gas::msg::uplink::MgAggregate;
use authsim_protocols::gas::threshold::{
    AuthServer, Gateway, GatewayRecord, Mdms, MeterNode, MeterUplinkKeys, SmartMeter,
    ThresholdConfig, register, register_uplink,
};
use rand::SeedableRng;
use serde::Deserialize;

use super::gas::{invalid, ns, positive_seconds, validate_shape};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology, derive_seed};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec, to_seconds};

pub const ABOUT: About = About {
    name: "threshold-gas",
    summary: "Smart-metering threshold GAS (Sensors 2018): nodes–smart meter group authentication, GSK distribution, optional MDMS–gateway phase",
    nodes: &["meter", "smart_meter", "gateway", "mdms", "auth_server"],
    roles: &[
        ("meter", "device"),
        ("smart_meter", "leader"),
        ("gateway", "gateway"),
        ("mdms", "mdms"),
        ("auth_server", "auth_server"),
    ],
    links: ALL_LINKS,
    params,
};

fn params() -> Vec<ParamDoc> {
    use defaults as d;
    vec![
        ParamDoc::required(
            "group_size",
            "n, meter nodes per smart meter; population.devices = smart meters × n",
        ),
        ParamDoc::derived(
            "participants",
            "m, nodes that answer (the other n − m are off), t..=n",
            "n",
        ),
        ParamDoc::required("threshold", "t, 1..=m"),
        ParamDoc::value(
            "join_timeout_s",
            "smart meter's join collection timer",
            d::join_timeout_s(),
        ),
        ParamDoc::value(
            "token_timeout_s",
            "smart meter's token timer",
            d::token_timeout_s(),
        ),
        ParamDoc::value(
            "wrong_share_nodes",
            "malicious insiders: the first k taking part in each group hold a wrong share (f(ID_i) + 1), 0..=m",
            0,
        ),
        ParamDoc::value(
            "mdms_phase",
            "also run the MDMS–gateway phase (§4.4); needs nodes gateway, mdms, auth_server",
            bool::default(),
        ),
        ParamDoc::value(
            "meters_per_gateway",
            "u, smart meters per gateway (mdms_phase only)",
            d::meters_per_gateway(),
        ),
        ParamDoc::derived(
            "mdms_delay_s",
            "MDMS starts gateway w's session this long after w's last smart meter started",
            "join_timeout_s + token_timeout_s",
        ),
        ParamDoc::value(
            "gateway_timeout_s",
            "gateway waits this long for meter points",
            d::gateway_timeout_s(),
        ),
        ParamDoc::value(
            "mdms_timeout_s",
            "MDMS gives a session up after this long",
            d::mdms_timeout_s(),
        ),
    ]
}

const INTRA_NODES: &[&str] = &["meter", "smart_meter"];
const INTRA_LINKS: &[(&str, &str)] = &[("meter", "smart_meter")];
const ALL_LINKS: &[(&str, &str)] = &[
    ("meter", "smart_meter"),
    ("smart_meter", "gateway"),
    ("gateway", "mdms"),
    ("mdms", "auth_server"),
    ("gateway", "auth_server"),
];

/// Node ids in the built network (the last three only with `mdms_phase`).
pub const METER_NODE: u16 = 0;
pub const SMART_METER_NODE: u16 = 1;
pub const GATEWAY_NODE: u16 = 2;
pub const MDMS_NODE: u16 = 3;
pub const AUTH_SERVER_NODE: u16 = 4;

/// The MDMS identifier ID_MDMS.
const MDMS_ID: u64 = 0x4d44_4d53;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    pub participants: Option<u32>,
    pub threshold: u32,
    #[serde(default = "defaults::join_timeout_s")]
    pub join_timeout_s: f64,
    #[serde(default = "defaults::token_timeout_s")]
    pub token_timeout_s: f64,
    /// Malicious insiders: the first `wrong_share_nodes` participating nodes of
    /// every group hold a corrupted share, so their tokens are wrong (Sensors
    /// 2018 §3.4 claims their identification and exclusion; docs/threats.md).
    #[serde(default)]
    pub wrong_share_nodes: u32,
    #[serde(default)]
    pub mdms_phase: bool,
    #[serde(default = "defaults::meters_per_gateway")]
    pub meters_per_gateway: u32,
    pub mdms_delay_s: Option<f64>,
    #[serde(default = "defaults::gateway_timeout_s")]
    pub gateway_timeout_s: f64,
    #[serde(default = "defaults::mdms_timeout_s")]
    pub mdms_timeout_s: f64,
}

/// The optional parameters' defaults: the smart meter's timers are those of
/// `ThresholdConfig::new`, the uplink ones are this scenario layer's.
mod defaults {
    use super::{ThresholdConfig, to_seconds};

    pub fn join_timeout_s() -> f64 {
        to_seconds(ThresholdConfig::new(1).join_timeout)
    }
    pub fn token_timeout_s() -> f64 {
        to_seconds(ThresholdConfig::new(1).token_timeout)
    }
    pub fn meters_per_gateway() -> u32 {
        10
    }
    pub fn gateway_timeout_s() -> f64 {
        2.0
    }
    pub fn mdms_timeout_s() -> f64 {
        5.0
    }
}

impl Params {
    pub fn participants(&self) -> u32 {
        self.participants.unwrap_or(self.group_size)
    }

    pub fn mdms_delay_s(&self) -> f64 {
        self.mdms_delay_s
            .unwrap_or(self.join_timeout_s + self.token_timeout_s)
    }

    pub fn config(&self) -> ThresholdConfig {
        ThresholdConfig {
            t: self.threshold as usize,
            join_timeout: ns(self.join_timeout_s),
            token_timeout: ns(self.token_timeout_s),
        }
    }
}

/// Meter node identifiers 1, 2, ... over all groups; smart meter g is g + 1.
fn node_id(global_index: u32) -> u64 {
    global_index as u64 + 1
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn nodes(&self) -> Vec<&'static str> {
        if self.mdms_phase {
            ABOUT.nodes.to_vec()
        } else {
            INTRA_NODES.to_vec()
        }
    }

    fn links(&self) -> Vec<(&'static str, &'static str)> {
        if self.mdms_phase {
            ALL_LINKS.to_vec()
        } else {
            INTRA_LINKS.to_vec()
        }
    }

    fn validate(&self, pop: &PopulationSpec) -> Result<(), FieldError> {
        validate_shape(self.group_size, self.participants(), self.threshold, 1, pop)?;
        for (f, v) in [
            ("join_timeout_s", self.join_timeout_s),
            ("token_timeout_s", self.token_timeout_s),
            ("gateway_timeout_s", self.gateway_timeout_s),
            ("mdms_timeout_s", self.mdms_timeout_s),
        ] {
            positive_seconds(f, v)?;
        }
        if let Some(d) = self.mdms_delay_s
            && !(d.is_finite() && d >= 0.0)
        {
            return Err(invalid(
                "mdms_delay_s",
                format!("must be >= 0 seconds, got {d}"),
            ));
        }
        if self.wrong_share_nodes > self.participants() {
            return Err(invalid(
                "wrong_share_nodes",
                format!(
                    "must be 0..=participants ({}), got {}",
                    self.participants(),
                    self.wrong_share_nodes
                ),
            ));
        }
        let max = MgAggregate::MAX_METERS as u32;
        if self.meters_per_gateway == 0 || self.meters_per_gateway > max {
            return Err(invalid(
                "meters_per_gateway",
                format!(
                    "must be 1..={max} (one aggregate message lists them all), got {}",
                    self.meters_per_gateway
                ),
            ));
        }
        Ok(())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let (p, seed) = (self, ctx.seed);
        let n = p.group_size;
        let m = p.participants();
        let groups = ctx.population.devices / n;
        let starts = ctx.arrival_times(groups)?;

        // §4.4 long-term keys: one registration per gateway (its smart meters'
        // κ_S, g_u, and the MDMS key k the MDMS shares with the AS for it).
        let mut uplink: Vec<Option<(MeterUplinkKeys, Addr)>> = Vec::new();
        let (mut gateways, mut mdms, mut servers) = (Vec::new(), Vec::new(), Vec::new());
        let mut mdms_starts: Vec<(Nanos, u32)> = Vec::new();
        if p.mdms_phase {
            let u = p.meters_per_gateway;
            let mut rng = SimRng::seed_from_u64(derive_seed(seed, "threshold-gas/uplink-keys"));
            uplink.resize_with(groups as usize, || None);
            for w in 0..groups.div_ceil(u) {
                let range = w * u..((w + 1) * u).min(groups);
                let meter_ids: Vec<u64> = range.clone().map(|g| g as u64 + 1).collect();
                let reg = register_uplink(MDMS_ID, w as u64 + 1, &meter_ids, &mut rng)?;
                let gw = Addr::new(GATEWAY_NODE, w);
                for (g, keys) in range.clone().zip(&reg.meters) {
                    uplink[g as usize] = Some((keys.clone(), gw));
                }
                let meters = range
                    .clone()
                    .map(|g| Addr::new(SMART_METER_NODE, g))
                    .collect();
                let mdms_addr = Addr::new(MDMS_NODE, w);
                gateways.push(Gateway::new(
                    reg.gateway.clone(),
                    mdms_addr,
                    meters,
                    ns(p.gateway_timeout_s),
                ));
                mdms.push(Mdms::new(
                    reg.mdms.clone(),
                    gw,
                    Addr::new(AUTH_SERVER_NODE, w),
                    ns(p.mdms_timeout_s),
                ));
                servers.push(AuthServer::new(
                    reg.mdms,
                    mdms_addr,
                    vec![GatewayRecord {
                        keys: reg.gateway,
                        addr: gw,
                    }],
                    reg.meters,
                ));
                let last_start = starts[range.end as usize - 1];
                mdms_starts.push((last_start + ns(p.mdms_delay_s()), w));
            }
            mdms_starts.sort_unstable();
        }

        // §4.1 registration (offline: its work is not simulated).
        let cfg = p.config();
        let mut rng = SimRng::seed_from_u64(derive_seed(seed, "threshold-gas/registration"));
        let mut offline = CryptoOps::default();
        let mut nodes = Vec::with_capacity(ctx.population.devices as usize);
        let mut leaders = Vec::with_capacity(groups as usize);
        for g in 0..groups {
            let ids: Vec<u64> = (0..n).map(|i| node_id(g * n + i)).collect();
            let reg = register(cfg.t, &ids, &mut rng, &mut offline)?;
            let leader = Addr::new(SMART_METER_NODE, g);
            for (i, keys) in reg.nodes.into_iter().enumerate() {
                let keys = if (i as u32) < p.wrong_share_nodes {
                    keys.with_corrupted_share()
                } else {
                    keys
                };
                let node = MeterNode::new(keys, leader);
                nodes.push(if (i as u32) < m { node } else { node.offline() });
            }
            let members = ids
                .iter()
                .enumerate()
                .map(|(i, &id)| Member {
                    id,
                    addr: Addr::new(METER_NODE, g * n + i as u32),
                })
                .collect();
            let mut sm = SmartMeter::new(reg.leader, members, cfg);
            if let Some((keys, gw)) = uplink.get_mut(g as usize).and_then(Option::take) {
                sm = sm.with_uplink(keys, gw);
            }
            leaders.push(sm);
        }
        let leader_starts = starts.into_iter().zip(0..groups).collect();

        let mut topo = Topology::new(ctx, &p.nodes());
        topo.population_with("meter", Box::new(nodes), Vec::new())?;
        topo.population_with("smart_meter", Box::new(leaders), leader_starts)?;
        if p.mdms_phase {
            topo.server("gateway", Box::new(gateways))?;
            topo.server_with("mdms", Box::new(mdms), mdms_starts)?;
            topo.server("auth_server", Box::new(servers))?;
        }
        topo.finish()
    }
}
