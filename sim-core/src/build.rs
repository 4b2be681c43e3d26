//! What a protocol builds a run from ([`BuildContext`]), and helpers that
//! turn its named nodes and links into node setups ([`Topology`]).

use std::collections::BTreeMap;

use authsim_protocols::core::Nanos;
use authsim_protocols::gas::SetupError;

use crate::host::Host;
use crate::latency::LatencyError;
use crate::link::LinkState;
use crate::node::{NodeSetup, Service};
use crate::profile::Profile;
use crate::spec::{FieldError, LinkConfig, PopulationSpec, link_between};
use crate::workload::ArrivalError;

/// Why the nodes of a run could not be built. Validation rules out all but
/// setup refusals of the protocols crate; the rest name what went wrong.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("op: {0}")]
    OpHex(#[from] hex::FromHexError),
    #[error("op: expected 16 bytes")]
    OpLength,
    #[error("no node `{0}`")]
    NoNode(String),
    #[error("missing [nodes.{0}]")]
    MissingNode(String),
    #[error("unknown profile `{0}`")]
    UnknownProfile(String),
    #[error("link {from}-{to}: {source}")]
    Link {
        from: String,
        to: String,
        source: LatencyError,
    },
    #[error("node `{0}` was not built")]
    NotBuilt(&'static str),
    #[error(transparent)]
    Arrivals(#[from] ArrivalError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Invalid(#[from] FieldError),
    #[error("dealing returned {got} members, not {want}")]
    Dealing { got: usize, want: u32 },
    #[error("no member-channel link")]
    NoMedium,
    #[error("no channel node")]
    NoChannel,
}

/// One node as the scenario resolved it: its profile and FIFO servers.
#[derive(Clone, Debug)]
pub struct NodePlan {
    pub profile: Profile,
    pub servers: u32,
}

/// What a protocol reads to build one run, instead of the whole scenario:
/// the population, the resolved nodes, the links and the run seed.
pub struct BuildContext<'a> {
    pub seed: u64,
    pub population: &'a PopulationSpec,
    /// Node name -> its resolved profile and servers.
    pub nodes: BTreeMap<&'a str, NodePlan>,
    pub links: &'a [LinkConfig],
    /// The random access counts of the run's eNB, if it models the RACH
    /// (`[protocol.ran.rach]`): set by the protocol's build, read by the
    /// run's outputs (rach.csv, `rach.*` metrics).
    pub rach: std::sync::OnceLock<authsim_protocols::ran::rach::SharedRachStats>,
}

impl BuildContext<'_> {
    /// `count` start times drawn with `[population.arrivals]`, sorted.
    pub fn arrival_times(&self, count: u32) -> Result<Vec<Nanos>, ArrivalError> {
        self.population
            .arrivals
            .to_arrivals()
            .times(count, derive_seed(self.seed, "arrivals"))
    }
}

/// A seed for one purpose, derived from the run seed (SplitMix64 over an FNV-1a
/// hash of the label), so streams never overlap and adding one changes no other.
pub fn derive_seed(seed: u64, label: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in label.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A subscriber's long-term keys: (K, OPc).
pub type SubscriberKeys = ([u8; 16], [u8; 16]);

/// Subscriber keys (K, OPc) for `n` devices, drawn from the run seed; OP is
/// drawn too unless given as 32 hex digits. OPc is computed at provisioning,
/// which is not simulated work. Yielded one by one: at 10^6 devices a list
/// of them would be 32 MB written once and read once.
pub fn subscriber_keys(
    seed: u64,
    op_hex: Option<&str>,
    n: u32,
) -> Result<impl Iterator<Item = SubscriberKeys>, BuildError> {
    use authsim_protocols::core::SimRng;
    use authsim_protocols::crypto::milenage::opc;
    use rand::{Rng, SeedableRng};
    let mut rng = SimRng::seed_from_u64(derive_seed(seed, "subscriber-keys"));
    let mut op = [0u8; 16];
    match op_hex {
        Some(h) => {
            op = hex::decode(h)?
                .try_into()
                .map_err(|_| BuildError::OpLength)?;
        }
        None => rng.fill_bytes(&mut op),
    }
    let mut scratch = Default::default();
    Ok((0..n).map(move |_| {
        let mut k = [0u8; 16];
        rng.fill_bytes(&mut k);
        (k, opc(&k, &op, &mut scratch))
    }))
}

/// Assigns node ids in the order the protocol lists its nodes.
pub struct Topology<'a> {
    ctx: &'a BuildContext<'a>,
    names: Vec<&'static str>,
    setups: Vec<Option<NodeSetup>>,
}

