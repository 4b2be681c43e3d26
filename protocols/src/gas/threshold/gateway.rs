//! The gateway of the MDMS–gateway phase (§4.4).
//!
//! ```text
//! MDMS ─MgAccessRequest─▶ GW ─(same PDU)─▶ u smart meters      (broadcast, NAN)
//! smart meters ─MgMeterPoint(SID, ID_S, P_t)─▶ GW
//! GW ─MgAggregate(SID, ID_MDMS, ID_GW, (ID_S, P_t)×u)─▶ MDMS
//! AS ─MgSessionGateway(SID, R)─▶ GW: f_s through P_t's and h_2(g_u‖R‖SID)
//! GW ─MgAuth(SID, AUTH' = h_1(SID‖ID_MDMS‖f_s(0)))─▶ MDMS;  SK = h_1(f_s(0)‖SID)
//! ```

use p256::Scalar;
use zeroize::Zeroizing;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind};
use crate::gas::field;
use crate::gas::msg::uplink::{
    MG_ACCESS_REQUEST, MG_METER_POINT, MG_SESSION_GATEWAY, MeterEntry, MgAccessRequest,
    MgAggregate, MgAuth, MgMeterPoint, MgSessionGateway,
};
use crate::wire::tlv;

use super::derive;
use super::setup::GatewayKeys;

const METER_TIMER: TimerKey = TimerKey::own(TimerKind::MeterReadings);

struct Session {
    sid: u64,
    id_mdms: u64,
    entries: Vec<MeterEntry>,
    /// The aggregate went out; now waiting for R.
    sent: bool,
}

/// Gateway endpoint; `start` does nothing (the MDMS initiates).
pub struct Gateway {
    keys: GatewayKeys,
    mdms: Addr,
    meters: Vec<Addr>,
    timeout: Nanos,
    session: Option<Session>,
    sk: Option<Zeroizing<[u8; 32]>>,
}

impl Gateway {
    /// `meters`: the smart meters this gateway asks for points; `timeout`:
    /// how long it waits for them.
    pub fn new(keys: GatewayKeys, mdms: Addr, meters: Vec<Addr>, timeout: Nanos) -> Self {
        Self {
            keys,
            mdms,
            meters,
            timeout,
            session: None,
            sk: None,
        }
    }
    /// SK of the last completed session.
    pub fn session_key(&self) -> Option<&[u8; 32]> {
        self.sk.as_deref()
    }

    /// Step 1: forward SID, ID_MDMS to the smart meters.
    fn on_access_request(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(req) = MgAccessRequest::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        self.session = Some(Session {
            sid: req.sid,
            id_mdms: req.id_mdms,
            entries: Vec::with_capacity(self.meters.len()),
            sent: false,
        });
        cx.fx.broadcast(
            self.meters.clone(),
            Interface::Nan,
            MgAccessRequest::KIND,
            pdu.to_vec(),
        );
        cx.fx.arm(METER_TIMER, cx.now + self.timeout);
    }

    /// Step 2: collect one point per meter.
    fn on_meter_point(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(p) = MgMeterPoint::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(s) = self.session.as_mut().filter(|s| s.sid == p.sid && !s.sent) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        if entry_point(&p.entry).is_none() {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        }
        if s.entries.iter().any(|e| e.id == p.entry.id)
            || s.entries.len() >= MgAggregate::MAX_METERS
        {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "duplicate_point",
            });
        }
        s.entries.push(p.entry);
        if s.entries.len() == self.meters.len() {
            self.send_aggregate(cx);
        }
    }

    /// Step 3: message (6), with ID_GW added, to the MDMS.
    fn send_aggregate(&mut self, cx: &mut Ctx<'_>) {
        let Some(s) = self.session.as_mut().filter(|s| !s.sent) else {
            return cx.fx.ignore("stale_timer");
        };
        cx.fx.cancel(METER_TIMER);
        if s.entries.is_empty() {
            self.session = None;
            return cx.fx.outcome(Outcome::Failed {
                subject: self.mdms,
                reason: "no_meter_points",
            });
        }
        s.sent = true;
        let msg = MgAggregate {
            sid: s.sid,
            id_mdms: s.id_mdms,
            id_gw: self.keys.id,
            entries: s.entries.clone(),
        };
        cx.fx.send_msg(self.mdms, Interface::Wan, &msg);
    }

    /// Step 7: f_s(0) from the meter points and h_2(g_u ‖ R ‖ SID); AUTH' to the MDMS.
    fn on_session(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(m) = MgSessionGateway::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(s) = self.session.take_if(|s| s.sid == m.sid && s.sent) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        let ops = &mut cx.fx.crypto;
        let mut points: Vec<(Scalar, Scalar)> = s.entries.iter().filter_map(entry_point).collect();
        points.push(derive::gateway_point(&self.keys.g_u, &m.r, m.sid, ops));
        let Some(fs0) = derive::fs_zero(&points, ops) else {
            return cx.fx.outcome(Outcome::Failed {
                subject: self.mdms,
                reason: "bad_points",
            });
        };
        let auth = derive::auth(m.sid, s.id_mdms, &fs0, ops);
        self.sk = Some(derive::session_key(&fs0, m.sid, ops));
        cx.fx
            .send_msg(self.mdms, Interface::Wan, &MgAuth { sid: m.sid, auth });
    }
}

/// A meter entry's coordinates, if canonical.
pub(super) fn entry_point(e: &MeterEntry) -> Option<(Scalar, Scalar)> {
    Some((field::from_bytes(&e.x)?, field::from_bytes(&e.y)?))
}

impl Endpoint for Gateway {
    fn start(&mut self, _cx: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(MG_ACCESS_REQUEST) => self.on_access_request(msg.from, msg.pdu, cx),
            Ok(MG_METER_POINT) => self.on_meter_point(msg.from, msg.pdu, cx),
            Ok(MG_SESSION_GATEWAY) => self.on_session(msg.from, msg.pdu, cx),
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        if id == METER_TIMER {
            self.send_aggregate(cx);
        } else {
            cx.fx.ignore("unexpected_timer");
        }
    }
}
