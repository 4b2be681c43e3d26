//! The HSS with its AuC: EPS vectors as in EPS-AKA, plus group material
//! (GAK, RAND_G, a block of group SQNs, the member range) for a leader.

use std::sync::Arc;

use rand::Rng;

use super::{Config, Group, Subscriber, derive_gak};
use crate::aka::home;
use crate::core::{Ctx, Endpoint, Incoming, Interface, TimerKey, time::SECOND};
use crate::eps_aka::hss::eutran_vectors;
use crate::wire::diameter::{
    AuthenticationInfo, AuthenticationInformationAnswer as Aia,
    AuthenticationInformationRequest as Air, DiameterResult, EutranVector,
};
use crate::wire::group::{
    self, GroupAia, GroupAuthInfo, RESULT_GROUP_MEMBERSHIP_DENIED, VENDOR_AUTHSIM,
};

/// The refusal of a group request.
pub const GROUP_MEMBERSHIP_DENIED: DiameterResult = DiameterResult::Experimental {
    vendor_id: VENDOR_AUTHSIM,
    code: RESULT_GROUP_MEMBERSHIP_DENIED,
};

struct GroupRecord {
    group: Group,
    /// The last group SQN handed out (blocks never overlap, so SQN_G stays
    /// monotone across GAK refreshes).
    sqn_he: u64,
}

/// Home network: EPS vectors and group authentication keys.
pub struct Hss {
    cfg: Arc<Config>,
    origin_host: String,
    origin_realm: String,
    /// Indexed by the subscriber index encoded in the IMSI.
    subscribers: Vec<Subscriber>,
    groups: Vec<GroupRecord>,
    /// Most vectors one AIA carries (TS 29.272 §7.3.11: up to 5).
    pub max_vectors: u32,
}

impl Hss {
    pub fn new(cfg: Arc<Config>, subscribers: Vec<Subscriber>, groups: Vec<Group>) -> Self {
        let origin_host = crate::eps_aka::realm::epc_host("hss", &cfg.plmn_digits);
        let origin_realm = crate::eps_aka::realm::epc_realm(&cfg.plmn_digits);
        Self {
            cfg,
            origin_host,
            origin_realm,
            subscribers,
            groups: groups
                .into_iter()
                .map(|group| GroupRecord { group, sqn_he: 0 })
                .collect(),
            max_vectors: 5,
        }
    }

    /// Vectors for the subscriber of `air` and, if `group_id` is given and
    /// the subscriber belongs to that group, fresh group material.
    fn answer(
        &mut self,
        air: &Air,
        group_id: Option<u32>,
        cx: &mut Ctx<'_>,
    ) -> Result<(Vec<EutranVector>, Option<GroupAuthInfo>), DiameterResult> {
        let index = home::find(&self.subscribers, &self.cfg.plmn_digits, &air.user_name)
            .ok_or(DiameterResult::ERROR_USER_UNKNOWN)?;
        let group = match group_id {
            Some(id) => Some(
                self.groups
                    .iter_mut()
                    .find(|g| g.group.id == id && g.group.contains(index as u32))
                    .ok_or(GROUP_MEMBERSHIP_DENIED)?,
            ),
            None => None,
        };
        let req = air
            .requested_eutran
            .as_ref()
            .ok_or(DiameterResult::AUTHENTICATION_DATA_UNAVAILABLE)?;
        let sub = &mut self.subscribers[index];
        let vectors = eutran_vectors(
            index as u32,
            sub,
            req,
            &air.visited_plmn_id,
            self.max_vectors,
            cx,
        );
        let info = group.map(|rec| {
            let mut rand_g = [0u8; 16];
            cx.rng.fill_bytes(&mut rand_g);
            let gak = derive_gak(&rec.group.gk, &rand_g, rec.group.id, &mut cx.fx.crypto);
            let sqn_start = rec.sqn_he;
            rec.sqn_he += u64::from(self.cfg.group_sqn_block);
            GroupAuthInfo {
                group_id: rec.group.id,
                rand_g,
                gak,
                sqn_start,
                sqn_count: self.cfg.group_sqn_block,
                member_first: rec.group.first,
                member_count: rec.group.count,
                lifetime_s: u32::try_from(self.cfg.gak_lifetime / SECOND).unwrap_or(u32::MAX),
            }
        });
        Ok((vectors, info))
    }
}

impl Endpoint for Hss {
    fn start(&mut self, _: &mut Ctx<'_>) {}

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        if msg.interface != Interface::S6a {
            return cx.fx.ignore(msg.interface.name());
        }
        // An undecodable request gets no answer; the MME's Tx timer covers it.
        let Ok((air, group_id)) = group::decode_air(msg.pdu) else {
            return cx.fx.ignore("undecodable");
        };
        let (origin_host, origin_realm) = (&self.origin_host.clone(), &self.origin_realm.clone());
        let answer = match self.answer(&air, group_id, cx) {
            Ok((v, info)) => {
                let auth = AuthenticationInfo {
                    eutran_vectors: v,
                    utran_vectors: Vec::new(),
                };
                let aia = Aia::answering(
                    &air,
                    origin_host,
                    origin_realm,
                    DiameterResult::SUCCESS,
                    Some(auth),
                );
                GroupAia { aia, info }
            }
            Err(result) => GroupAia {
                aia: Aia::answering(&air, origin_host, origin_realm, result, None),
                info: None,
            },
        };
        cx.fx.send_msg(msg.from, Interface::S6a, &answer);
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        cx.fx.ignore(key.kind().name());
    }
}
