//! What the three secret-sharing group authentication schemes (harn-gas,
//! chien-gas, threshold-gas) share in a scenario: the group shape
//! (n, m, t), its validation against `population.devices`, one start time
//! per group, and the broadcast medium of the Harn/Chien groups.
//!
//! ## The Harn/Chien broadcast medium
//!
//! Every Harn/Chien participant broadcasts to the other participants of its
//! own group, so sender and receivers are endpoints of the same population
//! node (`member`). Its broadcasts travel on a link from `member` to itself
//! with the spec of the scenario's `member`–`channel` link (the group
//! medium):
//!
//! ```text
//! member i ──one broadcast, k deliveries (member–channel link spec)──▶ members r₁..r_k
//! ```
//!
//! A broadcast is a single transmission with one delivery per receiver
//! (serialised once, latency and loss drawn per delivery), counted exactly as
//! the protocol sent it. The engine keeps deliveries to a node's own
//! endpoints inside the node (`sim-core/src/node/`, `sim-core/src/engine/agenda.rs`).
//!
//! The `channel` node stays in the topology as the medium's name: scenario
//! files declare it and the link, and reports keep its row (profile `free`,
//! one idle radio per member, no traffic).
//!
//! Until this medium existed, a relay carried the broadcasts: a radio per
//! member in `channel` received each delivery and handed it, prefixed with the
//! 6-octet sender address, to its member over an internal zero-latency link.
//! The member counted the prefix as received radio bytes. With the relay gone
//! no prefix is sent, so none is counted (issue 15): a member receives the
//! PDU and the link's `header_bytes` per delivery, like every other node.

use std::sync::Arc;

use authsim_protocols::core::{
    Addr, Ctx, Endpoint, Incoming, Nanos, SimRng, TimerKey, time::SECOND,
};
use authsim_protocols::gas::Member;
use authsim_protocols::gas::group::{GroupMember, Roster, Scheme};
use rand::SeedableRng;

use super::ParamDoc;
use crate::build::{BuildContext, BuildError, Topology, derive_seed};
use crate::node::NodeSetup;
use crate::profile::Profile;
use crate::spec::{FieldError, PopulationSpec, to_seconds};

/// Largest group: a participant list (8 octets per identifier) must fit
/// one TLV message (16-bit length).
pub const MAX_GROUP: u32 = 8000;

/// How long a Harn/Chien member waits for the other tokens unless the
/// scenario says otherwise.
pub(crate) fn default_token_timeout_s() -> f64 {
    to_seconds(SECOND)
}

/// The group shape parameters of harn-gas and chien-gas.
pub(crate) fn broadcast_group_docs() -> Vec<ParamDoc> {
    vec![
        ParamDoc::required(
            "group_size",
            "n, members per group; population.devices = groups × n",
        ),
        ParamDoc::derived("participants", "m, members taking part, max(2, t)..=n", "n"),
        ParamDoc::required("threshold", "t, 1..=m"),
    ]
}

/// An invalid field: a bare name is a `protocol.` parameter.
pub(crate) fn invalid(field: &str, msg: impl Into<String>) -> FieldError {
    let f = if field.contains('.') {
        field.to_string()
    } else {
        format!("protocol.{field}")
    };
    FieldError::new(f, msg)
}

/// n, m, t: 1 ≤ t ≤ m ≤ n ≤ [`MAX_GROUP`], m ≥ `min_m`, and devices =
/// groups × n. Returns the number of groups.
pub fn validate_shape(
    n: u32,
    m: u32,
    t: u32,
    min_m: u32,
    pop: &PopulationSpec,
) -> Result<u32, FieldError> {
    if n == 0 || n > MAX_GROUP {
        return Err(invalid(
            "group_size",
            format!("must be 1..={MAX_GROUP} (members or meter nodes per group), got {n}"),
        ));
    }
    if m < min_m.max(1) || m > n {
        return Err(invalid(
            "participants",
            format!(
                "must be between {} and group_size = {n}, got {m}",
                min_m.max(1)
            ),
        ));
    }
    if t == 0 || t > m {
        return Err(invalid(
            "threshold",
            format!("must be between 1 and participants = {m}, got {t}"),
        ));
    }
    if !pop.devices.is_multiple_of(n) {
        return Err(invalid(
            "population.devices",
            format!(
                "is the number of group members (groups × group_size) and must be divisible by \
                 protocol.group_size = {n}; got {} devices",
                pop.devices
            ),
        ));
    }
    Ok(pop.devices / n)
}

