//! The subscriber authentication server of the MDMS–gateway phase (§4.4
//! steps 4–5): checks the meters' points, builds f_s, sends E_k(SID, P_s)
//! to the MDMS and R to the gateway.

use p256::Scalar;
use rand::Rng;
use zeroize::Zeroizing;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Outcome, TimerKey};
use crate::crypto::ct_eq;
use crate::gas::msg::uplink::{
    MG_AGGREGATE, MgAggregate, MgSessionGateway, MgSessionMdms, SESSION_PT_LEN, session_aad,
};
use crate::gas::msg::{GCM_NONCE_LEN, R_LEN, SCALAR_LEN, SID_LEN};
use crate::gas::{aead, field};
use crate::wire::tlv;

use super::derive;
use super::setup::{GatewayKeys, MdmsKeys, MeterUplinkKeys};

/// A gateway the server shares g_u with.
pub struct GatewayRecord {
    pub keys: GatewayKeys,
    pub addr: Addr,
}

/// Auth server endpoint; `start` does nothing. It keeps the long-term keys
/// of one MDMS, its gateways and their smart meters (κ_S), no session state.
pub struct AuthServer {
    mdms: MdmsKeys,
    mdms_addr: Addr,
    gateways: Vec<GatewayRecord>,
    /// Sorted by meter identifier.
    meters: Vec<MeterUplinkKeys>,
}

impl AuthServer {
    pub fn new(
        mdms: MdmsKeys,
        mdms_addr: Addr,
        gateways: Vec<GatewayRecord>,
        mut meters: Vec<MeterUplinkKeys>,
    ) -> Self {
        meters.sort_by_key(|m| m.id);
        Self {
            mdms,
            mdms_addr,
            gateways,
            meters,
        }
    }

    fn kappa(&self, id: u64) -> Option<&[u8; 32]> {
        let i = self.meters.binary_search_by_key(&id, |m| m.id).ok()?;
        Some(&self.meters[i].kappa)
    }

    fn on_aggregate(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(agg) = MgAggregate::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(gw) = self.gateways.iter().find(|g| g.keys.id == agg.id_gw) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unknown_gateway",
            });
        };
        if agg.id_mdms != self.mdms.id {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unknown_mdms",
            });
        }
        // Step 4a (added): each P_t must be h_2(κ_S ‖ SID ‖ ID_S).
        let ops = &mut cx.fx.crypto;
        let mut points: Vec<(Scalar, Scalar)> = Vec::with_capacity(agg.entries.len() + 1);
        for e in &agg.entries {
            let Some(kappa) = self.kappa(e.id) else {
                return cx.fx.outcome(Outcome::AttackDetected {
                    subject: gw.addr,
                    what: "unknown_meter",
                });
            };
            let (x, y) = derive::meter_point(kappa, agg.sid, e.id, ops);
            let (xb, yb) = (field::to_bytes(&x), field::to_bytes(&y));
            if !(ct_eq(&xb, &e.x) && ct_eq(&yb, &e.y)) || points.iter().any(|p| p.0 == x) {
                return cx.fx.outcome(Outcome::AttackDetected {
                    subject: gw.addr,
                    what: "meter_point_invalid",
                });
            }
            points.push((x, y));
        }
        // Step 4b: f_s through the P_t's and h_2(g_u ‖ R ‖ SID); P_s = (x_s, f_s(x_s)).
        let mut r = [0u8; R_LEN];
        cx.rng.fill_bytes(&mut r);
        points.push(derive::gateway_point(&gw.keys.g_u, &r, agg.sid, ops));
        let xs = loop {
            let x = field::random_nonzero(&mut *cx.rng);
            if points.iter().all(|p| p.0 != x) {
                break x;
            }
        };
        let Some(ys) = field::interpolate(&points, &xs, ops) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "bad_points",
            });
        };
        // Step 5: E_k(SID ‖ x_s ‖ y_s) to the MDMS, (SID, R) to the gateway.
        let mut pt = Zeroizing::new([0u8; SESSION_PT_LEN]);
        pt[..SID_LEN].copy_from_slice(&agg.sid.to_be_bytes());
        pt[SID_LEN..SID_LEN + SCALAR_LEN].copy_from_slice(&field::to_bytes(&xs));
        pt[SID_LEN + SCALAR_LEN..].copy_from_slice(&field::to_bytes(&ys));
        let mut nonce = [0u8; GCM_NONCE_LEN];
        cx.rng.fill_bytes(&mut nonce);
        let aad = session_aad(agg.sid, self.mdms.id);
        let ct = aead::seal(&self.mdms.k, &nonce, &aad, &*pt, ops);
        let Ok(ciphertext) = ct.try_into() else {
            return;
        };
        let to_mdms = MgSessionMdms {
            sid: agg.sid,
            nonce,
            ciphertext,
        };
        cx.fx
            .send_msg(self.mdms_addr, Interface::AuthServer, &to_mdms);
        let to_gw = MgSessionGateway { sid: agg.sid, r };
        cx.fx.send_msg(gw.addr, Interface::AuthServer, &to_gw);
    }
}

impl Endpoint for AuthServer {
    fn start(&mut self, _cx: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(MG_AGGREGATE) => self.on_aggregate(msg.from, msg.pdu, cx),
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    /// Arms no timers, so an expiry is a host error: counted, not acted on.
    fn on_timer(&mut self, _id: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore("unexpected_timer");
    }
}
