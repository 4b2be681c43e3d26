//! The HSS with its AuC: answers S6a Authentication-Information requests.

use std::sync::Arc;

use rand::Rng;

use super::{Config, imsi_index};
use crate::aka::{self, HeSqn};
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerId};
use crate::crypto::{kdf, milenage::Milenage};
use crate::wire::diameter::{self, Aia, Air, EutranVector};

/// One subscriber's long-term secrets and home-side sequence number.
pub struct Subscriber {
    pub milenage: Milenage,
    pub sqn: HeSqn,
}

/// Home network: generates E-UTRAN authentication vectors.
pub struct Hss {
    cfg: Arc<Config>,
    origin_host: String,
    origin_realm: String,
    /// Indexed by the subscriber index encoded in the IMSI.
    subscribers: Vec<Subscriber>,
    /// Most vectors one AIA carries (TS 29.272 §7.3.11: up to 5).
    pub max_vectors: u32,
}

impl Hss {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        Self {
            cfg,
            origin_host: "hss.authsim".into(),
            origin_realm: "authsim".into(),
            subscribers,
            max_vectors: 5,
        }
    }

    fn answer(&self, air: &Air, result: Result<Vec<EutranVector>, u32>) -> Aia {
        let (result_code, experimental_result, eutran_vectors) = match result {
            Ok(v) => (Some(diameter::DIAMETER_SUCCESS), None, v),
            Err(code) => (None, Some(code), Vec::new()),
        };
        Aia {
            session_id: air.session_id.clone(),
            hop_by_hop: air.hop_by_hop,
            end_to_end: air.end_to_end,
            origin_host: self.origin_host.clone(),
            origin_realm: self.origin_realm.clone(),
            result_code,
            experimental_result,
            eutran_vectors,
            utran_vectors: Vec::new(),
        }
    }

    fn vectors(&mut self, air: &Air, cx: &mut Ctx<'_>) -> Result<Vec<EutranVector>, u32> {
        let index = imsi_index(&self.cfg.plmn_digits, &air.user_name)
            .filter(|&i| (i as usize) < self.subscribers.len())
            .ok_or(diameter::DIAMETER_ERROR_USER_UNKNOWN)?;
        let req = air.eutran.as_ref().ok_or(diameter::DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE)?;
        let sub = &mut self.subscribers[index as usize];
        if let Some(info) = req.resync_info.as_deref()
            && let (Ok(rand), Ok(auts)) = (<[u8; 16]>::try_from(&info[..16.min(info.len())]), <[u8; 14]>::try_from(&info[16.min(info.len())..]))
        {
            // A failed MAC-S leaves SQN_HE alone; fresh vectors follow anyway
            // (TS 33.102 §6.3.5).
            let _ = aka::hss_resync(&sub.milenage, &rand, &auts, &mut sub.sqn, &mut cx.fx.crypto);
        }
        let n = req.number_of_requested_vectors.clamp(1, self.max_vectors);
        let mut out = Vec::with_capacity(n as usize);
        for item in 1..=n {
            let mut rand = [0u8; 16];
            cx.rng.fill_bytes(&mut rand);
            let sqn = sub.sqn.next();
            let av = aka::generate_vector(&sub.milenage, sqn, aka::AMF_EPS, rand, &mut cx.fx.crypto);
            let kasme = kdf::kasme(&av.ck, &av.ik, &air.visited_plmn_id, &av.sqn_xor_ak(), &mut cx.fx.crypto);
            out.push(EutranVector { item_number: item, rand, xres: av.xres.clone(), autn: av.autn, kasme });
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
        let Ok(air) = Air::decode(msg.pdu) else { return };
        let result = self.vectors(&air, cx);
        let aia = self.answer(&air, result);
        cx.fx.send(msg.from, Interface::S6a, "AIA", aia.encode());
    }

    fn on_timer(&mut self, _: TimerId, _: &mut Ctx<'_>) {}
}