impl<'a> Topology<'a> {
    pub fn new(ctx: &'a BuildContext<'a>, names: &[&'static str]) -> Self {
        Self {
            ctx,
            names: names.to_vec(),
            setups: names.iter().map(|_| None).collect(),
        }
    }

    pub fn id(&self, name: &str) -> Result<u16, BuildError> {
        self.names
            .iter()
            .position(|n| *n == name)
            .map(|i| i as u16)
            .ok_or_else(|| BuildError::NoNode(name.into()))
    }

    fn links(&self, from: &str) -> Result<Vec<Option<LinkState>>, BuildError> {
        self.names
            .iter()
            .map(|to| match link_between(self.ctx.links, from, to) {
                Some(spec) if *to != from => {
                    LinkState::new(spec)
                        .map(Some)
                        .map_err(|source| BuildError::Link {
                            from: from.into(),
                            to: to.to_string(),
                            source,
                        })
                }
                _ => Ok(None),
            })
            .collect()
    }

    fn setup(
        &self,
        name: &str,
        host: Box<dyn Host>,
        service: Service,
        arrivals: Vec<(Nanos, u32)>,
    ) -> Result<NodeSetup, BuildError> {
        let plan = self
            .ctx
            .nodes
            .get(name)
            .ok_or_else(|| BuildError::MissingNode(name.into()))?;
        Ok(NodeSetup {
            id: self.id(name)?,
            name: name.to_string(),
            host,
            profile: plan.profile.clone(),
            service,
            links: self.links(name)?,
            arrivals,
            endpoint_seed: derive_seed(self.ctx.seed, &format!("endpoints/{name}")),
            network_seed: derive_seed(self.ctx.seed, &format!("network/{name}")),
            trace: None,
            attribute: false,
        })
    }

    /// A population of devices that start according to `[population.arrivals]`.
    pub fn population(
        &mut self,
        name: &str,
        host: Box<dyn Host>,
        count: u32,
    ) -> Result<(), BuildError> {
        let times = self.ctx.arrival_times(count)?;
        let arrivals = times.into_iter().zip(0..count).collect();
        self.place(name, host, Service::PerEndpoint, arrivals)
    }

    /// A population whose start commands the protocol chooses (e.g. group leaders).
    pub fn population_with(
        &mut self,
        name: &str,
        host: Box<dyn Host>,
        arrivals: Vec<(Nanos, u32)>,
    ) -> Result<(), BuildError> {
        self.place(name, host, Service::PerEndpoint, arrivals)
    }

    /// A server node with a FIFO queue in front of `[nodes.NAME].servers` servers.
    pub fn server(&mut self, name: &str, host: Box<dyn Host>) -> Result<(), BuildError> {
        let servers = self.servers(name);
        self.place(name, host, Service::Fifo { servers }, Vec::new())
    }

    /// A server node that also starts endpoints (e.g. a group leader that initiates).
    pub fn server_with(
        &mut self,
        name: &str,
        host: Box<dyn Host>,
        arrivals: Vec<(Nanos, u32)>,
    ) -> Result<(), BuildError> {
        let servers = self.servers(name);
        self.place(name, host, Service::Fifo { servers }, arrivals)
    }

    fn place(
        &mut self,
        name: &str,
        host: Box<dyn Host>,
        service: Service,
        arrivals: Vec<(Nanos, u32)>,
    ) -> Result<(), BuildError> {
        let id = self.id(name)? as usize;
        self.setups[id] = Some(self.setup(name, host, service, arrivals)?);
        Ok(())
    }

    pub fn finish(self) -> Result<Vec<NodeSetup>, BuildError> {
        self.setups
            .into_iter()
            .zip(&self.names)
            .map(|(s, n)| s.ok_or(BuildError::NotBuilt(n)))
            .collect()
    }

    /// `[nodes.NAME].servers`.
    fn servers(&self, name: &str) -> u32 {
        self.ctx.nodes.get(name).map_or(1, |n| n.servers)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_seeds_differ_by_label_and_seed() {
        assert_ne!(derive_seed(1, "a"), derive_seed(1, "b"));
        assert_ne!(derive_seed(1, "a"), derive_seed(2, "a"));
        // Pinned (computed independently: FNV-1a of the label, xor the seed, SplitMix64's
        // finaliser): every run's seeds, hence every shipped output, depend on it.
        assert_eq!(derive_seed(7, "arrivals"), 0x801a_ff37_0523_3ad2);
        assert_eq!(derive_seed(0, ""), 0xf52a_15e9_a9b5_e89b);
    }
}
