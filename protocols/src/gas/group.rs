//! The broadcast flow Harn and Chien share, generic over the token type.
//!
//! ```text
//! initiator ──Start(j, ids)──▶ other m−1 participants   (1 transmission)
//! every participant ──Token(j, id, token)──▶ the other m−1 (m transmissions)
//! every participant: all m tokens in → verify(j, tokens)
//! ```
//!
//! The Start message is not part of either paper: members must agree on the
//! participant set before computing a token (its Lagrange weight depends on
//! it), and the papers leave that agreement out. A member releases at most one
//! token per session index j and never for a j it has passed, so the
//! per-session material is never reused.

use std::sync::Arc;

use crate::core::{
    Addr, CryptoOps, Ctx, Endpoint, Incoming, Interface, Nanos, Outcome, TimerKey, TimerKind,
};
use crate::gas::msg::group::Start;
use crate::gas::{Member, SetupError, check_ids};
use crate::wire::WireError;
use crate::wire::tlv;

/// The members of a Harn/Chien group, sorted by identifier; shared by all
/// members (one copy per group, not per member).
#[derive(Clone, Debug)]
pub struct Roster {
    members: Vec<Member>,
}

impl Roster {
    pub fn new(mut members: Vec<Member>) -> Result<Arc<Self>, SetupError> {
        check_ids(members.iter().map(|m| m.id))?;
        if members.len() * crate::gas::msg::ID_LEN > u16::MAX as usize {
            return Err(SetupError::TooLarge(members.len()));
        }
        members.sort_by_key(|m| m.id);
        Ok(Arc::new(Self { members }))
    }
    pub fn len(&self) -> usize {
        self.members.len()
    }
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }
    pub fn members(&self) -> &[Member] {
        &self.members
    }
    pub fn addr(&self, id: u64) -> Option<Addr> {
        self.members
            .binary_search_by_key(&id, |m| m.id)
            .ok()
            .map(|i| self.members[i].addr)
    }
}

/// What a scheme plugs into [`GroupMember`].
pub trait Scheme {
    type Token: Copy;
    const START_TYPE: u8;
    const START_KIND: &'static str;
    const TOKEN_TYPE: u8;
    const TOKEN_KIND: &'static str;

    fn my_id(&self) -> u64;
    fn roster(&self) -> &Roster;
    /// Threshold t: fewer participants cannot authenticate.
    fn t(&self) -> usize;
    /// Number of published sessions (verifiers) available.
    fn session_count(&self) -> u32;
    /// This member's token for session `session` and participant set `ids`.
    fn make_token(&self, session: u32, ids: &[u64], ops: &mut CryptoOps) -> Option<Self::Token>;
    fn encode_token(&self, session: u32, token: &Self::Token) -> Vec<u8>;
    /// (session, id, token); the token is `None` when its value is not a
    /// valid element (non-canonical scalar, off-curve or identity point).
    fn decode_token(pdu: &[u8]) -> Result<(u32, u64, Option<Self::Token>), WireError>;

    /// What a session keeps of its tokens until all m are in (every member
    /// of a group of m holds one while the m² deliveries are under way).
    type Tally;
    /// An empty tally for m participants.
    fn tally(&self, m: usize) -> Self::Tally;
    /// Files the token of the participant at `pos` (once per position).
    fn file(&self, tally: &mut Self::Tally, pos: usize, token: Self::Token);
    /// Checks a tally holding all m tokens of `session` against the
    /// published verifier.
    fn check(&self, session: u32, tally: &Self::Tally, ops: &mut CryptoOps) -> bool;

    /// Checks the m tokens of `session` against the published verifier.
    fn verify(&self, session: u32, tokens: &[Self::Token], ops: &mut CryptoOps) -> bool {
        let mut tally = self.tally(tokens.len());
        for (pos, token) in tokens.iter().enumerate() {
            self.file(&mut tally, pos, *token);
        }
        self.check(session, &tally, ops)
    }
}

/// Guard timer: tokens still missing.
const TOKEN_TIMER: TimerKey = TimerKey::own(TimerKind::GroupTokens);

