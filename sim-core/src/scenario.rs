//! Scenario files: TOML, parsed strictly, validated before anything runs.
//!
//! Errors name the file, the line where known, and the field path. Values can
//! be overridden from the command line with `--set path.to.key=value`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use authsim_protocols::core::Prim;
use serde::Deserialize;

use crate::build::{BuildContext, BuildError, NodePlan};
use crate::link::LinkSpec;
use crate::node::NodeSetup;
use crate::profile::Profile;
use crate::protocols::ProtocolSpec;
pub use crate::spec::{
    ArrivalSpec, FieldError, LatencySpec, LinkConfig, NodeSpec, PopulationSpec, seconds,
};
use crate::spec::{link_between, one};

/// A scenario error: where, and what.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", self.location())]
pub struct ScenarioError {
    pub file: PathBuf,
    pub line: Option<usize>,
    /// Dotted field path, e.g. `links[0].loss`.
    pub field: Option<String>,
    pub message: String,
}

impl ScenarioError {
    /// `FILE[:LINE][: field `PATH`]`.
    fn location(&self) -> String {
        let mut at = self.file.display().to_string();
        if let Some(l) = self.line {
            at.push_str(&format!(":{l}"));
        }
        if let Some(field) = &self.field {
            at.push_str(&format!(": field `{field}`"));
        }
        at
    }
}

/// A `--set path=value` that cannot be applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OverrideError {
    #[error("--set `{0}`: expected path=value")]
    NoValue(String),
    #[error("--set `{0}`: empty path")]
    EmptyPath(String),
    #[error("--set `{path}`: bad index in `{key}`")]
    BadIndex { path: String, key: String },
    #[error("--set `{path}`: `{name}` is not a table")]
    NotTable { path: String, name: String },
    #[error("--set `{path}`: `{name}` is not an array")]
    NotArray { path: String, name: String },
    #[error("--set `{path}`: `{name}` has {len} elements, no [{index}]")]
    NoElement {
        path: String,
        name: String,
        len: usize,
        index: usize,
    },
    #[error("--set `{path}`: `{name}[{index}]` is not a table")]
    ElementNotTable {
        path: String,
        name: String,
        index: usize,
    },
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub run: RunSpec,
    pub protocol: ProtocolSpec,
    pub population: PopulationSpec,
    pub nodes: BTreeMap<String, NodeSpec>,
    #[serde(default)]
    pub profiles: BTreeMap<String, ProfileSpec>,
    pub links: Vec<LinkConfig>,
    #[serde(default)]
    pub outputs: OutputSpec,
    /// Adversaries (docs/threats.md); none in an honest scenario.
    #[serde(default)]
    pub attacks: Vec<crate::attacks::AttackSpec>,
    /// Set after parsing: where the scenario came from (for error messages).
    #[serde(skip)]
    pub source: PathBuf,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    pub seed: u64,
    /// Stop at this simulated time (seconds); default: when no event is left.
    pub until_s: Option<f64>,
    /// Independent replications of the run (`authsim run`): replication 0 uses
    /// `seed`, replication r ≥ 1 `derive_seed(seed, "rep{r}")`.
    #[serde(default = "one")]
    pub replications: u32,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProfileSpec {
    /// Built-in profile to start from.
    #[serde(default = "server_name")]
    pub base: String,
    pub per_input_us: Option<f64>,
    /// Cost per primitive in ns, by primitive name (aes_block, sha256_block, ...).
    #[serde(default)]
    pub prim_ns: BTreeMap<String, f64>,
    /// Energy per primitive in µJ, by primitive name.
    #[serde(default)]
    pub prim_uj: BTreeMap<String, f64>,
    /// Energy per handled input in µJ (beyond its crypto).
    pub per_input_uj: Option<f64>,
    /// Radio energy per byte sent / received, in µJ.
    pub tx_uj_per_byte: Option<f64>,
    pub rx_uj_per_byte: Option<f64>,
}

