//! `[[attacks]]`: an adversary node per entry, placed on the radio side of
//! its target, injecting at a fixed rate between two times; and what an
//! attack costs, measured against the same run without adversary.
//!
//! The adversary endpoint is `authsim_protocols::adversary::injector`; the
//! classes, what each exercises and how the numbers are read: docs/threats.md.

use authsim_protocols::adversary::fiveg::SuciForm;
use authsim_protocols::adversary::injector::{Dialect, Injector, Move};
use authsim_protocols::adversary::mitm::{Field, Mitm, Recorded, Tamper};
use authsim_protocols::core::{Addr, Ctx, Destination, Endpoint, Incoming, Nanos, TimerKey};
use serde::Deserialize;

use crate::build::{BuildError, derive_seed};
use crate::host::Host;
use crate::link::LinkState;
use crate::node::{NodeSetup, Service};
use crate::profile::Profile;
use crate::report::RunResult;
use crate::spec::{FieldError, LinkConfig, PopulationSpec, link_between, seconds};

/// One `[[attacks]]` entry.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AttackSpec {
    pub class: AttackClass,
    /// The node attacked: the serving node (`mme`, `vlr`) for floods and
    /// impersonation, the device node (`ue`, `ms`) for a false base station.
    pub target: String,
    #[serde(default)]
    pub start_s: f64,
    pub stop_s: f64,
    /// Injections per second (one every 1/rate s from `start_s`); the
    /// man-in-the-middle classes other than `replay` take none.
    #[serde(default)]
    pub rate_per_s: Option<f64>,
    /// Radio identities (sources) the adversary takes turns with: a serving
    /// node keeps one procedure per source, so a flood from one source
    /// mostly meets its own pending procedure. For the man-in-the-middle
    /// classes: the victim devices (devices 0 .. sources), one relay each.
    #[serde(default = "crate::spec::one")]
    pub sources: u32,
    /// `modification`: the field altered.
    #[serde(default)]
    pub field: Option<FieldSpec>,
    /// `replay`: the PDU recorded and re-sent.
    #[serde(default)]
    pub pdu: Option<PduSpec>,
    /// `relay`: the delay the relay adds to every PDU, ms.
    #[serde(default)]
    pub delay_ms: Option<f64>,
    /// `attach_flood` of 5G-AKA: how the forged registrations' SUCIs are
    /// written (`"null"`: unknown MSINs in the clear; `"a"`, the default:
    /// random profile A outputs, each costing the UDM's SIDF a key agreement).
    #[serde(default)]
    pub suci: Option<SuciSpec>,
    /// `air_flood`: whose IMSIs the rogue core peer asks for (`"random"`,
    /// the default: unknown ones; `"victims"`: the subscribers').
    #[serde(default)]
    pub imsis: Option<crate::home_attacks::ImsiSpec>,
    /// `fake_home_answer`: what the forged answers carry (`"random"`, the
    /// default: random vectors; `"replayed"`: genuine vectors recorded in
    /// flight from other subscribers' answers).
    #[serde(default)]
    pub vectors: Option<crate::home_attacks::VectorsSpec>,
}

/// `attacks[].suci` of a 5G registration flood.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum SuciSpec {
    Null,
    A,
}

/// `attacks[].field` of a `modification`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum FieldSpec {
    Rand,
    Autn,
    Res,
    Mac,
    /// RAND_G of group AKA's group challenge.
    RandG,
}

/// `attacks[].pdu` of a `replay`.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum PduSpec {
    AttachRequest,
    AuthenticationResponse,
    SecurityModeComplete,
    AuthenticationRequest,
}

/// The attack classes built so far (issue 10 lists more; docs/threats.md).
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AttackClass {
    /// Signalling DoS: attach requests with random unknown IMSIs.
    AttachFlood,
    /// Forgery: a device without the key attaching under a subscriber's IMSI.
    Impersonation,
    /// Forgery: a fake serving network challenging devices.
    FalseBaseStation,
    /// Forgery: a fake serving network sending AUTHENTICATION REJECT
    /// (not integrity protected) to devices.
    FakeReject,
    /// Man in the middle: relays victims' PDUs with an added delay.
    Relay,
    /// Man in the middle: alters a field of victims' PDUs in flight.
    Modification,
    /// Man in the middle: records a victim's PDU and re-sends it.
    Replay,
    /// Man in the middle: answers a victim's new attempt with a stale
    /// recorded challenge (synch failure, resynchronisation).
    Desync,
    /// Group AKA: a fake MME's forged group challenges (random RAND_i,
    /// AUTN, RAND_G) that make attaching members work (crate::attacks_group).
    GroupChallengeFlood,
    /// Group AKA: a subscriber attaching under a group it is not a member of.
    NonMember,
    /// Group AKA: a member's GK in the adversary's hands, used to attach as
    /// another member of its group (the scheme's documented insider break).
    CompromisedMember,
    /// Signalling DoS inside the core: a rogue peer's authentication-data
    /// requests (Diameter AIR, MAP SendAuthenticationInfo) to the home node
    /// (crate::home_attacks).
    AirFlood,
    /// Forgery inside the core: a rogue agent on the serving node's home
    /// interface answering the victims' authentication-data requests with
    /// forged vectors (crate::home_attacks).
    FakeHomeAnswer,
}