pub(crate) fn positive_seconds(field: &str, v: f64) -> Result<(), FieldError> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("must be a positive number of seconds, got {v}"),
        ))
    }
}

pub(crate) fn ns(s: f64) -> Nanos {
    (s * SECOND as f64).round() as Nanos
}

/// One radio of the idle `channel` node (see the module doc).
pub struct Radio;

impl Endpoint for Radio {
    fn start(&mut self, _: &mut Ctx<'_>) {}
    fn on_message(&mut self, _: Incoming<'_>, cx: &mut Ctx<'_>) {
        cx.fx.ignore("radio_input");
    }
    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}

/// Makes `member`'s broadcasts travel on a link to itself with the spec of
/// its link to `channel`, and leaves `channel` idle and `free`.
pub fn broadcast_medium(
    setups: &mut [NodeSetup],
    member: u16,
    channel: u16,
) -> Result<(), BuildError> {
    let (m, c) = (member as usize, channel as usize);
    let medium = setups
        .get_mut(m)
        .and_then(|s| s.links.get_mut(c))
        .and_then(Option::take)
        .ok_or(BuildError::NoMedium)?;
    setups[m].links[m] = Some(medium);
    let ch = setups.get_mut(c).ok_or(BuildError::NoChannel)?;
    ch.profile = Profile::free();
    ch.links.iter_mut().for_each(|l| *l = None);
    Ok(())
}

/// Node ids of the Harn/Chien network (`nodes = ["member", "channel"]`).
pub const MEMBER_NODE: u16 = 0;
pub const CHANNEL_NODE: u16 = 1;

/// Member identifiers: 1, 2, ... over all groups (distinct, non-zero).
pub fn member_id(global_index: u32) -> u64 {
    global_index as u64 + 1
}

/// Builds `member` and `channel` for a Harn/Chien scenario: groups of n
/// members dealt by `deal(roster, rng)`; the first m of each group take
/// part; member 0 of group g starts at the g-th group start time.
pub fn build_broadcast_groups<S>(
    ctx: &BuildContext<'_>,
    nodes: &[&'static str],
    n: u32,
    m: u32,
    label: &str,
    mut deal: impl FnMut(Arc<Roster>, &mut SimRng) -> Result<Vec<GroupMember<S>>, BuildError>,
) -> Result<Vec<NodeSetup>, BuildError>
where
    S: Scheme + Send + 'static,
    S::Token: Send,
    S::Tally: Send,
{
    let devices = ctx.population.devices;
    let groups = devices / n;
    let mut keys = SimRng::seed_from_u64(derive_seed(ctx.seed, label));
    let mut members = Vec::with_capacity(devices as usize);
    for g in 0..groups {
        let roster = Roster::new(
            (0..n)
                .map(|i| Member {
                    id: member_id(g * n + i),
                    addr: Addr::new(MEMBER_NODE, g * n + i),
                })
                .collect(),
        )?;
        let ids: Vec<u64> = roster.members()[..m as usize]
            .iter()
            .map(|x| x.id)
            .collect();
        let mut group = deal(roster, &mut keys)?;
        if group.len() != n as usize {
            return Err(BuildError::Dealing {
                got: group.len(),
                want: n,
            });
        }
        group[0].set_participants(ids);
        members.extend(group);
    }
    let arrivals = ctx
        .arrival_times(groups)?
        .into_iter()
        .enumerate()
        .map(|(g, at)| (at, g as u32 * n))
        .collect();
    let radios: Vec<Radio> = (0..devices).map(|_| Radio).collect();
    let mut topo = Topology::new(ctx, nodes);
    topo.population_with("member", Box::new(members), arrivals)?;
    topo.population_with("channel", Box::new(radios), Vec::new())?;
    let mut setups = topo.finish()?;
    broadcast_medium(&mut setups, MEMBER_NODE, CHANNEL_NODE)?;
    Ok(setups)
}
