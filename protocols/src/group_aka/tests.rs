//! Whole group AKA exchanges through the in-memory test router.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::test_support::*;
use crate::core::{Addr, Interface, Prim};
use crate::crypto::milenage::Milenage;
use crate::testing::Router;
use crate::wire::diameter::{AuthenticationInformationAnswer, AuthenticationInformationRequest};
use crate::wire::group::{self as gw, GroupNas};
use crate::wire::nas::{self, NasMessage};

const MME: Addr = SERVING;
const HSS: Addr = HOME;

/// Octets of the messages, from the encoders (see docs/counting.md).
const ATTACH: usize = 30;
const AUTH_REQ: usize = 36;
const GROUP_AUTH_REQ: usize = 54;
const AUTH_RESP: usize = 11;
/// 6-octet security header + 9: the full UE security capability `e0 60 c0 40`
/// replayed (TS 24.301 §5.4.3.2).
const SMC: usize = 15;
const SMC_COMPLETE: usize = 8;
const AIR_GROUP: usize = 368;
const AIA_GROUP: usize = 580;

/// Subscriber i's USIM.
fn usim(i: u32) -> Milenage {
    milenage(i as u8 + 1)
}

fn gk(group: u32) -> [u8; 32] {
    [0x3c ^ group as u8; 32]
}

fn group(id: u32, first: u32, count: u32) -> Group {
    Group {
        id,
        gk: gk(id),
        first,
        count,
    }
}

fn member(cfg: &Arc<Config>, i: u32, group: u32, gk: [u8; 32]) -> Member {
    Member::new(cfg.clone(), i, MME, usim(i), SqnState::default(), group, gk)
}

/// `n` devices; device i announces `claim(i)` and holds that group's GK.
fn net(
    cfg: Config,
    n: u32,
    groups: Vec<Group>,
    claim: impl Fn(u32) -> u32,
) -> Net<Member, Mme, Hss> {
    let cfg = Arc::new(cfg);
    Net {
        devices: (0..n)
            .map(|i| (dev(i), member(&cfg, i, claim(i), gk(claim(i)))))
            .collect(),
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg, subscribers(n.max(16), |i| i as u8 + 1, 1), groups),
    }
}

fn member_of(n: &Net<Member, Mme, Hss>, i: usize) -> &Member {
    &n.devices[i].1
}

#[test]
fn leader_then_members_with_one_s6a_exchange_and_real_sizes() {
    let mut n = net(Config::default(), 5, vec![group(1, 0, 5)], |_| 1);
    let mut r = n.router(1);
    attach_all(&mut r, (0..5).map(dev));
    assert_mutually_authenticated(&r, (0..5).map(dev));
    assert_eq!(count(&r, "AIR"), 1);
    assert_eq!(count(&r, "AIA"), 1);
    assert_eq!(
        count(&r, "AuthenticationRequest"),
        1,
        "only the leader gets an HSS vector"
    );
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 4);
    assert_eq!(
        &r.kinds()[..8],
        [
            "AttachRequest",
            "AIR",
            "AIA",
            "AuthenticationRequest",
            "AuthenticationResponse",
            "SecurityModeCommand",
            "SecurityModeComplete",
            "AttachRequest"
        ]
    );
    let sizes = |k: &str| -> Vec<usize> {
        r.log
            .iter()
            .filter(|p| p.kind == k)
            .map(|p| p.pdu.len())
            .collect()
    };
    assert!(sizes("AttachRequest").iter().all(|&s| s == ATTACH));
    assert_eq!(sizes("AuthenticationRequest"), [AUTH_REQ]);
    assert!(
        sizes("GroupAuthenticationRequest")
            .iter()
            .all(|&s| s == GROUP_AUTH_REQ)
    );
    assert!(
        sizes("AuthenticationResponse")
            .iter()
            .all(|&s| s == AUTH_RESP)
    );
    assert!(sizes("SecurityModeCommand").iter().all(|&s| s == SMC));
    assert!(
        sizes("SecurityModeComplete")
            .iter()
            .all(|&s| s == SMC_COMPLETE)
    );
    assert_eq!(sizes("AIR"), [AIR_GROUP]);
    assert_eq!(sizes("AIA"), [AIA_GROUP]);
    // Every PDU decodes as the kind it was labelled with; the AIR carries
    // the group id and the AIA the group material.
    for p in &r.log {
        match p.interface {
            Interface::Nas => assert_eq!(gw::decode_nas(&p.pdu).unwrap().kind(), p.kind),
            Interface::S6a if p.kind == "AIR" => {
                assert_eq!(gw::decode_air(&p.pdu).unwrap().1, Some(1))
            }
            Interface::S6a => assert_eq!(gw::decode_aia(&p.pdu).unwrap().1.unwrap().group_id, 1),
            other => panic!("unexpected interface {other}"),
        }
    }
    // Crypto: the HSS made one vector (5 AES) and GAK + K_ASME (8 SHA-256);
    // a member: GAK, K_i,G, K_ASME, K_NASint (16 SHA-256), MILENAGE (5 AES)
    // and two EIA2 MACs; the leader ran plain EPS-AKA (no GAK).
    assert_eq!(r.crypto[&HSS].get(Prim::AesBlock), 5);
    assert_eq!(r.crypto[&HSS].get(Prim::Sha256Block), 8);
    assert_eq!(r.crypto[&dev(1)].get(Prim::Sha256Block), 16);
    assert_eq!(r.crypto[&dev(0)].get(Prim::Sha256Block), 8);
    assert_eq!(
        r.crypto[&dev(1)].get(Prim::AesBlock),
        r.crypto[&dev(0)].get(Prim::AesBlock)
    );
    // The MME: per device K_NASint twice (SMC, SMComplete: 8 SHA-256) and
    // two 128-EIA2 MACs (the SMC's 18-octet input spans two CMAC blocks: 3
    // AES with the subkey; the SMComplete's one block: 2 AES); per member
    // also K_i,G and K_ASME (8 SHA-256) and the MILENAGE vector (5 AES).
    assert_eq!(r.crypto[&MME].get(Prim::Sha256Block), 5 * 8 + 4 * 8);
    assert_eq!(r.crypto[&MME].get(Prim::AesBlock), 5 * 5 + 4 * 5);
    assert_eq!(r.crypto[&dev(1)].get(Prim::AesBlock), 5 + 5);
    assert!(r.timers.is_empty(), "all timers cancelled: {:?}", r.timers);
    drop(r);
    assert!(n.devices.iter().all(|(_, m)| m.is_registered()));
    assert_eq!(member_of(&n, 1).last_group_sqn(), 1);
    assert_eq!(member_of(&n, 4).last_group_sqn(), 4);
    assert_eq!(n.serving.next_group_sqn(1), Some(5));
}

