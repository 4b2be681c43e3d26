//! The `[[attacks]]` classes that stand inside the core network, beside the
//! home node rather than on the radio side: `air_flood`, a rogue peer
//! flooding the HSS (Diameter AIR) or the HLR (MAP SendAuthenticationInfo)
//! with requests for random or victims' IMSIs
//! (`authsim_protocols::adversary::home_flood`), and `fake_home_answer`, a
//! rogue agent in the serving node's home path answering the victims'
//! requests with forged vectors
//! (`authsim_protocols::adversary::home_answer`); docs/threats.md.

use authsim_protocols::adversary::home_answer::{Forgery, HomeAnswerAgent};
use authsim_protocols::adversary::home_flood::{HomeDialect, HomeFlood, Identities};
use authsim_protocols::core::{Addr, Nanos};
use serde::Deserialize;

use crate::attacks::{AttackSpec, Tapped};
use crate::host::Host;
use crate::spec::PopulationSpec;

/// Protocols whose home node a rogue core peer can flood: (protocol, home
/// node, the home interface's dialect, serving node whose link to the home
/// node the adversary's copies).
const HOMES: &[(&str, &str, HomeDialect, &str)] = &[
    ("eps-aka", "hss", HomeDialect::Diameter, "mme"),
    ("umts-aka", "hlr", HomeDialect::Map, "vlr"),
];

/// `attacks[].imsis` of an `air_flood`: whose authentication data is asked for.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum ImsiSpec {
    /// Random IMSIs no subscriber has (answered 5001 / unknownSubscriber).
    #[default]
    Random,
    /// The subscribers' own IMSIs, round robin (a vector and an SQN step each).
    Victims,
}

/// `attacks[].vectors` of a `fake_home_answer`: what the forged answers carry.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq, Default)]
#[serde(rename_all = "snake_case")]
pub enum VectorsSpec {
    /// Random RAND, AUTN, XRES and keys.
    #[default]
    Random,
    /// Genuine vectors recorded in flight from other subscribers' answers.
    Replayed,
}

impl VectorsSpec {
    pub fn name(self) -> &'static str {
        match self {
            VectorsSpec::Random => "random",
            VectorsSpec::Replayed => "replayed",
        }
    }
}

/// The home node of `protocol` an `air_flood` targets, if built for it.
pub fn home_node(protocol: &str) -> Option<&'static str> {
    HOMES.iter().find(|h| h.0 == protocol).map(|h| h.1)
}

/// The protocols with an `air_flood`, for error messages.
pub fn flooded_protocols() -> String {
    HOMES.iter().map(|h| h.0).collect::<Vec<_>>().join(", ")
}

/// The serving node whose link to the home node the adversary copies.
pub fn serving_peer(protocol: &str) -> Option<&'static str> {
    HOMES.iter().find(|h| h.0 == protocol).map(|h| h.3)
}

/// One [`HomeFlood`] per source, source k starting at `first` of its
/// schedule entry: (host, arrivals).
pub fn flooders(
    a: &AttackSpec,
    protocol: &str,
    population: &PopulationSpec,
    home: Addr,
    schedule: &[(Nanos, Nanos)],
    stop: Nanos,
) -> (Box<dyn Host>, Vec<(Nanos, u32)>) {
    let dialect = HOMES
        .iter()
        .find(|h| h.0 == protocol)
        .map_or(HomeDialect::Diameter, |h| h.2);
    let identities = match a.imsis.unwrap_or_default() {
        ImsiSpec::Random => Identities::Random {
            known: population.devices,
        },
        ImsiSpec::Victims => Identities::Victims {
            subscribers: population.devices,
        },
    };
    let plmn = authsim_protocols::eps_aka::Config::default();
    let mut hosted = Vec::new();
    let mut arrivals = Vec::new();
    for (k, &(first, interval)) in schedule.iter().enumerate() {
        hosted.push(HomeFlood::new(
            dialect,
            identities,
            home,
            (plmn.plmn_digits.clone(), plmn.plmn),
            first,
            stop,
            interval,
            (k as u64, a.sources as u64),
        ));
        arrivals.push((first, k as u32));
    }
    (Box::new(hosted), arrivals)
}

/// The agent of a `fake_home_answer` between `serving` and `home`: one
/// endpoint (host, arrivals); devices 0..sources are its victims.
pub fn agent(
    a: &AttackSpec,
    protocol: &str,
    (serving, home): (Addr, Addr),
    (start, stop): (Nanos, Nanos),
) -> (Box<dyn Host>, Vec<(Nanos, u32)>) {
    let dialect = HOMES
        .iter()
        .find(|h| h.0 == protocol)
        .map_or(HomeDialect::Diameter, |h| h.2);
    let forgery = match a.vectors.unwrap_or_default() {
        VectorsSpec::Random => Forgery::Random,
        VectorsSpec::Replayed => Forgery::Replayed,
    };
    let plmn = authsim_protocols::eps_aka::Config::default().plmn_digits;
    let hosted = vec![HomeAnswerAgent::new(
        dialect,
        forgery,
        (serving, home),
        plmn,
        a.sources,
        start,
        stop,
    )];
    (Box::new(hosted), vec![(0, 0)])
}

/// The serving node's host with its requests to the home node (`home`)
/// sent to the agent (`agent`, endpoint 0) instead, as a relay in its path
/// receives them; the role is unchanged.
pub fn tapped(inner: Box<dyn Host>, home: u16, agent: u16) -> Box<dyn Host> {
    let victims = inner.len();
    Box::new(Tapped {
        inner,
        victims,
        serving: home,
        adversary: agent,
        relay_index: Some(0),
        current: 0,
    })
}
