//! NAS congestion control and the UE's back-off timers (TS 24.301
//! §5.5.1.2.5–6), sans-IO through the in-memory test router.

use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::device::State;
use crate::aka::test_support::*;
use crate::core::time::SECOND;
use crate::core::{Addr, TimerKey, TimerKind};
use crate::wire::nas::{self, NasMessage};

const UE: Addr = dev(3);
const MME: Addr = SERVING;
const HSS: Addr = HOME;

fn congested(retry: Option<Retry>) -> Config {
    Config {
        congestion: Some(Congestion {
            max_wait: SECOND,
            t3346_min: 60 * SECOND,
            t3346_max: 60 * SECOND,
        }),
        retry,
        ..Config::default()
    }
}

fn net(cfg: Config) -> Net<Ue, Mme, Hss> {
    let cfg = Arc::new(cfg);
    Net {
        devices: vec![(
            UE,
            Ue::new(cfg.clone(), UE.index, MME, milenage(1), SqnState::default()),
        )],
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg, subscribers(4, |_| 1, 1)),
    }
}

fn deadline(r: &crate::testing::Router, kind: TimerKind) -> Option<u64> {
    r.timers.get(&(UE, TimerKey::own(kind))).copied()
}

#[test]
fn an_overloaded_mme_rejects_with_cause_22_and_t3346() {
    let mut n = net(congested(None));
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(UE);
    assert_eq!(r.kinds(), ["AttachRequest", "AttachReject"]);
    let reject = nas::decode_any(&r.log[1].pdu).unwrap();
    let nas::Nas::Plain(NasMessage::AttachReject(a)) = reject else {
        panic!("{reject:?}");
    };
    assert_eq!(a.cause, nas::EmmCause::CONGESTION);
    assert_eq!(a.t3346.and_then(|t| t.seconds()), Some(60));
    // No context, no verdict: the UE is deferred, not refused.
    assert_eq!(n_contexts(&mut r), 0);
    assert!(r.outcomes.is_empty());
    // The UE backs off for T3346, with T3410 stopped.
    assert_eq!(deadline(&r, TimerKind::T3346), Some(60 * SECOND));
    assert_eq!(deadline(&r, TimerKind::T3410), None);
    assert_nothing_ignored(&r);
}

fn n_contexts(r: &mut crate::testing::Router) -> usize {
    // The MME reports no verdict and sends nothing but the reject.
    r.log.iter().filter(|p| p.kind == "AIR").count()
}

#[test]
fn after_t3346_the_ue_attaches_again_and_authenticates() {
    let mut n = net(congested(None));
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(UE);
    r.wait = 0; // the queue drained meanwhile
    assert!(r.fire_next_timer());
    assert_eq!(r.now, 60 * SECOND);
    assert!(mutually_authenticated(&r, UE), "{:?}", r.kinds());
    assert_eq!(count(&r, "AttachRequest"), 2);
    assert_nothing_ignored(&r);
}

#[test]
fn below_the_threshold_nothing_changes() {
    let mut n = net(congested(None));
    let mut r = n.router(1);
    r.wait = SECOND;
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
    assert_eq!(count(&r, "AttachReject"), 0);
}

#[test]
fn without_congestion_control_the_mme_ignores_its_load() {
    let mut n = net(Config::default());
    let mut r = n.router(1);
    r.wait = 100 * SECOND;
    r.start(UE);
    assert!(mutually_authenticated(&r, UE));
}

/// An MME that never answers: the UE's T3410 expires on every attempt.
fn silent(retry: Retry) -> Net<Ue, Mme, Hss> {
    net(Config {
        retry: Some(retry),
        ..Config::default()
    })
}

