//! What the AKA protocols (eps-aka, umts-aka, group-aka, 5g-aka) share in a
//! scenario: subscriber provisioning and the checks of their common
//! parameters.

use authsim_protocols::aka::HeSqn;
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::eps_aka::Subscriber;

use crate::build::{BuildContext, BuildError, Topology, derive_seed, subscriber_keys};
use crate::host::Host;
use crate::node::NodeSetup;
use crate::spec::FieldError;

/// The EPS network of eps-aka and group-aka: devices, MME, HSS.
pub(crate) const EPS_NODES: &[&str] = &["ue", "mme", "hss"];
pub(crate) const EPS_ROLES: &[(&str, &str)] =
    &[("ue", "device"), ("mme", "serving"), ("hss", "home")];
pub(crate) const EPS_LINKS: &[(&str, &str)] = &[("ue", "mme"), ("mme", "hss")];

/// Node ids of the three-node AKA networks: `nodes[i]` is node i.
pub const DEVICE_NODE: u16 = authsim_protocols::aka::SUBSCRIBER_NODE;
pub const SERVING_NODE: u16 = 1;
pub const HOME_NODE: u16 = 2;

/// `[protocol.home]` of EPS-AKA and UMTS AKA: what the home node (HSS,
/// HLR) admits. `allowed_peers`: the nodes whose requests it answers (by
/// default every node); a request from any other node — an `air_flood`
/// adversary — is discarded before it is decoded and counted as an ignored
/// `unknown_peer` input (`authsim_protocols::aka::home::AllowedPeers`).
#[derive(Debug, Clone, serde::Deserialize, PartialEq, Default)]
#[serde(default, deny_unknown_fields)]
pub struct HomeParams {
    pub allowed_peers: Option<Vec<String>>,
}

impl HomeParams {
    /// Every listed peer is one of `nodes` (the protocol's), and the list
    /// names at least one.
    pub(crate) fn validate(&self, nodes: &[&str]) -> Result<(), FieldError> {
        let Some(peers) = &self.allowed_peers else {
            return Ok(());
        };
        if peers.is_empty() {
            return Err(invalid(
                "home.allowed_peers",
                "names no peer (the home node would answer nobody)",
            ));
        }
        for (i, p) in peers.iter().enumerate() {
            if !nodes.contains(&p.as_str()) {
                return Err(invalid(
                    &format!("home.allowed_peers[{i}]"),
                    &format!(
                        "`{p}` is not a node of this protocol ({})",
                        nodes.join(", ")
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The home node's filter: listed peers by node id (position in `nodes`).
    pub(crate) fn peers(&self, nodes: &[&str]) -> authsim_protocols::aka::home::AllowedPeers {
        match &self.allowed_peers {
            None => Default::default(),
            Some(list) => authsim_protocols::aka::home::AllowedPeers::only(
                list.iter()
                    .filter_map(|p| nodes.iter().position(|n| n == p))
                    .map(|i| i as u16)
                    .collect(),
            ),
        }
    }
}

/// An invalid `protocol.<field>`.
pub(crate) fn invalid(field: &str, message: &str) -> FieldError {
    FieldError::new(format!("protocol.{field}"), message)
}

/// The checks every AKA protocol makes, in this order: its timers are
/// positive numbers of seconds, its attempts (field, value) at least 1, and
/// `op`, when given, 32 hex digits.
pub(crate) fn check_common(
    timers: &[(&str, f64)],
    attempts: (&str, u32),
    op: Option<&str>,
) -> Result<(), FieldError> {
    if let Some((f, _)) = timers.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
        return Err(invalid(f, "must be a positive number of seconds"));
    }
    if attempts.1 == 0 {
        return Err(invalid(attempts.0, "must be at least 1"));
    }
    match op {
        Some(op) if !matches!(hex::decode(op), Ok(b) if b.len() == 16) => {
            Err(invalid("op", "must be 32 hex digits"))
        }
        _ => Ok(()),
    }
}

/// The protocols whose devices hold subscriptions, so that
/// `population.unknown_imsi_share` and `wrong_key_share` apply.
pub const SUBSCRIBER_PROTOCOLS: &[&str] = &[
    "eps-aka",
    "umts-aka",
    "group-aka",
    "5g-aka",
    "eap-aka-prime",
];

/// `round(share × n)` distinct devices out of `n`, chosen with a stream of
/// their own (`label`), so a share of 0 changes nothing else in a run.
fn chosen(ctx: &BuildContext<'_>, share: f64, label: &str) -> Vec<bool> {
    use authsim_protocols::core::SimRng;
    use rand::SeedableRng;
    let n = ctx.population.devices as usize;
    let mut picked = vec![false; n];
    let k = ((share * n as f64).round() as usize).min(n);
    if k > 0 {
        let mut rng = SimRng::seed_from_u64(derive_seed(ctx.seed, label));
        for i in rand::seq::index::sample(&mut rng, n, k) {
            picked[i] = true;
        }
    }
    picked
}

/// One device per subscriber of the population, made by `device(position,
/// subscriber index, USIM)`, and the home network's subscriber records, from the same keys.
/// Devices in `population.unknown_imsi_share` attach as subscriber n + i,
/// which the home network (records 0..n) does not know; devices in
/// `wrong_key_share` hold K with its last bit flipped.
pub(crate) fn provision<D>(
    ctx: &BuildContext<'_>,
    op: Option<&str>,
    mut device: impl FnMut(u32, u32, Milenage) -> D,
) -> Result<(Vec<D>, Vec<Subscriber>), BuildError> {
    let n = ctx.population.devices;
    let unknown = chosen(
        ctx,
        ctx.population.unknown_imsi_share,
        "population/unknown-imsi",
    );
    let wrong_key = chosen(ctx, ctx.population.wrong_key_share, "population/wrong-key");
    let mut devices = Vec::with_capacity(n as usize);
    let mut subscribers = Vec::with_capacity(n as usize);
    for (i, (k, opc)) in subscriber_keys(ctx.seed, op, n)?.enumerate() {
        let index = if unknown[i] { n + i as u32 } else { i as u32 };
        let mut usim_k = k;
        if wrong_key[i] {
            usim_k[15] ^= 1;
        }
        devices.push(device(i as u32, index, Milenage::new(usim_k, opc)));
        subscribers.push(Subscriber {
            milenage: Milenage::new(k, opc),
            sqn: HeSqn::new(1),
        });
    }
    Ok((devices, subscribers))
}

/// Places the three nodes of an AKA network (`nodes` = device population,
/// serving node, home node; the last two FIFO servers) and finishes it.
pub(crate) fn device_serving_home(
    ctx: &BuildContext<'_>,
    nodes: &'static [&'static str],
    devices: Box<dyn Host>,
    serving: Box<dyn Host>,
    home: Box<dyn Host>,
) -> Result<Vec<NodeSetup>, BuildError> {
    let mut topo = Topology::new(ctx, nodes);
    topo.population(nodes[DEVICE_NODE as usize], devices, ctx.population.devices)?;
    topo.server(nodes[SERVING_NODE as usize], serving)?;
    topo.server(nodes[HOME_NODE as usize], home)?;
    topo.finish()
}
