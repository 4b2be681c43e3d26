//! EPS-AKA in a scenario: a population of UEs, one MME, one HSS.

use std::sync::Arc;

use authsim_protocols::aka::SqnState;
use authsim_protocols::core::Addr;
use authsim_protocols::eps_aka::{Config, Hss, Mme, Ue};
use authsim_protocols::ran::barring::{CELL_INDEX, CellBroadcast, SibReceiver};
use authsim_protocols::ran::{Enb, EnbConfig};

use super::barring::{BarringParams, CellPopulation};
use super::overload::{CongestionParams, DoicParams, OverloadParams, RanParams, RetryParams};
use serde::Deserialize;

use super::aka::{
    DEVICE_NODE, EPS_LINKS, EPS_NODES, EPS_ROLES, HOME_NODE, SERVING_NODE, check_common,
    device_serving_home, invalid, provision,
};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology};
use crate::host::Independent;
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec, seconds, to_seconds};

pub const ABOUT: About = About {
    name: "eps-aka",
    summary: "EPS AKA attach: NAS (TS 24.301) + S6a (TS 29.272), Milenage, K_ASME, NAS SMC with 128-EIA2",
    nodes: EPS_NODES,
    roles: EPS_ROLES,
    links: EPS_LINKS,
    params,
};

fn params() -> Vec<ParamDoc> {
    let d = Params::default();
    vec![
        ParamDoc::value(
            "vectors_per_request",
            "E-UTRAN vectors per AIR, 1..=5",
            d.vectors_per_request,
        ),
        ParamDoc::value("t3460_s", "MME NAS retransmission timer", d.t3460_s),
        ParamDoc::value(
            "t3460_max_retx",
            "retransmissions before abort",
            d.t3460_max_retx,
        ),
        ParamDoc::value("t3410_s", "UE attach guard timer", d.t3410_s),
        ParamDoc::value(
            "attach_max_attempts",
            "UE attach attempts",
            d.attach_max_attempts,
        ),
        ParamDoc::value(
            "diameter_timeout_s",
            "MME S6a answer timeout Tx",
            d.diameter_timeout_s,
        ),
        ParamDoc::value(
            "diameter_max_retx",
            "AIR retransmissions",
            d.diameter_max_retx,
        ),
        ParamDoc::value(
            "congestion",
            "[protocol.congestion] NAS congestion rejects with T3346 (docs/protocols/overload.md)",
            "off",
        ),
        ParamDoc::value(
            "retry",
            "[protocol.retry] UE T3411/T3402 retry rules (docs/protocols/overload.md)",
            "off: retry at once on T3410",
        ),
        ParamDoc::value(
            "doic",
            "[protocol.doic] Diameter overload control, RFC 7683 (docs/protocols/overload.md)",
            "off",
        ),
        ParamDoc::value(
            "ran",
            "[protocol.ran] an eNB node (`enb`, linked to ue and mme) answers RRC connection requests first; [protocol.ran.rach] random access before it, TR 37.868 (docs/protocols/overload.md)",
            "off: NAS directly",
        ),
        ParamDoc::value(
            "overload",
            "[protocol.overload] S1 OVERLOAD START/STOP and RRC rejects with extended wait time (needs ran)",
            "off",
        ),
        ParamDoc::value(
            "barring",
            "[protocol.barring] ACB (static or adaptive) and EAB broadcast in SIB2/SIB14 by the eNB (needs ran)",
            "off",
        ),
        ParamDoc::value(
            "home",
            "[protocol.home] allowed_peers: the nodes whose requests the HSS answers (others discarded, counted `unknown_peer`)",
            "off: every peer",
        ),
        ParamDoc::operator_key(),
    ]
}

/// `[protocol]` of `name = "eps-aka"`; what it leaves out is
/// `Config::default()` of the protocols crate.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Params {
    pub vectors_per_request: u32,
    pub t3460_s: f64,
    pub t3460_max_retx: u32,
    pub t3410_s: f64,
    pub attach_max_attempts: u32,
    pub diameter_timeout_s: f64,
    pub diameter_max_retx: u32,
    pub congestion: Option<CongestionParams>,
    pub retry: Option<RetryParams>,
    pub doic: Option<DoicParams>,
    pub ran: Option<RanParams>,
    pub overload: Option<OverloadParams>,
    /// Boxed: the largest table, kept out of every other protocol's size.
    pub barring: Option<Box<BarringParams>>,
    pub home: Option<super::aka::HomeParams>,
    pub op: Option<String>,
}

impl Default for Params {
    fn default() -> Self {
        let c = Config::default();
        Self {
            vectors_per_request: c.vectors_per_request,
            t3460_s: to_seconds(c.t3460),
            t3460_max_retx: c.t3460_max_retx,
            t3410_s: to_seconds(c.t3410),
            attach_max_attempts: c.attach_max_attempts,
            diameter_timeout_s: to_seconds(c.diameter_timeout),
            diameter_max_retx: c.diameter_max_retx,
            congestion: None,
            retry: None,
            doic: None,
            ran: None,
            overload: None,
            barring: None,
            home: None,
            op: None,
        }
    }
}