/// A session's participant set, with positions found without a scan (each
/// member looks up all m tokens of a session: a scan would make a group of m
/// cost m³).
struct Participants {
    ids: Vec<u64>,
    lookup: Lookup,
}

enum Lookup {
    /// Consecutive identifiers from this one (a roster prefix): by offset.
    Range(u64),
    /// Increasing identifiers: by binary search.
    Sorted,
    /// Any other order: by a scan.
    Scan,
}

impl Participants {
    fn new(ids: Vec<u64>) -> Self {
        let increasing = ids.windows(2).all(|w| w[0] < w[1]);
        let lookup = match (ids.first(), ids.last()) {
            (Some(&a), Some(&b)) if increasing && b - a == ids.len() as u64 - 1 => Lookup::Range(a),
            _ if increasing => Lookup::Sorted,
            _ => Lookup::Scan,
        };
        Self { ids, lookup }
    }

    fn position(&self, id: u64) -> Option<usize> {
        match self.lookup {
            Lookup::Range(first) => {
                let pos = usize::try_from(id.checked_sub(first)?).ok()?;
                (pos < self.ids.len()).then_some(pos)
            }
            Lookup::Sorted => self.ids.binary_search(&id).ok(),
            Lookup::Scan => self.ids.iter().position(|&x| x == id),
        }
    }
}

struct Session<S: Scheme> {
    index: u32,
    initiator: Addr,
    participants: Participants,
    /// Which positions have filed their token (one bit each).
    filed: Vec<u64>,
    tally: S::Tally,
    /// Tokens still missing.
    missing: usize,
}

impl<S: Scheme> Session<S> {
    /// Files the token at `pos` unless one is already there.
    fn file(&mut self, scheme: &S, pos: usize, token: S::Token) -> bool {
        let (word, bit) = (pos / 64, 1u64 << (pos % 64));
        if self.filed[word] & bit != 0 {
            return false;
        }
        self.filed[word] |= bit;
        scheme.file(&mut self.tally, pos, token);
        self.missing -= 1;
        true
    }
}

/// One member of a Harn or Chien group, as a sans-IO endpoint.
///
/// `start` makes this member the initiator of the next session (j =
/// the next unused index) with the participant set given by
/// [`GroupMember::set_participants`] (default: the whole roster).
pub struct GroupMember<S: Scheme> {
    scheme: S,
    timeout: Nanos,
    next_session: u32,
    planned: Option<Vec<u64>>,
    current: Option<Session<S>>,
    /// Tokens that arrived before their session's Start (bounded by n).
    early: Vec<(u32, u64, S::Token)>,
}

impl<S: Scheme> GroupMember<S> {
    pub fn new(scheme: S, token_timeout: Nanos) -> Self {
        Self {
            scheme,
            timeout: token_timeout,
            next_session: 0,
            planned: None,
            current: None,
            early: Vec::new(),
        }
    }
    pub fn scheme(&self) -> &S {
        &self.scheme
    }
    pub fn id(&self) -> u64 {
        self.scheme.my_id()
    }
    /// Participant set for the sessions this member initiates.
    pub fn set_participants(&mut self, ids: Vec<u64>) {
        self.planned = Some(ids);
    }
    /// The next session index this member will accept.
    pub fn next_session(&self) -> u32 {
        self.next_session
    }

    /// Checks a participant set: distinct roster members, me among them, ≥ t.
    fn valid_set(&self, ids: &[u64]) -> bool {
        let roster = self.scheme.roster();
        ids.len() >= self.scheme.t()
            && ids.contains(&self.scheme.my_id())
            && ids.iter().all(|&id| roster.addr(id).is_some())
            && check_ids(ids.iter().copied()).is_ok()
    }

    fn others(&self, ids: &[u64]) -> Vec<Addr> {
        let me = self.scheme.my_id();
        ids.iter()
            .filter(|&&id| id != me)
            .filter_map(|&id| self.scheme.roster().addr(id))
            .collect()
    }