#[test]
fn several_groups_interleaved() {
    // Devices 0..4 in group 1, 4..8 in group 2, attaching alternately.
    let mut n = net(
        Config::default(),
        8,
        vec![group(1, 0, 4), group(2, 4, 4)],
        |i| 1 + i / 4,
    );
    let mut r = n.router(1);
    attach_all(&mut r, [0, 4, 1, 5, 2, 6, 3, 7].map(dev));
    assert_mutually_authenticated(&r, (0..8).map(dev));
    assert_eq!(count(&r, "AIR"), 2);
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 6);
    // Each group has its own RAND_G and its own SQN_G sequence.
    let rand_gs: Vec<[u8; 16]> = r
        .log
        .iter()
        .filter_map(|p| match gw::decode_nas(&p.pdu) {
            Ok(GroupNas::GroupAuthenticationRequest(g)) => Some(g.rand_g),
            _ => None,
        })
        .collect();
    assert_eq!(rand_gs[0], rand_gs[2]);
    assert_ne!(rand_gs[0], rand_gs[1]);
    drop(r);
    assert_eq!(member_of(&n, 3).last_group_sqn(), 3);
    assert_eq!(member_of(&n, 7).last_group_sqn(), 3);
}

/// Holds back the first AIA, returning a handle to release it.
fn hold_first_aia(r: &mut Router<'_>) -> Rc<RefCell<Option<Vec<u8>>>> {
    let held = Rc::new(RefCell::new(None));
    let h = held.clone();
    let mut done = false;
    r.tamper = Some(Box::new(move |p| {
        if p.kind == "AIA" && !done {
            done = true;
            *h.borrow_mut() = Some(p.pdu.clone());
            return None;
        }
        Some(p.pdu.clone())
    }));
    held
}

#[test]
fn members_attaching_during_the_leaders_exchange_are_queued() {
    let mut n = net(Config::default(), 5, vec![group(1, 0, 5)], |_| 1);
    let mut r = n.router(1);
    let held = hold_first_aia(&mut r);
    attach_all(&mut r, (0..5).map(dev));
    assert_eq!(
        count(&r, "AIR"),
        1,
        "no second AIR while the first is in flight"
    );
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 0);
    let aia = held.borrow_mut().take().unwrap();
    r.inject(HSS, MME, Interface::S6a, aia);
    assert_mutually_authenticated(&r, (0..5).map(dev));
    assert_eq!(count(&r, "AIR"), 1);
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 4);
}

