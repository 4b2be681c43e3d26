//! Engine behaviour on a toy ping/pong protocol: timing, FIFO queueing, loss
//! with retransmission timers, determinism, and nothing vanishing (messages
//! without a route fail the run, ignored inputs are counted).

use authsim_protocols::core::{
    Addr, Ctx, Endpoint, Incoming, Interface, Outcome, Prim, TimerKey, TimerKind, time::MILLISECOND,
};
use authsim_sim::engine::{EngineError, RouteGap, run};
use authsim_sim::latency::Latency;
use authsim_sim::link::{LinkSpec, LinkState};
use authsim_sim::node::{NodeSetup, Service};
use authsim_sim::profile::Profile;
use authsim_sim::report::RunResult;
use authsim_sim::runner::RunOptions;
use authsim_sim::scenario::Scenario;

const SERVER: Addr = Addr::new(1, 0);

struct Pinger {
    tries: u32,
}

impl Endpoint for Pinger {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        self.tries = 1;
        cx.fx.send(SERVER, Interface::Nas, "Ping", vec![0; 100]);
        cx.fx.arm(
            TimerKey::own(TimerKind::T3410),
            cx.now + 1_000 * MILLISECOND,
        );
    }
    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        cx.fx.cancel(TimerKey::own(TimerKind::T3410));
        cx.fx.outcome(Outcome::Authenticated {
            subject: msg.from,
            key_id: 0,
            relayed_by: None,
        });
    }
    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        if self.tries == 3 {
            cx.fx.outcome(Outcome::Failed {
                subject: SERVER,
                reason: "timeout",
            });
            return;
        }
        self.tries += 1;
        cx.fx.send(SERVER, Interface::Nas, "Ping", vec![0; 100]);
        cx.fx.arm(
            TimerKey::own(TimerKind::T3410),
            cx.now + 1_000 * MILLISECOND,
        );
    }
}

struct Ponger;

impl Endpoint for Ponger {
    fn start(&mut self, _: &mut Ctx<'_>) {}
    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        cx.fx.crypto.add(Prim::AesBlock, 1_000); // 1 ms at 1 us per block
        cx.fx.send(msg.from, Interface::Nas, "Pong", vec![0; 50]);
    }
    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}

fn link(loss: f64) -> Option<LinkState> {
    Some(
        LinkState::new(LinkSpec {
            latency: Latency::Fixed(10 * MILLISECOND),
            bandwidth_bps: None,
            loss,
            header_bytes: 0,
        })
        .unwrap(),
    )
}

fn server_profile() -> Profile {
    let mut p = Profile::free();
    p.prim_ns[Prim::AesBlock as usize] = 1_000.0;
    p
}

fn setups(devices: u32, arrivals: Vec<(u64, u32)>, loss: f64, servers: u32) -> Vec<NodeSetup> {
    vec![
        NodeSetup {
            id: 0,
            name: "devices".into(),
            host: Box::new(
                (0..devices)
                    .map(|_| Pinger { tries: 0 })
                    .collect::<Vec<_>>(),
            ),
            profile: Profile::free(),
            service: Service::PerEndpoint,
            links: vec![None, link(loss)],
            arrivals,
            endpoint_seed: 1,
            network_seed: 2,
            trace: None,
            attribute: false,
        },
        NodeSetup {
            id: 1,
            name: "server".into(),
            host: Box::new(vec![Ponger]),
            profile: server_profile(),
            service: Service::Fifo { servers },
            links: vec![link(loss), None],
            arrivals: vec![],
            endpoint_seed: 3,
            network_seed: 4,
            trace: None,
            attribute: false,
        },
    ]
}

fn done_times(out: &authsim_sim::engine::RunOutput) -> Vec<u64> {
    let mut t: Vec<u64> = out.reports[0]
        .records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Authenticated { .. }))
        .map(|r| r.time)
        .collect();
    t.sort();
    t
}

#[test]
fn round_trip_time_is_latency_plus_service() {
    let out = run(setups(1, vec![(5 * MILLISECOND, 0)], 0.0, 1), None).unwrap();
    assert_eq!(
        done_times(&out),
        vec![5 * MILLISECOND + 10 * MILLISECOND + MILLISECOND + 10 * MILLISECOND]
    );
    assert_eq!(out.reports[1].busy_ns, MILLISECOND as u128);
}