impl AttackClass {
    pub fn name(self) -> &'static str {
        match self {
            AttackClass::AttachFlood => "attach_flood",
            AttackClass::Impersonation => "impersonation",
            AttackClass::FalseBaseStation => "false_base_station",
            AttackClass::FakeReject => "fake_reject",
            AttackClass::Relay => "relay",
            AttackClass::Modification => "modification",
            AttackClass::Replay => "replay",
            AttackClass::Desync => "desync",
            AttackClass::GroupChallengeFlood => "group_challenge_flood",
            AttackClass::NonMember => "non_member",
            AttackClass::CompromisedMember => "compromised_member",
            AttackClass::AirFlood => "air_flood",
            AttackClass::FakeHomeAnswer => "fake_home_answer",
        }
    }

    /// Whether the adversary stands in the victims' radio path (routes
    /// their traffic) rather than beside it.
    pub fn in_path(self) -> bool {
        matches!(
            self,
            AttackClass::Relay
                | AttackClass::Modification
                | AttackClass::Replay
                | AttackClass::Desync
        )
    }

    /// Whether the class injects at `rate_per_s` (the others take none).
    fn has_rate(self) -> bool {
        !matches!(
            self,
            AttackClass::Relay
                | AttackClass::Modification
                | AttackClass::Desync
                | AttackClass::FakeHomeAnswer
        )
    }
}

/// Protocols the adversary can speak, with their (device, serving) nodes.
const SUPPORTED: &[(&str, Dialect, &str, &str)] = &[
    ("eps-aka", Dialect::Eps, "ue", "mme"),
    ("umts-aka", Dialect::Umts, "ms", "vlr"),
    ("5g-aka", Dialect::FiveG(SuciForm::ProfileA), "ue", "amf"),
    // The group size is the scenario's (filled in by `place`).
    ("group-aka", Dialect::Group { group_size: 0 }, "ue", "mme"),
];

/// The most injections one entry may make (keeps a typo from running forever).
const MAX_INJECTIONS: f64 = 1e7;

fn dialect(protocol: &str) -> Option<(Dialect, &'static str, &'static str)> {
    SUPPORTED
        .iter()
        .find(|s| s.0 == protocol)
        .map(|s| (s.1, s.2, s.3))
}

/// The protocols with an adversary, in table order (the attack matrix's
/// rows, crate::attack_matrix).
pub fn supported_protocols() -> impl Iterator<Item = &'static str> {
    SUPPORTED.iter().map(|s| s.0)
}

/// The device node of a protocol with an adversary.
pub fn device_node(protocol: &str) -> Option<&'static str> {
    dialect(protocol).map(|d| d.1)
}

/// The node an entry of `class` must name as `target` in `protocol`.
pub fn target_node(protocol: &str, class: AttackClass) -> Option<&'static str> {
    match class {
        AttackClass::AirFlood => return crate::home_attacks::home_node(protocol),
        AttackClass::FakeHomeAnswer => return crate::home_attacks::serving_peer(protocol),
        _ => {}
    }
    dialect(protocol).map(|(_, device, serving)| target_of(class, device, serving))
}

/// The serving node for the classes that attack it, else the device node.
fn target_of(class: AttackClass, device: &'static str, serving: &'static str) -> &'static str {
    match class {
        AttackClass::AttachFlood
        | AttackClass::Impersonation
        | AttackClass::NonMember
        | AttackClass::CompromisedMember => serving,
        _ => device,
    }
}

