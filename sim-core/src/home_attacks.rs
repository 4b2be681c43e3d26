//! The `[[attacks]]` classes that stand inside the core network, beside the
//! home node rather than on the radio side: `air_flood`, a rogue peer
//! flooding the HSS (Diameter AIR) or the HLR (MAP SendAuthenticationInfo)
//! with requests for random or victims' IMSIs
//! (`authsim_protocols::adversary::home_flood`; docs/threats.md).

use authsim_protocols::adversary::home_flood::{HomeDialect, HomeFlood, Identities};
use authsim_protocols::core::{Addr, Nanos};
use serde::Deserialize;

use crate::attacks::AttackSpec;
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
