//! Chien 2017 group authentication in a scenario: `population.devices / n`
//! groups of n members in one `member` node; in each group the first m
//! members take part, member 0 initiates at the group's start time, and the
//! broadcasts travel over the `channel` node (see `gas.rs`).

use authsim_protocols::core::CryptoOps;
use authsim_protocols::gas::chien::{self, ChienConfig};
use serde::Deserialize;

use super::ProtocolInfo;
use super::gas::{
    Invalid, bad, build_broadcast_groups, default_timeout, ns, positive_seconds, validate_shape,
};
use crate::node::NodeSetup;
use crate::scenario::{PopulationSpec, Scenario};

pub const INFO: ProtocolInfo = ProtocolInfo {
    name: "chien-gas",
    summary: "Chien 2017 (t, m, n) group authentication: point tokens c_i·P_j broadcast among the m participants",
    nodes: &["member", "channel"],
    roles: &[("member", "device")],
    params: &[
        (
            "group_size",
            "n, members per group; population.devices = groups × n (required)",
        ),
        (
            "participants",
            "m, members taking part, max(2, t)..=n (default n)",
        ),
        ("threshold", "t, 1..=m (required)"),
        (
            "sessions",
            "published (P_j, h(s·P_j)) pairs dealt per group (default 1)",
        ),
        (
            "token_timeout_s",
            "how long a member waits for tokens (default 1)",
        ),
    ],
};

pub const LINKS: &[(&str, &str)] = &[("member", "channel")];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    pub participants: Option<u32>,
    pub threshold: u32,
    #[serde(default = "one")]
    pub sessions: u32,
    #[serde(default = "default_timeout")]
    pub token_timeout_s: f64,
}

fn one() -> u32 {
    1
}

/// More published points than this per group is a dealing mistake, not a
/// scenario (each costs two fixed-base multiplications at setup).
const MAX_SESSIONS: u32 = 1 << 16;

impl Params {
    pub fn participants(&self) -> u32 {
        self.participants.unwrap_or(self.group_size)
    }

    pub fn validate(&self, pop: &PopulationSpec) -> Result<(), Invalid> {
        // One participant alone is not a group authentication (nobody to
        // receive its token; the session could only time out).
        validate_shape(self.group_size, self.participants(), self.threshold, 2, pop)?;
        positive_seconds("token_timeout_s", self.token_timeout_s)?;
        if self.sessions == 0 || self.sessions > MAX_SESSIONS {
            return bad(
                "sessions",
                format!("must be 1..={MAX_SESSIONS}, got {}", self.sessions),
            );
        }
        Ok(())
    }

    pub fn config(&self) -> ChienConfig {
        ChienConfig {
            t: self.threshold as usize,
            sessions: self.sessions as usize,
            token_timeout: ns(self.token_timeout_s),
        }
    }
}

pub fn build(p: &Params, scn: &Scenario, seed: u64) -> Result<Vec<NodeSetup>, String> {
    let cfg = p.config();
    // Dealing is offline: its work is not simulated.
    let mut offline = CryptoOps::default();
    build_broadcast_groups(
        scn,
        seed,
        INFO.nodes,
        p.group_size,
        p.participants(),
        "chien-gas/dealing",
        |roster, rng| chien::setup(&cfg, roster, rng, &mut offline).map_err(|e| e.to_string()),
    )
}
