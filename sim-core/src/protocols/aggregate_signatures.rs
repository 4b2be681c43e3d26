//! Lai 2012 §3.3 in a scenario: meters sign a reading every reporting interval, gateways
//! aggregate (BLS, IBAS) or forward (ECDSA, HMAC) them to the MDMS, which verifies and, when
//! an aggregate fails, finds the bad readings by bisection (docs/protocols/aggregate-signatures.md).
//! `population.devices` = gateways × `meters_per_gateway`; the `pkg` node serves IBAS only
//! (empty under the other schemes); meter i belongs to gateway
//! ⌊i / meters_per_gateway⌋ and starts at its arrival time. Enrolment is offline.

use authsim_protocols::aggsig::meter::KeyRetry;
use authsim_protocols::aggsig::scheme::Scheme;
use authsim_protocols::aggsig::setup::{Addresses, Deployment, World, enrol};
use authsim_protocols::core::{Addr, CryptoOps, Interface, SimRng};
use rand::{RngExt, SeedableRng};
use serde::Deserialize;

use super::gas::{invalid, ns, positive_seconds};
use super::{About, ParamDoc, Protocol};
use crate::build::{BuildContext, BuildError, Topology, derive_seed};
use crate::node::NodeSetup;
use crate::report::RunResult;
use crate::spec::{FieldError, PopulationSpec};

pub const ABOUT: About = About {
    name: "aggregate-signatures",
    summary: "Lai 2012 §3.3 smart-metering readings: BLS aggregate or Gentry–Ramzan IBAS signatures aggregated per gateway, against per-reading ECDSA-P256 and HMAC",
    nodes: &["meter", "gateway", "mdms", "pkg"],
    roles: &[
        ("meter", "device"),
        ("gateway", "gateway"),
        ("mdms", "mdms"),
        ("pkg", "pkg"),
    ],
    links: LINKS,
    params,
};

const LINKS: &[(&str, &str)] = &[("meter", "gateway"), ("gateway", "mdms"), ("meter", "pkg")];

const METER: u16 = 0;
const GATEWAY: u16 = 1;
const MDMS: u16 = 2;
const PKG: u16 = 3;

fn params() -> Vec<ParamDoc> {
    use defaults as d;
    vec![
        ParamDoc::value(
            "scheme",
            "\"bls-aggregate\", \"ibas\", \"ecdsa\" (per reading) or \"hmac\" (per reading)",
            d::scheme(),
        ),
        ParamDoc::required("meters_per_gateway", "n; population.devices = gateways × n"),
        ParamDoc::value("interval_s", "reporting interval", d::interval_s()),
        ParamDoc::value("intervals", "readings per meter", d::intervals()),
        ParamDoc::value(
            "window_s",
            "gateway closes an interval this long after its first reading if a meter is missing",
            d::window_s(),
        ),
        ParamDoc::derived(
            "max_batch",
            "readings per gateway → MDMS batch",
            "the most one TLV message carries",
        ),
        ParamDoc::value(
            "check_issued_key",
            "IBAS: meters check the issued key with pairings (the AEAD already authenticates it)",
            false,
        ),
        ParamDoc::value(
            "key_request_guard_s",
            "IBAS: a meter asks the PKG again when no key issue came this long after its request",
            d::key_request_guard_s(),
        ),
        ParamDoc::value(
            "key_request_attempts",
            "IBAS: key requests a meter sends in all before it gives up (`Failed`, no key issue)",
            d::key_request_attempts(),
        ),
        ParamDoc::value(
            "fleet_meters",
            "meters the metering.fleet_* metrics scale the MDMS's measured cost per reading to",
            d::fleet_meters(),
        ),
        ParamDoc::value(
            "tampered_fraction",
            "share of meters whose readings are altered after signing (0..=1)",
            0.0,
        ),
    ]
}