    /// Computes and broadcasts my token, then takes any early tokens.
    fn begin(&mut self, index: u32, initiator: Addr, ids: Vec<u64>, cx: &mut Ctx<'_>) {
        if let Some(old) = self.current.take() {
            cx.fx.outcome(Outcome::Failed {
                subject: old.initiator,
                reason: "superseded",
            });
        }
        self.next_session = index + 1;
        let Some(token) = self.scheme.make_token(index, &ids, &mut cx.fx.crypto) else {
            cx.fx.outcome(Outcome::Failed {
                subject: initiator,
                reason: "token_error",
            });
            return;
        };
        let pdu = self.scheme.encode_token(index, &token);
        cx.fx
            .broadcast(self.others(&ids), Interface::Han, S::TOKEN_KIND, pdu);
        let participants = Participants::new(ids);
        let m = participants.ids.len();
        let mut session = Session {
            index,
            initiator,
            filed: vec![0; m.div_ceil(64)],
            tally: self.scheme.tally(m),
            missing: m,
            participants,
        };
        if let Some(pos) = session.participants.position(self.scheme.my_id()) {
            session.file(&self.scheme, pos, token);
        }
        self.current = Some(session);
        cx.fx.arm(TOKEN_TIMER, cx.now + self.timeout);
        let early = std::mem::take(&mut self.early);
        for (j, id, tok) in early {
            if j == index {
                self.accept(id, tok, None, cx);
            } else if j > index {
                self.early.push((j, id, tok));
            }
        }
    }

    /// Files one token of the current session; verifies once all are in.
    fn accept(&mut self, id: u64, token: S::Token, from: Option<Addr>, cx: &mut Ctx<'_>) {
        let Some(s) = self.current.as_mut() else {
            return cx.fx.ignore("token_without_session");
        };
        let Some(pos) = s.participants.position(id) else {
            if let Some(from) = from {
                cx.fx.outcome(Outcome::Rejected {
                    subject: from,
                    reason: "not_a_participant",
                });
            }
            return;
        };
        if !s.file(&self.scheme, pos, token) {
            if let Some(from) = from {
                cx.fx.outcome(Outcome::Rejected {
                    subject: from,
                    reason: "duplicate_token",
                });
            }
            return;
        }
        if s.missing == 0 {
            self.finish(cx);
        }
    }

    fn finish(&mut self, cx: &mut Ctx<'_>) {
        let Some(s) = self.current.take() else { return };
        cx.fx.cancel(TOKEN_TIMER);
        if self.scheme.check(s.index, &s.tally, &mut cx.fx.crypto) {
            for addr in self.others(&s.participants.ids) {
                cx.fx.outcome(Outcome::Authenticated {
                    subject: addr,
                    key_id: s.index,
                    relayed_by: None,
                });
            }
        } else {
            cx.fx.outcome(Outcome::Rejected {
                subject: s.initiator,
                reason: "group_check_failed",
            });
        }
    }

    fn on_start(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let start = match Start::decode(pdu, S::START_TYPE) {
            Ok(s) => s,
            Err(_) => {
                cx.fx.outcome(Outcome::Rejected {
                    subject: from,
                    reason: "malformed_pdu",
                });
                return;
            }
        };
        let reason = if start.session < self.next_session {
            Some("stale_session")
        } else if start.session >= self.scheme.session_count() {
            Some("sessions_exhausted")
        } else if !self.valid_set(&start.ids) {
            Some("bad_participant_set")
        } else {
            None
        };
        match reason {
            Some(reason) => cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason,
            }),
            None => self.begin(start.session, from, start.ids, cx),
        }
    }

    fn on_token(&mut self, from: Addr, pdu: &[u8], cx: &mut Ctx<'_>) {
        let (session, id, token) = match S::decode_token(pdu) {
            Ok((s, i, Some(t))) => (s, i, t),
            Ok((_, _, None)) | Err(_) => {
                cx.fx.outcome(Outcome::Rejected {
                    subject: from,
                    reason: "malformed_pdu",
                });
                return;
            }
        };
        match &self.current {
            Some(s) if s.index == session => self.accept(id, token, Some(from), cx),
            _ if session >= self.next_session => {
                if self.early.len() < self.scheme.roster().len() {
                    self.early.push((session, id, token));
                } else {
                    cx.fx.ignore("early_token_overflow");
                }
            }
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: from,
                reason: "stale_session",
            }),
        }
    }
}