#[test]
fn a_benign_exchange_ignores_nothing() {
    // Members queued behind their leader, then everyone again with the
    // group's material (the leader too).
    let mut n = net(Config::default(), 5, vec![group(1, 0, 5)], |_| 1);
    let mut r = n.router(1);
    let held = hold_first_aia(&mut r);
    attach_all(&mut r, (0..5).map(dev));
    let aia = held.borrow_mut().take().unwrap();
    r.inject(HSS, MME, Interface::S6a, aia);
    attach_all(&mut r, (0..5).map(dev));
    assert_mutually_authenticated(&r, (0..5).map(dev));
    assert_eq!(verdicts(&r, MME), 10);
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 9);
    assert_nothing_ignored(&r);
}

#[test]
fn unexpected_messages_are_counted_not_dropped() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    // To the MME from a device it has no context for, and noise to the HSS.
    let failure = NasMessage::AuthenticationFailure(nas::AuthenticationFailure {
        cause: nas::EmmCause::MAC_FAILURE,
        auts: None,
    });
    r.inject(dev(0), MME, Interface::Nas, failure.encode());
    let complete = NasMessage::SecurityModeComplete(nas::SecurityModeComplete { imeisv: None });
    let protected = nas::protect(4, [0; 4], 0, &complete.encode());
    r.inject(dev(0), MME, Interface::Nas, protected);
    r.inject(MME, HSS, Interface::S6a, vec![0xff]);
    // A group challenge to a member that has not attached.
    let challenge = gw::GroupAuthenticationRequest {
        nas_ksi: 0,
        rand: [1; 16],
        autn: [2; 16],
        rand_g: [3; 16],
    };
    r.inject(MME, dev(1), Interface::Nas, challenge.encode());
    attach_all(&mut r, (0..2).map(dev));
    assert_mutually_authenticated(&r, (0..2).map(dev));
    assert_ignored(&r, MME, &["AuthenticationFailure", "SecurityProtected"]);
    assert_ignored(&r, HSS, &["undecodable"]);
    assert_ignored(&r, dev(1), &["GroupAuthenticationRequest"]);
}

#[test]
fn gak_lifetime_expiry_triggers_a_refresh() {
    let cfg = Config {
        gak_lifetime: 10 * crate::core::time::SECOND,
        ..Config::default()
    };
    let mut n = net(cfg, 4, vec![group(1, 0, 4)], |_| 1);
    let mut r = n.router(1);
    r.start(dev(0));
    r.start(dev(1));
    assert_eq!(count(&r, "AIR"), 1);
    r.now += 11 * crate::core::time::SECOND;
    r.start(dev(2)); // material expired: device 2 leads a refresh
    r.start(dev(3));
    assert_mutually_authenticated(&r, (0..4).map(dev));
    assert_eq!(count(&r, "AIR"), 2);
    assert_eq!(count(&r, "AuthenticationRequest"), 2, "leaders 0 and 2");
    let infos: Vec<_> = r
        .log
        .iter()
        .filter(|p| p.kind == "AIA")
        .map(|p| gw::decode_aia(&p.pdu).unwrap().1.unwrap())
        .collect();
    assert_ne!(infos[0].rand_g, infos[1].rand_g);
    assert_ne!(infos[0].gak, infos[1].gak);
    assert_eq!(infos[0].lifetime_s, 10);
    // SQN_G blocks never overlap: the refresh starts above the first block.
    assert_eq!(
        infos[1].sqn_start,
        infos[0].sqn_start + u64::from(infos[0].sqn_count)
    );
    drop(r);
    assert_eq!(member_of(&n, 3).last_group_sqn(), 65_537);
}

#[test]
fn a_used_up_sqn_block_triggers_a_refresh() {
    let cfg = Config {
        group_sqn_block: 2,
        ..Config::default()
    };
    let mut n = net(cfg, 6, vec![group(1, 0, 6)], |_| 1);
    let mut r = n.router(1);
    attach_all(&mut r, (0..6).map(dev));
    assert_mutually_authenticated(&r, (0..6).map(dev));
    // Leader 0, members 1-2 (block 1..=2), leader 3, members 4-5 (3..=4).
    assert_eq!(count(&r, "AIR"), 2);
    drop(r);
    assert_eq!(member_of(&n, 5).last_group_sqn(), 4);
}

#[test]
fn a_non_member_is_rejected_by_the_member_list() {
    // Device 5 is in group 2 (indices 4..6) but announces group 1.
    let mut n = net(
        Config::default(),
        6,
        vec![group(1, 0, 4), group(2, 4, 2)],
        |i| if i == 5 { 1 } else { 1 + i / 4 },
    );
    let mut r = n.router(1);
    r.start(dev(0));
    assert_eq!(count(&r, "AIR"), 1);
    r.start(dev(5));
    assert_eq!(count(&r, "AIR"), 1, "the MME decides from the member list");
    assert!(rejected(&r, MME, dev(5), "not_group_member"));
    assert!(rejected(&r, dev(5), MME, "attach_reject"));
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 0);
}

