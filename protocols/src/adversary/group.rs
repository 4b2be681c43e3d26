//! The adversary's part of group AKA for MTC (Lai 2012 §3.1,
//! docs/protocols/group-aka.md): what it writes and recognises beyond EPS
//! NAS, and the compromised member (an insider holding its group's GK).
//!
//! - a forged group challenge (random RAND_i, AUTN with the separation bit
//!   set, random RAND_G): an attaching member derives GAK and its group
//!   MILENAGE key and runs MILENAGE before its MAC_i check fails, so each
//!   forged challenge costs it work (the group-challenge flood);
//! - an attach that announces a group the claimed subscriber is not a member
//!   of (the non-member), or the subscriber's own group (impersonation: a
//!   revoked device without GK answering the genuine group challenge);
//! - one bit of RAND_G flipped in flight (the modification of the group
//!   challenge's own field);
//! - [`Insider`]: a real [`Member`] with the group's GK but not the victim's
//!   key K, attaching under the victim's IMSI: the documented insider break
//!   of the scheme (group-aka.md, "A compromised member").

use rand::Rng;

use crate::core::{Addr, Ctx, Endpoint, Incoming, Interface, Nanos, TimerKey, TimerKind};
use crate::group_aka::Member;
use crate::wire::group::{self, GroupAuthenticationRequest, GroupNas};
use crate::wire::nas::{Nas, NasMessage};

/// The group id of subscriber `index` when devices are split into
/// consecutive groups of `group_size` (sim-core's group-aka build: ids from 1).
pub fn group_of(index: u32, group_size: u32) -> u32 {
    index / group_size.max(1) + 1
}

/// A group that subscriber `index` is not a member of: the next group
/// (the first after the last), among `groups` groups; with one group, a
/// group id no group has.
pub fn foreign_group(index: u32, group_size: u32, groups: u32) -> u32 {
    let own = group_of(index, group_size);
    if groups <= 1 {
        return groups + 1;
    }
    own % groups + 1
}

/// An ATTACH REQUEST under subscriber `index`'s IMSI announcing `group_id`.
pub fn send_attach(to: Addr, plmn_digits: &str, index: u32, group_id: u32, cx: &mut Ctx<'_>) {
    crate::eps_aka::ue::send_attach_request(
        to,
        plmn_digits,
        index,
        group::group_identity_ie(group_id),
        cx,
    );
}

/// A group challenge with random RAND_i, RAND_G and AUTN whose AMF has the
/// separation bit set (else the member refuses before any crypto): what a
/// fake MME without GK can send.
pub fn send_forged_challenge(to: Addr, cx: &mut Ctx<'_>) {
    let mut r = GroupAuthenticationRequest {
        nas_ksi: 0,
        rand: [0; 16],
        autn: [0; 16],
        rand_g: [0; 16],
    };
    cx.rng.fill_bytes(&mut r.rand);
    cx.rng.fill_bytes(&mut r.autn);
    cx.rng.fill_bytes(&mut r.rand_g);
    r.autn[6] |= 0x80;
    cx.fx.send(to, Interface::Nas, r.kind(), r.encode());
}

/// Whether `pdu` is a challenge of group AKA: the group challenge or the
/// leader's plain AUTHENTICATION REQUEST.
pub fn is_challenge(pdu: &[u8]) -> bool {
    matches!(
        group::decode_nas(pdu),
        Ok(GroupNas::GroupAuthenticationRequest(_))
            | Ok(GroupNas::Emm(Nas::Plain(
                NasMessage::AuthenticationRequest(_)
            )))
    )
}

/// The kind label of `pdu` if it is a group challenge.
pub fn group_challenge_kind(pdu: &[u8]) -> Option<&'static str> {
    matches!(
        group::decode_nas(pdu),
        Ok(GroupNas::GroupAuthenticationRequest(_))
    )
    .then_some(group::KIND_GROUP_AUTHENTICATION_REQUEST)
}

/// A field of the group challenge the man in the middle alters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GroupField {
    /// RAND_i.
    Rand,
    /// A bit of MAC_i (the last octets of AUTN_i).
    Autn,
    /// RAND_G, from which the member derives GAK.
    RandG,
}

/// The group challenge `pdu` with one bit of `field` flipped; `None` if
/// `pdu` is not a group challenge.
pub fn flip(field: GroupField, pdu: &[u8]) -> Option<Vec<u8>> {
    let Ok(GroupNas::GroupAuthenticationRequest(mut r)) = group::decode_nas(pdu) else {
        return None;
    };
    match field {
        GroupField::Rand => r.rand[0] ^= 1,
        GroupField::Autn => r.autn[15] ^= 1,
        GroupField::RandG => r.rand_g[0] ^= 1,
    }
    Some(r.encode())
}

/// A compromised member of a group impersonating another member of it: a
/// genuine [`Member`] role holding the group's GK, provisioned under the
/// victim's subscriber index but with a USIM key that is not the victim's
/// (the insider has GK, not K). It attaches once, from the adversary's own
/// timer at `at`, and then plays the member's part: a group challenge it
/// answers correctly (RES_j follows from GK, RAND_G, RAND_j and the IMSI),
/// the leader's EPS-AKA challenge (made with K) it cannot.
pub struct Insider {
    member: Member,
    at: Nanos,
}

const START: TimerKey = TimerKey::own(TimerKind::AttackTick);

impl Insider {
    pub fn new(member: Member, at: Nanos) -> Self {
        Self { member, at }
    }

    /// Whether the network let the impersonation through (the member role
    /// completed its attach).
    pub fn is_registered(&self) -> bool {
        self.member.is_registered()
    }
}

impl Endpoint for Insider {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        cx.fx.arm(START, self.at.max(cx.now));
    }

    // Everything the insider sends is adversary input (the network's
    // verdicts on it are false acceptances, docs/threats.md).
    fn on_message(&mut self, m: Incoming<'_>, cx: &mut Ctx<'_>) {
        self.member.on_message(m, cx);
        cx.fx.all_adversary_made();
    }

    fn on_timer(&mut self, key: TimerKey, cx: &mut Ctx<'_>) {
        if key == START {
            self.member.start(cx);
        } else {
            self.member.on_timer(key, cx);
        }
        cx.fx.all_adversary_made();
    }
}
