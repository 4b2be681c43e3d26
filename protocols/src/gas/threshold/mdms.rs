//! The MDMS of the MDMS–gateway phase (§4.4): initiates, relays the
//! aggregate to the auth server, recovers P_s from E_k, and authenticates
//! the gateway by AUTH = AUTH'.

use p256::Scalar;
use zeroize::Zeroizing;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind};
use crate::crypto::ct_eq;
use crate::gas::aead;
use crate::gas::field;
use crate::gas::msg::uplink::{
    MG_AGGREGATE, MG_AUTH, MG_SESSION_MDMS, MgAccessRequest, MgAggregate, MgAuth, MgSessionMdms,
    SESSION_PT_LEN, session_aad,
};
use crate::gas::msg::{SCALAR_LEN, SID_LEN};
use crate::wire::tlv;

use super::derive;
use super::gateway::entry_point;
use super::setup::MdmsKeys;

const SESSION_TIMER: TimerKey = TimerKey::own(TimerKind::MdmsSession);

#[derive(Default)]
struct Session {
    sid: u64,
    /// The meters' points from the aggregate.
    points: Vec<(Scalar, Scalar)>,
    /// f_s(0) and AUTH, once E_k(SID, P_s) was opened.
    fs0: Option<Zeroizing<Scalar>>,
    auth: Option<[u8; 32]>,
    /// AUTH' if it arrived before E_k(SID, P_s).
    early_auth: Option<[u8; 32]>,
}

/// MDMS endpoint; `start` opens a session with its gateway.
pub struct Mdms {
    keys: MdmsKeys,
    gateway: Addr,
    auth_server: Addr,
    timeout: Nanos,
    next_sid: u64,
    session: Option<Session>,
    sk: Option<Zeroizing<[u8; 32]>>,
}

impl Mdms {
    pub fn new(keys: MdmsKeys, gateway: Addr, auth_server: Addr, timeout: Nanos) -> Self {
        Self {
            keys,
            gateway,
            auth_server,
            timeout,
            next_sid: 1,
            session: None,
            sk: None,
        }
    }
    /// SK of the last authenticated session.
    pub fn session_key(&self) -> Option<&[u8; 32]> {
        self.sk.as_deref()
    }

    /// Step 3: keep the meters' points, forward (6) to the auth server.
    fn on_aggregate(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(agg) = MgAggregate::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(s) = self
            .session
            .as_mut()
            .filter(|s| s.sid == agg.sid && s.points.is_empty())
        else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        let points: Option<Vec<_>> = agg.entries.iter().map(entry_point).collect();
        match points {
            Some(p) if agg.id_mdms == self.keys.id => s.points = p,
            _ => {
                return cx.fx.outcome(Outcome::Rejected {
                    subject: from,
                    reason: "malformed_pdu",
                });
            }
        }
        cx.fx.send(
            self.auth_server,
            Interface::AuthServer,
            MgAggregate::KIND,
            pdu.to_vec(),
        );
    }

    /// Step 6: open E_k(SID, P_s), f_s(0) from the meter points and P_s, AUTH.
    fn on_session(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(m) = MgSessionMdms::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(s) = self
            .session
            .as_mut()
            .filter(|s| s.sid == m.sid && !s.points.is_empty() && s.fs0.is_none())
        else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        let ops = &mut cx.fx.crypto;
        let aad = session_aad(m.sid, self.keys.id);
        let ps = aead::open(&self.keys.k, &m.nonce, &aad, &m.ciphertext, ops).and_then(|pt| {
            let pt: &[u8; SESSION_PT_LEN] = pt.as_slice().try_into().ok()?;
            let (sid, xy) = pt.split_at(SID_LEN);
            let (x, y) = xy.split_at(SCALAR_LEN);
            (sid == m.sid.to_be_bytes()).then_some(())?;
            Some((
                field::from_bytes(x.try_into().ok()?)?,
                field::from_bytes(y.try_into().ok()?)?,
            ))
        });
        let Some(ps) = ps else {
            return cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "session_auth_failed",
            });
        };
        let mut points = s.points.clone();
        points.push(ps);
        let Some(fs0) = derive::fs_zero(&points, ops) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "bad_points",
            });
        };
        s.auth = Some(derive::auth(m.sid, self.keys.id, &fs0, ops));
        s.fs0 = Some(fs0);
        if let Some(a) = s.early_auth.take() {
            self.check(a, cx);
        }
    }

    /// Step 8, receiving AUTH'.
    fn on_auth(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let Ok(m) = MgAuth::decode(pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "malformed_pdu",
            });
        };
        let Some(s) = self.session.as_mut().filter(|s| s.sid == m.sid) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "unexpected_session",
            });
        };
        if s.auth.is_some() {
            self.check(m.auth, cx);
        } else if s.early_auth.is_none() {
            s.early_auth = Some(m.auth);
        }
    }

    /// Step 8: AUTH = AUTH' authenticates the gateway; SK = h_1(f_s(0) ‖ SID).
    fn check(&mut self, auth_prime: [u8; 32], cx: &mut Ctx<'_>) {
        let Some(s) = self.session.take() else { return };
        let (Some(auth), Some(fs0)) = (s.auth, s.fs0) else {
            return;
        };
        cx.fx.cancel(SESSION_TIMER);
        if ct_eq(&auth, &auth_prime) {
            self.sk = Some(derive::session_key(&fs0, s.sid, &mut cx.fx.crypto));
            cx.fx.outcome(Outcome::Authenticated {
                subject: self.gateway,
                key_id: s.sid as u32,
                relayed_by: None,
            });
        } else {
            cx.fx.outcome(Outcome::AttackDetected {
                subject: self.gateway,
                what: "auth_mismatch",
            });
        }
    }
}

impl Endpoint for Mdms {
    /// Step 1: SID, ID_MDMS to the gateway.
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let sid = self.next_sid;
        self.next_sid += 1;
        self.session = Some(Session {
            sid,
            ..Session::default()
        });
        let req = MgAccessRequest {
            sid,
            id_mdms: self.keys.id,
        };
        cx.fx.send_msg(self.gateway, Interface::Wan, &req);
        cx.fx.arm(SESSION_TIMER, cx.now + self.timeout);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(MG_AGGREGATE) => self.on_aggregate(msg.from, msg.pdu, cx),
            Ok(MG_SESSION_MDMS) => self.on_session(msg.from, msg.pdu, cx),
            Ok(MG_AUTH) => self.on_auth(msg.from, msg.pdu, cx),
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        if id == SESSION_TIMER
            && let Some(_s) = self.session.take()
        {
            cx.fx.outcome(Outcome::Failed {
                subject: self.gateway,
                reason: "timeout",
            });
        } else {
            cx.fx.ignore("stale_timer");
        }
    }
}
