//! What the three secret-sharing group authentication schemes (harn-gas,
//! chien-gas, threshold-gas) share in a scenario: the group shape
//! (n, m, t), its validation against `population.devices`, one start time
//! per group, and the `channel` node that carries the Harn/Chien broadcasts.
//!
//! ## Why Harn and Chien need a `channel` node
//!
//! Every Harn/Chien participant broadcasts to the other participants of its
//! own group, so sender and receivers are endpoints of the same population
//! node, and the engine has no link from a node to itself (a nexosim output
//! connected to its own mailbox can deadlock when the mailbox is full). Two
//! nodes holding the members cannot help either: in a group of m ≥ 3 that
//! all talk to each other, some sender always has a receiver on its own node.
//!
//! So the group members' addresses as the protocol sees them (roster
//! addresses) are those of their *radios* in the `channel` node, one radio
//! per member at the member's index:
//!
//! ```text
//! member i ──one broadcast, k deliveries──▶ channel r₁..r_k   (the medium: scenario link member–channel)
//! channel r ──handoff──▶ member r                              (internal: 0 latency, no loss, not counted)
//! ```
//!
//! The broadcast is a single transmission with one delivery per receiver on
//! the scenario's `member`–`channel` link (serialised once, latency and loss
//! per delivery), counted exactly as the protocol sent it. The radio hands
//! each delivery to its member at once over an internal link (the build
//! replaces the channel→member direction by a zero-latency, lossless,
//! infinite-bandwidth one, and the channel's profile by `free`); handoffs are
//! labelled [`HANDOFF_KIND`] and left out of the message counts
//! (`report.rs`), so messages.csv shows the protocol's transmissions only.
//! The handoff carries the original sender, which [`OnChannel`] restores
//! before the member sees the message, and [`OnChannel`] maps radio
//! addresses in outcomes back to members, so verdicts name members.

use std::sync::Arc;

use authsim_protocols::core::{
    Addr, Ctx, Endpoint, Incoming, Nanos, Outcome, SimRng, TimerId, time::SECOND,
};
use authsim_protocols::gas::Member;
use authsim_protocols::gas::group::{GroupMember, Roster, Scheme};
use rand::SeedableRng;

use crate::latency::Latency;
use crate::link::{LinkSpec, LinkState};
use crate::node::NodeSetup;
use crate::profile::Profile;
use crate::scenario::{PopulationSpec, Scenario};

use crate::build::{Topology, derive_seed};

/// Message kind of the internal radio→member handoff; not counted.
pub const HANDOFF_KIND: &str = "(channel handoff)";

/// Largest group: a participant list (8 octets per identifier) must fit
/// one TLV message (16-bit length).
pub const MAX_GROUP: u32 = 8000;

pub(crate) fn default_timeout() -> f64 {
    1.0
}

/// (field, message) as `ProtocolSpec::validate` reports it.
pub type Invalid = (String, String);

pub(crate) fn bad<T>(field: &str, msg: impl Into<String>) -> Result<T, Invalid> {
    let f = if field.contains('.') {
        field.to_string()
    } else {
        format!("protocol.{field}")
    };
    Err((f, msg.into()))
}

/// n, m, t: 1 ≤ t ≤ m ≤ n ≤ [`MAX_GROUP`], m ≥ `min_m`, and devices =
/// groups × n. Returns the number of groups.
pub fn validate_shape(
    n: u32,
    m: u32,
    t: u32,
    min_m: u32,
    pop: &PopulationSpec,
) -> Result<u32, Invalid> {
    if n == 0 || n > MAX_GROUP {
        return bad(
            "group_size",
            format!("must be 1..={MAX_GROUP} (members or meter nodes per group), got {n}"),
        );
    }
    if m < min_m.max(1) || m > n {
        return bad(
            "participants",
            format!(
                "must be between {} and group_size = {n}, got {m}",
                min_m.max(1)
            ),
        );
    }
    if t == 0 || t > m {
        return bad(
            "threshold",
            format!("must be between 1 and participants = {m}, got {t}"),
        );
    }
    if !pop.devices.is_multiple_of(n) {
        return bad(
            "population.devices",
            format!(
                "is the number of group members (groups × group_size) and must be divisible by \
                 protocol.group_size = {n}; got {} devices",
                pop.devices
            ),
        );
    }
    Ok(pop.devices / n)
}

pub(crate) fn positive_seconds(field: &str, v: f64) -> Result<(), Invalid> {
    if v.is_finite() && v > 0.0 {
        Ok(())
    } else {
        bad(
            field,
            format!("must be a positive number of seconds, got {v}"),
        )
    }
}

pub(crate) fn ns(s: f64) -> Nanos {
    (s * SECOND as f64).round() as Nanos
}

/// One start time per group, drawn with the scenario's arrival pattern
/// (sorted: group g starts at the g-th time).
pub fn group_starts(scn: &Scenario, seed: u64, groups: u32) -> Result<Vec<Nanos>, String> {
    scn.population
        .arrivals
        .to_arrivals()
        .times(groups, derive_seed(seed, "arrivals"))
}

/// One radio of the `channel` node: hands every delivery to its member,
/// prefixed with the original sender (node u16 ‖ index u32, big-endian).
pub struct Radio {
    member_node: u16,
}

