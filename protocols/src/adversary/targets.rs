//! The endpoint targets: each protocol's real roles, as a scenario would
//! place them, behind the attacker of [`super::attacker`]. Small on purpose
//! (two or three devices, one serving and one home node; groups of four) so
//! that a fuzzer explores message orders, not populations. Every home node
//! also holds a subscriber with no device, so a verdict naming it would be
//! caught by the oracle.

use std::sync::Arc;

use rand::SeedableRng;

use super::attacker::Network;
use crate::aka::{HeSqn, SqnState, Subscriber, subscriber_device};
use crate::core::{Addr, CryptoOps, Endpoint, Interface, SimRng, time};
use crate::crypto::milenage::{Milenage, opc};
use crate::gas::Member;
use crate::gas::group::Roster;
use crate::gas::{chien, harn, threshold};

/// Serving and home node of the AKA targets (as in sim-core).
const SERVING: Addr = Addr::new(1, 0);
const HOME: Addr = Addr::new(2, 0);
/// Devices with endpoints; the home node knows one more subscriber.
const DEVICES: u32 = 2;

fn usim(i: u32) -> Milenage {
    let k = [0x40 + i as u8; 16];
    Milenage::new(k, opc(&k, &[0x5a; 16], &mut Default::default()))
}

fn subscribers() -> Vec<Subscriber> {
    (0..=DEVICES)
        .map(|i| Subscriber {
            milenage: usim(i),
            sqn: HeSqn::new(1),
        })
        .collect()
}

/// EPS-AKA: UEs, MME, HSS.
pub fn eps_aka() -> Network {
    use crate::eps_aka::{Config, Hss, Mme, Ue};
    let cfg = Arc::new(Config::default());
    let mut net = Network::new(&[Interface::Nas, Interface::S6a]);
    for i in 0..DEVICES {
        let ue = Ue::new(cfg.clone(), i, SERVING, usim(i), SqnState::default());
        net.add(subscriber_device(i), Box::new(ue), true);
    }
    net.add(SERVING, Box::new(Mme::new(cfg.clone(), HOME)), false);
    net.add(HOME, Box::new(Hss::new(cfg, subscribers())), false);
    net
}

/// UMTS AKA: MSs, VLR, HLR.
pub fn umts_aka() -> Network {
    use crate::umts_aka::{Config, Hlr, Ms, Vlr};
    let cfg = Arc::new(Config::default());
    let mut net = Network::new(&[Interface::UmtsAir, Interface::Map])
        .with_unbound_fields(umts_unbound_fields);
    for i in 0..DEVICES {
        let ms = Ms::new(cfg.clone(), i, SERVING, usim(i), SqnState::default());
        net.add(subscriber_device(i), Box::new(ms), true);
    }
    net.add(SERVING, Box::new(Vlr::new(cfg.clone(), HOME)), false);
    net.add(HOME, Box::new(Hlr::new(cfg, subscribers())), false);
    net
}

/// The one UMTS field nothing binds: the CKSN of an AUTHENTICATION REQUEST
/// (TS 24.008 §9.2.2, §10.5.1.2). It lies outside MAC-A (which covers SQN,
/// RAND and AMF only, TS 33.102 §6.3.3), and UMTS has no later message that
/// repeats it under protection (unlike EPS, whose integrity-protected
/// SECURITY MODE COMMAND carries the eKSI again). It is a label under which
/// the MS files CK/IK so that a later connection may skip authentication
/// (TS 33.102 §6.4.4); an altered label makes the MS present a CKSN the VLR
/// does not hold, and the VLR then authenticates afresh (TS 24.008
/// §4.3.2.7) — a forced re-authentication, never keys the MS does not share.
/// The MS's verdict rests on RAND and AUTN, which stay compared byte for
/// byte (docs/protocols/umts-aka.md, "The CKSN").
pub fn umts_unbound_fields(pdu: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use crate::wire::mm::{PD_MM, msg_type};
    let is_challenge = pdu.len() > 2
        && pdu[0] & 0x0f == PD_MM
        && pdu[1] & 0x3f == msg_type::AUTHENTICATION_REQUEST;
    if !is_challenge {
        return std::borrow::Cow::Borrowed(pdu);
    }
    let mut masked = pdu.to_vec();
    masked[2] &= !0x07;
    std::borrow::Cow::Owned(masked)
}