#[test]
fn simultaneous_arrivals_queue_fifo_at_the_server() {
    let out = run(
        setups(3, (0..3).map(|i| (MILLISECOND, i)).collect(), 0.0, 1),
        None,
    )
    .unwrap();
    // All pings arrive at 11 ms; served back to back, 1 ms each.
    assert_eq!(
        done_times(&out),
        [22, 23, 24]
            .iter()
            .map(|m| m * MILLISECOND)
            .collect::<Vec<_>>()
    );
    assert_eq!(out.reports[1].wait_ns_max, 2 * MILLISECOND);
    // Two servers halve the wait.
    let out = run(
        setups(3, (0..3).map(|i| (MILLISECOND, i)).collect(), 0.0, 2),
        None,
    )
    .unwrap();
    assert_eq!(
        done_times(&out),
        [22, 22, 23]
            .iter()
            .map(|m| m * MILLISECOND)
            .collect::<Vec<_>>()
    );
}

#[test]
fn lost_messages_are_retransmitted_on_timer_expiry() {
    let out = run(
        setups(
            200,
            (0..200).map(|i| (i as u64 * MILLISECOND, i)).collect(),
            0.3,
            1,
        ),
        None,
    )
    .unwrap();
    let dev = &out.reports[0];
    let ok = dev
        .records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Authenticated { .. }))
        .count();
    let failed = dev
        .records
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Failed { .. }))
        .count();
    assert_eq!(ok + failed, 200);
    assert!(failed > 0 && ok > 150, "ok {ok} failed {failed}");
    let pings = dev.messages[&(Interface::Nas, "Ping")];
    assert!(pings.transmissions > 200);
    assert_eq!(pings.transmissions, pings.deliveries + pings.lost);
    assert!(dev.timer_expiries > 0);
}

#[test]
fn same_seed_same_result() {
    let a = run(
        setups(
            100,
            (0..100).map(|i| (i as u64 * 1000, i)).collect(),
            0.2,
            1,
        ),
        None,
    )
    .unwrap();
    let b = run(
        setups(
            100,
            (0..100).map(|i| (i as u64 * 1000, i)).collect(),
            0.2,
            1,
        ),
        None,
    )
    .unwrap();
    assert_eq!(done_times(&a), done_times(&b));
    assert_eq!(a.end_time, b.end_time);
}

/// A server that answers nothing and ignores every other ping.
struct Picky {
    pings: u32,
}

impl Endpoint for Picky {
    fn start(&mut self, _: &mut Ctx<'_>) {}
    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        self.pings += 1;
        if self.pings.is_multiple_of(2) {
            cx.fx.ignore("Ping");
        } else {
            cx.fx.send(msg.from, Interface::Nas, "Pong", vec![0; 50]);
        }
    }
    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("timer without a device");
    }
}

/// A device that pings an address the bench does not route.
struct Stray {
    to: Addr,
}

impl Endpoint for Stray {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.send(self.to, Interface::Nas, "Ping", vec![0; 10]);
    }
    fn on_message(&mut self, _: Incoming<'_>, _: &mut Ctx<'_>) {}
    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}

fn unroutable(
    out: Result<authsim_sim::engine::RunOutput, EngineError>,
) -> authsim_sim::engine::Unroutable {
    match out {
        Err(EngineError::Unroutable(u)) => u,
        other => panic!("expected an unroutable message, got {other:?}"),
    }
}

#[test]
fn a_transmission_without_a_link_fails_the_run() {
    // The server has no link back to the devices: its first pong has no route.
    let mut s = setups(
        3,
        (0..3).map(|i| (i as u64 * MILLISECOND, i)).collect(),
        0.0,
        1,
    );
    s[1].links = vec![None, None];
    let u = unroutable(run(s, None));
    assert_eq!(u.node, "server");
    assert_eq!((u.from, u.to), (SERVER, Addr::new(0, 0)));
    assert_eq!(
        (u.interface, u.kind, u.gap),
        (Interface::Nas, "Pong", RouteGap::NoLink)
    );
    let text = EngineError::Unroutable(u).to_string();
    assert!(text.contains("`server`") && text.contains("Pong"), "{text}");
}

