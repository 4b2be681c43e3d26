//! Whole exchanges through the zero-latency router: the happy path with its
//! counts, and every rejection counted as an outcome.

use std::sync::Arc;

use rand::SeedableRng;

use super::cn::Cn;
use super::counting::{Party, per_device, point_ops};
use super::device::Device;
use super::msg::{PxChallenge, PxMessage};
use super::mtcap::Mtcap;
use super::network::{Plan, Provisioned, provision};
use super::server::MtcServer;
use crate::core::{Addr, Interface, Outcome, Prim, SimRng, time::SECOND};
use crate::testing::Router;

const DEV: Addr = Addr::new(0, 0);
const AP: Addr = Addr::new(1, 0);
const CN: Addr = Addr::new(2, 0);
const S: Addr = Addr::new(3, 0);

fn plan() -> Plan {
    Plan {
        devices: 2,
        delegated: 2,
        validity_ms: 60_000,
        device_node: 0,
        ap: AP,
        cn: CN,
        server: S,
        guard: 5 * SECOND,
    }
}

struct Net {
    dev: Device,
    ap: Mtcap,
    cn: Cn,
    s: MtcServer,
}

fn net(p: Plan, seed: u64) -> Net {
    let Provisioned {
        directory,
        mut device_keys,
        server_for_cn,
        cn_for_server,
        ap_for_cn,
    } = provision(&p, &mut SimRng::seed_from_u64(seed));
    let server_warrant = *server_for_cn.warrant();
    Net {
        dev: Device::new(directory.clone(), 0, device_keys.remove(0)),
        ap: Mtcap::new(directory.clone(), ap_for_cn),
        cn: Cn::new(directory.clone(), cn_for_server, server_warrant),
        s: MtcServer::new(Arc::clone(&directory), server_for_cn),
    }
}

fn router(n: &mut Net) -> Router<'_> {
    let mut r = Router::new(1);
    r.add(DEV, &mut n.dev);
    r.add(AP, &mut n.ap);
    r.add(CN, &mut n.cn);
    r.add(S, &mut n.s);
    r
}

fn rejected(r: &Router<'_>, at: Addr) -> Vec<(Addr, &'static str)> {
    r.outcomes_of(at)
        .into_iter()
        .filter_map(|o| match o {
            Outcome::Rejected { subject, reason } => Some((subject, reason)),
            _ => None,
        })
        .collect()
}

fn authenticated(r: &Router<'_>, at: Addr) -> Vec<Addr> {
    r.outcomes_of(at)
        .into_iter()
        .filter_map(|o| match o {
            Outcome::Authenticated { subject, .. } => Some(subject),
            _ => None,
        })
        .collect()
}

#[test]
fn everyone_authenticates_everyone_with_the_counted_work() {
    let mut n = net(plan(), 1);
    let mut r = router(&mut n);
    r.start(DEV);
    assert_eq!(
        r.kinds(),
        [
            "PxHello",
            "PxAuthRequest",
            "PxCredRequest",
            "PxCredResponse",
            "PxAuthVector",
            "PxChallenge",
            "PxResponse",
            "PxConfirm",
            "PxConfirm"
        ]
    );
    assert_eq!(authenticated(&r, DEV), [AP, CN, S]);
    assert_eq!(authenticated(&r, AP), [DEV]);
    assert_eq!(authenticated(&r, CN), [S, DEV]);
    assert_eq!(authenticated(&r, S), [DEV]);
    assert!(r.ignored.is_empty(), "{:?}", r.ignored);
    assert!(r.timers.is_empty(), "the device's guard is cancelled");
    for (addr, party) in [
        (DEV, Party::Device),
        (AP, Party::Mtcap),
        (CN, Party::Cn),
        (S, Party::Server),
    ] {
        let mut got = r.crypto[&addr];
        got.0[Prim::Sha256Block as usize] = 0;
        assert_eq!(got, point_ops(party), "{party:?}");
    }
    for i in [Interface::DevAp, Interface::ApCn, Interface::CnServer] {
        let on: Vec<_> = r.log.iter().filter(|p| p.interface == i).collect();
        let octets: usize = on.iter().map(|p| p.pdu.len()).sum();
        assert_eq!((on.len() as u64, octets as u64), per_device(i), "{i}");
    }
}

#[test]
fn an_expired_warrant_is_refused_and_the_device_told() {
    let mut p = plan();
    p.validity_ms = 10;
    let mut n = net(p, 2);
    let mut r = router(&mut n);
    r.now = SECOND;
    r.start(DEV);
    assert_eq!(rejected(&r, CN), [(S, "warrant_expired")]);
    assert_eq!(rejected(&r, DEV), [(DEV, "bad_proxy_signature")]);
    assert!(authenticated(&r, DEV).is_empty());
}

#[test]
fn an_undelegated_device_is_refused_by_the_server() {
    let mut p = plan();
    p.delegated = 0;
    let mut n = net(p, 3);
    let mut r = router(&mut n);
    r.start(DEV);
    assert_eq!(rejected(&r, S), [(DEV, "device_not_delegated")]);
    assert_eq!(rejected(&r, CN), [(DEV, "device_not_delegated")]);
    assert_eq!(rejected(&r, DEV), [(DEV, "device_not_delegated")]);
    assert!(r.ignored.is_empty(), "{:?}", r.ignored);
}