#[test]
fn a_non_member_claiming_a_group_first_is_refused_by_the_hss() {
    // Device 5 claims group 1 before any member attaches; members 0-2 queue
    // behind it and the first of them leads once the HSS has refused.
    let mut n = net(
        Config::default(),
        6,
        vec![group(1, 0, 4), group(2, 4, 2)],
        |i| if i == 5 { 1 } else { 1 + i / 4 },
    );
    let mut r = n.router(1);
    let held = hold_first_aia(&mut r);
    r.start(dev(5));
    attach_all(&mut r, (0..3).map(dev));
    assert_eq!(count(&r, "AIR"), 1);
    let aia = held.borrow_mut().take().unwrap();
    let (answer, info) = gw::decode_aia(&aia).unwrap();
    assert_eq!(answer.result, super::hss::GROUP_MEMBERSHIP_DENIED);
    assert!(info.is_none());
    r.inject(HSS, MME, Interface::S6a, aia);
    assert!(rejected(&r, MME, dev(5), "not_group_member"));
    assert!(!authenticated(&r, dev(5), MME));
    assert_mutually_authenticated(&r, (0..3).map(dev));
    assert_eq!(count(&r, "AIR"), 2, "one refused, one for the new leader");
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 2);
}

#[test]
fn a_device_without_the_group_key_fails_the_mac_check() {
    // Device 2 is on the member list but holds a wrong GK (e.g. an impostor
    // USIM cloned without the group key): it cannot verify the network.
    let mut n = net(Config::default(), 3, vec![group(1, 0, 3)], |_| 1);
    n.devices[2].1 = member(&Arc::new(Config::default()), 2, 1, [0xee; 32]);
    let mut r = n.router(1);
    attach_all(&mut r, (0..3).map(dev));
    assert!(detected(&r, dev(2), "network_mac_failure"));
    assert!(rejected(&r, MME, dev(2), "ue_reported_mac_failure"));
    assert!(!authenticated(&r, MME, dev(2)));
    assert!(mutually_authenticated(&r, dev(1)));
}

#[test]
fn a_replayed_group_challenge_is_detected_by_the_member() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    r.start(dev(0));
    r.start(dev(1));
    assert!(mutually_authenticated(&r, dev(1)));
    let old = r
        .log
        .iter()
        .find(|p| p.kind == "GroupAuthenticationRequest")
        .unwrap()
        .pdu
        .clone();
    // Device 1 attaches again; an attacker replaces the new challenge with
    // the recorded one.
    let replay = old.clone();
    r.tamper = Some(Box::new(move |p| {
        if p.kind == "GroupAuthenticationRequest" {
            Some(replay.clone())
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.outcomes.clear();
    r.start(dev(1));
    assert!(detected(&r, dev(1), "group_challenge_replay"));
    assert!(!authenticated(&r, dev(1), MME));
    // The AUTS answers the replayed RAND, not the MME's: the MME's MAC-S
    // check fails and it gives up instead of re-basing its counter.
    let fail = r
        .log
        .iter()
        .rfind(|p| p.kind == "AuthenticationFailure")
        .unwrap();
    assert_eq!(fail.pdu.len(), 19);
    assert!(rejected(&r, MME, dev(1), "group_resync_failure"));
    assert!(!authenticated(&r, MME, dev(1)));
}

#[test]
fn a_member_ahead_of_the_mme_resynchronises_locally() {
    let mut n = net(Config::default(), 3, vec![group(1, 0, 3)], |_| 1);
    {
        let mut r = n.router(1);
        attach_all(&mut r, (0..3).map(dev));
    }
    assert_eq!(member_of(&n, 2).last_group_sqn(), 2);
    // A new MME and an HSS whose group counter restarted: device 2 gets
    // SQN_G = 1 again, answers with AUTS, and the MME catches up without
    // asking the HSS.
    let cfg = Arc::new(Config::default());
    n.serving = Mme::new(cfg.clone(), HSS);
    let subs = subscribers(16, |i| i as u8 + 1, 100);
    n.home = Hss::new(cfg, subs, vec![group(1, 0, 3)]);
    let mut r = n.router(1);
    r.start(dev(0));
    r.start(dev(2));
    assert_eq!(count(&r, "AIR"), 1);
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 2);
    assert!(
        detected(&r, dev(2), "group_challenge_replay"),
        "indistinguishable from a replay"
    );
    assert!(mutually_authenticated(&r, dev(2)), "{:?}", r.kinds());
    drop(r);
    assert_eq!(member_of(&n, 2).last_group_sqn(), 3);
}

#[test]
fn a_lost_response_is_recovered_without_a_replay_alarm() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    r.start(dev(0));
    r.tamper = Some(drop_first("AuthenticationResponse"));
    r.start(dev(1));
    assert!(r.fire_next_timer()); // T3460
    assert!(mutually_authenticated(&r, dev(1)), "{:?}", r.kinds());
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 2);
    assert!(!detected(&r, dev(1), "group_challenge_replay"));
}

