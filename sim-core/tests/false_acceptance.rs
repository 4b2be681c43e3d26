//! The attack measure counts a false acceptance only when the verdict was
//! caused by adversary input (docs/threats.md): a device whose challenge
//! check is deliberately broken (it accepts any AUTHENTICATION REQUEST, test
//! only) accepts the real injector's fake challenges, and every one of them
//! is counted; genuine verdicts in the same run are not.

use authsim_protocols::adversary::injector::{Dialect, Injector, Move};
use authsim_protocols::core::{
    Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey, time::MILLISECOND,
};
use authsim_protocols::wire::nas::{self, Nas, NasMessage};
use authsim_sim::attacks::measure;
use authsim_sim::engine::run;
use authsim_sim::latency::Latency;
use authsim_sim::link::{LinkSpec, LinkState};
use authsim_sim::node::{NodeSetup, Service};
use authsim_sim::profile::Profile;
use authsim_sim::report::RunResult;
use authsim_sim::scenario::Scenario;

const NETWORK: Addr = Addr::new(1, 0);
const DEVICES: u32 = 20;
const INJECTIONS: u64 = 50;

/// A device with a broken USIM: it sends an attach and accepts any
/// AUTHENTICATION REQUEST, from anyone, as the network authenticated.
struct Gullible;

impl Endpoint for Gullible {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx
            .send(NETWORK, Interface::Nas, "AttachRequest", vec![7; 20]);
    }
    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        if let Ok(Nas::Plain(NasMessage::AuthenticationRequest(_))) = nas::decode_any(m.pdu) {
            cx.fx.outcome(Outcome::Authenticated {
                subject: NETWORK,
                key_id: 0,
                relayed_by: None,
            });
        }
    }
    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}

/// The genuine network: answers each attach with one challenge.
struct Network;

impl Endpoint for Network {
    fn start(&mut self, _: &mut Ctx<'_>) {}
    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        let challenge = NasMessage::AuthenticationRequest(nas::AuthenticationRequest {
            nas_ksi: 0,
            rand: [1; 16],
            autn: [2; 16],
        });
        cx.fx.send_msg(m.from, Interface::Nas, &challenge);
    }
    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}

fn link() -> Option<LinkState> {
    let spec = LinkSpec {
        latency: Latency::Fixed(10 * MILLISECOND),
        bandwidth_bps: None,
        loss: 0.0,
        header_bytes: 0,
    };
    Some(LinkState::new(spec).unwrap())
}

fn node(id: u16, name: &str, host: Box<dyn authsim_sim::host::Host>, links: usize) -> NodeSetup {
    NodeSetup {
        id,
        name: name.into(),
        host,
        profile: Profile::free(),
        service: Service::PerEndpoint,
        links: (0..links).map(|_| None).collect(),
        arrivals: vec![],
        endpoint_seed: 1 + id as u64,
        network_seed: 10 + id as u64,
        trace: None,
        attribute: false,
    }
}

/// The devices and the network, plus a false base station if `attacked`.
fn result(attacked: bool) -> RunResult {
    let n = if attacked { 3 } else { 2 };
    let mut ue = node(
        0,
        "ue",
        Box::new((0..DEVICES).map(|_| Gullible).collect::<Vec<_>>()),
        n,
    );
    ue.arrivals = (0..DEVICES).map(|i| (i as u64 * MILLISECOND, i)).collect();
    ue.links[1] = link();
    let mut mme = node(1, "mme", Box::new(vec![Network]), n);
    mme.links[0] = link();
    let mut setups = vec![ue, mme];
    if attacked {
        setups[0].links[2] = link();
        let interval = 2 * MILLISECOND;
        let fake = Injector::new(
            Dialect::Eps,
            Move::FakeNetworkChallenge { devices: DEVICES },
            Addr::new(0, 0),
            "00101".into(),
            0,
            INJECTIONS * interval,
            interval,
            (0, 1),
        );
        let mut adversary = node(2, "adversary0", Box::new(vec![fake]), n);
        adversary.links[0] = link();
        adversary.arrivals = vec![(0, 0)];
        setups.push(adversary);
    }
    let out = run(setups, None).unwrap();
    let names: Vec<(String, String)> = ["ue", "mme", "adversary0"][..n]
        .iter()
        .map(|name| (name.to_string(), "free".to_string()))
        .collect();
    let servers = vec![0; n];
    RunResult::from_reports(
        &quickstart(),
        1,
        &names,
        &servers,
        out.reports,
        out.end_time,
    )
}

fn quickstart() -> Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    Scenario::load(&path, &[]).unwrap()
}

#[test]
fn a_broken_challenge_check_is_counted_once_per_accepted_forgery() {
    let (attack, baseline) = (result(true), result(false));
    let r = measure(&attack, &baseline, "false_base_station");
    assert_eq!(r.injected, INJECTIONS, "{r:?}");
    // Every fake challenge reached a device and was accepted.
    assert_eq!(r.false_acceptances, INJECTIONS, "{r:?}");
    assert_eq!(r.extra_authentications, 0, "{r:?}");
    let marked = attack
        .auth
        .iter()
        .filter(|a| a.reason == "adversary_input")
        .count() as u64;
    assert_eq!(marked, INJECTIONS);
    // The genuine challenges are verdicts of their own, not counted.
    let genuine = |r: &RunResult| r.auth.iter().filter(|a| a.reason.is_empty()).count();
    assert_eq!(genuine(&attack), DEVICES as usize);
    assert_eq!(genuine(&baseline), DEVICES as usize);
}