impl Params {
    pub fn config(&self) -> Config {
        Config {
            vectors_per_request: self.vectors_per_request,
            t3460: seconds(self.t3460_s),
            t3460_max_retx: self.t3460_max_retx,
            t3410: seconds(self.t3410_s),
            attach_max_attempts: self.attach_max_attempts,
            diameter_timeout: seconds(self.diameter_timeout_s),
            diameter_max_retx: self.diameter_max_retx,
            congestion: self.congestion.as_ref().map(CongestionParams::config),
            retry: self.retry.as_ref().map(RetryParams::config),
            doic: self.doic.as_ref().map(DoicParams::config),
            ran: self.ran.as_ref().map(|r| r.config(Addr::new(ENB_NODE, 0))),
            overload: self.overload.as_ref().map(OverloadParams::control),
            ..Config::default()
        }
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, _: &PopulationSpec) -> Result<(), FieldError> {
        if !(1..=5).contains(&self.vectors_per_request) {
            return Err(invalid("vectors_per_request", "must be 1..=5 (TS 29.272)"));
        }
        if let Some(c) = &self.congestion {
            c.validate()?;
        }
        if let Some(r) = &self.retry {
            r.validate()?;
        }
        if let Some(d) = &self.doic {
            d.validate()?;
        }
        if let Some(h) = &self.home {
            h.validate(&self.nodes())?;
        }
        if let Some(r) = &self.ran {
            r.validate()?;
        }
        if let Some(o) = &self.overload {
            if self.ran.is_none() {
                return Err(invalid("overload", "needs [protocol.ran] (an eNB to tell)"));
            }
            o.validate()?;
        }
        if let Some(b) = &self.barring {
            let Some(ran) = &self.ran else {
                return Err(invalid(
                    "barring",
                    "needs [protocol.ran] (an eNB to broadcast)",
                ));
            };
            b.validate(self.overload.is_some(), ran.t300_ms)?;
        }
        check_common(
            &[
                ("t3460_s", self.t3460_s),
                ("t3410_s", self.t3410_s),
                ("diameter_timeout_s", self.diameter_timeout_s),
            ],
            ("attach_max_attempts", self.attach_max_attempts),
            self.op.as_deref(),
        )
    }

    fn nodes(&self) -> Vec<&'static str> {
        match self.ran {
            Some(_) => RAN_NODES.to_vec(),
            None => ABOUT.nodes.to_vec(),
        }
    }

    fn links(&self) -> Vec<(&'static str, &'static str)> {
        match self.ran {
            Some(_) => RAN_LINKS.to_vec(),
            None => ABOUT.links.to_vec(),
        }
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        // With barring, one broadcast per cell that every UE reads.
        let cell = self
            .barring
            .as_ref()
            .map(|b| Arc::new(CellBroadcast::new(b.initial())));
        let mut config = self.config();
        if let (Some(b), Some(cell)) = (&self.barring, &cell) {
            config.barring = Some(b.devices(cell.clone()));
        }
        let cfg = Arc::new(config);
        let mme = Addr::new(SERVING_NODE, 0);
        let (ues, subs) = provision(ctx, self.op.as_deref(), |_, index, usim| {
            Ue::new(cfg.clone(), index, mme, usim, SqnState::default())
        })?;
        let mme = Box::new(vec![Mme::new(cfg.clone(), Addr::new(HOME_NODE, 0))]);
        let mut hss = Hss::new(cfg, subs);
        hss.allowed_peers = self.home.clone().unwrap_or_default().peers(&self.nodes());
        let hss = Box::new(vec![hss]);
        if self.ran.is_none() {
            // Each device's attach touches only its own state and draws no
            // randomness: a window's inputs may be handled on several threads.
            let ues = Box::new(Independent(ues));
            return device_serving_home(ctx, ABOUT.nodes, ues, mme, hss);
        }
        // The eNB is node 3, after the three of every EPS network, so that
        // the others keep their numbers.
        let enb = self.overload.as_ref().map_or(
            EnbConfig {
                wait_time_s: 1,
                extended_wait_min_s: 1,
                extended_wait_max_s: 1,
                pace: None,
            },
            OverloadParams::enb,
        );
        let mut topo = Topology::new(ctx, RAN_NODES);
        // With `[protocol.ran.rach]` the eNB runs the cell's random access
        // and keeps its counts where the run's outputs read them.
        let rach = self.ran.as_ref().and_then(|r| r.rach.as_ref());
        let enb_node = |enb: Enb| match rach {
            Some(r) => {
                let stats = ctx.rach.get_or_init(Default::default).clone();
                enb.with_rach(r.config(), stats)
            }
            None => enb,
        };
        let (Some(b), Some(cell)) = (&self.barring, cell) else {
            topo.population(RAN_NODES[0], Box::new(ues), ctx.population.devices)?;
            topo.server(RAN_NODES[1], mme)?;
            topo.server(RAN_NODES[2], hss)?;
            topo.server(RAN_NODES[3], Box::new(vec![enb_node(Enb::new(enb))]))?;
            return topo.finish();
        };
        let devices = CellPopulation {
            devices: ues,
            receiver: SibReceiver { cell },
        };
        topo.population(RAN_NODES[0], Box::new(devices), ctx.population.devices)?;
        topo.server(RAN_NODES[1], mme)?;
        topo.server(RAN_NODES[2], hss)?;
        let t300 = self.ran.as_ref().map_or(1000.0, |r| r.t300_ms);
        let enb =
            enb_node(Enb::new(enb).with_barring(b.enb(Addr::new(DEVICE_NODE, CELL_INDEX), t300)));
        // The eNB starts at 0 s with its first broadcast.
        topo.server_with(RAN_NODES[3], Box::new(vec![enb]), vec![(0, 0)])?;
        topo.finish()
    }
}

/// With `[protocol.ran]`: the EPS network and its eNB (node 3).
const RAN_NODES: &[&str] = &["ue", "mme", "hss", "enb"];
const RAN_LINKS: &[(&str, &str)] = &[("ue", "mme"), ("mme", "hss"), ("ue", "enb"), ("enb", "mme")];
const ENB_NODE: u16 = 3;