#[test]
fn a_leader_s6a_timeout_hands_the_lead_to_a_queued_member() {
    let mut n = net(Config::default(), 3, vec![group(1, 0, 3)], |_| 1);
    let mut r = n.router(1);
    // The HSS is unreachable for the first leader's AIR and its retransmissions.
    r.tamper = Some(Box::new(|p| {
        let first_leader = p.kind == "AIR"
            && AuthenticationInformationRequest::decode(&p.pdu)
                .unwrap()
                .user_name
                == crate::eps_aka::imsi("00101", 0);
        if first_leader {
            None
        } else {
            Some(p.pdu.clone())
        }
    }));
    r.start(dev(0));
    r.start(dev(1));
    r.start(dev(2));
    let mut fired = 0;
    while !rejected(&r, MME, dev(0), "s6a_timeout") && r.fire_next_timer() && fired < 20 {
        fired += 1;
    }
    assert!(rejected(&r, MME, dev(0), "s6a_timeout"));
    assert!(mutually_authenticated(&r, dev(1)), "{:?}", r.kinds());
    assert!(mutually_authenticated(&r, dev(2)));
}

#[test]
fn standard_ue_and_standard_hss_interoperate() {
    // A plain EPS-AKA UE (no group IE) is served by EPS-AKA.
    let cfg = Arc::new(Config::default());
    let eps_cfg = Arc::new(crate::eps_aka::Config::default());
    let subs = || subscribers(16, |i| i as u8 + 1, 1);
    let ue = crate::eps_aka::Ue::new(eps_cfg.clone(), 9, MME, usim(9), SqnState::default());
    let mut n = Net {
        devices: vec![(dev(9), ue)],
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg.clone(), subs(), vec![group(1, 0, 4)]),
    };
    {
        let mut r = n.router(3);
        r.start(dev(9));
        assert!(mutually_authenticated(&r, dev(9)));
        assert_eq!(size(&r, "AIR"), AIR_GROUP - 16);
    }
    // Group members against a standard HSS: Group-Id (M bit clear) is
    // ignored, no material comes back, and every member falls back to EPS-AKA.
    let mut n = Net {
        devices: (0..3)
            .map(|i| (dev(i), member(&cfg, i, 1, gk(1))))
            .collect(),
        serving: Mme::new(cfg.clone(), HSS),
        home: crate::eps_aka::Hss::new(eps_cfg, subs()),
    };
    let mut r = n.router(4);
    attach_all(&mut r, (0..3).map(dev));
    assert_mutually_authenticated(&r, (0..3).map(dev));
    assert_eq!(count(&r, "AIR"), 3);
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 0);
}

#[test]
fn a_bad_group_identity_ie_is_rejected() {
    let mut n = net(Config::default(), 1, vec![group(1, 0, 1)], |_| 1);
    let mut r = n.router(1);
    let attach = NasMessage::AttachRequest(nas::AttachRequest {
        nas_ksi: nas::KSI_NO_KEY,
        attach_type: nas::attach_type::EPS_ATTACH,
        identity: nas::EpsMobileIdentity::Imsi(crate::eps_aka::imsi("00101", 0)),
        ue_network_capability: nas::TYPICAL_UE_NETWORK_CAPABILITY.to_vec(),
        esm_message_container: nas::MINIMAL_PDN_CONNECTIVITY_REQUEST.to_vec(),
        optional_ies: vec![0x3f, 0x02, 0, 1],
    });
    r.inject(dev(0), MME, Interface::Nas, attach.encode());
    assert!(rejected(&r, MME, dev(0), "bad_group_identity"));
}

/// Runs `n` group members (one group, indices 0..n) through the router and
/// returns (NAS, S6a) as (transmissions, octets) and the MME's verdicts.
fn run_group(n: u32) -> ((usize, usize), (usize, usize), usize) {
    let mut net = net(Config::default(), n, vec![group(1, 0, n)], |_| 1);
    let mut r = net.router(1);
    attach_all(&mut r, (0..n).map(dev));
    (
        per_interface(&r, Interface::Nas),
        per_interface(&r, Interface::S6a),
        verdicts(&r, MME),
    )
}

