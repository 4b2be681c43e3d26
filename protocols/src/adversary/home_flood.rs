//! A rogue peer inside the core network flooding the home node with
//! authentication-data requests (`[[attacks]]` class `air_flood`): Diameter
//! AIRs towards the HSS (EPS-AKA, TS 29.272 §5.2.3.1) or MAP
//! SendAuthenticationInfo towards the HLR (UMTS AKA, TS 29.002 §8.5.2), one
//! every `interval` from `start` to `stop`.
//!
//! The peer is a compromised or rogue MME/VLR: it holds a transport
//! association with the home node and names itself as an MME of the home
//! PLMN's realm (a Diameter peer must be inside the Diameter network for the
//! HSS to hear it at all; docs/threats.md). It asks either for unknown IMSIs
//! (the HSS answers DIAMETER_ERROR_USER_UNKNOWN 5001, the HLR
//! unknownSubscriber) or for the IMSIs of real subscribers, each of which
//! costs the home node a vector generation and advances the subscriber's
//! SQN. Every answer is counted by its result (`Effects::count`), never
//! acted on.

use rand::RngExt;

use crate::aka::imsi;
use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind};
use crate::wire::diameter::{
    AuthenticationInformationAnswer as Aia, AuthenticationInformationRequest as Air,
    DiameterResult, RequestedAuthInfo, VendorSpecificApplicationId,
};
use crate::wire::map::{self, MapMessage, SaiBegin, SaiOutcome, SendAuthenticationInfoArg};

/// The home-network protocol the rogue peer speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HomeDialect {
    /// Diameter S6a AIR towards the HSS.
    Diameter,
    /// MAP SendAuthenticationInfo (TCAP Begin) towards the HLR.
    Map,
}

/// Whose authentication data the rogue peer asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Identities {
    /// Random IMSIs of the home PLMN outside the first `known` subscribers.
    Random { known: u32 },
    /// The IMSI of subscriber `i % subscribers` (round robin): each request
    /// is a real vector generation and an SQN step for a victim.
    Victims { subscribers: u32 },
}

/// Counted labels of the home node's answers.
pub const ANSWER_SUCCESS: &str = "home_answer_success";
pub const ANSWER_USER_UNKNOWN: &str = "home_answer_user_unknown";
pub const ANSWER_OTHER_ERROR: &str = "home_answer_other_error";
pub const ANSWER_UNDECODABLE: &str = "home_answer_undecodable";

/// The largest subscriber index an IMSI with a 10-digit MSIN can carry.
const MAX_MSIN_INDEX: u32 = u32::MAX;

const TICK: TimerKey = TimerKey::own(TimerKind::AttackTick);

/// One source of the flood.
pub struct HomeFlood {
    dialect: HomeDialect,
    identities: Identities,
    home: Addr,
    plmn_digits: String,
    plmn: [u8; 3],
    start: Nanos,
    stop: Nanos,
    interval: Nanos,
    /// This source's turn among `stride` sources (round robin of victims).
    turn: u64,
    stride: u64,
    sent: u64,
}

impl HomeFlood {
    /// `interval` > 0; requests at `start`, `start + interval`, … < `stop`;
    /// `(turn, stride)`: this source's turn among `stride` sources.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        dialect: HomeDialect,
        identities: Identities,
        home: Addr,
        (plmn_digits, plmn): (String, [u8; 3]),
        start: Nanos,
        stop: Nanos,
        interval: Nanos,
        (turn, stride): (u64, u64),
    ) -> Self {
        assert!(interval > 0, "an injection interval is positive");
        Self {
            dialect,
            identities,
            home,
            plmn_digits,
            plmn,
            start,
            stop,
            interval,
            turn,
            stride: stride.max(1),
            sent: 0,
        }
    }

    /// Requests sent so far.
    pub fn sent(&self) -> u64 {
        self.sent
    }

    fn request(&mut self, cx: &mut Ctx<'_>) {
        let i = self.turn + self.sent * self.stride;
        self.sent += 1;
        let index = match self.identities {
            Identities::Random { known } => cx.rng.random_range(known.max(1)..=MAX_MSIN_INDEX),
            Identities::Victims { subscribers } => (i % subscribers.max(1) as u64) as u32,
        };
        // A transaction id of the peer's own: unique per source and request.
        let id = (i & 0xffff_ffff) as u32;
        match self.dialect {
            HomeDialect::Diameter => {
                let realm = crate::eps_aka::realm::epc_realm(&self.plmn_digits);
                let origin_host = crate::eps_aka::realm::epc_host("mme-rogue", &self.plmn_digits);
                let air = Air {
                    hop_by_hop: id,
                    end_to_end: id,
                    session_id: format!("{origin_host};{:010};{:010}", self.turn, self.sent),
                    vendor_specific_application_id: Some(VendorSpecificApplicationId::S6A),
                    origin_host,
                    origin_realm: realm.clone(),
                    destination_host: None,
                    destination_realm: realm,
                    user_name: imsi(&self.plmn_digits, index),
                    oc_supported_features: None,
                    requested_eutran: Some(RequestedAuthInfo {
                        number_of_requested_vectors: Some(1),
                        immediate_response_preferred: true,
                        re_synchronization_info: None,
                    }),
                    requested_utran_geran: None,
                    visited_plmn_id: self.plmn,
                };
                cx.fx
                    .inject(self.home, Interface::S6a, air.kind(), air.encode());
            }
            HomeDialect::Map => {
                let begin = SaiBegin {
                    otid: id,
                    dialogue: true,
                    invoke_id: 1,
                    arg: SendAuthenticationInfoArg {
                        imsi: imsi(&self.plmn_digits, index),
                        number_of_requested_vectors: 1,
                        segmentation_prohibited: false,
                        immediate_response_preferred: true,
                        re_synchronisation_info: None,
                        requesting_node_type: Some(map::node_type::VLR),
                        requesting_plmn_id: Some(self.plmn),
                    },
                };
                cx.fx
                    .inject(self.home, Interface::Map, begin.kind(), begin.encode());
            }
        }
    }

    /// The label an answer is counted under.
    fn answer_label(&self, pdu: &[u8]) -> &'static str {
        match self.dialect {
            HomeDialect::Diameter => match Aia::decode(pdu) {
                Ok(a) if a.result == DiameterResult::SUCCESS => ANSWER_SUCCESS,
                Ok(a) if a.result == DiameterResult::ERROR_USER_UNKNOWN => ANSWER_USER_UNKNOWN,
                Ok(_) => ANSWER_OTHER_ERROR,
                Err(_) => ANSWER_UNDECODABLE,
            },
            HomeDialect::Map => match MapMessage::decode(pdu) {
                Ok(MapMessage::End(e)) => match e.outcome {
                    SaiOutcome::Result(_) => ANSWER_SUCCESS,
                    SaiOutcome::Error(map::error_code::UNKNOWN_SUBSCRIBER) => ANSWER_USER_UNKNOWN,
                    SaiOutcome::Error(_) => ANSWER_OTHER_ERROR,
                },
                _ => ANSWER_UNDECODABLE,
            },
        }
    }
}

impl Endpoint for HomeFlood {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let at = self.start.max(cx.now);
        if at < self.stop {
            cx.fx.arm(TICK, at);
        }
    }

    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        let label = self.answer_label(m.pdu);
        cx.fx.count(label);
    }

    fn on_timer(&mut self, _: TimerKey, cx: &mut Ctx<'_>) {
        if cx.now >= self.stop {
            return;
        }
        self.request(cx);
        let next = cx.now + self.interval;
        if next < self.stop {
            cx.fx.arm(TICK, next);
        }
    }
}