/// Group AKA: three members of one group (the first leads), MME, HSS; the
/// group also lists the subscriber without a device.
pub fn group_aka() -> Network {
    use crate::group_aka::{Config, Group, Hss, Member, Mme};
    let cfg = Arc::new(Config::default());
    let gk = [0x3c; 32];
    let mut net = Network::new(&[Interface::Nas, Interface::S6a]);
    for i in 0..DEVICES {
        let m = Member::new(cfg.clone(), i, SERVING, usim(i), SqnState::default(), 1, gk);
        net.add(subscriber_device(i), Box::new(m), true);
    }
    let group = Group {
        id: 1,
        gk,
        first: 0,
        count: DEVICES + 1,
    };
    net.add(SERVING, Box::new(Mme::new(cfg.clone(), HOME)), false);
    net.add(
        HOME,
        Box::new(Hss::new(cfg, subscribers(), vec![group])),
        false,
    );
    net
}

/// Group members for Harn and Chien: four registered, three with endpoints.
fn roster() -> Arc<Roster> {
    let members = (0..4)
        .map(|i| Member {
            id: 100 + 7 * i,
            addr: Addr::new(0, i as u32),
        })
        .collect();
    Roster::new(members).expect("distinct non-zero identifiers")
}

/// Adds members 0..3 of `roster`; member 0 initiates with members 0..3.
fn gas_members<E: Endpoint + 'static>(
    roster: &Roster,
    mut members: Vec<E>,
    participants: impl FnOnce(&mut E, Vec<u64>),
) -> Network {
    let mut net = Network::new(&[Interface::Han]);
    let ids: Vec<u64> = roster.members()[..3].iter().map(|m| m.id).collect();
    if let Some(first) = members.first_mut() {
        participants(first, ids);
    }
    for (i, (m, ep)) in roster.members().iter().zip(members).enumerate().take(3) {
        net.add(m.addr, Box::new(ep), i == 0);
    }
    net
}

/// Harn's scheme (GAS2, two sessions within the budget), t = 2.
pub fn harn_gas() -> Network {
    let cfg = harn::HarnConfig {
        t: 2,
        variant: harn::HarnVariant::Multi { k: 2, sessions: 1 },
        token_timeout: time::SECOND,
    };
    let r = roster();
    let mut rng = SimRng::seed_from_u64(3);
    let ms = harn::setup(&cfg, r.clone(), &mut rng, &mut CryptoOps::default())
        .expect("within the budget");
    gas_members(&r, ms, |m, ids| m.set_participants(ids))
}

/// Chien's scheme, t = 2, two sessions.
pub fn chien_gas() -> Network {
    let cfg = chien::ChienConfig {
        t: 2,
        sessions: 2,
        token_timeout: time::SECOND,
    };
    let r = roster();
    let mut rng = SimRng::seed_from_u64(3);
    let ms = chien::setup(&cfg, r.clone(), &mut rng, &mut CryptoOps::default())
        .expect("valid threshold");
    gas_members(&r, ms, |m, ids| m.set_participants(ids))
}

/// The threshold GAS: a smart meter (leader) and three of its four
/// registered meter nodes, t = 2.
pub fn threshold_gas() -> Network {
    use threshold::{MeterNode, SmartMeter, ThresholdConfig, register};
    const LEADER: Addr = Addr::new(1, 0);
    let members: Vec<Member> = (0..4)
        .map(|i| Member {
            id: 1000 + 17 * i,
            addr: Addr::new(0, i as u32),
        })
        .collect();
    let ids: Vec<u64> = members.iter().map(|m| m.id).collect();
    let mut rng = SimRng::seed_from_u64(21);
    let reg = register(2, &ids, &mut rng, &mut CryptoOps::default()).expect("valid threshold");
    let mut net = Network::new(&[Interface::Han]);
    for (m, keys) in members.iter().zip(reg.nodes).take(3) {
        net.add(m.addr, Box::new(MeterNode::new(keys, LEADER)), false);
    }
    let leader = SmartMeter::new(reg.leader, members, ThresholdConfig::new(2));
    net.add(LEADER, Box::new(leader), true);
    net
}