/// Closed form (docs/counting.md), one group of n members, loss-free:
/// NAS 5n transmissions and 118n − 18 octets; S6a 2 transmissions and
/// AIR_G + AIA_G = 368 + 580 octets.
#[test]
fn group_counts_match_the_closed_form() {
    for n in [1u32, 2, 5, 10] {
        let (nas, s6a, ok) = run_group(n);
        let n = n as usize;
        assert_eq!(nas, (5 * n, 118 * n - 18), "n = {n}");
        assert_eq!(
            118 * n - 18,
            n * (ATTACH + AUTH_RESP + SMC + SMC_COMPLETE) + AUTH_REQ + (n - 1) * GROUP_AUTH_REQ
        );
        assert_eq!(s6a, (2, AIR_GROUP + AIA_GROUP));
        assert_eq!(ok, n);
    }
}

/// The EPS-AKA baseline (crate::eps_aka), n UEs each attaching once with b
/// vectors per AIR: NAS 5n transmissions, 94n octets; S6a 2n transmissions,
/// n (352 + 248 + 148 b) octets.
#[test]
fn eps_aka_baseline_counts_match_the_closed_form() {
    use crate::eps_aka as eps;
    for b in 1..=5u32 {
        for n in [1u32, 2, 5, 10] {
            let cfg = Arc::new(eps::Config {
                vectors_per_request: b,
                ..eps::Config::default()
            });
            let ue = |i| eps::Ue::new(cfg.clone(), i, MME, usim(i), SqnState::default());
            let mut net = Net {
                devices: (0..n).map(|i| (dev(i), ue(i))).collect(),
                serving: eps::Mme::new(cfg.clone(), HSS),
                home: eps::Hss::new(cfg.clone(), subscribers(n, |i| i as u8 + 1, 1)),
            };
            let mut r = net.router(5);
            attach_all(&mut r, (0..n).map(dev));
            let n = n as usize;
            assert_eq!(per_interface(&r, Interface::Nas), (5 * n, 94 * n));
            assert_eq!(
                per_interface(&r, Interface::S6a),
                (2 * n, n * (352 + 248 + 148 * b as usize)),
                "b = {b}, n = {n}"
            );
        }
    }
}

#[test]
fn per_device_state_stays_small() {
    // One Member per simulated device (10^6 of them): K, OPc, the sparse
    // SQN array, GK, the last group SQN and the attach state; at most 48
    // bytes more than an EPS-AKA Ue (GK and SQN_G).
    let size = std::mem::size_of::<Member>();
    assert!(size <= 208, "Member is {size} bytes");
    assert!(size - std::mem::size_of::<crate::eps_aka::Ue>() <= 48);
}

/// Issue 10, defect 1 in group AKA: the security header type of the SMC
/// (3) and of its complete (4) is checked on both sides.
#[test]
fn security_mode_messages_with_another_header_type_authenticate_nothing() {
    for ht in 1..=3 {
        let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
        let mut r = n.router(1);
        r.start(dev(0));
        r.tamper = Some(with_header_type("SecurityModeComplete", ht));
        r.start(dev(1));
        assert!(authenticated(&r, dev(1), MME));
        assert!(!authenticated(&r, MME, dev(1)), "complete type {ht}");
        assert_ignored(&r, MME, &["security_header_type"]);
    }
    for ht in [1, 2, 4] {
        let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
        let mut r = n.router(1);
        r.start(dev(0));
        r.tamper = Some(with_header_type("SecurityModeCommand", ht));
        r.start(dev(1));
        assert!(!authenticated(&r, dev(1), MME), "command type {ht}");
        assert!(!authenticated(&r, MME, dev(1)));
        assert_ignored(&r, dev(1), &["security_header_type"]);
    }
}