#[test]
fn t3410_failures_wait_t3411_then_t3402_after_five_and_finally_give_up() {
    let retry = Retry {
        max_t3402: 1,
        ..Retry::default()
    };
    let mut n = silent(retry);
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AttachRequest"));
    r.start(UE);
    let t3410 = Config::default().t3410;
    let mut fired = Vec::new();
    while r.fire_next_timer() {
        fired.push(r.now);
    }
    // Attempt k fails at its T3410; attempts 1-4 are followed by T3411 (10 s),
    // the fifth by T3402 (12 min), which resets the counter; five more
    // attempts, and after the second fifth failure the UE gives up.
    let mut expect = Vec::new();
    let mut t = 0;
    for cycle in 0..2 {
        for attempt in 1..=5 {
            t += t3410;
            expect.push(t);
            if attempt < 5 {
                t += retry.t3411;
                expect.push(t);
            } else if cycle == 0 {
                t += retry.t3402;
                expect.push(t);
            }
        }
    }
    assert_eq!(fired, expect);
    assert_eq!(count(&r, "AttachRequest"), 10);
    assert!(failed(&r, UE, "attach_gave_up"));
    drop(r);
    assert_eq!(n.devices[0].1.state(), State::Done);
}

#[test]
fn a_congestion_reject_resets_the_attempt_counter() {
    // Four attempts time out, then a congestion reject: after T3346 the UE
    // has five fresh attempts before T3402.
    let mut n = net(congested(Some(Retry::default())));
    let mut r = n.router(1);
    r.tamper = Some(drop_first_n("AttachRequest", 4));
    r.start(UE);
    for _ in 0..7 {
        assert!(r.fire_next_timer()); // T3410, T3411 x3, then T3410
    }
    // Attempt five reaches the MME, which is now overloaded.
    r.wait = 2 * SECOND;
    assert!(r.fire_next_timer()); // T3411: fifth attempt, rejected
    assert_eq!(count(&r, "AttachReject"), 1);
    assert!(deadline(&r, TimerKind::T3346).is_some());
    r.wait = 0;
    r.tamper = Some(drop_all("AttachRequest"));
    assert!(r.fire_next_timer()); // T3346
    // Five more attempts, each under T3410 then T3411, before T3402.
    let mut kinds = Vec::new();
    while let Some((&(_, k), _)) = r.timers.iter().min_by_key(|(_, at)| **at) {
        kinds.push(k.kind());
        if k.kind() == TimerKind::T3402 {
            break;
        }
        r.fire_next_timer();
    }
    let t3410s = kinds.iter().filter(|k| **k == TimerKind::T3410).count();
    assert_eq!(t3410s, 5, "{kinds:?}");
}

#[test]
fn a_congestion_reject_without_t3346_is_an_abnormal_failure() {
    // TS 24.301 §5.5.1.2.5: no (or a deactivated) T3346 value -> §5.5.1.2.6.
    let reject = NasMessage::AttachReject(nas::AttachReject {
        cause: nas::EmmCause::CONGESTION,
        esm_message_container: None,
        t3346: Some(nas::GprsTimer2::DEACTIVATED),
    });
    // A fresh UE waiting for its first answer.
    let mut n2 = silent(Retry::default());
    let mut r2 = n2.router(1);
    r2.tamper = Some(drop_all("AttachRequest"));
    r2.start(UE);
    r2.inject(MME, UE, crate::core::Interface::Nas, reject.encode());
    assert!(
        r2.timers
            .contains_key(&(UE, TimerKey::own(TimerKind::T3411)))
    );
    assert!(
        !r2.timers
            .contains_key(&(UE, TimerKey::own(TimerKind::T3346)))
    );
    assert!(r2.outcomes.is_empty());
}

#[test]
fn a_ue_without_retry_rules_ends_on_a_reject_without_t3346() {
    let mut n = net(Config::default());
    let mut r = n.router(1);
    r.tamper = Some(drop_all("AttachRequest"));
    r.start(UE);
    let reject = NasMessage::AttachReject(nas::AttachReject {
        cause: nas::EmmCause::CONGESTION,
        esm_message_container: None,
        t3346: None,
    });
    r.inject(MME, UE, crate::core::Interface::Nas, reject.encode());
    assert!(rejected(&r, UE, MME, "attach_reject"));
}

#[test]
fn a_waiting_ue_ignores_a_late_challenge_and_a_second_start() {
    let mut n = net(congested(None));
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(UE);
    r.start(UE); // T3346 runs: no new attach
    assert_eq!(count(&r, "AttachRequest"), 1);
    drop(r);
    assert_eq!(n.devices[0].1.state(), State::Waiting);
}
