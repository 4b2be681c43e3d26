//! Harn 2013 group authentication in a scenario: `population.devices / n`
//! groups of n members in one `member` node; in each group the first m
//! members take part, member 0 initiates at the group's start time, and the
//! broadcasts travel over the `channel` node (see `gas.rs`).

use authsim_protocols::core::CryptoOps;
use authsim_protocols::gas::harn::{self, HarnConfig, HarnVariant, session_budget};
use serde::Deserialize;

use super::gas::{
    broadcast_group_docs, build_broadcast_groups, default_token_timeout_s, invalid, ns,
    positive_seconds, validate_shape,
};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError};
use crate::node::NodeSetup;
use crate::spec::{FieldError, PopulationSpec};

pub const ABOUT: About = About {
    name: "harn-gas",
    summary: "Harn 2013 (t, m, n) group authentication: Shamir shares, scalar tokens broadcast among the m participants",
    nodes: &["member", "channel"],
    roles: &[("member", "device")],
    links: &[("member", "channel")],
    params,
};

fn params() -> Vec<ParamDoc> {
    let mut docs = broadcast_group_docs();
    docs.extend([
        ParamDoc::value(
            "variant",
            "\"basic\" (one-time, k = 1) or \"multi\" (GAS2)",
            Variant::default().name(),
        ),
        ParamDoc::value("k", "GAS2 polynomials (multi only)", DEFAULT_K),
        ParamDoc::value(
            "sessions",
            "GAS2 published sessions, ≤ k·t/n (multi only)",
            DEFAULT_SESSIONS,
        ),
        ParamDoc::value(
            "token_timeout_s",
            "how long a member waits for tokens",
            default_token_timeout_s(),
        ),
    ]);
    docs
}

/// GAS2 polynomials and published sessions when `multi` leaves them out.
const DEFAULT_K: u32 = 1;
const DEFAULT_SESSIONS: u32 = 1;

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Variant {
    #[default]
    Basic,
    Multi,
}

impl Variant {
    /// The name a scenario writes.
    fn name(self) -> &'static str {
        match self {
            Variant::Basic => "basic",
            Variant::Multi => "multi",
        }
    }
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
    #[serde(default = "default_token_timeout_s")]
    pub token_timeout_s: f64,
}

impl Params {
    pub fn participants(&self) -> u32 {
        self.participants.unwrap_or(self.group_size)
    }

    fn k(&self) -> usize {
        self.k.unwrap_or(DEFAULT_K) as usize
    }

    fn sessions(&self) -> usize {
        self.sessions.unwrap_or(DEFAULT_SESSIONS) as usize
    }

    pub fn config(&self) -> HarnConfig {
        HarnConfig {
            t: self.threshold as usize,
            variant: match self.variant {
                Variant::Basic => HarnVariant::Basic,
                Variant::Multi => HarnVariant::Multi {
                    k: self.k(),
                    sessions: self.sessions(),
                },
            },
            token_timeout: ns(self.token_timeout_s),
        }
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, pop: &PopulationSpec) -> Result<(), FieldError> {
        // One participant alone is not a group authentication (nobody to
        // receive its token; the session could only time out).
        validate_shape(self.group_size, self.participants(), self.threshold, 2, pop)?;
        positive_seconds("token_timeout_s", self.token_timeout_s)?;
        match self.variant {
            Variant::Basic => {
                for (f, v) in [("k", self.k), ("sessions", self.sessions)] {
                    if v.is_some() {
                        return Err(invalid(f, "is a GAS2 option: set variant = \"multi\""));
                    }
                }
            }
            Variant::Multi => {
                let (n, t) = (self.group_size as usize, self.threshold as usize);
                let (k, sessions) = (self.k(), self.sessions());
                if k == 0 {
                    return Err(invalid("k", "must be at least 1"));
                }
                let max = session_budget(n, t, k);
                if sessions == 0 || sessions > max {
                    return Err(invalid(
                        "sessions",
                        format!(
                            "must be 1..=k·t/n = {max} (GAS2 budget J·n ≤ k·t; with more, released \
                             tokens determine the shares), got {sessions}"
                        ),
                    ));
                }
            }
        }
        Ok(())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let cfg = self.config();
        // Dealing is offline: its work is not simulated.
        let mut offline = CryptoOps::default();
        build_broadcast_groups(
            ctx,
            ABOUT.nodes,
            self.group_size,
            self.participants(),
            "harn-gas/dealing",
            |roster, rng| Ok(harn::setup(&cfg, roster, rng, &mut offline)?),
        )
    }
}