/// Checks every entry against the protocol and its `devices`; errors name
/// `attacks[i].field`.
pub fn validate(attacks: &[AttackSpec], protocol: &str, devices: u32) -> Result<(), FieldError> {
    for (i, a) in attacks.iter().enumerate() {
        let f = |field: &str| format!("attacks[{i}].{field}");
        let Some((dialect, device, serving)) = dialect(protocol) else {
            let names: Vec<&str> = SUPPORTED.iter().map(|s| s.0).collect();
            return Err(FieldError::new(
                f("class"),
                format!(
                    "protocol `{protocol}` has no adversary yet; supported by: {}",
                    names.join(", ")
                ),
            ));
        };
        let want = match a.class {
            AttackClass::AirFlood => crate::home_attacks::home_node(protocol).ok_or_else(|| {
                FieldError::new(
                    f("class"),
                    format!(
                        "class `air_flood` is built for {} only, not `{protocol}`",
                        crate::home_attacks::flooded_protocols()
                    ),
                )
            })?,
            AttackClass::FakeHomeAnswer => {
                crate::home_attacks::serving_peer(protocol).ok_or_else(|| {
                    FieldError::new(
                        f("class"),
                        format!(
                            "class `fake_home_answer` is built for {} only, not `{protocol}`",
                            crate::home_attacks::flooded_protocols()
                        ),
                    )
                })?
            }
            _ => target_of(a.class, device, serving),
        };
        if a.target != want {
            return Err(FieldError::new(
                f("target"),
                format!(
                    "class `{}` of protocol `{protocol}` attacks node `{want}`, not `{}`",
                    a.class.name(),
                    a.target
                ),
            ));
        }
        if !(a.start_s.is_finite() && a.start_s >= 0.0) {
            return Err(FieldError::new(
                f("start_s"),
                format!("must be >= 0, got {}", a.start_s),
            ));
        }
        if !(a.stop_s.is_finite() && a.stop_s > a.start_s) {
            return Err(FieldError::new(
                f("stop_s"),
                format!("must be after start_s ({}), got {}", a.start_s, a.stop_s),
            ));
        }
        if a.sources == 0 || a.sources > 100_000 {
            return Err(FieldError::new(
                f("sources"),
                format!("must be 1..=100000, got {}", a.sources),
            ));
        }
        if (a.class.in_path() || a.class == AttackClass::FakeHomeAnswer) && a.sources > devices {
            return Err(FieldError::new(
                f("sources"),
                format!(
                    "class `{}` relays devices 0..sources; the population has {devices}",
                    a.class.name()
                ),
            ));
        }
        validate_class_fields(a, dialect, &f)?;
        if a.class == AttackClass::FakeHomeAnswer && attacks[..i].iter().any(|b| b.class == a.class)
        {
            return Err(FieldError::new(
                f("class"),
                "one `fake_home_answer` entry per scenario (they would stand in the same path)",
            ));
        }
        if a.class.in_path() && attacks[..i].iter().any(|b| b.class.in_path()) {
            return Err(FieldError::new(
                f("class"),
                "one man-in-the-middle entry per scenario (they would relay the same devices)",
            ));
        }
        let rate = match (a.class.has_rate(), a.rate_per_s) {
            (true, Some(rate)) => rate,
            (true, None) => {
                return Err(FieldError::new(
                    f("rate_per_s"),
                    format!("class `{}` needs an injection rate", a.class.name()),
                ));
            }
            (false, Some(_)) => {
                return Err(FieldError::new(
                    f("rate_per_s"),
                    format!(
                        "class `{}` injects no PDUs of its own at a rate; remove the field",
                        a.class.name()
                    ),
                ));
            }
            (false, None) => continue,
        };
        if !(rate.is_finite() && rate > 0.0) {
            return Err(FieldError::new(
                f("rate_per_s"),
                format!("must be a positive number, got {rate}"),
            ));
        }
        if seconds(1.0 / rate) == 0 {
            return Err(FieldError::new(
                f("rate_per_s"),
                "is above 10^9 per second (the clock's nanosecond)",
            ));
        }
        if (a.stop_s - a.start_s) * rate > MAX_INJECTIONS {
            return Err(FieldError::new(
                f("rate_per_s"),
                format!("(stop_s - start_s) × rate_per_s exceeds {MAX_INJECTIONS:e} injections"),
            ));
        }
    }
    Ok(())
}

/// `field`, `pdu` and `delay_ms` belong to one class each, and some
/// choices have no meaning in a dialect (UMTS MM carries no NAS MAC and no
/// security mode procedure).
fn validate_class_fields(
    a: &AttackSpec,
    dialect: Dialect,
    f: &dyn Fn(&str) -> String,
) -> Result<(), FieldError> {
    crate::attacks_group::check_group_only(a, dialect, f)?;
    let class = a.class.name();
    let needs = |field: &str, present: bool, wanted: bool| {
        if present == wanted {
            return Ok(());
        }
        Err(FieldError::new(
            f(field),
            if wanted {
                format!("class `{class}` needs it")
            } else {
                format!(
                    "only for class `{}`",
                    match field {
                        "field" => "modification",
                        "pdu" => "replay",
                        _ => "relay",
                    }
                )
            },
        ))
    };
    needs(
        "field",
        a.field.is_some(),
        a.class == AttackClass::Modification,
    )?;
    needs("pdu", a.pdu.is_some(), a.class == AttackClass::Replay)?;
    if a.imsis.is_some() && a.class != AttackClass::AirFlood {
        return Err(FieldError::new(f("imsis"), "only for class `air_flood`"));
    }
    if a.vectors.is_some() && a.class != AttackClass::FakeHomeAnswer {
        return Err(FieldError::new(
            f("vectors"),
            "only for class `fake_home_answer`",
        ));
    }
    if a.suci.is_some()
        && !(a.class == AttackClass::AttachFlood && matches!(dialect, Dialect::FiveG(_)))
    {
        return Err(FieldError::new(
            f("suci"),
            "only for class `attach_flood` of 5G-AKA (the SUCI of a forged registration)",
        ));
    }
    needs(
        "delay_ms",
        a.delay_ms.is_some(),
        a.class == AttackClass::Relay,
    )?;
    if let Some(d) = a.delay_ms
        && !(d.is_finite() && (0.0..=60_000.0).contains(&d))
    {
        return Err(FieldError::new(
            f("delay_ms"),
            format!("must be 0..=60000, got {d}"),
        ));
    }
    if dialect == Dialect::Umts
        && (a.field == Some(FieldSpec::Mac) || a.pdu == Some(PduSpec::SecurityModeComplete))
    {
        let which = if a.field.is_some() { "field" } else { "pdu" };
        return Err(FieldError::new(
            f(which),
            "UMTS MM has no NAS MAC and no security mode procedure (TS 24.008)",
        ));
    }
    Ok(())
}

/// The adversary nodes' names, in node order after the protocol's nodes.
pub fn node_name(i: usize) -> String {
    format!("adversary{i}")
}

