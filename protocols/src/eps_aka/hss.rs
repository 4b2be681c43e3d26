//! The HSS with its AuC: answers S6a Authentication-Information requests.

use std::sync::Arc;

use rand::Rng;

use super::{Config, imsi_index};
use crate::aka::{self, HeSqn};
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::crypto::{kdf, milenage::Milenage};
use crate::wire::diameter::{
    AuthenticationInfo, AuthenticationInformationAnswer as Aia,
    AuthenticationInformationRequest as Air, DiameterResult, EutranVector,
};

/// One subscriber's long-term secrets and home-side sequence number.
pub struct Subscriber {
    pub milenage: Milenage,
    pub sqn: HeSqn,
}

/// Home network: generates E-UTRAN authentication vectors.
pub struct Hss {
    cfg: Arc<Config>,
    /// The answer being built; Origin-Host and Origin-Realm are set once, the
    /// rest per request (what `Aia::answering` would build, without copying
    /// the strings).
    answer: Aia,
    /// The request being answered, decoded into kept buffers.
    request: Air,
    /// Indexed by the subscriber index encoded in the IMSI.
    subscribers: Vec<Subscriber>,
    /// Most vectors one AIA carries (TS 29.272 §7.3.11: up to 5).
    pub max_vectors: u32,
}

impl Hss {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        Self {
            cfg,
            answer: Aia {
                hop_by_hop: 0,
                end_to_end: 0,
                session_id: String::new(),
                vendor_specific_application_id: None,
                result: DiameterResult::SUCCESS,
                origin_host: "hss.authsim".into(),
                origin_realm: "authsim".into(),
                authentication_info: None,
            },
            request: Air::empty(),
            subscribers,
            max_vectors: 5,
        }
    }

    fn vectors(
        &mut self,
        air: &Air,
        cx: &mut Ctx<'_>,
    ) -> Result<Vec<EutranVector>, DiameterResult> {
        let index = imsi_index(&self.cfg.plmn_digits, &air.user_name)
            .filter(|&i| (i as usize) < self.subscribers.len())
            .ok_or(DiameterResult::ERROR_USER_UNKNOWN)?;
        let req = air
            .requested_eutran
            .as_ref()
            .ok_or(DiameterResult::AUTHENTICATION_DATA_UNAVAILABLE)?;
        let sub = &mut self.subscribers[index as usize];
        if let Some(info) = req.re_synchronization_info {
            let rand: [u8; 16] = info[..16].try_into().expect("30 = 16 + 14");
            let auts: [u8; 14] = info[16..].try_into().expect("30 = 16 + 14");
            // A failed MAC-S leaves SQN_HE alone; fresh vectors follow anyway
            // (TS 33.102 §6.3.5).
            let _ = aka::hss_resync(&sub.milenage, &rand, &auts, &mut sub.sqn, &mut cx.fx.crypto);
        }
        let n = req
            .number_of_requested_vectors
            .unwrap_or(1)
            .clamp(1, self.max_vectors);
        let mut out = Vec::with_capacity(n as usize);
        for item in 1..=n {
            let mut rand = [0u8; 16];
            cx.rng.fill_bytes(&mut rand);
            let sqn = sub.sqn.next();
            let av =
                aka::generate_vector(&sub.milenage, sqn, aka::AMF_EPS, rand, &mut cx.fx.crypto);
            let kasme = kdf::kasme(
                &av.ck,
                &av.ik,
                &air.visited_plmn_id,
                &av.sqn_xor_ak(),
                &mut cx.fx.crypto,
            );
            out.push(EutranVector {
                item_number: Some(item),
                rand,
                xres: av.xres.clone(),
                autn: av.autn,
                kasme,
            });
        }
        Ok(out)
    }
}

impl Endpoint for Hss {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::S6a {
            return;
        }
        // An undecodable request gets no answer; the MME's Tx timer covers it.
        let mut air = std::mem::replace(&mut self.request, Air::empty());
        if air.decode_into(msg.pdu).is_err() {
            self.request = air;
            return;
        }
        let (result, info) = match self.vectors(&air, cx) {
            Ok(v) => (
                DiameterResult::SUCCESS,
                Some(AuthenticationInfo {
                    eutran_vectors: v,
                    utran_vectors: Vec::new(),
                }),
            ),
            Err(result) => (result, None),
        };
        // Aia::answering(&air, origin host, origin realm, result, info).
        let a = &mut self.answer;
        a.hop_by_hop = air.hop_by_hop;
        a.end_to_end = air.end_to_end;
        std::mem::swap(&mut a.session_id, &mut air.session_id);
        a.vendor_specific_application_id = air.vendor_specific_application_id;
        a.result = result;
        a.authentication_info = info;
        let pdu = a.encode();
        a.authentication_info = None;
        self.request = air;
        cx.fx.send(msg.from, Interface::S6a, "AIA", pdu);
    }

    fn on_timer(&mut self, _: TimerKey, _: &mut Ctx<'_>) {}
}