fn server_name() -> String {
    "server".into()
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OutputSpec {
    /// Write one row per authentication verdict.
    #[serde(default = "yes")]
    pub per_auth_csv: bool,
    /// Draw plots.
    #[serde(default = "yes")]
    pub plots: bool,
    /// File formats of every plot: PNG, and SVG for vector figures in papers.
    #[serde(default = "png_only")]
    pub formats: Vec<PlotFormat>,
    /// Access-storm measures (docs/outputs.md, "Storm metrics"): the
    /// `storm.*` sweep metrics and a run's `goodput.csv`. Off by default, so
    /// other scenarios' outputs do not change.
    #[serde(default)]
    pub storm: bool,
}

/// A plot file format.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PlotFormat {
    Png,
    Svg,
}

impl PlotFormat {
    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            PlotFormat::Png => "png",
            PlotFormat::Svg => "svg",
        }
    }
}

fn yes() -> bool {
    true
}

fn png_only() -> Vec<PlotFormat> {
    vec![PlotFormat::Png]
}

/// Checks an `outputs.formats` list: at least one format, none twice.
pub fn check_formats(formats: &[PlotFormat]) -> Result<(), FieldError> {
    let field = "outputs.formats";
    if formats.is_empty() {
        return Err(FieldError::new(
            field,
            "must name at least one of \"png\", \"svg\"",
        ));
    }
    for (i, f) in formats.iter().enumerate() {
        if formats[..i].contains(f) {
            return Err(FieldError::new(
                field,
                format!("\"{}\" is listed twice", f.extension()),
            ));
        }
    }
    Ok(())
}

impl Default for OutputSpec {
    fn default() -> Self {
        Self {
            per_auth_csv: true,
            plots: true,
            formats: png_only(),
            storm: false,
        }
    }
}

/// Finds the 1-based line of a dotted field path in TOML text, best effort:
/// the key line inside the right `[table]` / `[[array]]` element.
pub fn locate(text: &str, path: &str) -> Option<usize> {
    // Split "links[1].latency.ms" into table part and key.
    let mut parts: Vec<String> = path.split('.').map(str::to_string).collect();
    let key = parts.pop()?;
    let key = key.split('[').next()?.to_string();
    let mut want_table = String::new();
    let mut want_index = 0usize;
    for p in &parts {
        if let Some((name, idx)) = p.split_once('[') {
            want_table = if want_table.is_empty() {
                name.into()
            } else {
                format!("{want_table}.{name}")
            };
            want_index = idx.trim_end_matches(']').parse().ok()?;
        } else {
            want_table = if want_table.is_empty() {
                p.clone()
            } else {
                format!("{want_table}.{p}")
            };
        }
    }
    let mut current: String;
    let mut seen_array = 0usize;
    let mut in_target = want_table.is_empty();
    let mut fallback = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            current = h.trim().to_string();
            if current == want_table {
                in_target = seen_array == want_index;
                seen_array += 1;
            } else {
                in_target =
                    want_table.starts_with(&format!("{current}.")) && seen_array == want_index + 1;
            }
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.split(']').next()) {
            current = h.trim().to_string();
            in_target = current == want_table;
            if in_target && fallback.is_none() {
                fallback = Some(i + 1);
            }
            continue;
        }
        let k = line
            .split('=')
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        if in_target && k == key {
            return Some(i + 1);
        }
        // Dotted or inline keys: `latency = { ms = ... }` matches the parent key.
        if in_target && !parts.is_empty() && k == parts.last().map(String::as_str).unwrap_or("") {
            fallback = Some(i + 1);
        }
    }
    // A key inside an inline table (`prim_uj = { p256_mul = -1 }`): the parent's line.
    fallback.or_else(|| locate(text, path.rsplit_once('.')?.0))
}