/// Appends one adversary node per entry to `setups` (already validated):
/// it reaches its target over the target's radio link, and the target
/// reaches it back (every other node has no link to it). `group`: the
/// groups of a group AKA run.
pub fn place(
    setups: &mut Vec<NodeSetup>,
    attacks: &[AttackSpec],
    protocol: &str,
    population: &PopulationSpec,
    links: &[LinkConfig],
    seed: u64,
    group: Option<&crate::attacks_group::GroupSetup>,
) -> Result<(), BuildError> {
    let Some((dialect, device, serving)) = dialect(protocol) else {
        return Ok(());
    };
    let dialect = match (dialect, group) {
        (Dialect::Group { .. }, Some(g)) => Dialect::Group {
            group_size: g.group_size,
        },
        _ => dialect,
    };
    let first = setups.len();
    let total = first + attacks.len();
    for s in setups.iter_mut() {
        s.links.resize_with(total, || None);
    }
    let id_of = |setups: &[NodeSetup], name: &str| {
        setups
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| BuildError::NoNode(name.into()))
    };
    let radio =
        link_between(links, device, serving).ok_or_else(|| BuildError::NoNode(device.into()))?;
    let link = |from: &str, to: &str| {
        LinkState::new(radio.clone()).map_err(|source| BuildError::Link {
            from: from.into(),
            to: to.into(),
            source,
        })
    };
    for (i, a) in attacks.iter().enumerate() {
        let name = node_name(i);
        let target = id_of(setups, &a.target)?;
        let me = (first + i) as u16;
        setups[target].links[me as usize] = Some(link(&a.target, &name)?);
        let mut own_links: Vec<Option<LinkState>> = (0..total).map(|_| None).collect();
        own_links[target] = Some(link(&name, &a.target)?);
        let (start, stop) = (seconds(a.start_s), seconds(a.stop_s));
        let (host, arrivals): (Box<dyn Host>, Vec<(Nanos, u32)>) = if a.class
            == AttackClass::AirFlood
        {
            // A rogue peer of the home node: its link copies the serving
            // node's link to the home node (it stands where a peer stands).
            let serving = crate::home_attacks::serving_peer(protocol).unwrap_or(serving);
            let core = link_between(links, serving, &a.target)
                .ok_or_else(|| BuildError::NoNode(a.target.clone()))?;
            let core_link = |from: &str, to: &str| {
                LinkState::new(core.clone()).map_err(|source| BuildError::Link {
                    from: from.into(),
                    to: to.into(),
                    source,
                })
            };
            setups[target].links[me as usize] = Some(core_link(&a.target, &name)?);
            own_links[target] = Some(core_link(&name, &a.target)?);
            crate::home_attacks::flooders(
                a,
                protocol,
                population,
                Addr::new(target as u16, 0),
                &schedule(a, start, stop),
                stop,
            )
        } else if a.class == AttackClass::FakeHomeAnswer {
            // An agent in the serving node's home path: the serving node's
            // requests to the home node go to it; it reaches both over
            // copies of their link.
            let serving_id = id_of(setups, serving)?;
            let home = crate::home_attacks::home_node(protocol)
                .ok_or_else(|| BuildError::NoNode(format!("home node of {protocol}")))?;
            let home_id = id_of(setups, home)?;
            let core = link_between(links, serving, home)
                .ok_or_else(|| BuildError::NoNode(home.into()))?;
            let core_link = |from: &str, to: &str| {
                LinkState::new(core.clone()).map_err(|source| BuildError::Link {
                    from: from.into(),
                    to: to.into(),
                    source,
                })
            };
            setups[serving_id].links[me as usize] = Some(core_link(serving, &name)?);
            own_links[serving_id] = Some(core_link(&name, serving)?);
            setups[home_id].links[me as usize] = Some(core_link(home, &name)?);
            own_links[home_id] = Some(core_link(&name, home)?);
            let inner =
                std::mem::replace(&mut setups[serving_id].host, Box::new(Vec::<Mitm>::new()));
            setups[serving_id].host = crate::home_attacks::tapped(inner, home_id as u16, me);
            crate::home_attacks::agent(
                a,
                protocol,
                (
                    Addr::new(serving_id as u16, 0),
                    Addr::new(home_id as u16, 0),
                ),
                (start, stop),
            )
        } else if a.class.in_path() {
            // The victims' uplink is routed to this node, which reaches the
            // serving node over a copy of the radio link.
            let serving_id = id_of(setups, serving)?;
            setups[serving_id].links[me as usize] = Some(link(serving, &name)?);
            own_links[serving_id] = Some(link(&name, serving)?);
            let inner = std::mem::replace(&mut setups[target].host, Box::new(Vec::<Mitm>::new()));
            setups[target].host = Box::new(Tapped {
                inner,
                victims: a.sources,
                serving: serving_id as u16,
                adversary: me,
                relay_index: None,
                current: 0,
            });
            man_in_the_middle(
                a,
                dialect,
                (target as u16, serving_id as u16, me),
                (start, stop),
            )
        } else if a.class == AttackClass::CompromisedMember {
            let g = group.ok_or_else(|| BuildError::NoNode("group-aka groups".into()))?;
            crate::attacks_group::insiders(
                a,
                g,
                population,
                Addr::new(id_of(setups, serving)? as u16, 0),
                (start, stop),
                derive_seed(seed, &format!("insiders/{name}")),
            )
        } else {
            let dialect = match (dialect, a.suci) {
                (Dialect::FiveG(_), Some(SuciSpec::Null)) => Dialect::FiveG(SuciForm::Null),
                _ => dialect,
            };
            injectors(
                a,
                dialect,
                population,
                Addr::new(target as u16, 0),
                (start, stop),
            )
        };
        setups.push(NodeSetup {
            id: me,
            name: name.clone(),
            host,
            profile: Profile::builtin("free").expect("built-in profile"),
            service: Service::PerEndpoint,
            links: own_links,
            arrivals,
            endpoint_seed: derive_seed(seed, &format!("endpoints/{name}")),
            network_seed: derive_seed(seed, &format!("network/{name}")),
            trace: None,
            attribute: false,
        });
    }
    Ok(())
}

