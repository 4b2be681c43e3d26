//! The HSS with its AuC: answers S6a Authentication-Information requests.

use std::sync::Arc;

use super::Config;
use super::doic::Reporter;
use crate::aka::{self, Subscriber, home};
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey};
use crate::crypto::kdf;
use crate::wire::diameter::{
    AuthenticationInfo, AuthenticationInformationAnswer as Aia,
    AuthenticationInformationRequest as Air, DiameterResult, EutranVector, OLR_DEFAULT_ALGO,
    RequestedAuthInfo,
};

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
    /// Overload detection and reports (DOIC configured).
    doic: Option<Reporter>,
    /// The peers it answers (all by default).
    pub allowed_peers: home::AllowedPeers,
}

impl Hss {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>) -> Self {
        let origin_host = super::realm::epc_host("hss", &cfg.plmn_digits);
        let origin_realm = super::realm::epc_realm(&cfg.plmn_digits);
        Self {
            doic: cfg.doic.map(Reporter::new),
            cfg,
            answer: Aia {
                hop_by_hop: 0,
                end_to_end: 0,
                session_id: String::new(),
                vendor_specific_application_id: None,
                result: DiameterResult::SUCCESS,
                origin_host,
                origin_realm,
                oc_supported_features: None,
                oc_olr: None,
                authentication_info: None,
            },
            request: Air::empty(),
            subscribers,
            max_vectors: 5,
            allowed_peers: home::AllowedPeers::default(),
        }
    }

    fn vectors(
        &mut self,
        air: &Air,
        cx: &mut Ctx<'_>,
    ) -> Result<Vec<EutranVector>, DiameterResult> {
        let index = home::find(&self.subscribers, &self.cfg.plmn_digits, &air.user_name)
            .ok_or(DiameterResult::ERROR_USER_UNKNOWN)?;
        let req = air
            .requested_eutran
            .as_ref()
            .ok_or(DiameterResult::AUTHENTICATION_DATA_UNAVAILABLE)?;
        let sub = &mut self.subscribers[index];
        Ok(eutran_vectors(
            index as u32,
            sub,
            req,
            &air.visited_plmn_id,
            self.max_vectors,
            cx,
        ))
    }
}

/// The E-UTRAN vectors an AIR asks for (at most `max`), after a
/// resynchronisation if it carries one: RAND, XRES, AUTN and K_ASME for the
/// visited PLMN (TS 33.401 §6.1.2), for subscriber `index` (`sub`). Also
/// the group HSS's vectors.
pub(crate) fn eutran_vectors(
    index: u32,
    sub: &mut Subscriber,
    req: &RequestedAuthInfo,
    visited_plmn: &[u8; 3],
    max: u32,
    cx: &mut Ctx<'_>,
) -> Vec<EutranVector> {
    let resync = req.re_synchronization_info.map(|info| {
        let (mut rand, mut auts) = ([0u8; 16], [0u8; 14]);
        rand.copy_from_slice(&info[..16]);
        auts.copy_from_slice(&info[16..]);
        (rand, auts)
    });
    let n = req.number_of_requested_vectors.unwrap_or(1).clamp(1, max);
    home::vectors(index, sub, resync, n, aka::AMF_EPS, cx, |item, av, ops| {
        let kasme = kdf::kasme(&av.ck, &av.ik, visited_plmn, &av.sqn_xor_ak(), ops);
        EutranVector {
            item_number: Some(item),
            rand: av.rand,
            xres: av.xres.clone(),
            autn: av.autn,
            kasme,
        }
    })
}

impl Endpoint for Hss {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::S6a {
            return cx.fx.ignore(msg.interface.name());
        }
        if !self.allowed_peers.admits(msg.from) {
            return cx.fx.ignore(home::UNKNOWN_PEER);
        }
        // An undecodable request gets no answer; the MME's Tx timer covers it.
        let mut air = std::mem::replace(&mut self.request, Air::empty());
        if air.decode_into(msg.pdu).is_err() {
            self.request = air;
            return cx.fx.ignore("undecodable");
        }
        // The overload state follows every request; the report goes only to
        // a requester that announced DOIC (RFC 7683 §5.2).
        let olr = self.doic.as_mut().and_then(|r| r.report(cx.now, cx.wait));
        let doic = self.doic.is_some() && air.oc_supported_features.is_some();
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
        a.oc_supported_features = doic.then_some(OLR_DEFAULT_ALGO);
        a.oc_olr = olr.filter(|_| doic);
        cx.fx.send_msg(msg.from, Interface::S6a, &*a);
        a.authentication_info = None;
        self.request = air;
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}
