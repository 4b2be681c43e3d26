//! The HLR with its AuC: answers MAP SendAuthenticationInfo with quintets.

use std::sync::Arc;

use rand::Rng;

use super::{Config, Subscriber};
use crate::aka;
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::eps_aka::imsi_index;
use crate::wire::map::{MapMessage, Quintuplet, SaiBegin, SaiEnd, SaiOutcome, error_code};

/// Home network: generates UMTS authentication vectors (quintets).
pub struct Hlr {
    cfg: Arc<Config>,
    /// Indexed by the subscriber index encoded in the IMSI.
    subscribers: Vec<Subscriber>,
    /// Most quintets one answer carries (TS 29.002: 1..=5).
    pub max_vectors: u8,
}

impl Hlr {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        Self {
            cfg,
            subscribers,
            max_vectors: 5,
        }
    }

    fn quintets(&mut self, begin: &SaiBegin, cx: &mut Ctx<'_>) -> Result<Vec<Quintuplet>, u8> {
        let arg = &begin.arg;
        let index = imsi_index(&self.cfg.plmn_digits, &arg.imsi)
            .filter(|&i| (i as usize) < self.subscribers.len())
            .ok_or(error_code::UNKNOWN_SUBSCRIBER)?;
        let sub = &mut self.subscribers[index as usize];
        if let Some(r) = arg.re_synchronisation_info {
            // A failed MAC-S leaves SQN_HE alone; fresh vectors follow anyway
            // (TS 33.102 §6.3.5).
            let _ = aka::hss_resync(
                &sub.milenage,
                &r.rand,
                &r.auts,
                &mut sub.sqn,
                &mut cx.fx.crypto,
            );
        }
        let n = arg
            .number_of_requested_vectors
            .clamp(1, self.max_vectors.max(1));
        let mut out = Vec::with_capacity(n as usize);
        for _ in 0..n {
            let mut rand = [0u8; 16];
            cx.rng.fill_bytes(&mut rand);
            let sqn = sub.sqn.next();
            let av =
                aka::generate_vector(&sub.milenage, sqn, aka::AMF_UMTS, rand, &mut cx.fx.crypto);
            out.push(Quintuplet {
                rand,
                xres: av.xres.clone(),
                ck: av.ck,
                ik: av.ik,
                autn: av.autn,
            });
        }
        Ok(out)
    }
}

impl Endpoint for Hlr {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::Map {
            return;
        }
        // An undecodable request gets no answer; the VLR's MAP timer covers it.
        let Ok(MapMessage::Begin(begin)) = MapMessage::decode(msg.pdu) else {
            return;
        };
        let outcome = match self.quintets(&begin, cx) {
            Ok(q) => SaiOutcome::Result(q),
            Err(code) => SaiOutcome::Error(code),
        };
        let end = SaiEnd {
            dtid: begin.otid,
            dialogue: begin.dialogue,
            invoke_id: begin.invoke_id,
            outcome,
        };
        cx.fx
            .send(msg.from, Interface::Map, end.kind(), end.encode());
    }

    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}