/// Source k of an injecting entry starts at `start + k/rate`, then injects
/// every `sources/rate`: (first injection, interval) per source.
fn schedule(a: &AttackSpec, start: Nanos, stop: Nanos) -> Vec<(Nanos, Nanos)> {
    let step = seconds(1.0 / a.rate_per_s.unwrap_or(1.0));
    (0..a.sources)
        .map(|k| (start + k as Nanos * step, step * a.sources as Nanos))
        .take_while(|&(first, _)| first < stop)
        .collect()
}

/// The injecting classes: one [`Injector`] per source.
fn injectors(
    a: &AttackSpec,
    dialect: Dialect,
    population: &PopulationSpec,
    target: Addr,
    (start, stop): (Nanos, Nanos),
) -> (Box<dyn Host>, Vec<(Nanos, u32)>) {
    let mv = match a.class {
        AttackClass::AttachFlood => Move::FloodRandomIdentities {
            known: population.devices,
        },
        AttackClass::Impersonation => Move::ImpersonateDevice {
            victims: population.devices,
        },
        AttackClass::FakeReject => Move::FakeReject {
            devices: population.devices,
        },
        AttackClass::GroupChallengeFlood => Move::GroupChallengeFlood {
            devices: population.devices,
        },
        AttackClass::NonMember => Move::ForeignGroup {
            victims: population.devices,
            groups: match dialect {
                Dialect::Group { group_size } => population.devices / group_size.max(1),
                _ => 1,
            },
        },
        _ => Move::FakeNetworkChallenge {
            devices: population.devices,
        },
    };
    let mut hosted = Vec::new();
    let mut arrivals = Vec::new();
    for (k, (first, interval)) in schedule(a, start, stop).into_iter().enumerate() {
        hosted.push(Injector::new(
            dialect,
            mv,
            target,
            "00101".into(),
            first,
            stop,
            interval,
            (k as u64, a.sources as u64),
        ));
        arrivals.push((first, k as u32));
    }
    (Box::new(hosted), arrivals)
}

/// The man-in-the-middle classes: one [`Mitm`] per victim device, each
/// started at time 0 (a replay relay arms its first re-send there).
fn man_in_the_middle(
    a: &AttackSpec,
    dialect: Dialect,
    (device, serving, _me): (u16, u16, u16),
    (start, stop): (Nanos, Nanos),
) -> (Box<dyn Host>, Vec<(Nanos, u32)>) {
    let replays = schedule(a, start, stop);
    let hosted: Vec<Mitm> = (0..a.sources)
        .map(|k| {
            let tamper = match a.class {
                AttackClass::Relay => Tamper::Relay {
                    delay: seconds(a.delay_ms.unwrap_or(0.0) / 1e3),
                },
                AttackClass::Modification => Tamper::Modify(match a.field {
                    Some(FieldSpec::Rand) | None => Field::Rand,
                    Some(FieldSpec::Autn) => Field::Autn,
                    Some(FieldSpec::Res) => Field::Res,
                    Some(FieldSpec::Mac) => Field::Mac,
                    Some(FieldSpec::RandG) => Field::RandG,
                }),
                AttackClass::Replay => {
                    let (first, interval) = replays.get(k as usize).copied().unwrap_or((stop, 1));
                    Tamper::Replay {
                        pdu: match a.pdu {
                            Some(PduSpec::AttachRequest) | None => Recorded::AttachRequest,
                            Some(PduSpec::AuthenticationResponse) => {
                                Recorded::AuthenticationResponse
                            }
                            Some(PduSpec::SecurityModeComplete) => Recorded::SecurityModeComplete,
                            Some(PduSpec::AuthenticationRequest) => Recorded::AuthenticationRequest,
                        },
                        first,
                        interval,
                        other: Addr::new(device, (k + 1) % a.sources),
                    }
                }
                _ => Tamper::Desync,
            };
            Mitm::new(
                dialect,
                Addr::new(device, k),
                Addr::new(serving, 0),
                tamper,
                start,
                stop,
            )
        })
        .collect();
    let arrivals = (0..a.sources).map(|k| (0, k)).collect();
    (Box::new(hosted), arrivals)
}

/// A node whose first `victims` endpoints reach the node `serving` through
/// the adversary: their roles are unchanged, only the destination of what
/// they send to `serving` is rewritten to their relay on `adversary`, as an
/// attacker standing in their path would capture it. Devices behind a radio
/// attacker each have a relay of their own (index = device index); a
/// serving node's requests to its home node go to one agent.
pub(crate) struct Tapped {
    pub(crate) inner: Box<dyn Host>,
    pub(crate) victims: u32,
    pub(crate) serving: u16,
    pub(crate) adversary: u16,
    /// The relay's endpoint index: `None` for the endpoint's own index.
    pub(crate) relay_index: Option<u32>,
    /// The victim the host was last asked for (the node calls one
    /// endpoint at a time).
    pub(crate) current: u32,
}