/// Applies one `path.to.key=value` override to a TOML table.
pub fn apply_override(table: &mut toml::Table, assignment: &str) -> Result<(), OverrideError> {
    let (path, raw) = assignment
        .split_once('=')
        .ok_or_else(|| OverrideError::NoValue(assignment.into()))?;
    let path = path.trim();
    if path.is_empty() {
        return Err(OverrideError::EmptyPath(assignment.into()));
    }
    // Parse the value as a TOML value; bare words become strings.
    let value: toml::Value = match toml::from_str::<toml::Table>(&format!("v = {raw}")) {
        Ok(mut t) => t
            .remove("v")
            .unwrap_or(toml::Value::String(raw.to_string())),
        Err(_) => toml::Value::String(raw.trim().to_string()),
    };
    let keys: Vec<&str> = path.split('.').collect();
    let mut cur = table;
    for (i, k) in keys.iter().enumerate() {
        let (name, index) = match k.split_once('[') {
            Some((n, idx)) => (
                n,
                Some(idx.trim_end_matches(']').parse::<usize>().map_err(|_| {
                    OverrideError::BadIndex {
                        path: path.into(),
                        key: k.to_string(),
                    }
                })?),
            ),
            None => (*k, None),
        };
        let last = i + 1 == keys.len();
        match index {
            None if last => {
                cur.insert(name.to_string(), value);
                return Ok(());
            }
            None => {
                let entry = cur
                    .entry(name.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                cur = entry
                    .as_table_mut()
                    .ok_or_else(|| OverrideError::NotTable {
                        path: path.into(),
                        name: name.into(),
                    })?;
            }
            Some(idx) => {
                let arr = cur
                    .get_mut(name)
                    .and_then(|v| v.as_array_mut())
                    .ok_or_else(|| OverrideError::NotArray {
                        path: path.into(),
                        name: name.into(),
                    })?;
                let len = arr.len();
                let elem = arr.get_mut(idx).ok_or_else(|| OverrideError::NoElement {
                    path: path.into(),
                    name: name.into(),
                    len,
                    index: idx,
                })?;
                if last {
                    *elem = value;
                    return Ok(());
                }
                cur = elem
                    .as_table_mut()
                    .ok_or_else(|| OverrideError::ElementNotTable {
                        path: path.into(),
                        name: name.into(),
                        index: idx,
                    })?;
            }
        }
    }
    Ok(())
}

/// The `--set` (last one wins) whose path is `field`, inside it or around it:
/// a validation error on that field is the override's, not the file's.
fn blamed_override<'a>(overrides: &'a [String], field: &str) -> Option<&'a str> {
    overrides.iter().rev().map(String::as_str).find(|o| {
        let path = o.split_once('=').map_or(*o, |(p, _)| p).trim();
        let inside = |outer: &str, inner: &str| {
            inner == outer
                || inner
                    .strip_prefix(outer)
                    .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
        };
        inside(path, field) || inside(field, path)
    })
}

/// A type error after the overrides were applied: the `--set` whose value is
/// the bad integer when it is one (with the allowed range), else the message.
fn override_type_error(path: &Path, overrides: &[String], message: &str) -> ScenarioError {
    let got = message.split('`').nth(1).unwrap_or("");
    if message.starts_with("unknown field")
        && let Some(o) = overrides.iter().rev().find(|o| {
            let key = o.split_once('=').map_or(o.as_str(), |(k, _)| k).trim();
            key.rsplit('.').next() == Some(got)
        })
    {
        return ScenarioError {
            file: path.into(),
            line: None,
            field: o.split_once('=').map(|(p, _)| p.trim().to_string()),
            message: format!("--set `{o}` matches no key of the scenario: {message}"),
        };
    }
    let culprit = integer_range(message).and_then(|range| {
        let o = overrides.iter().rev().find(|o| {
            o.split_once('=')
                .is_some_and(|(_, v)| !got.is_empty() && v.trim() == got)
        })?;
        Some((o, range))
    });
    match culprit {
        Some((o, range)) => ScenarioError {
            file: path.into(),
            line: None,
            field: o.split_once('=').map(|(p, _)| p.trim().to_string()),
            message: format!("--set `{o}`: got {got}; expected a whole number {range}"),
        },
        None => ScenarioError {
            file: path.into(),
            line: None,
            field: None,
            message: format!("after --set overrides: {message}"),
        },
    }
}