/// Issue 10, false alarm: under loss a member's attach may restart (T3410)
/// after it accepted a challenge whose answer was lost, and the MME's T3460
/// retransmission of that challenge cross the new request: the challenge is
/// now stale. The member asks for a resync without reporting a replay, and
/// the attach completes.
#[test]
fn a_challenge_resent_after_a_restarted_attach_is_no_replay_alarm() {
    let cfg = Config {
        t3410: 4 * crate::core::time::SECOND,
        ..Config::default()
    };
    let mut n = net(cfg, 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    r.start(dev(0));
    let (mut responses, mut attaches) = (0, 0);
    r.tamper = Some(Box::new(move |p| {
        // The first answer is lost, and so is the restarted attach: the
        // MME's retransmission reaches a member that dropped its key.
        let lose = match p.kind {
            "AuthenticationResponse" => {
                responses += 1;
                responses == 1
            }
            "AttachRequest" => {
                attaches += 1;
                attaches == 2
            }
            _ => false,
        };
        (!lose).then(|| p.pdu.clone())
    }));
    r.start(dev(1));
    fire_until(&mut r, 10, |r| mutually_authenticated(r, dev(1)));
    assert!(mutually_authenticated(&r, dev(1)), "{:?}", r.kinds());
    assert_eq!(count(&r, "AuthenticationFailure"), 1, "{:?}", r.kinds());
    assert!(!detected(&r, dev(1), "group_challenge_replay"));
}

/// Issue 19: the group HSS checks the MAC-S of an AIR's
/// Re-Synchronization-Info like the EPS HSS, and reports a forged AUTS as an
/// attack naming the subscriber's device.
#[test]
fn a_forged_auts_is_reported_by_the_group_hss() {
    let cfg = Arc::new(Config::default());
    let eps_cfg = Arc::new(crate::eps_aka::Config::default());
    let ue = crate::eps_aka::Ue::new(eps_cfg, 9, MME, usim(9), SqnState::default());
    let mut n = Net {
        devices: vec![(dev(9), ue)],
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg.clone(), subscribers(16, |i| i as u8 + 1, 1), vec![]),
    };
    n.router(1).start(dev(9));
    // A new MME and an HSS whose counter restarted: the next vector is stale.
    n.serving = Mme::new(cfg.clone(), HSS);
    n.home = Hss::new(cfg, subscribers(16, |i| i as u8 + 1, 0), vec![]);
    let mut r = n.router(1);
    r.tamper = Some(flip("AuthenticationFailure", |len| len - 1)); // MAC-S
    r.start(dev(9));
    let forged = crate::core::Outcome::AttackDetected {
        subject: crate::aka::subscriber_device(9),
        what: "resync_auts_mac_failure",
    };
    assert_eq!(r.outcomes_of(HSS), [forged]);
    assert_eq!(count(&r, "AuthenticationFailure"), 1);
}

/// Issue 19: the crypto work per attach of docs/counting.md, per node and
/// exactly, for one group of n = 1 (the leader alone) and n = 4 devices.
/// MILENAGE: 5 AES blocks; a 128-EIA2 MAC: 3 AES blocks over the SECURITY MODE
/// COMMAND, 2 over the COMPLETE; every KDF here (GAK, K_i,G ‖ OPc_i,G, K_ASME,
/// K_NASint) is one HMAC-SHA-256 of 4 SHA-256 blocks.
#[test]
fn crypto_per_attach_is_what_docs_counting_md_states() {
    const MILENAGE: u64 = 5;
    const MACS: u64 = 3 + 2;
    const KDF: u64 = 4;
    for n in [1u32, 4] {
        let mut net = net(Config::default(), n, vec![group(1, 0, n)], |_| 1);
        let mut r = net.router(1);
        attach_all(&mut r, (0..n).map(dev));
        assert_mutually_authenticated(&r, (0..n).map(dev));
        let members = u64::from(n - 1);
        // The leader: plain EPS-AKA (USIM check, K_ASME, K_NASint, two MACs).
        assert_crypto(&r, dev(0), MILENAGE + MACS, 2 * KDF);
        // A member: GAK and K_i,G ‖ OPc_i,G, then MILENAGE, K_ASME, K_NASint, two MACs.
        for i in 1..n {
            assert_crypto(&r, dev(i), MILENAGE + MACS, 4 * KDF);
        }
        // The MME: per device K_NASint for the command and again for the complete,
        // and two MACs; per member also K_i,G ‖ OPc_i,G, the MILENAGE vector and K_ASME.
        let devices = u64::from(n);
        assert_crypto(
            &r,
            MME,
            devices * MACS + members * MILENAGE,
            devices * 2 * KDF + members * 2 * KDF,
        );
        // The HSS: the leader's vector and K_ASME, and GAK for the group.
        assert_crypto(&r, HSS, MILENAGE, 2 * KDF);
    }
}

/// Issue 19: the member's AMF separation-bit check on a group challenge
/// (TS 33.401 §6.1.1, as for the leader's plain challenge). The bit cleared on
/// the way is refused with EMM cause #26 before MILENAGE runs; without the
/// check the member would run it and report a MAC failure (cause #20) instead.
#[test]
fn a_group_challenge_without_the_amf_separation_bit_is_refused_with_cause_26() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    // AMF is AUTN octet 6; AUTN starts at octet 20 (PD, type, KSI, RAND 16, length).
    r.tamper = Some(Box::new(|p| {
        let mut b = p.pdu.clone();
        if p.kind == "GroupAuthenticationRequest" {
            b[20 + 6] &= !crate::aka::AMF_SEPARATION_BIT;
        }
        Some(b)
    }));
    attach_all(&mut r, (0..2).map(dev));
    assert!(mutually_authenticated(&r, dev(0)));
    let failure = r
        .log
        .iter()
        .find(|p| p.kind == "AuthenticationFailure")
        .map(|p| p.pdu.clone());
    assert_eq!(failure.as_deref(), Some(&[0x07, 0x5c, 26][..]));
    assert!(!detected(&r, dev(1), "network_mac_failure"));
    assert!(!authenticated(&r, MME, dev(1)));
}