impl Tapped {
    fn around(&mut self, cx: &mut Ctx<'_>, call: impl FnOnce(&mut dyn Endpoint, &mut Ctx<'_>)) {
        let before = cx.fx.transmits.len();
        let Some(ep) = self.inner.endpoint(self.current) else {
            return;
        };
        call(ep, cx);
        let relay = Addr::new(self.adversary, self.relay_index.unwrap_or(self.current));
        for t in &mut cx.fx.transmits[before..] {
            match &mut t.to {
                Destination::Unicast(to) if to.node == self.serving => *to = relay,
                Destination::Broadcast(all) => {
                    for to in all.iter_mut().filter(|to| to.node == self.serving) {
                        *to = relay;
                    }
                }
                Destination::Unicast(_) => {}
            }
        }
    }
}

impl Host for Tapped {
    fn len(&self) -> u32 {
        self.inner.len()
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        if index < self.victims && index < self.inner.len() {
            self.current = index;
            Some(self)
        } else {
            self.inner.endpoint(index)
        }
    }
}

impl Endpoint for Tapped {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        self.around(cx, |ep, cx| ep.start(cx));
    }
    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        self.around(cx, |ep, cx| ep.on_message(m, cx));
    }
    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        self.around(cx, |ep, cx| ep.on_timer(key, cx));
    }
}

/// What one attack run cost and what it achieved, against the same scenario
/// and seed without adversary (one row of attacks.csv).
#[derive(Clone, Debug, PartialEq)]
pub struct AttackRow {
    pub classes: String,
    /// PDUs the adversary sent of its own making: forged, altered, replayed,
    /// substituted or held back (its nodes' timer expiries that sent one).
    pub injected: u64,
    /// Inputs, bytes sent and crypto operations of the protocol's nodes,
    /// attack run minus baseline.
    pub extra_inputs: i64,
    pub extra_tx_bytes: i64,
    pub extra_crypto_ops: i64,
    /// Rejected and attack-detected verdicts, attack run minus baseline.
    pub extra_rejections: i64,
    /// Inputs the protocol's nodes ignored (nodes.csv `ignored_inputs`),
    /// attack run minus baseline: injections not acted on.
    pub extra_ignored: i64,
    /// Which check stopped the attack: the rejected / attack-detected
    /// verdicts and ignored inputs per node and reason, attack run minus
    /// baseline, as `node:outcome:reason=n` joined by `;` (positive only).
    pub detections: String,
    /// Authenticated verdicts caused by adversary input (see [`measure`]).
    pub false_acceptances: u64,
    /// Authenticated verdicts beyond the baseline's per reporter and subject
    /// that are not false acceptances: genuine procedures the attack made
    /// the endpoints run again (a device that retries after a fake
    /// challenge spoiled its attempt) — a cost of the attack.
    pub extra_authentications: u64,
    /// Authenticated verdicts reached through the adversary's relay of a
    /// genuine device (AKA does not prevent a relay; docs/threats.md).
    pub relayed: u64,
    /// SECURITY MODE REJECT verdicts at the serving node, attack run minus
    /// baseline (TS 24.301 §5.4.3.5: the UE refused a security mode command).
    pub security_mode_rejects: i64,
    /// AUTHENTICATION FAILURE messages (MAC or synch failures) and messages
    /// on the serving–home interfaces (S6a, MAP; N12 and N13), attack run minus baseline: the
    /// resynchronisation round trips a desynchronisation costs.
    pub extra_auth_failures: i64,
    pub extra_home_messages: i64,
    /// Attack-detected verdicts in the baseline run (no adversary).
    pub false_alarms: u64,
    /// Honest authenticated verdicts at the serving node (not relayed).
    pub honest_authenticated: u64,
    pub honest_authenticated_baseline: u64,
    /// Median latency of the honest (not relayed) authenticated verdicts at
    /// the serving node, ms.
    pub honest_p50_ms: Option<f64>,
    pub honest_p50_ms_baseline: Option<f64>,
}

/// [`measure_victims`] for adversaries that relay no device.
pub fn measure(attack: &RunResult, baseline: &RunResult, classes: &str) -> AttackRow {
    measure_victims(attack, baseline, classes, 0)
}

/// [`measure_victims`] for the entries of a scenario.
pub fn measure_scenario(
    attack: &RunResult,
    baseline: &RunResult,
    attacks: &[AttackSpec],
) -> AttackRow {
    let classes: Vec<&str> = attacks.iter().map(|a| a.class.name()).collect();
    let victims = attacks
        .iter()
        .filter(|a| a.class.in_path())
        .map(|a| a.sources)
        .max()
        .unwrap_or(0);
    measure_victims(attack, baseline, &classes.join("+"), victims)
}

