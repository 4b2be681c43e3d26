//! Diameter overload control (RFC 7683) between the MME and the HSS,
//! sans-IO through the in-memory test router (the router's `wait` is the
//! queueing wait every node sees).

use std::sync::Arc;

use super::*;
use crate::aka::SqnState;
use crate::aka::test_support::*;
use crate::core::Addr;
use crate::core::time::SECOND;
use crate::wire::diameter::{
    AuthenticationInformationAnswer as Aia, AuthenticationInformationRequest as Air,
    OLR_DEFAULT_ALGO,
};
use crate::wire::nas::{self, NasMessage};

const MME: Addr = SERVING;
const HSS: Addr = HOME;

fn doic(congestion: Option<Congestion>) -> Config {
    Config {
        doic: Some(DoicReporting {
            enter_wait: SECOND,
            exit_wait: SECOND / 10,
            reduction_percentage: 50,
            adaptive: false,
            validity_s: 30,
        }),
        congestion,
        ..Config::default()
    }
}

fn net(cfg: Config, n: u32) -> Net<Ue, Mme, Hss> {
    let cfg = Arc::new(cfg);
    Net {
        devices: (0..n)
            .map(|i| {
                let ue = dev(i);
                let u = Ue::new(cfg.clone(), i, MME, milenage(1), SqnState::default());
                (ue, u)
            })
            .collect(),
        serving: Mme::new(cfg.clone(), HSS),
        home: Hss::new(cfg, subscribers(n, |_| 1, 1)),
    }
}

fn attach_rejects(r: &crate::testing::Router) -> Vec<nas::AttachReject> {
    r.log
        .iter()
        .filter(|p| p.kind == "AttachReject")
        .map(|p| match nas::decode_any(&p.pdu) {
            Ok(nas::Nas::Plain(NasMessage::AttachReject(a))) => a,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn count(r: &crate::testing::Router, kind: &str) -> usize {
    r.log.iter().filter(|p| p.kind == kind).count()
}

#[test]
fn both_sides_announce_doic_and_the_overloaded_hss_reports() {
    let mut n = net(doic(None), 1);
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(dev(0));
    let air = r.log.iter().find(|p| p.kind == "AIR").unwrap();
    let air = Air::decode(&air.pdu).unwrap();
    assert_eq!(air.oc_supported_features, Some(OLR_DEFAULT_ALGO));
    let aia = r.log.iter().find(|p| p.kind == "AIA").unwrap();
    let aia = Aia::decode(&aia.pdu).unwrap();
    assert_eq!(aia.oc_supported_features, Some(OLR_DEFAULT_ALGO));
    let olr = aia.oc_olr.unwrap();
    assert_eq!(
        (olr.sequence_number, olr.reduction(), olr.validity_s()),
        (1, 50, 30)
    );
    // The attach itself goes through: the report throttles later AIRs.
    assert_mutually_authenticated(&r, [dev(0)]);
}

#[test]
fn a_quiet_hss_sends_no_report_and_without_doic_nothing_is_announced() {
    let mut n = net(doic(None), 1);
    let mut r = n.router(1);
    r.start(dev(0));
    let aia = Aia::decode(&r.log.iter().find(|p| p.kind == "AIA").unwrap().pdu).unwrap();
    assert_eq!(aia.oc_olr, None);
    assert_eq!(aia.oc_supported_features, Some(OLR_DEFAULT_ALGO));

    let mut n = net(Config::default(), 1);
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(dev(0));
    let air = Air::decode(&r.log.iter().find(|p| p.kind == "AIR").unwrap().pdu).unwrap();
    let aia = Aia::decode(&r.log.iter().find(|p| p.kind == "AIA").unwrap().pdu).unwrap();
    assert_eq!(
        (air.oc_supported_features, aia.oc_supported_features),
        (None, None)
    );
    assert_eq!(aia.oc_olr, None);
}

#[test]
fn the_mme_throttles_the_reported_share_with_cause_22() {
    let mut n = net(doic(None), 5);
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    attach_all(&mut r, (0..5).map(dev));
    // Device 0's AIA brings the 50 % report; of devices 1..=4 every second
    // is throttled: 2 and 4.
    assert_eq!(count(&r, "AIR"), 3);
    let rejects = attach_rejects(&r);
    assert_eq!(rejects.len(), 2);
    assert!(
        rejects
            .iter()
            .all(|a| a.cause == nas::EmmCause::CONGESTION && a.t3346.is_none())
    );
    for d in [2, 4] {
        assert!(rejected(&r, MME, dev(d), "diameter_overload"));
    }
    assert_mutually_authenticated(&r, [0, 1, 3].map(dev));
}

#[test]
fn with_nas_congestion_control_a_throttled_attach_is_deferred_by_t3346() {
    let congestion = Congestion {
        max_wait: 10 * SECOND, // the MME itself is not congested
        t3346_min: 120 * SECOND,
        t3346_max: 120 * SECOND,
    };
    let mut n = net(doic(Some(congestion)), 3);
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    attach_all(&mut r, (0..3).map(dev));
    let rejects = attach_rejects(&r);
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].t3346.and_then(|t| t.seconds()), Some(120));
    // Deferred, not refused: no verdict about device 2 at the MME.
    assert!(
        r.outcomes_of(MME)
            .iter()
            .all(|o| !format!("{o:?}").contains("Rejected"))
    );
}

#[test]
fn the_throttle_stops_when_the_report_expires_until_a_newer_one_comes() {
    let mut n = net(doic(None), 4);
    let mut r = n.router(1);
    r.wait = 2 * SECOND;
    r.start(dev(0));
    r.start(dev(1)); // credit 50: sent
    r.wait = SECOND / 2; // still overloaded (hysteresis), same report
    r.now = 31 * SECOND; // the report, received at 0 with 30 s, expired
    r.start(dev(2));
    // The report expired: device 2 is not throttled, its AIR is sent.
    assert_eq!(count(&r, "AIR"), 3);
    assert!(attach_rejects(&r).is_empty());
    // The HSS, still overloaded after half the validity, answered with a
    // newer report (sequence 2), which throttles device 3.
    let last = r.log.iter().rev().find(|p| p.kind == "AIA").unwrap();
    let olr = Aia::decode(&last.pdu).unwrap().oc_olr.unwrap();
    assert_eq!(olr.sequence_number, 2);
    r.start(dev(3));
    assert_eq!(count(&r, "AIR"), 3);
    assert_eq!(attach_rejects(&r).len(), 1);
}