/// Alters one warrant in a message in flight.
fn tamper_warrant(kind: &'static str, which: u8) -> crate::testing::Tamper<'static> {
    Box::new(move |p| {
        if p.kind != kind {
            return Some(p.pdu.clone());
        }
        let mut m = PxMessage::decode(&p.pdu).unwrap();
        match (&mut m, which) {
            (PxMessage::AuthVector(v), 0) => v.w_cn_s.warrant.last += 1000,
            (PxMessage::Challenge(c), 1) => c.w_cn_ap.warrant.not_after_ms = u64::MAX,
            (PxMessage::Challenge(c), 2) => c.w_s_cn.warrant.first -= 1,
            _ => unreachable!(),
        }
        Some(m.encode())
    })
}

#[test]
fn forged_warrants_are_refused_where_they_are_checked() {
    // The MTCAP checks the MTC server's warrant.
    let mut n = net(plan(), 4);
    let mut r = router(&mut n);
    r.tamper = Some(tamper_warrant("PxAuthVector", 0));
    r.start(DEV);
    assert_eq!(rejected(&r, AP), [(DEV, "bad_proxy_signature")]);
    assert_eq!(rejected(&r, DEV), [(DEV, "bad_proxy_signature")]);
    // The device checks the MTCAP's and the CN's warrants.
    for (which, party) in [(1, AP), (2, CN)] {
        let mut n = net(plan(), 5);
        let mut r = router(&mut n);
        r.tamper = Some(tamper_warrant("PxChallenge", which));
        r.start(DEV);
        assert_eq!(rejected(&r, DEV), [(party, "bad_proxy_signature")]);
        assert!(authenticated(&r, DEV).is_empty());
        assert!(authenticated(&r, AP).is_empty());
    }
}

#[test]
fn an_access_point_delegated_by_another_operator_is_refused() {
    // The MTCAP holds a warrant from another operator's CN (same identity,
    // another key).
    let mut n = net(plan(), 6);
    let same = provision(&plan(), &mut SimRng::seed_from_u64(6)).directory;
    let other = provision(&plan(), &mut SimRng::seed_from_u64(99));
    n.ap = Mtcap::new(same, other.ap_for_cn);
    let mut r = router(&mut n);
    r.start(DEV);
    assert!(
        matches!(rejected(&r, DEV)[..], [(AP, "wrong_delegator")]),
        "{:?}",
        rejected(&r, DEV)
    );
    assert!(authenticated(&r, AP).is_empty());
}

#[test]
fn replayed_challenges_and_responses_are_refused() {
    let mut n = net(plan(), 7);
    let p = provision(&plan(), &mut SimRng::seed_from_u64(7));
    let challenge = {
        let mut r = router(&mut n);
        r.start(DEV);
        let pick = |k: &str| r.log.iter().find(|p| p.kind == k).unwrap().pdu.clone();
        let (c, resp) = (pick(PxChallenge::KIND), pick("PxResponse"));
        // The old response again at the MTCAP: no challenge is open for it.
        r.inject(DEV, AP, Interface::DevAp, resp);
        assert_eq!(rejected(&r, AP), [(DEV, "replayed_response")]);
        c
    };
    // A fresh procedure of the same device (its hello lost): the old
    // challenge does not answer its new nonce.
    let Provisioned {
        directory,
        mut device_keys,
        ..
    } = p;
    let mut dev = Device::new(directory, 0, device_keys.remove(0));
    let mut r = Router::new(2);
    r.add(DEV, &mut dev);
    r.start(DEV);
    r.inject(AP, DEV, Interface::DevAp, challenge);
    assert_eq!(rejected(&r, DEV), [(AP, "replayed_challenge")]);
    assert!(authenticated(&r, DEV).is_empty());
    // The guard still runs and ends the procedure.
    assert!(r.fire_next_timer());
    assert!(matches!(
        r.outcomes_of(DEV).last(),
        Some(Outcome::Failed {
            reason: "timeout",
            ..
        })
    ));
}

#[test]
fn hostile_inputs_are_ignored_or_refused_never_a_panic() {
    let mut n = net(plan(), 8);
    let mut r = router(&mut n);
    for to in [DEV, AP, CN, S] {
        r.inject(AP, to, Interface::DevAp, vec![0xa5, 1, 0, 0]);
        r.inject(AP, to, Interface::DevAp, vec![]);
    }
    assert!(r.outcomes.is_empty());
    assert_eq!(r.ignored.len(), 8);
}

/// Alters one signature in a message in flight: its s scalar's last octet
/// (still below q with overwhelming probability, so the signature decodes).
fn tamper_signature(kind: &'static str) -> crate::testing::Tamper<'static> {
    Box::new(move |p| {
        if p.kind != kind {
            return Some(p.pdu.clone());
        }
        let mut m = PxMessage::decode(&p.pdu).unwrap();
        match &mut m {
            PxMessage::Challenge(c) => c.sig_ap.s[31] ^= 1,
            PxMessage::Response(r) => r.sig_d.s[31] ^= 1,
            _ => unreachable!(),
        }
        Some(m.encode())
    })
}

#[test]
fn altered_signatures_are_detected_and_nobody_accepts_them() {
    // The MTCAP's proxy signature altered on its way to the device.
    let mut n = net(plan(), 9);
    let mut r = router(&mut n);
    r.tamper = Some(tamper_signature(PxChallenge::KIND));
    r.start(DEV);
    assert_eq!(rejected(&r, DEV), [(AP, "bad_proxy_signature")]);
    assert!(authenticated(&r, DEV).is_empty());
    // The device's signature altered on its way to the MTCAP: refused there,
    // and it goes no further, so neither the CN nor the server accepts it.
    let mut n = net(plan(), 10);
    let mut r = router(&mut n);
    r.tamper = Some(tamper_signature("PxResponse"));
    r.start(DEV);
    assert_eq!(rejected(&r, AP), [(DEV, "bad_device_signature")]);
    for at in [AP, CN, S] {
        assert!(!authenticated(&r, at).contains(&DEV), "{at}");
    }
}
