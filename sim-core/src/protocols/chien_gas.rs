//! Chien 2017 group authentication in a scenario: `population.devices / n`
//! groups of n members in one `member` node; in each group the first m
//! members take part, member 0 initiates at the group's start time, and the
//! broadcasts travel over the `channel` node (see `gas.rs`).

use authsim_protocols::core::CryptoOps;
use authsim_protocols::gas::chien::{self, ChienConfig};
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
    name: "chien-gas",
    summary: "Chien 2017 (t, m, n) group authentication: point tokens c_i·P_j broadcast among the m participants",
    nodes: &["member", "channel"],
    roles: &[("member", "device")],
    links: &[("member", "channel")],
    params,
};

fn params() -> Vec<ParamDoc> {
    let mut docs = broadcast_group_docs();
    docs.extend([
        ParamDoc::value(
            "sessions",
            "published (P_j, h(s·P_j)) pairs dealt per group",
            default_sessions(),
        ),
        ParamDoc::value(
            "token_timeout_s",
            "how long a member waits for tokens",
            default_token_timeout_s(),
        ),
    ]);
    docs
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    pub group_size: u32,
    pub participants: Option<u32>,
    pub threshold: u32,
    #[serde(default = "default_sessions")]
    pub sessions: u32,
    #[serde(default = "default_token_timeout_s")]
    pub token_timeout_s: f64,
}

/// One published pair per group: one session.
fn default_sessions() -> u32 {
    1
}

/// More published points than this per group is a dealing mistake, not a
/// scenario (each costs two fixed-base multiplications at setup).
const MAX_SESSIONS: u32 = 1 << 16;

impl Params {
    pub fn participants(&self) -> u32 {
        self.participants.unwrap_or(self.group_size)
    }

    pub fn config(&self) -> ChienConfig {
        ChienConfig {
            t: self.threshold as usize,
            sessions: self.sessions as usize,
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
        if self.sessions == 0 || self.sessions > MAX_SESSIONS {
            return Err(invalid(
                "sessions",
                format!("must be 1..={MAX_SESSIONS}, got {}", self.sessions),
            ));
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
            "chien-gas/dealing",
            |roster, rng| Ok(chien::setup(&cfg, roster, rng, &mut offline)?),
        )
    }
}
