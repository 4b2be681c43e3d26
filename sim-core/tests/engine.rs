//! Engine behaviour on a toy ping/pong protocol: timing, FIFO queueing, loss
//! with retransmission timers, and determinism.

use authsim_protocols::core::{
    Addr, Ctx, Endpoint, Incoming, Interface, Outcome, Prim, TimerKey, TimerKind, time::MILLISECOND,
};
use authsim_sim::engine::run;
use authsim_sim::latency::Latency;
use authsim_sim::link::{LinkSpec, LinkState};
use authsim_sim::node::{NodeSetup, Service};
use authsim_sim::profile::Profile;

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