/// Compares an attack run with its baseline. The protocol's nodes are the
/// baseline's nodes (the first is the device node); the adversary nodes
/// are the rest; devices `0..victims` reach the network through the
/// adversary's relay. A false acceptance is an authenticated verdict caused
/// by adversary input: given while handling a PDU an adversary made
/// (forged, altered, replayed or substituted; reason `adversary_input`),
/// or a relayed one about a device the adversary does not relay (its final
/// message came from the adversary's address). Authenticated verdicts an
/// endpoint gives about a subject beyond its baseline count that are
/// neither are genuine procedures run again: `extra_authentications`, a
/// cost (a relayed device's own verdicts about the network are left out of
/// it, see below).
pub fn measure_victims(
    attack: &RunResult,
    baseline: &RunResult,
    classes: &str,
    victims: u32,
) -> AttackRow {
    use std::collections::BTreeMap;
    let protocol_nodes = baseline.nodes.len();
    let (own, adversary) = attack
        .nodes
        .split_at(protocol_nodes.min(attack.nodes.len()));
    let sum = |rows: &[crate::report::NodeRow], f: &dyn Fn(&crate::report::NodeRow) -> u64| {
        rows.iter().map(f).sum::<u64>() as i64
    };
    let crypto = |r: &crate::report::NodeRow| r.crypto.0.iter().sum::<u64>();
    let count = |r: &RunResult, pred: &dyn Fn(&crate::report::AuthRow) -> bool| {
        r.auth.iter().filter(|a| pred(a)).count() as u64
    };
    let rejection = |a: &crate::report::AuthRow| {
        matches!(a.outcome, "rejected" | "attack_detected") && !a.reporter_node.is_empty()
    };
    let relayed =
        |a: &crate::report::AuthRow| a.outcome == "authenticated" && a.reason == "relayed";
    let made = |a: &crate::report::AuthRow| {
        a.outcome == "authenticated" && a.reason == crate::metrics::ADVERSARY_INPUT
    };
    let genuine = |a: &crate::report::AuthRow| {
        a.outcome == "authenticated"
            && a.reason != "relayed"
            && a.reason != crate::metrics::ADVERSARY_INPUT
    };
    let relayed_device = |a: Addr| a.node == 0 && a.index < victims;
    let victim = |a: &crate::report::AuthRow| relayed_device(a.subject);
    // Authenticated verdicts per (reporter, subject), attack minus baseline.
    // A relayed device's own verdicts are left out: the relay shows it
    // genuine challenges of extra procedures (a replayed attach, a new
    // attempt), each of which it rightly accepts.
    // An adversary node's own verdicts (a compromised member's role) are
    // not the network's acceptances either.
    // A relayed verdict about a device the adversary does not relay is
    // counted once, below (not again as its subject's excess).
    let counted = |a: &&crate::report::AuthRow| {
        a.outcome == "authenticated"
            && !relayed_device(a.reporter)
            && (a.reporter.node as usize) < protocol_nodes
            && (!relayed(a) || victim(a))
    };
    let mut per_subject: BTreeMap<(Addr, Addr), i64> = BTreeMap::new();
    let accepted_adversary = |a: &crate::report::AuthRow| made(a) || (relayed(a) && !victim(a));
    for a in attack
        .auth
        .iter()
        .filter(counted)
        .filter(|a| !accepted_adversary(a))
    {
        *per_subject.entry((a.reporter, a.subject)).or_default() += 1;
    }
    for a in baseline.auth.iter().filter(counted) {
        *per_subject.entry((a.reporter, a.subject)).or_default() -= 1;
    }
    let excess: u64 = per_subject.values().map(|&d| d.max(0) as u64).sum();
    let serving = baseline
        .nodes
        .get(1)
        .map(|n| n.name.clone())
        .unwrap_or_default();
    let honest = |r: &RunResult| count(r, &|a| genuine(a) && *a.reporter_node == *serving);
    let p50 = |r: &RunResult| {
        let mut l: Vec<Nanos> = r
            .auth
            .iter()
            .filter(|a| genuine(a) && *a.reporter_node == *serving)
            .filter_map(|a| a.latency)
            .collect();
        l.sort_unstable();
        (!l.is_empty()).then(|| crate::report::percentile(&l, 0.5) as f64 / 1e6)
    };
    let messages = |r: &RunResult, pred: &dyn Fn(&crate::report::MessageRow) -> bool| {
        r.messages
            .iter()
            .filter(|m| pred(m))
            .map(|m| m.counters.transmissions)
            .sum::<u64>() as i64
    };
    let failures = |m: &crate::report::MessageRow| m.kind == "AuthenticationFailure";
    let home = |m: &crate::report::MessageRow| {
        matches!(
            m.interface,
            authsim_protocols::core::Interface::S6a
                | authsim_protocols::core::Interface::Map
                | authsim_protocols::core::Interface::N12
                | authsim_protocols::core::Interface::N13
        )
    };
    let smr = |r: &RunResult| {
        count(r, &|a| {
            a.outcome == "rejected"
                && a.reason == "security_mode_reject"
                && *a.reporter_node == *serving
        }) as i64
    };
    let nothing = |n: &crate::report::NodeRow| {
        n.ignored
            .get("adversary_nothing_recorded")
            .copied()
            .unwrap_or(0)
    };
    AttackRow {
        classes: classes.to_string(),
        injected: adversary
            .iter()
            .map(|n| n.timer_expiries - nothing(n))
            .sum(),
        extra_inputs: sum(own, &|r| r.inputs) - sum(&baseline.nodes, &|r| r.inputs),
        extra_tx_bytes: sum(own, &|r| r.tx_bytes) - sum(&baseline.nodes, &|r| r.tx_bytes),
        extra_crypto_ops: sum(own, &crypto) - sum(&baseline.nodes, &crypto),
        extra_rejections: count(attack, &rejection) as i64 - count(baseline, &rejection) as i64,
        extra_ignored: sum(own, &|r| r.ignored_inputs())
            - sum(&baseline.nodes, &|r| r.ignored_inputs()),
        detections: detections(attack, baseline, own, adversary),
        false_acceptances: count(attack, &accepted_adversary),
        extra_authentications: excess,
        relayed: count(attack, &relayed),
        security_mode_rejects: smr(attack) - smr(baseline),
        extra_auth_failures: messages(attack, &failures) - messages(baseline, &failures),
        extra_home_messages: messages(attack, &home) - messages(baseline, &home),
        false_alarms: count(baseline, &|a| a.outcome == "attack_detected"),
        honest_authenticated: honest(attack),
        honest_authenticated_baseline: honest(baseline),
        honest_p50_ms: p50(attack),
        honest_p50_ms_baseline: p50(baseline),
    }
}