impl Radio {
    pub fn new(member_node: u16) -> Self {
        Self { member_node }
    }
}

impl Endpoint for Radio {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let mut pdu = Vec::with_capacity(6 + msg.pdu.len());
        pdu.extend_from_slice(&msg.from.node.to_be_bytes());
        pdu.extend_from_slice(&msg.from.index.to_be_bytes());
        pdu.extend_from_slice(msg.pdu);
        let to = Addr::new(self.member_node, cx.me.index);
        cx.fx.send(to, msg.interface, HANDOFF_KIND, pdu);
    }

    fn on_timer(&mut self, _: TimerId, _: &mut Ctx<'_>) {}
}

/// A group member whose roster addresses are radios in the `channel` node:
/// restores the original sender of handed-off messages and names members,
/// not radios, in its outcomes.
pub struct OnChannel<E> {
    inner: E,
    channel: u16,
}

impl<E: Endpoint> OnChannel<E> {
    pub fn new(inner: E, channel: u16) -> Self {
        Self { inner, channel }
    }
    pub fn inner(&self) -> &E {
        &self.inner
    }

    fn members_not_radios(&self, cx: &mut Ctx<'_>) {
        let member_node = cx.me.node;
        for o in cx.fx.outcomes.iter_mut() {
            let subject = match o {
                Outcome::Authenticated { subject, .. }
                | Outcome::Rejected { subject, .. }
                | Outcome::AttackDetected { subject, .. }
                | Outcome::Failed { subject, .. } => subject,
            };
            if subject.node == self.channel {
                subject.node = member_node;
            }
        }
    }
}

impl<E: Endpoint> Endpoint for OnChannel<E> {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        self.inner.start(cx);
        self.members_not_radios(cx);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.from.node == self.channel {
            // A handoff from this member's radio: sender ‖ PDU.
            let Some((head, pdu)) = msg.pdu.split_first_chunk::<6>() else {
                return;
            };
            let from = Addr::new(
                u16::from_be_bytes([head[0], head[1]]),
                u32::from_be_bytes([head[2], head[3], head[4], head[5]]),
            );
            self.inner.on_message(
                Incoming {
                    from,
                    interface: msg.interface,
                    pdu,
                },
                cx,
            );
        } else {
            self.inner.on_message(msg, cx);
        }
        self.members_not_radios(cx);
    }

    fn on_timer(&mut self, id: TimerId, cx: &mut Ctx<'_>) {
        self.inner.on_timer(id, cx);
        self.members_not_radios(cx);
    }
}

/// Makes `channel` the internal relay described above: its radios hand
/// deliveries to `member` at once, without loss, at no cost.
pub fn internal_channel(setups: &mut [NodeSetup], channel: u16, member: u16) -> Result<(), String> {
    let ch = setups
        .iter_mut()
        .find(|s| s.id == channel)
        .ok_or("no channel node")?;
    ch.profile = Profile::free();
    let handoff = LinkState::new(LinkSpec {
        latency: Latency::Fixed(0),
        bandwidth_bps: None,
        loss: 0.0,
        header_bytes: 0,
    })?;
    for (to, link) in ch.links.iter_mut().enumerate() {
        *link = (to == member as usize).then(|| handoff.clone());
    }
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
    scn: &Scenario,
    seed: u64,
    nodes: &[&'static str],
    n: u32,
    m: u32,
    label: &str,
    mut deal: impl FnMut(Arc<Roster>, &mut SimRng) -> Result<Vec<GroupMember<S>>, String>,
) -> Result<Vec<NodeSetup>, String>
where
    S: Scheme + Send + 'static,
    S::Token: Send,
{
    let devices = scn.population.devices;
    let groups = devices / n;
    let mut keys = SimRng::seed_from_u64(derive_seed(seed, label));
    let mut members = Vec::with_capacity(devices as usize);
    for g in 0..groups {
        let roster = Roster::new(
            (0..n)
                .map(|i| Member {
                    id: member_id(g * n + i),
                    addr: Addr::new(CHANNEL_NODE, g * n + i),
                })
                .collect(),
        )
        .map_err(|e| e.to_string())?;
        let ids: Vec<u64> = roster.members()[..m as usize]
            .iter()
            .map(|x| x.id)
            .collect();
        let mut group = deal(roster, &mut keys)?;
        if group.len() != n as usize {
            return Err(format!("dealing returned {} members, not {n}", group.len()));
        }
        group[0].set_participants(ids);
        members.extend(group.into_iter().map(|e| OnChannel::new(e, CHANNEL_NODE)));
    }
    let arrivals = group_starts(scn, seed, groups)?
        .into_iter()
        .enumerate()
        .map(|(g, at)| (at, g as u32 * n))
        .collect();
    let radios: Vec<Radio> = (0..devices).map(|_| Radio::new(MEMBER_NODE)).collect();
    let mut topo = Topology::new(scn, seed, nodes)?;
    topo.population_with("member", Box::new(members), arrivals)?;
    topo.population_with("channel", Box::new(radios), Vec::new())?;
    let mut setups = topo.finish()?;
    internal_channel(&mut setups, CHANNEL_NODE, MEMBER_NODE)?;
    Ok(setups)
}