mod defaults {
    pub fn scheme() -> String {
        "bls-aggregate".into()
    }
    pub fn interval_s() -> f64 {
        900.0
    }
    pub fn intervals() -> u32 {
        1
    }
    pub fn window_s() -> f64 {
        60.0
    }
    pub fn meters_per_gateway() -> u32 {
        100
    }
    pub fn fleet_meters() -> u64 {
        1_000_000
    }
    pub fn key_request_guard_s() -> f64 {
        authsim_protocols::aggsig::meter::KeyRetry::default().guard as f64 / 1e9
    }
    pub fn key_request_attempts() -> u32 {
        authsim_protocols::aggsig::meter::KeyRetry::default().attempts
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Params {
    #[serde(default = "defaults::scheme")]
    pub scheme: String,
    #[serde(default = "defaults::meters_per_gateway")]
    pub meters_per_gateway: u32,
    #[serde(default = "defaults::interval_s")]
    pub interval_s: f64,
    #[serde(default = "defaults::intervals")]
    pub intervals: u32,
    #[serde(default = "defaults::window_s")]
    pub window_s: f64,
    pub max_batch: Option<u32>,
    #[serde(default)]
    pub check_issued_key: bool,
    #[serde(default)]
    pub tampered_fraction: f64,
    #[serde(default = "defaults::fleet_meters")]
    pub fleet_meters: u64,
    #[serde(default = "defaults::key_request_guard_s")]
    pub key_request_guard_s: f64,
    #[serde(default = "defaults::key_request_attempts")]
    pub key_request_attempts: u32,
}

impl Params {
    /// What the `metering.*` metrics need of these parameters.
    pub fn metering(&self) -> Metering {
        Metering {
            interval_s: self.interval_s,
            intervals: self.intervals,
            fleet_meters: self.fleet_meters,
        }
    }

    fn scheme(&self) -> Result<Scheme, FieldError> {
        Scheme::from_name(&self.scheme).ok_or_else(|| {
            let known: Vec<_> = Scheme::ALL.iter().map(|s| s.name()).collect();
            invalid(
                "scheme",
                format!(
                    "unknown scheme `{}`; one of {}",
                    self.scheme,
                    known.join(", ")
                ),
            )
        })
    }
}

struct At;
impl Addresses for At {
    fn meter(&self, i: u32) -> Addr {
        Addr::new(METER, i)
    }
    fn gateway(&self, g: u32) -> Addr {
        Addr::new(GATEWAY, g)
    }
    fn mdms(&self) -> Addr {
        Addr::new(MDMS, 0)
    }
    fn pkg(&self) -> Addr {
        Addr::new(PKG, 0)
    }
}

impl Protocol for Params {
    fn about(&self) -> &'static About {
        &ABOUT
    }

    fn validate(&self, pop: &PopulationSpec) -> Result<(), FieldError> {
        let scheme = self.scheme()?;
        let n = self.meters_per_gateway;
        if n == 0 || !pop.devices.is_multiple_of(n) || pop.devices == 0 {
            return Err(invalid(
                "meters_per_gateway",
                format!(
                    "must be ≥ 1 and divide population.devices = {}, got {n}",
                    pop.devices
                ),
            ));
        }
        positive_seconds("interval_s", self.interval_s)?;
        positive_seconds("window_s", self.window_s)?;
        if self.intervals == 0 {
            return Err(invalid("intervals", "must be at least 1"));
        }
        if let Some(b) = self.max_batch
            && (b == 0 || b as usize > scheme.max_batch())
        {
            return Err(invalid(
                "max_batch",
                format!(
                    "must be 1..={} for {} (one TLV message), got {b}",
                    scheme.max_batch(),
                    scheme.name()
                ),
            ));
        }
        positive_seconds("key_request_guard_s", self.key_request_guard_s)?;
        if self.key_request_attempts == 0 {
            return Err(invalid("key_request_attempts", "must be at least 1"));
        }
        if self.fleet_meters == 0 {
            return Err(invalid("fleet_meters", "must be at least 1"));
        }
        if !(0.0..=1.0).contains(&self.tampered_fraction) {
            return Err(invalid(
                "tampered_fraction",
                format!("must be within 0..=1, got {}", self.tampered_fraction),
            ));
        }
        Ok(())
    }

    fn build(&self, ctx: &BuildContext<'_>) -> Result<Vec<NodeSetup>, BuildError> {
        let scheme = self.scheme().map_err(BuildError::from)?;
        let n = self.meters_per_gateway;
        let devices = ctx.population.devices;
        let d = Deployment {
            scheme,
            gateways: devices / n,
            meters_per_gateway: n,
            interval: ns(self.interval_s),
            intervals: self.intervals,
            window: ns(self.window_s),
            max_batch: self.max_batch.map_or(scheme.max_batch(), |b| b as usize),
            check_issued_key: self.check_issued_key,
            key_retry: KeyRetry {
                guard: ns(self.key_request_guard_s),
                attempts: self.key_request_attempts,
            },
        };
        // Which meters alter their readings: a deterministic draw per meter.
        let mut pick =
            SimRng::seed_from_u64(derive_seed(ctx.seed, "aggregate-signatures/tampered"));
        let tampered: Vec<bool> = (0..devices)
            .map(|_| pick.random_bool(self.tampered_fraction))
            .collect();
        let mut rng = SimRng::seed_from_u64(derive_seed(ctx.seed, "aggregate-signatures/enrol"));
        let mut offline = CryptoOps::default();
        let World {
            meters,
            gateways,
            mdms,
            pkg,
        } = enrol(&d, &At, &|i| tampered[i as usize], &mut rng, &mut offline);
        let mut topo = Topology::new(ctx, &self.nodes());
        topo.population("meter", Box::new(meters), devices)?;
        topo.server("gateway", Box::new(gateways))?;
        topo.server("mdms", Box::new(vec![mdms]))?;
        // Only IBAS has a PKG; the other schemes leave the node empty (one scenario file
        // serves every scheme).
        topo.server("pkg", Box::new(pkg.into_iter().collect::<Vec<_>>()))?;
        topo.finish()
    }
}

/// The reporting schedule of a run, kept with its results for [`metrics`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metering {
    pub interval_s: f64,
    pub intervals: u32,
    pub fleet_meters: u64,
}

