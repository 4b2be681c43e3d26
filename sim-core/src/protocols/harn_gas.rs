//! Harn 2013 group authentication in a scenario: `population.devices / n`
//! groups of n members in one `member` node; in each group the first m
//! members take part, member 0 initiates at the group's start time, and the
//! broadcasts travel over the `channel` node (see `gas.rs`).

use authsim_protocols::core::CryptoOps;
use authsim_protocols::gas::harn::{self, HarnConfig, HarnVariant, session_budget};
use serde::Deserialize;

use super::ProtocolInfo;
use super::gas::{
    Invalid, bad, build_broadcast_groups, default_timeout, ns, positive_seconds, validate_shape,
};
use crate::node::NodeSetup;
use crate::scenario::{PopulationSpec, Scenario};

pub const INFO: ProtocolInfo = ProtocolInfo {
    name: "harn-gas",
    summary: "Harn 2013 (t, m, n) group authentication: Shamir shares, scalar tokens broadcast among the m participants",
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
            "variant",
            "\"basic\" (one-time, k = 1) or \"multi\" (GAS2) (default basic)",
        ),
        ("k", "GAS2 polynomials (default 1; multi only)"),
        (
            "sessions",
            "GAS2 published sessions, ≤ k·t/n (default 1; multi only)",
        ),
        (
            "token_timeout_s",
            "how long a member waits for tokens (default 1)",
        ),
    ],
};

pub const LINKS: &[(&str, &str)] = &[("member", "channel")];

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    #[default]
    Basic,
    Multi,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    pub participants: Option<u32>,
    pub threshold: u32,
    #[serde(default)]
    pub variant: Variant,
    pub k: Option<u32>,
    pub sessions: Option<u32>,
    #[serde(default = "default_timeout")]
    pub token_timeout_s: f64,
}

impl Params {
    pub fn participants(&self) -> u32 {
        self.participants.unwrap_or(self.group_size)
    }

    pub fn validate(&self, pop: &PopulationSpec) -> Result<(), Invalid> {
        // One participant alone is not a group authentication (nobody to
        // receive its token; the session could only time out).
        validate_shape(self.group_size, self.participants(), self.threshold, 2, pop)?;
        positive_seconds("token_timeout_s", self.token_timeout_s)?;
        match self.variant {
            Variant::Basic => {
                for (f, v) in [("k", self.k), ("sessions", self.sessions)] {
                    if v.is_some() {
                        return bad(f, "is a GAS2 option: set variant = \"multi\"");
                    }
                }
            }
            Variant::Multi => {
                let (n, t) = (self.group_size as usize, self.threshold as usize);
                let k = self.k.unwrap_or(1) as usize;
                let sessions = self.sessions.unwrap_or(1) as usize;
                if k == 0 {
                    return bad("k", "must be at least 1");
                }
                let max = session_budget(n, t, k);
                if sessions == 0 || sessions > max {
                    return bad(
                        "sessions",
                        format!(
                            "must be 1..=k·t/n = {max} (GAS2 budget J·n ≤ k·t; with more, released \
                             tokens determine the shares), got {sessions}"
                        ),
                    );
                }
            }
        }
        Ok(())
    }

    pub fn config(&self) -> HarnConfig {
        HarnConfig {
            t: self.threshold as usize,
            variant: match self.variant {
                Variant::Basic => HarnVariant::Basic,
                Variant::Multi => HarnVariant::Multi {
                    k: self.k.unwrap_or(1) as usize,
                    sessions: self.sessions.unwrap_or(1) as usize,
                },
            },
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
        "harn-gas/dealing",
        |roster, rng| harn::setup(&cfg, roster, rng, &mut offline).map_err(|e| e.to_string()),
    )
}