impl<S: Scheme> Endpoint for GroupMember<S> {
    fn start(&mut self, cx: &mut Ctx<'_>) {
        let ids = match &self.planned {
            Some(ids) => ids.clone(),
            None => self
                .scheme
                .roster()
                .members()
                .iter()
                .map(|m| m.id)
                .collect(),
        };
        let index = self.next_session;
        if index >= self.scheme.session_count() {
            cx.fx.outcome(Outcome::Failed {
                subject: cx.me,
                reason: "sessions_exhausted",
            });
            return;
        }
        if !self.valid_set(&ids) {
            cx.fx.outcome(Outcome::Failed {
                subject: cx.me,
                reason: "bad_participant_set",
            });
            return;
        }
        let pdu = Start {
            session: index,
            ids: ids.clone(),
        }
        .encode(S::START_TYPE);
        cx.fx
            .broadcast(self.others(&ids), Interface::Han, S::START_KIND, pdu);
        let me = cx.me;
        self.begin(index, me, ids, cx);
    }

    fn on_message(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        match tlv::peek_type(msg.pdu) {
            Ok(t) if t == S::START_TYPE => self.on_start(msg.from, msg.pdu, cx),
            Ok(t) if t == S::TOKEN_TYPE => self.on_token(msg.from, msg.pdu, cx),
            _ => cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            }),
        }
    }

    fn on_timer(&mut self, id: TimerKey, cx: &mut Ctx<'_>) {
        match self.current.take() {
            Some(s) if id == TOKEN_TIMER => cx.fx.outcome(Outcome::Failed {
                subject: s.initiator,
                reason: "tokens_missing",
            }),
            current => {
                self.current = current;
                cx.fx.ignore("stale_timer");
            }
        }
    }
}

/// For the schemes' tests: member 0 of `ms` (roster `ro`, a scheme with
/// t = 3), asked to start a session with the first two members only,
/// refuses it and sends nothing.
#[cfg(test)]
pub(crate) fn assert_refuses_a_set_below_t<S: Scheme>(ro: &Roster, ms: &mut [GroupMember<S>]) {
    let ids: Vec<u64> = ro.members()[..2].iter().map(|m| m.id).collect();
    ms[0].set_participants(ids);
    let a = ro.members()[0].addr;
    let mut r = crate::testing::Router::new(6);
    for (m, ep) in ro.members().iter().zip(ms.iter_mut()) {
        r.add(m.addr, ep as &mut dyn Endpoint);
    }
    r.start(a);
    let refused = Outcome::Failed {
        subject: a,
        reason: "bad_participant_set",
    };
    assert_eq!(r.outcomes_of(a), vec![refused]);
    assert!(r.log.is_empty());
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 19 (mutants of `Roster::is_empty` survived).
    #[test]
    fn a_roster_is_empty_only_without_members() {
        assert!(Roster::new(Vec::new()).unwrap().is_empty());
        let one = Member {
            id: 1,
            addr: Addr::new(1, 0),
        };
        assert!(!Roster::new(vec![one]).unwrap().is_empty());
    }

    #[test]
    fn participant_positions_for_every_shape() {
        for ids in [
            vec![7, 8, 9, 10],
            vec![3, 8, 9, 20],
            vec![9, 3, 20, 8],
            vec![5],
        ] {
            let p = Participants::new(ids.clone());
            for (i, &id) in ids.iter().enumerate() {
                assert_eq!(p.position(id), Some(i), "{ids:?}");
            }
            for id in [0, 1, 2, 4, 6, 11, 21, u64::MAX] {
                assert_eq!(p.position(id), None, "{ids:?} {id}");
            }
        }
        assert!(matches!(
            Participants::new(vec![7, 8, 9]).lookup,
            Lookup::Range(7)
        ));
        assert!(matches!(
            Participants::new(vec![7, 9]).lookup,
            Lookup::Sorted
        ));
        assert!(matches!(Participants::new(vec![9, 7]).lookup, Lookup::Scan));
    }
}