/// The metering measures of one run (docs/outputs.md, docs/protocols/aggregate-signatures.md
/// "Does the MDMS keep up?"): the run's counts per reading and per second of reporting, and
/// the MDMS's measured (profile-priced) time per reading scaled to `fleet_meters` meters in
/// gateways like the run's. Every term is a count or a priced busy time of the run; the
/// scaling is exact because the MDMS's work is a sum over batches, and every gateway of n
/// meters sends it the same batches.
pub fn metrics(r: &RunResult) -> Vec<(String, f64)> {
    let Some(m) = r.metering else {
        return Vec::new();
    };
    let readings = r
        .auth
        .iter()
        .filter(|a| &*a.reporter_node == "mdms")
        .count() as f64;
    let Some(mdms) = r.nodes.iter().find(|n| n.name == "mdms") else {
        return Vec::new();
    };
    if readings == 0.0 {
        return Vec::new();
    }
    let wan = r
        .interface_totals()
        .get(&Interface::Wan)
        .map_or(0, |c| c.bytes) as f64;
    let reporting_s = m.interval_s * f64::from(m.intervals);
    let mdms_s = mdms.busy_ns as f64 / 1e9;
    let per_reading_s = mdms_s / readings;
    let fleet = m.fleet_meters as f64;
    // One reading per meter and interval.
    let fleet_busy_s = fleet * per_reading_s;
    vec![
        ("metering.readings".into(), readings),
        ("metering.interval_s".into(), m.interval_s),
        ("metering.wan_bytes_per_reading".into(), wan / readings),
        ("metering.wan_bytes_per_s".into(), wan / reporting_s),
        ("metering.mdms_s_per_reading".into(), per_reading_s),
        (
            "metering.mdms_utilisation".into(),
            mdms_s / reporting_s / f64::from(mdms.servers.max(1)),
        ),
        ("metering.fleet_meters".into(), fleet),
        ("metering.fleet_mdms_busy_s".into(), fleet_busy_s),
        (
            "metering.fleet_mdms_utilisation".into(),
            fleet_busy_s / m.interval_s / f64::from(mdms.servers.max(1)),
        ),
        (
            "metering.fleet_wan_bytes_per_s".into(),
            fleet * wan / readings / m.interval_s,
        ),
    ]
}