/// A TOML syntax or type error as a [`ScenarioError`] with its line and,
/// for an integer out of its type's range (a negative count), the field and
/// the allowed range, which the TOML library's message leaves out.
pub fn toml_error(text: &str, path: &Path, e: &toml::de::Error) -> ScenarioError {
    let start = e.span().map(|s| s.start.min(text.len()));
    let line = start.map(|s| {
        let l = text[..s].lines().count().max(1);
        // A span at the very start of a line counts that line.
        if text[..s].ends_with('\n') { l + 1 } else { l }
    });
    let mut out = ScenarioError {
        file: path.into(),
        line,
        field: None,
        message: e.message().to_string(),
    };
    if let (Some(start), Some(range)) = (start, integer_range(e.message())) {
        out.field = field_at(text, start);
        let got = e
            .message()
            .split('`')
            .nth(1)
            .map_or(String::new(), |v| format!("got {v}; "));
        out.message = format!("{got}expected a whole number {range}");
    }
    out
}

/// The range of the integer type a serde "invalid value: integer" message
/// expects, if that is what it says.
fn integer_range(message: &str) -> Option<&'static str> {
    if !message.starts_with("invalid value: integer") {
        return None;
    }
    Some(match message.rsplit("expected ").next()? {
        "u8" => "from 0 to 255",
        "u16" => "from 0 to 65535",
        "u32" => "from 0 to 4294967295",
        "u64" | "usize" => "from 0 to 18446744073709551615",
        "i32" => "from -2147483648 to 2147483647",
        "i64" => "from -9223372036854775808 to 9223372036854775807",
        _ => return None,
    })
}

/// The dotted path of the key whose value starts at byte `at`, best effort:
/// the `[table]` / `[[array]]` header above it, then the keys of the line
/// (`arrivals = { window_s = ` gives `arrivals.window_s`).
pub fn field_at(text: &str, at: usize) -> Option<String> {
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut table = String::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for raw in text[..line_start].lines() {
        let l = raw.trim();
        if let Some(h) = l.strip_prefix("[[").and_then(|l| l.split("]]").next()) {
            let n = counts.entry(h.trim().to_string()).or_default();
            table = format!("{}[{n}]", h.trim());
            *n += 1;
        } else if let Some(h) = l.strip_prefix('[').and_then(|l| l.split(']').next()) {
            table = h.trim().to_string();
        }
    }
    let mut keys: Vec<String> = Vec::new();
    for segment in text[line_start..at].split('{') {
        if let Some((before, _)) = segment.rsplit_once('=') {
            let key = before.rsplit(',').next()?.trim().trim_matches('"');
            if !key.is_empty() {
                keys.push(key.to_string());
            }
        }
    }
    if keys.is_empty() {
        return None;
    }
    let key = keys.join(".");
    Some(if table.is_empty() {
        key
    } else {
        format!("{table}.{key}")
    })
}