/// The `detections` column: rejections and ignored inputs of the protocol's
/// nodes by node and reason, attack run minus baseline, and the answers the
/// adversary nodes counted (an `air_flood`'s home answers by result, e.g.
/// `adversary0:counted:home_answer_user_unknown`), positive only, in key
/// order (deterministic).
fn detections(
    attack: &RunResult,
    baseline: &RunResult,
    own: &[crate::report::NodeRow],
    adversary: &[crate::report::NodeRow],
) -> String {
    use std::collections::BTreeMap;
    let mut diff: BTreeMap<String, i64> = BTreeMap::new();
    for (sign, r) in [(1i64, attack), (-1, baseline)] {
        for ((node, outcome, reason), n) in r.outcome_counts() {
            if matches!(outcome, "rejected" | "attack_detected" | "failed") {
                *diff
                    .entry(format!("{node}:{outcome}:{reason}"))
                    .or_default() += sign * n as i64;
            }
        }
    }
    for (sign, rows) in [(1i64, own), (-1, baseline.nodes.as_slice())] {
        for n in rows {
            for (label, c) in &n.ignored {
                *diff
                    .entry(format!("{}:ignored:{label}", n.name))
                    .or_default() += sign * *c as i64;
            }
        }
    }
    for n in adversary {
        for (label, c) in &n.counted {
            *diff
                .entry(format!("{}:counted:{label}", n.name))
                .or_default() += *c as i64;
        }
    }
    diff.into_iter()
        .filter(|&(_, n)| n > 0)
        .map(|(k, n)| format!("{k}={n}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// One row of attacks.csv; the header is these field names (docs/outputs.md).
/// Ratios and latencies are formatted here, so their text does not depend on
/// how the csv crate prints a float; an undefined one is empty.
#[derive(serde::Serialize, Default)]
struct AttacksCsvRow<'a> {
    scenario: &'a str,
    seed: u64,
    classes: &'a str,
    injected: u64,
    extra_inputs: i64,
    extra_tx_bytes: i64,
    extra_crypto_ops: i64,
    inputs_per_injection: String,
    bytes_per_injection: String,
    crypto_per_injection: String,
    extra_rejections: i64,
    extra_ignored: i64,
    detections: &'a str,
    false_acceptances: u64,
    extra_authentications: u64,
    relayed: u64,
    security_mode_rejects: i64,
    extra_auth_failures: i64,
    extra_home_messages: i64,
    false_alarms: u64,
    honest_authenticated: u64,
    honest_authenticated_baseline: u64,
    honest_p50_ms: String,
    honest_p50_ms_baseline: String,
}

impl AttackRow {
    /// attacks.csv: the header and this run's row, through the csv crate.
    pub fn csv_text(&self, scenario: &str, seed: u64) -> String {
        let per = |v: i64| {
            if self.injected == 0 {
                String::new()
            } else {
                format!("{:.3}", v as f64 / self.injected as f64)
            }
        };
        let ms = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
        crate::csv_table::serde_csv([AttacksCsvRow {
            scenario,
            seed,
            classes: &self.classes,
            injected: self.injected,
            extra_inputs: self.extra_inputs,
            extra_tx_bytes: self.extra_tx_bytes,
            extra_crypto_ops: self.extra_crypto_ops,
            inputs_per_injection: per(self.extra_inputs),
            bytes_per_injection: per(self.extra_tx_bytes),
            crypto_per_injection: per(self.extra_crypto_ops),
            extra_rejections: self.extra_rejections,
            extra_ignored: self.extra_ignored,
            detections: &self.detections,
            false_acceptances: self.false_acceptances,
            extra_authentications: self.extra_authentications,
            relayed: self.relayed,
            security_mode_rejects: self.security_mode_rejects,
            extra_auth_failures: self.extra_auth_failures,
            extra_home_messages: self.extra_home_messages,
            false_alarms: self.false_alarms,
            honest_authenticated: self.honest_authenticated,
            honest_authenticated_baseline: self.honest_authenticated_baseline,
            honest_p50_ms: ms(self.honest_p50_ms),
            honest_p50_ms_baseline: ms(self.honest_p50_ms_baseline),
        }])
    }
}