/// Issue 19 (mutants of the material's expiry survived: `lifetime · SECOND`
/// as a sum, `now < expires` as `<=`, and `has_group_material` as a
/// constant): material received at 0 with a 10 s lifetime is usable until
/// just before 10 s and not at 10 s.
#[test]
fn group_material_expires_exactly_at_its_lifetime() {
    use crate::core::time::SECOND;
    let cfg = Config {
        gak_lifetime: 10 * SECOND,
        ..Config::default()
    };
    let mut n = net(cfg, 2, vec![group(1, 0, 2)], |_| 1);
    assert!(!n.serving.has_group_material(1, 0));
    let mut r = n.router(1);
    r.start(dev(0));
    assert_mutually_authenticated(&r, [dev(0)]);
    assert_eq!(r.now, 0);
    drop(r);
    assert!(n.serving.has_group_material(1, 10 * SECOND - 1));
    assert!(!n.serving.has_group_material(1, 10 * SECOND));
    assert!(
        !n.serving.has_group_material(2, 0),
        "no material for another group"
    );
}

/// Issue 19 (a mutant of the member-list bound survived): the device just
/// past a group's index block (index first + count) is not a member.
#[test]
fn the_device_just_past_the_member_block_is_no_member() {
    // Device 4 is in group 2 (indices 4..6) but announces group 1 (0..4).
    let mut n = net(
        Config::default(),
        6,
        vec![group(1, 0, 4), group(2, 4, 2)],
        |i| if i == 4 { 1 } else { 1 + i / 4 },
    );
    let mut r = n.router(1);
    r.start(dev(3));
    assert_mutually_authenticated(&r, [dev(3)]);
    r.start(dev(4));
    assert!(rejected(&r, MME, dev(4), "not_group_member"));
    assert_eq!(count(&r, "GroupAuthenticationRequest"), 0);
}

/// Issue 19 (mutants of `Mme::contexts` survived): the MME holds one
/// context per attached member.
#[test]
fn the_mme_holds_one_context_per_attached_member() {
    let mut n = net(Config::default(), 4, vec![group(1, 0, 4)], |_| 1);
    assert_eq!(n.serving.contexts(), 0);
    let mut r = n.router(1);
    attach_all(&mut r, (0..4).map(dev));
    assert_mutually_authenticated(&r, (0..4).map(dev));
    drop(r);
    assert_eq!(n.serving.contexts(), 4);
}

/// Rewrites the first AIA with `edit` (the group answer decoded, re-encoded).
fn edit_first_aia(
    edit: impl Fn(&mut AuthenticationInformationAnswer, &mut Option<gw::GroupAuthInfo>) + 'static,
) -> crate::testing::Tamper<'static> {
    let mut done = false;
    Box::new(move |p| {
        Some(if p.kind == "AIA" && !done {
            done = true;
            let (mut aia, mut info) = gw::decode_aia(&p.pdu).unwrap();
            edit(&mut aia, &mut info);
            gw::encode_aia(&aia, info.as_ref())
        } else {
            p.pdu.clone()
        })
    })
}

/// Issue 19 (a mutant of the AIA's success test survived: success or
/// vectors instead of both): a successful AIA without E-UTRAN vectors is a
/// refusal — the leader is rejected and the group material is not kept.
#[test]
fn a_successful_group_aia_without_vectors_is_a_refusal() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    r.tamper = Some(edit_first_aia(|aia, info| {
        assert!(aia.result.is_success() && info.is_some());
        aia.authentication_info = None;
    }));
    r.start(dev(0));
    assert_eq!(count(&r, "AuthenticationRequest"), 0);
    assert!(rejected(&r, MME, dev(0), "hss_refused"));
    drop(r);
    assert!(!n.serving.has_group_material(1, 0));
}

/// Issue 19 (a mutant of the material's group test survived): group
/// material the HSS labelled with another group is not kept for the group
/// the leader asked for; the leader is still served with its own vector.
#[test]
fn group_material_for_another_group_is_not_kept() {
    let mut n = net(Config::default(), 2, vec![group(1, 0, 2)], |_| 1);
    let mut r = n.router(1);
    r.tamper = Some(edit_first_aia(|_, info| {
        info.as_mut().unwrap().group_id = 2;
    }));
    r.start(dev(0));
    assert_mutually_authenticated(&r, [dev(0)]);
    drop(r);
    assert!(!n.serving.has_group_material(1, 0));
    assert!(!n.serving.has_group_material(2, 0));
}