impl Scenario {
    /// Reads, parses, overrides and validates a scenario file.
    pub fn load(path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
            file: path.into(),
            line: None,
            field: None,
            message: format!("cannot read: {e}"),
        })?;
        Self::parse(&text, path, overrides)
    }

    /// Parses scenario text (the path is only used in error messages).
    pub fn parse(text: &str, path: &Path, overrides: &[String]) -> Result<Scenario, ScenarioError> {
        let err = |line, field: Option<String>, message: String| ScenarioError {
            file: path.into(),
            line,
            field,
            message,
        };
        // First pass on the text itself: syntax, unknown keys and types get lines.
        let direct: Result<Scenario, toml::de::Error> = toml::from_str(text);
        let mut scn = match (direct, overrides.is_empty()) {
            (Ok(s), true) => s,
            (Err(_), _) if crate::sweep::is_sweep_text(text) => {
                return Err(err(
                    None,
                    None,
                    format!(
                        "this is a sweep file (it has a [sweep] section): use `authsim sweep {}`",
                        path.display()
                    ),
                ));
            }
            (Err(e), _) => return Err(toml_error(text, path, &e)),
            (Ok(_), false) => {
                let mut table: toml::Table =
                    toml::from_str(text).map_err(|e| err(None, None, e.message().to_string()))?;
                for o in overrides {
                    apply_override(&mut table, o).map_err(|e| err(None, None, e.to_string()))?;
                }
                Scenario::deserialize(toml::Value::Table(table))
                    .map_err(|e| override_type_error(path, overrides, e.message()))?
            }
        };
        scn.source = path.into();
        scn.validate()
            .map_err(|e| match blamed_override(overrides, &e.field) {
                // The value came from the command line, not from the file.
                Some(o) => err(None, Some(e.field), format!("--set `{o}`: {}", e.message)),
                None => err(locate(text, &e.field), Some(e.field), e.message),
            })?;
        Ok(scn)
    }

    /// Checks values and references.
    pub fn validate(&self) -> Result<(), FieldError> {
        let bad = |f: &str, m: String| Err(FieldError::new(f, m));
        let positive = |f: &str, v: f64| -> Result<(), FieldError> {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                bad(f, format!("must be a positive number, got {v}"))
            }
        };
        let non_negative = |f: &str, v: f64| -> Result<(), FieldError> {
            if v.is_finite() && v >= 0.0 {
                Ok(())
            } else {
                bad(f, format!("must be >= 0, got {v}"))
            }
        };
        if let Some(u) = self.run.until_s {
            positive("run.until_s", u)?;
        }
        check_formats(&self.outputs.formats)?;
        if self.run.replications == 0 {
            return bad("run.replications", "must be at least 1".into());
        }
        if self.population.devices == 0 {
            return bad("population.devices", "must be at least 1".into());
        }
        for (field, share) in [
            (
                "population.unknown_imsi_share",
                self.population.unknown_imsi_share,
            ),
            (
                "population.wrong_key_share",
                self.population.wrong_key_share,
            ),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return bad(field, "must be a share between 0 and 1".into());
            }
            let name = self.protocol.name();
            if share > 0.0 && !crate::protocols::SUBSCRIBER_PROTOCOLS.contains(&name) {
                return bad(
                    field,
                    format!(
                        "protocol `{name}` has no subscriber records; supported by: {}",
                        crate::protocols::SUBSCRIBER_PROTOCOLS.join(", ")
                    ),
                );
            }
        }
        match self.population.arrivals {
            ArrivalSpec::AllAtOnce { at_s } => non_negative("population.arrivals.at_s", at_s)?,
            ArrivalSpec::Uniform { start_s, window_s } => {
                non_negative("population.arrivals.start_s", start_s)?;
                positive("population.arrivals.window_s", window_s)?;
            }
            ArrivalSpec::Poisson {
                start_s,
                rate_per_s,
            } => {
                non_negative("population.arrivals.start_s", start_s)?;
                positive("population.arrivals.rate_per_s", rate_per_s)?;
            }
            ArrivalSpec::Beta {
                start_s,
                window_s,
                alpha,
                beta,
            } => {
                non_negative("population.arrivals.start_s", start_s)?;
                positive("population.arrivals.window_s", window_s)?;
                positive("population.arrivals.alpha", alpha)?;
                positive("population.arrivals.beta", beta)?;
            }
        }
        for (name, p) in &self.profiles {
            if builtin_profile(&p.base).is_none() {
                return bad(
                    &format!("profiles.{name}.base"),
                    format!(
                        "unknown built-in profile `{}`; built-ins: {}",
                        p.base,
                        Profile::BUILTIN.join(", ")
                    ),
                );
            }
            for (key, v) in [
                ("per_input_us", p.per_input_us),
                ("per_input_uj", p.per_input_uj),
                ("tx_uj_per_byte", p.tx_uj_per_byte),
                ("rx_uj_per_byte", p.rx_uj_per_byte),
            ] {
                if let Some(v) = v {
                    non_negative(&format!("profiles.{name}.{key}"), v)?;
                }
            }
            for (table, map) in [("prim_ns", &p.prim_ns), ("prim_uj", &p.prim_uj)] {
                for (prim, v) in map {
                    let f = format!("profiles.{name}.{table}.{prim}");
                    if Prim::from_name(prim).is_none() {
                        let known: Vec<_> = Prim::ALL.iter().map(|p| p.name()).collect();
                        return bad(
                            &f,
                            format!("unknown primitive; known: {}", known.join(", ")),
                        );
                    }
                    non_negative(&f, *v)?;
                }
            }
        }
        let protocol = self.protocol.protocol();
        let roles = protocol.nodes();
        for (name, n) in &self.nodes {
            if !roles.contains(&name.as_str()) {
                return bad(
                    &format!("nodes.{name}"),
                    format!(
                        "protocol `{}` has no node `{name}`; its nodes are: {}",
                        self.protocol.name(),
                        roles.join(", ")
                    ),
                );
            }
            if self.profile(&n.profile).is_none() {
                let mut known: Vec<&str> = Profile::BUILTIN.to_vec();
                known.extend(self.profiles.keys().map(String::as_str));
                return bad(
                    &format!("nodes.{name}.profile"),
                    format!(
                        "unknown profile `{}`; known profiles: {} (built-ins in docs/profiles.md, your own under [profiles.NAME])",
                        n.profile,
                        known.join(", ")
                    ),
                );
            }
            if n.servers == 0 {
                return bad(
                    &format!("nodes.{name}.servers"),
                    "must be at least 1".into(),
                );
            }
        }
        for role in &roles {
            if !self.nodes.contains_key(*role) {
                return bad(
                    &format!("nodes.{role}"),
                    format!(
                        "missing section [nodes.{role}] required by protocol `{}`",
                        self.protocol.name()
                    ),
                );
            }
        }
        for (i, l) in self.links.iter().enumerate() {
            for end in &l.between {
                if !self.nodes.contains_key(end) {
                    return bad(
                        &format!("links[{i}].between"),
                        format!("link to undefined node `{end}`"),
                    );
                }
            }
            if l.between[0] == l.between[1] {
                return bad(
                    &format!("links[{i}].between"),
                    "a link joins two different nodes".into(),
                );
            }
            match l.latency {
                LatencySpec::Fixed { ms } => non_negative(&format!("links[{i}].latency.ms"), ms)?,
                LatencySpec::Uniform { min_ms, max_ms } => {
                    non_negative(&format!("links[{i}].latency.min_ms"), min_ms)?;
                    non_negative(&format!("links[{i}].latency.max_ms"), max_ms)?;
                    if max_ms < min_ms {
                        return bad(
                            &format!("links[{i}].latency.max_ms"),
                            "must be >= min_ms".into(),
                        );
                    }
                }
                LatencySpec::Exponential { base_ms, mean_ms } => {
                    non_negative(&format!("links[{i}].latency.base_ms"), base_ms)?;
                    non_negative(&format!("links[{i}].latency.mean_ms"), mean_ms)?;
                }
                LatencySpec::Lognormal { median_ms, sigma } => {
                    positive(&format!("links[{i}].latency.median_ms"), median_ms)?;
                    non_negative(&format!("links[{i}].latency.sigma"), sigma)?;
                }
            }
            if let Some(b) = l.bandwidth_mbps {
                positive(&format!("links[{i}].bandwidth_mbps"), b)?;
            }
            if !(l.loss.is_finite() && (0.0..1.0).contains(&l.loss)) {
                return bad(
                    &format!("links[{i}].loss"),
                    format!("must be in [0, 1), got {}", l.loss),
                );
            }
        }
        for (a, b) in protocol.links() {
            if self.link(a, b).is_none() {
                return bad(
                    "links",
                    format!(
                        "protocol `{}` needs a link between `{a}` and `{b}`",
                        self.protocol.name()
                    ),
                );
            }
        }
        protocol.validate(&self.population)?;
        crate::attacks::validate(&self.attacks, self.protocol.name(), self.population.devices)
    }

    /// The link spec joining two named nodes, if any.
    pub fn link(&self, a: &str, b: &str) -> Option<LinkSpec> {
        link_between(&self.links, a, b)
    }

    /// What the protocol reads to build a run with `seed`: the nodes with
    /// their profiles resolved.
    pub fn build_context(&self, seed: u64) -> Result<BuildContext<'_>, BuildError> {
        let nodes = self
            .nodes
            .iter()
            .map(|(name, n)| {
                let profile = self
                    .profile(&n.profile)
                    .ok_or_else(|| BuildError::UnknownProfile(n.profile.clone()))?;
                Ok((
                    name.as_str(),
                    NodePlan {
                        profile,
                        servers: n.servers,
                    },
                ))
            })
            .collect::<Result<_, BuildError>>()?;
        Ok(BuildContext {
            seed,
            population: &self.population,
            nodes,
            links: &self.links,
            rach: std::sync::OnceLock::new(),
        })
    }

    /// Builds the nodes of one run with `seed`.
    pub fn build(&self, seed: u64) -> Result<Vec<NodeSetup>, BuildError> {
        Ok(self.build_run(seed)?.0)
    }

    /// [`Scenario::build`], with the random access counts the eNB will keep
    /// (`[protocol.ran.rach]`), if any.
    pub fn build_run(
        &self,
        seed: u64,
    ) -> Result<
        (
            Vec<NodeSetup>,
            Option<authsim_protocols::ran::rach::SharedRachStats>,
        ),
        BuildError,
    > {
        let ctx = self.build_context(seed)?;
        let mut setups = self.protocol.protocol().build(&ctx)?;
        let rach = ctx.rach.into_inner();
        if !self.attacks.is_empty() {
            crate::attacks::place(
                &mut setups,
                &self.attacks,
                self.protocol.name(),
                &self.population,
                &self.links,
                seed,
                crate::attacks_group::setup(&self.protocol, seed, &self.population).as_ref(),
            )?;
        }
        Ok((setups, rach))
    }

    /// Resolves a profile name: a `[profiles]` entry or a built-in.
    pub fn profile(&self, name: &str) -> Option<Profile> {
        if let Some(p) = self.profiles.get(name) {
            let mut prof = builtin_profile(&p.base)?;
            prof.name = name.to_string();
            if let Some(us) = p.per_input_us {
                prof.per_input_ns = us * 1e3;
            }
            for (prim, v) in &p.prim_ns {
                prof.prim_ns[Prim::from_name(prim)? as usize] = *v;
            }
            for (prim, v) in &p.prim_uj {
                prof.prim_uj[Prim::from_name(prim)? as usize] = *v;
            }
            if let Some(v) = p.per_input_uj {
                prof.per_input_uj = v;
            }
            if let Some(v) = p.tx_uj_per_byte {
                prof.tx_uj_per_byte = v;
            }
            if let Some(v) = p.rx_uj_per_byte {
                prof.rx_uj_per_byte = v;
            }
            return Some(prof);
        }
        builtin_profile(name)
    }
}

pub fn builtin_profile(name: &str) -> Option<Profile> {
    Profile::builtin(name)
}