/// Aggregate-signature metering under `scheme`: three meters of a gateway of four, the
/// gateway, the MDMS (and under IBAS the PKG), two intervals; the fourth meter is enrolled
/// but has no endpoint. The MDMS's verdicts are given on the gateway's batches, so the
/// oracle looks for each meter's intact reading at the gateway ([`Network::with_relays`]).
fn aggsig(scheme: crate::aggsig::scheme::Scheme) -> Network {
    use crate::aggsig::meter::KeyRetry;
    use crate::aggsig::setup::{Addresses, Deployment, World, enrol};
    struct At;
    impl Addresses for At {
        fn meter(&self, i: u32) -> Addr {
            Addr::new(0, i)
        }
        fn gateway(&self, g: u32) -> Addr {
            Addr::new(1, g)
        }
        fn mdms(&self) -> Addr {
            Addr::new(2, 0)
        }
        fn pkg(&self) -> Addr {
            Addr::new(3, 0)
        }
    }
    let d = Deployment {
        scheme,
        gateways: 1,
        meters_per_gateway: 4,
        interval: 900 * time::SECOND,
        intervals: 2,
        window: 60 * time::SECOND,
        max_batch: scheme.max_batch(),
        check_issued_key: false,
        key_retry: KeyRetry::default(),
    };
    let mut rng = SimRng::seed_from_u64(31);
    let World {
        meters,
        gateways,
        mdms,
        pkg,
    } = enrol(&d, &At, &|_| false, &mut rng, &mut CryptoOps::default());
    let mut net = aggsig_like(&[Interface::Nan, Interface::Wan, Interface::Pkg]);
    for (i, m) in meters.into_iter().enumerate().take(3) {
        net.add(At.meter(i as u32), Box::new(m), true);
    }
    for (g, gw) in gateways.into_iter().enumerate() {
        net.add(At.gateway(g as u32), Box::new(gw), false);
    }
    net.add(At.mdms(), Box::new(mdms), false);
    if let Some(p) = pkg {
        net.add(At.pkg(), Box::new(p), false);
    }
    net
}

/// An empty network judged as the metering targets are: relays, unbound fields and
/// composite signature lists.
pub fn aggsig_like(interfaces: &[Interface]) -> Network {
    Network::new(interfaces)
        .with_relays()
        .with_unbound_fields(aggsig_unbound_fields)
        .with_composite(super::attacker::Composite {
            split: aggsig_sig_list_parts,
            credential: aggsig_reading_signature,
        })
}

/// The gateway id and batch number of a `ReadingBatch` or `SigList` are bound to nothing
/// a verdict claims: a verdict says that meter i's reading (id, interval, value) is the
/// one it signed, and the signatures cover exactly that. The MDMS uses the two fields only
/// to match a `SigList` to its pending batch; altered, they misdirect the bisection (false
/// rejections), never make a reading verify (docs/protocols/aggregate-signatures.md).
pub fn aggsig_unbound_fields(pdu: &[u8]) -> std::borrow::Cow<'_, [u8]> {
    use crate::aggsig::msg::{ReadingBatch, SigList};
    if let Ok(mut b) = ReadingBatch::decode(pdu) {
        (b.gateway_id, b.seq) = (0, 0);
        return std::borrow::Cow::Owned(b.encode());
    }
    if let Ok(mut l) = SigList::decode(pdu) {
        (l.gateway_id, l.seq) = (0, 0);
        return std::borrow::Cow::Owned(l.encode());
    }
    std::borrow::Cow::Borrowed(pdu)
}

/// A `SigList` is the meters' individual signatures side by side, and the MDMS checks
/// meter i's reading against the i-th alone (bisection): its frame is the list with the
/// signatures left out and the unbound gateway id and batch number cleared (the interval
/// stays compared), its parts the signatures (finding 4 in docs/fuzzing.md).
pub fn aggsig_sig_list_parts(pdu: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut l = crate::aggsig::msg::SigList::decode(pdu).ok()?;
    (l.gateway_id, l.seq) = (0, 0);
    let parts = std::mem::take(&mut l.sigs);
    Some((l.encode(), parts))
}

/// A meter's signature as the meter sent it in its reading (the gateway copies it into
/// a `SigList` unchanged).
pub fn aggsig_reading_signature(pdu: &[u8]) -> Option<Vec<u8>> {
    crate::aggsig::msg::MeterReading::decode(pdu)
        .ok()
        .map(|r| r.sig)
}

/// Aggregate-signature metering with BLS aggregates.
pub fn aggsig_bls() -> Network {
    aggsig(crate::aggsig::scheme::Scheme::BlsAggregate)
}

/// Aggregate-signature metering with the Gentry–Ramzan IBAS (the PKG's key issue too).
pub fn aggsig_ibas() -> Network {
    aggsig(crate::aggsig::scheme::Scheme::Ibas)
}