#[test]
fn a_message_to_a_missing_endpoint_fails_the_run() {
    let mut s = setups(0, vec![], 0.0, 1);
    s[0].host = Box::new(vec![Stray {
        to: Addr::new(1, 7),
    }]);
    s[0].arrivals = vec![(MILLISECOND, 0)];
    let u = unroutable(run(s, None));
    assert_eq!(u.node, "server");
    assert_eq!(
        (u.from, u.to, u.kind),
        (Addr::new(0, 0), Addr::new(1, 7), "Ping")
    );
    assert_eq!(u.gap, RouteGap::NoEndpoint { endpoints: 1 });
}

#[test]
fn ignored_inputs_are_counted_per_node_and_label() {
    // Ten devices 1 ms apart, no loss; the server ignores its even pings:
    // devices 1, 3, 5, 7, 9 the first time, then 3 and 7 when they retry a
    // second later, then 3 again (its last try): 8 of 17 pings.
    let mut s = setups(
        10,
        (0..10).map(|i| (i as u64 * MILLISECOND, i)).collect(),
        0.0,
        1,
    );
    s[1].host = Box::new(vec![Picky { pings: 0 }]);
    let out = run(s, None).unwrap();
    let server = &out.reports[1];
    let ignored = 8;
    assert_eq!(server.ignored, [("Ping", ignored)].into());
    assert_eq!(server.inputs, 17);
    assert_eq!(done_times(&out).len(), 9);
    assert!(out.reports[0].ignored.is_empty());

    // The counts reach nodes.csv (`ignored_inputs`) and summary.json.
    let scn = quickstart();
    let names =
        [("devices", "free"), ("server", "free")].map(|(n, p)| (n.to_string(), p.to_string()));
    let result = RunResult::from_reports(&scn, 1, &names, &[0, 1], out.reports, out.end_time);
    assert_eq!(
        ignored_column(&result),
        vec![("devices".into(), 0), ("server".into(), ignored)]
    );
    let j = result.summary_json();
    assert_eq!(j["ignored_inputs"]["server"]["total"], ignored);
    assert_eq!(j["ignored_inputs"]["server"]["by_label"]["Ping"], ignored);
    assert_eq!(j["ignored_inputs"]["devices"]["total"], 0);
}

#[test]
fn a_benign_run_ignores_nothing() {
    let scn = quickstart();
    let (r, _) = authsim_sim::runner::run(&scn, scn.run.seed, &RunOptions::default()).unwrap();
    let column = ignored_column(&r);
    assert_eq!(column.len(), 3);
    assert!(column.iter().all(|(_, n)| *n == 0), "{column:?}");
    for n in ["ue", "mme", "hss"] {
        assert_eq!(r.summary_json()["ignored_inputs"][n]["total"], 0, "{n}");
    }
}

fn quickstart() -> Scenario {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml");
    Scenario::load(&path, &[]).unwrap()
}

/// (node, ignored_inputs) from nodes.csv.
fn ignored_column(r: &RunResult) -> Vec<(String, u64)> {
    let csv = r.nodes_csv();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "ignored_inputs").unwrap();
    lines
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[0].to_string(), f[col].parse().unwrap())
        })
        .collect()
}

/// Node names are free text: nodes.csv and auth.csv quote them (the `csv`
/// crate), so a comma, quote or line break stays inside one field.
#[test]
fn node_names_with_commas_quotes_and_line_breaks_stay_one_field() {
    let scn = quickstart();
    let (mut r, _) = authsim_sim::runner::run(&scn, scn.run.seed, &RunOptions::default()).unwrap();
    let odd = "mme, \"east\"\nrack 2";
    r.nodes[0].name = odd.into();
    for a in &mut r.auth {
        a.reporter_node = odd.into();
    }
    for (text, col) in [(r.nodes_csv(), 0), (r.auth_csv(), 1)] {
        let mut rd = csv::Reader::from_reader(text.as_bytes());
        let width = rd.headers().unwrap().len();
        let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        assert!(!recs.is_empty());
        assert!(recs.iter().all(|x| x.len() == width), "{text}");
        assert_eq!(&recs[0][col], odd, "{text}");
    }
}
