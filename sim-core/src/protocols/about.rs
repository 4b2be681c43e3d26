//! What a protocol says about itself: names, nodes, roles, links and its
//! parameters with their defaults (for `authsim list` and validation).

use std::fmt;

/// A protocol's fixed description.
pub struct About {
    /// The `[protocol] name` that selects it.
    pub name: &'static str,
    pub summary: &'static str,
    /// Every node it may use, in node-id order.
    pub nodes: &'static [&'static str],
    /// Protocol-neutral role names of nodes (node, role), so sweeps can compare
    /// e.g. the MME's and the VLR's verdicts as `serving`.
    pub roles: &'static [(&'static str, &'static str)],
    /// Pairs of nodes that must be joined by a link (with default parameters).
    pub links: &'static [(&'static str, &'static str)],
    /// The parameters, their meaning and their defaults, read from the
    /// values the parameters really default to.
    pub params: fn() -> Vec<ParamDoc>,
}

/// One `[protocol]` parameter as `authsim list` shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamDoc {
    pub key: &'static str,
    /// What it means and its range; the default is appended from `default`.
    pub help: &'static str,
    pub default: ParamDefault,
}

/// What a parameter is when the scenario leaves it out.
#[derive(Clone, Debug, PartialEq)]
pub enum ParamDefault {
    /// The scenario must set it.
    Required,
    /// This value (as the scenario would write it).
    Value(String),
    /// Derived from other values, as described.
    Derived(&'static str),
}

impl ParamDoc {
    /// A parameter with a default value.
    pub fn value(key: &'static str, help: &'static str, default: impl fmt::Display) -> Self {
        Self {
            key,
            help,
            default: ParamDefault::Value(default.to_string()),
        }
    }

    /// A parameter the scenario must set.
    pub fn required(key: &'static str, help: &'static str) -> Self {
        Self {
            key,
            help,
            default: ParamDefault::Required,
        }
    }

    /// A parameter whose default depends on other values.
    pub fn derived(key: &'static str, help: &'static str, from: &'static str) -> Self {
        Self {
            key,
            help,
            default: ParamDefault::Derived(from),
        }
    }

    /// The AKA protocols' operator key `op`, derived from the seed unless given.
    pub fn operator_key() -> Self {
        Self::derived(
            "op",
            "operator variant key OP, 32 hex digits",
            "derived from the seed",
        )
    }
}

impl fmt::Display for ParamDoc {
    /// `help (default X)`, `help (required)` or `help (default: how)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.default {
            ParamDefault::Required => write!(f, "{} (required)", self.help),
            ParamDefault::Value(v) => write!(f, "{} (default {v})", self.help),
            ParamDefault::Derived(how) => write!(f, "{} (default: {how})", self.help),
        }
    }
}
