//! Lai 2012 §3.2 proxy-signature multiparty authentication in a scenario:
//! a population of MTC devices, one MTCAP, the CN and an MTC server, joined
//! device–mtcap, mtcap–cn, cn–mtc_server (docs/protocols/proxy-multiparty.md).

use authsim_protocols::core::{Addr, SimRng};
use authsim_protocols::proxy::cn::Cn;
use authsim_protocols::proxy::device::Device;
use authsim_protocols::proxy::mtcap::Mtcap;
use authsim_protocols::proxy::network::{Plan, Provisioned, provision};
use authsim_protocols::proxy::server::MtcServer;
use rand::SeedableRng;
use serde::Deserialize;

use super::gas::{invalid, ns, positive_seconds};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology, derive_seed};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec};

pub const ABOUT: About = About {
    name: "proxy-multiparty",
    summary: "Lai 2012 §3.2: device, MTCAP, CN and an external MTC server authenticate each other with warrant proxy signatures (Schnorr, P-256)",
    nodes: NODES,
    roles: &[
        ("device", "device"),
        ("mtcap", "access"),
        ("cn", "serving"),
        ("mtc_server", "application"),
    ],
    links: &[("device", "mtcap"), ("mtcap", "cn"), ("cn", "mtc_server")],
    params,
};

const NODES: &[&str] = &["device", "mtcap", "cn", "mtc_server"];
const DEVICE_NODE: u16 = 0;
const AP_NODE: u16 = 1;
const CN_NODE: u16 = 2;
const SERVER_NODE: u16 = 3;

const DEFAULT_VALIDITY_S: f64 = 86_400.0;
const DEFAULT_GUARD_S: f64 = 15.0;

fn params() -> Vec<ParamDoc> {
    vec![
        ParamDoc::derived(
            "delegated_devices",
            "devices 0..k in the warrants' scope (the rest are refused as not delegated)",
            "population.devices",
        ),
        ParamDoc::value(
            "warrant_validity_s",
            "warrants are valid from 0 to this time of the run",
            DEFAULT_VALIDITY_S,
        ),
        ParamDoc::value(
            "guard_s",
            "how long a device waits for its challenge",
            DEFAULT_GUARD_S,
        ),
    ]
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub delegated_devices: Option<u32>,
    #[serde(default = "default_validity")]
    pub warrant_validity_s: f64,
    #[serde(default = "default_guard")]
    pub guard_s: f64,
}

fn default_validity() -> f64 {
    DEFAULT_VALIDITY_S
}

fn default_guard() -> f64 {
    DEFAULT_GUARD_S
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, pop: &PopulationSpec) -> Result<(), FieldError> {
        positive_seconds("warrant_validity_s", self.warrant_validity_s)?;
        positive_seconds("guard_s", self.guard_s)?;
        match self.delegated_devices {
            Some(k) if k > pop.devices => Err(invalid(
                "delegated_devices",
                format!(
                    "must be at most population.devices = {}, got {k}",
                    pop.devices
                ),
            )),
            _ => Ok(()),
        }
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let devices = ctx.population.devices;
        let plan = Plan {
            devices,
            delegated: self.delegated_devices.unwrap_or(devices),
            validity_ms: (self.warrant_validity_s * 1000.0).round() as u64,
            device_node: DEVICE_NODE,
            ap: Addr::new(AP_NODE, 0),
            cn: Addr::new(CN_NODE, 0),
            server: Addr::new(SERVER_NODE, 0),
            guard: ns(self.guard_s),
        };
        let mut rng = SimRng::seed_from_u64(derive_seed(ctx.seed, "proxy-multiparty/keys"));
        let Provisioned {
            directory,
            device_keys,
            server_for_cn,
            cn_for_server,
            ap_for_cn,
        } = provision(&plan, &mut rng);
        let server_warrant = *server_for_cn.warrant();
        let devs: Vec<Device> = device_keys
            .into_iter()
            .enumerate()
            .map(|(i, k)| Device::new(directory.clone(), i as u32, k))
            .collect();
        let mut topo = Topology::new(ctx, NODES);
        topo.population("device", Box::new(devs), devices)?;
        topo.server(
            "mtcap",
            Box::new(vec![Mtcap::new(directory.clone(), ap_for_cn)]),
        )?;
        topo.server(
            "cn",
            Box::new(vec![Cn::new(
                directory.clone(),
                cn_for_server,
                server_warrant,
            )]),
        )?;
        topo.server(
            "mtc_server",
            Box::new(vec![MtcServer::new(directory, server_for_cn)]),
        )?;
        topo.finish()
    }
}
