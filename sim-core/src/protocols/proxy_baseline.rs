//! The baseline of proxy multiparty authentication in a scenario: EPS-AKA
//! between the MTC devices and the CN (MME + HSS), then a TLS 1.3 PSK-DHE
//! handshake between each device and the MTC server
//! (docs/protocols/proxy-multiparty.md, "Baseline").

use std::sync::Arc;

use authsim_protocols::aka::SqnState;
use authsim_protocols::core::{Addr, SimRng};
use authsim_protocols::eps_aka::{Config, Hss, Mme, Ue};
use authsim_protocols::proxy::baseline::{BaselineDevice, TlsPlan};
use authsim_protocols::proxy::network::Directory;
use authsim_protocols::tls13::server::{PskTable, TlsServer};
use rand::{Rng, SeedableRng};
use serde::Deserialize;

use super::aka::{HOME_NODE, SERVING_NODE, check_common, provision};
use super::gas::{ns, positive_seconds};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology, derive_seed};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec};

pub const ABOUT: About = About {
    name: "proxy-baseline",
    summary: "Baseline of proxy multiparty: EPS-AKA device-CN, then a TLS 1.3 PSK-DHE (X25519) handshake device-MTC server",
    nodes: NODES,
    roles: &[
        ("device", "device"),
        ("mme", "serving"),
        ("hss", "home"),
        ("mtc_server", "application"),
    ],
    links: &[("device", "mme"), ("mme", "hss"), ("device", "mtc_server")],
    params,
};

/// Device, MME and HSS at the node ids the AKA core expects, then the server.
const NODES: &[&str] = &["device", "mme", "hss", "mtc_server"];
const SERVER_NODE: u16 = 3;
const DEFAULT_TLS_GUARD_S: f64 = 15.0;

fn params() -> Vec<ParamDoc> {
    vec![
        ParamDoc::value(
            "tls_guard_s",
            "how long a device waits for the MTC server's TLS flight",
            DEFAULT_TLS_GUARD_S,
        ),
        ParamDoc::operator_key(),
    ]
}

/// `[protocol]` of `name = "proxy-baseline"`; EPS-AKA runs with
/// `eps_aka::Config::default()` (the eps-aka protocol's defaults).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default = "default_guard")]
    pub tls_guard_s: f64,
    #[serde(default)]
    pub op: Option<String>,
}

fn default_guard() -> f64 {
    DEFAULT_TLS_GUARD_S
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, _: &PopulationSpec) -> Result<(), FieldError> {
        positive_seconds("tls_guard_s", self.tls_guard_s)?;
        check_common(&[], ("attach_max_attempts", 1), self.op.as_deref())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let cfg = Arc::new(Config::default());
        let mme = Addr::new(SERVING_NODE, 0);
        let plan = Arc::new(TlsPlan {
            server: Addr::new(SERVER_NODE, 0),
            guard: ns(self.tls_guard_s),
        });
        // One external PSK per device, provisioned with its service contract.
        let mut rng = SimRng::seed_from_u64(derive_seed(ctx.seed, "proxy-baseline/psk"));
        let mut entries = rustc_hash::FxHashMap::default();
        let (devices, subs) = provision(ctx, self.op.as_deref(), |position, index, usim| {
            let mut psk = [0u8; 32];
            rng.fill_bytes(&mut psk);
            let identity = Directory::device_id(position);
            entries.insert(identity, (Addr::new(0, position), psk));
            BaselineDevice::new(
                Ue::new(cfg.clone(), index, mme, usim, SqnState::default()),
                mme,
                plan.clone(),
                identity,
                psk,
            )
        })?;
        let psks = Arc::new(PskTable { entries });
        let mut topo = Topology::new(ctx, NODES);
        topo.population("device", Box::new(devices), ctx.population.devices)?;
        topo.server(
            "mme",
            Box::new(vec![Mme::new(cfg.clone(), Addr::new(HOME_NODE, 0))]),
        )?;
        topo.server("hss", Box::new(vec![Hss::new(cfg, subs)]))?;
        topo.server(
            "mtc_server",
            Box::new(vec![TlsServer::new(
                psks,
                authsim_protocols::core::Interface::DevServer,
            )]),
        )?;
        topo.finish()
    }
}