/// Proxy multiparty (Lai 2012 §3.2): two delegated devices and a third
/// device with keys but no endpoint, the MTCAP, the CN and the MTC server.
pub fn proxy_multiparty() -> Network {
    use crate::proxy::network::{Plan, Provisioned, provision};
    use crate::proxy::{cn::Cn, device::Device, mtcap::Mtcap, server::MtcServer};
    let plan = Plan {
        devices: DEVICES + 1,
        delegated: DEVICES + 1,
        validity_ms: 86_400_000,
        device_node: 0,
        ap: Addr::new(1, 0),
        cn: Addr::new(2, 0),
        server: Addr::new(3, 0),
        guard: 15 * time::SECOND,
    };
    let Provisioned {
        directory,
        device_keys,
        server_for_cn,
        cn_for_server,
        ap_for_cn,
    } = provision(&plan, &mut SimRng::seed_from_u64(31));
    let server_warrant = *server_for_cn.warrant();
    let mut net =
        Network::new(&[Interface::DevAp, Interface::ApCn, Interface::CnServer]).with_relays();
    for (i, k) in device_keys.into_iter().enumerate().take(DEVICES as usize) {
        let dev = Device::new(directory.clone(), i as u32, k);
        net.add(Addr::new(0, i as u32), Box::new(dev), true);
    }
    net.add(
        plan.ap,
        Box::new(Mtcap::new(directory.clone(), ap_for_cn)),
        false,
    );
    let cn = Cn::new(directory.clone(), cn_for_server, server_warrant);
    net.add(plan.cn, Box::new(cn), false);
    net.add(
        plan.server,
        Box::new(MtcServer::new(directory, server_for_cn)),
        false,
    );
    net
}

/// 5G-AKA: UEs, AMF/SEAF, AUSF, UDM (the nodes of sim-core's 5G scenarios).
/// The verdicts are the AMF/SEAF's on a UE (on its SECURITY MODE COMPLETE,
/// after the AUSF confirmed the RES* the AMF relayed) and the UE's on the
/// AMF, both given on a direct delivery; the AUSF reports none. So the
/// oracle asks for an intact message from the subject itself, no relay
/// chain (no [`Network::with_relays`]): an AMF verdict on bytes the UE
/// never sent is caught even if the AUSF saw a genuine RES*.
pub fn fiveg_aka() -> Network {
    fiveg(crate::fiveg_aka::AuthMethod::FiveGAka)
}

/// EAP-AKA' (the UDM's method switch): the same roles and verdicts; the
/// EAP-Responses the AMF relays to the AUSF's EAP server are judged there.
pub fn eap_aka_prime() -> Network {
    fiveg(crate::fiveg_aka::AuthMethod::EapAkaPrime)
}

fn fiveg(method: crate::fiveg_aka::AuthMethod) -> Network {
    use crate::fiveg_aka::{Amf, Ausf, Config, Udm, Ue};
    const AMF: Addr = Addr::new(1, 0);
    const AUSF: Addr = Addr::new(2, 0);
    const UDM: Addr = Addr::new(3, 0);
    let cfg = Arc::new(Config {
        method,
        ..Config::default()
    });
    let mut net = Network::new(&[Interface::N1, Interface::N12, Interface::N13]).with_relays();
    for i in 0..DEVICES {
        let ue = Ue::new(cfg.clone(), i, AMF, usim(i), SqnState::default());
        net.add(subscriber_device(i), Box::new(ue), true);
    }
    net.add(AMF, Box::new(Amf::new(cfg.clone(), AUSF)), false);
    net.add(AUSF, Box::new(Ausf::new(cfg.clone(), UDM)), false);
    net.add(UDM, Box::new(Udm::new(cfg, subscribers())), false);
    net
}

/// How an endpoint target is built.
pub type Build = fn() -> Network;

/// Every endpoint target: its name and how to build it.
pub const ENDPOINT_TARGETS: &[(&str, Build)] = &[
    ("eps_aka", eps_aka),
    ("umts_aka", umts_aka),
    ("group_aka", group_aka),
    ("harn_gas", harn_gas),
    ("chien_gas", chien_gas),
    ("threshold_gas", threshold_gas),
    ("aggsig_bls", aggsig_bls),
    ("aggsig_ibas", aggsig_ibas),
    ("proxy", proxy_multiparty),
    ("fiveg_aka", fiveg_aka),
    ("eap_aka_prime", eap_aka_prime),
];
