//! The HLR with its AuC: answers MAP SendAuthenticationInfo with quintets.

use std::sync::Arc;

use super::{Config, Subscriber};
use crate::aka::{self, home};
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::wire::map::{MapMessage, Quintuplet, SaiBegin, SaiEnd, SaiOutcome, error_code};

/// Home network: generates UMTS authentication vectors (quintets).
pub struct Hlr {
    cfg: Arc<Config>,
    /// Indexed by the subscriber index encoded in the IMSI.
    subscribers: Vec<Subscriber>,
    /// Most quintets one answer carries (TS 29.002: 1..=5).
    pub max_vectors: u8,
    /// The peers it answers (all by default).
    pub allowed_peers: home::AllowedPeers,
}

impl Hlr {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        Self {
            cfg,
            subscribers,
            max_vectors: 5,
            allowed_peers: home::AllowedPeers::default(),
        }
    }

    fn quintets(&mut self, begin: &SaiBegin, cx: &mut Ctx<'_>) -> Result<Vec<Quintuplet>, u8> {
        let arg = &begin.arg;
        let index = home::find(&self.subscribers, &self.cfg.plmn_digits, &arg.imsi)
            .ok_or(error_code::UNKNOWN_SUBSCRIBER)?;
        let resync = arg.re_synchronisation_info.map(|r| (r.rand, r.auts));
        let n = arg
            .number_of_requested_vectors
            .clamp(1, self.max_vectors.max(1));
        let sub = &mut self.subscribers[index];
        Ok(home::vectors(
            index as u32,
            sub,
            resync,
            n.into(),
            aka::AMF_UMTS,
            cx,
            |_, av, _| Quintuplet {
                rand: av.rand,
                xres: av.xres.clone(),
                ck: av.ck,
                ik: av.ik,
                autn: av.autn,
            },
        ))
    }
}

impl Endpoint for Hlr {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::Map {
            return cx.fx.ignore(msg.interface.name());
        }
        if !self.allowed_peers.admits(msg.from) {
            return cx.fx.ignore(home::UNKNOWN_PEER);
        }
        // An undecodable request gets no answer; the VLR's MAP timer covers it.
        let begin = match MapMessage::decode(msg.pdu) {
            Ok(MapMessage::Begin(begin)) => begin,
            Ok(other) => return cx.fx.ignore(other.kind()),
            Err(_) => return cx.fx.ignore("undecodable"),
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
        cx.fx.send_msg(msg.from, Interface::Map, &end);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}
