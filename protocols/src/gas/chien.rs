//! Chien 2017 group authentication: tokens are points, so they reveal no
//! share and shares are reusable.
//!
//! The GM deals one polynomial f of degree t − 1 (s = f(0), s_i = f(x_i)) and
//! publishes, for each session j, a point P_j = r_j·G and its verifier
//! h(s·P_j) (pairing-free reading, see docs/protocols/chien-gas.md). Member
//! i's token for participant set M is
//!
//! ```text
//! T_i = c_i · P_j,   c_i = s_i · Π_{r∈M, r≠i} x_r / (x_r − x_i)
//! ```
//!
//! and every participant checks h(Σ T_i) = h(s·P_j). When the list is used
//! up the GM must deal new points ("redistribution").

use std::sync::Arc;

use p256::{ProjectivePoint, Scalar};
use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::core::{CryptoOps, Nanos};
use crate::crypto::ct_eq;
use crate::gas::field::{self, Poly};
use crate::gas::group::{GroupMember, Roster, Scheme};
use crate::gas::hash::{Domain, hash};
use crate::gas::msg::POINT_LEN;
use crate::gas::msg::group::{CHIEN_START, CHIEN_TOKEN, Token};
use crate::gas::{SetupError, ec};
use crate::wire::WireError;

#[derive(Clone, Copy, Debug)]
pub struct ChienConfig {
    pub t: usize,
    /// Number of published (P_j, h(s·P_j)) pairs.
    pub sessions: usize,
    pub token_timeout: Nanos,
}

/// Public data of one session j.
#[derive(Clone, Debug)]
pub struct ChienSession {
    pub point: ProjectivePoint,
    /// h(s·P_j).
    pub verifier: [u8; 32],
}

/// What the GM publishes; shared by all members.
#[derive(Debug)]
pub struct ChienPublic {
    pub t: usize,
    pub roster: Arc<Roster>,
    pub sessions: Vec<ChienSession>,
}

/// Chien's per-member state: identifier, one share, the public data.
pub struct Chien {
    id: u64,
    share: Zeroizing<Scalar>,
    public: Arc<ChienPublic>,
}

/// A Chien group member endpoint.
pub type ChienMember = GroupMember<Chien>;

/// GM dealing: polynomial, shares, per-session points and verifiers. Returns
/// the members in roster order. Offline work is added to `ops`.
pub fn setup<R: CryptoRng + ?Sized>(
    cfg: &ChienConfig,
    roster: Arc<Roster>,
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Result<Vec<ChienMember>, SetupError> {
    let n = roster.len();
    if cfg.t == 0 || cfg.t > n {
        return Err(SetupError::Threshold { t: cfg.t, n });
    }
    let f = Poly::random(cfg.t, rng);
    let s = f.secret();
    let sessions = (0..cfg.sessions)
        .map(|_| {
            let r = Zeroizing::new(field::random_nonzero(rng));
            let point = ec::mul_base(&r, ops);
            // s·P_j = (s·r_j)·G: the GM knows r_j, a fixed-base product is cheaper.
            let sp = ec::mul_base(&field::mul(&s, &r, ops), ops);
            let verifier = hash(Domain::Verifier, &[&ec::encode(&sp)], ops);
            ChienSession { point, verifier }
        })
        .collect();
    let public = Arc::new(ChienPublic {
        t: cfg.t,
        roster: roster.clone(),
        sessions,
    });
    Ok(roster
        .members()
        .iter()
        .map(|m| {
            let share = Zeroizing::new(f.eval(&field::from_id(m.id), ops));
            GroupMember::new(
                Chien {
                    id: m.id,
                    share,
                    public: public.clone(),
                },
                cfg.token_timeout,
            )
        })
        .collect())
}

/// Member `id`'s token T_i = (s_i · λ_i(0)) · P_j: 2(m − 2) + 2
/// multiplications, one inversion and one variable-base scalar multiplication.
pub fn token(
    public: &ChienPublic,
    session: u32,
    id: u64,
    share: &Scalar,
    ids: &[u64],
    ops: &mut CryptoOps,
) -> Option<ProjectivePoint> {
    let s = public.sessions.get(session as usize)?;
    let xi = field::from_id(id);
    let others = ids.iter().filter(|&&r| r != id).map(|&r| field::from_id(r));
    let lambda = field::lagrange_at_zero(&xi, others, ops)?;
    let c = Zeroizing::new(field::mul(share, &lambda, ops));
    Some(ec::mul(&s.point, &c, ops))
}

impl Chien {
    pub fn public(&self) -> &Arc<ChienPublic> {
        &self.public
    }
}

impl Scheme for Chien {
    /// T_i as its canonical compressed encoding, checked to decode on
    /// receipt: a member keeps m of them, 33 octets each rather than a
    /// 96-octet projective point.
    type Token = [u8; POINT_LEN];
    const START_TYPE: u8 = CHIEN_START;
    const START_KIND: &'static str = "ChienStart";
    const TOKEN_TYPE: u8 = CHIEN_TOKEN;
    const TOKEN_KIND: &'static str = "ChienToken";

    fn my_id(&self) -> u64 {
        self.id
    }
    fn roster(&self) -> &Roster {
        &self.public.roster
    }
    fn t(&self) -> usize {
        self.public.t
    }
    fn session_count(&self) -> u32 {
        self.public.sessions.len() as u32
    }
    /// `None` also for the identity (encoded as zeros), which every receiver
    /// would refuse.
    fn make_token(&self, session: u32, ids: &[u64], ops: &mut CryptoOps) -> Option<Self::Token> {
        token(&self.public, session, self.id, &self.share, ids, ops)
            .map(|p| ec::encode(&p))
            .filter(|e| *e != [0; POINT_LEN])
    }
    fn encode_token(&self, session: u32, token: &Self::Token) -> Vec<u8> {
        Token::<POINT_LEN> {
            session,
            id: self.id,
            value: *token,
        }
        .encode(CHIEN_TOKEN)
    }
    fn decode_token(pdu: &[u8]) -> Result<(u32, u64, Option<Self::Token>), WireError> {
        let t = Token::<POINT_LEN>::decode(pdu, CHIEN_TOKEN)?;
        Ok((t.session, t.id, ec::decode(&t.value).map(|_| t.value)))
    }
    /// The tokens themselves, in participant order.
    type Tally = Vec<[u8; POINT_LEN]>;
    fn tally(&self, m: usize) -> Self::Tally {
        vec![[0; POINT_LEN]; m]
    }
    fn file(&self, tally: &mut Self::Tally, pos: usize, token: Self::Token) {
        tally[pos] = token;
    }
    /// h(Σ T_i) = h(s·P_j): m − 1 point additions and one hash.
    fn check(&self, session: u32, tokens: &Self::Tally, ops: &mut CryptoOps) -> bool {
        let Some(s) = self.public.sessions.get(session as usize) else {
            return false;
        };
        let Some(sum) = ec::sum_encoded(tokens, ops) else {
            return false;
        };
        ct_eq(
            &hash(Domain::Verifier, &[&ec::encode(&sum)], ops),
            &s.verifier,
        )
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;

    use super::*;
    use crate::core::{Addr, Endpoint, Interface, Outcome, Prim, SimRng, time};
    use crate::gas::Member;
    use crate::testing::Router;

    fn group(n: usize, t: usize, sessions: usize) -> (Arc<Roster>, Vec<ChienMember>) {
        let ro = Roster::new(
            (0..n)
                .map(|i| Member {
                    id: 7 + i as u64,
                    addr: Addr::new(1, i as u32),
                })
                .collect(),
        )
        .unwrap();
        let cfg = ChienConfig {
            t,
            sessions,
            token_timeout: time::SECOND,
        };
        let ms = setup(
            &cfg,
            ro.clone(),
            &mut SimRng::seed_from_u64(8),
            &mut CryptoOps::default(),
        )
        .unwrap();
        (ro, ms)
    }

    fn run<'a>(ro: &Roster, ms: &'a mut [ChienMember]) -> Router<'a> {
        let mut r = Router::new(6);
        for (m, ep) in ro.members().iter().zip(ms.iter_mut()) {
            r.add(m.addr, ep as &mut dyn Endpoint);
        }
        r
    }

    fn count(r: &Router<'_>, f: impl Fn(&Outcome) -> bool) -> usize {
        r.outcomes.iter().filter(|(_, o)| f(o)).count()
    }

    #[test]
    fn shares_are_reused_across_sessions_until_points_run_out() {
        let (ro, mut ms) = group(4, 3, 2);
        let a = ro.members()[0].addr;
        let mut r = run(&ro, &mut ms);
        r.start(a);
        r.start(ro.members()[3].addr);
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Authenticated { key_id: 0, .. }
            )),
            12
        );
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Authenticated { key_id: 1, .. }
            )),
            12
        );
        assert_eq!(r.ignored, vec![], "a benign exchange ignores nothing");
        r.start(a);
        assert_eq!(
            r.outcomes_of(a).last(),
            Some(&Outcome::Failed {
                subject: a,
                reason: "sessions_exhausted"
            })
        );
        // Per member and session: one variable-base multiplication, m − 1 additions.
        let ops = r.crypto[&ro.members()[1].addr];
        assert_eq!(ops.get(Prim::P256Mul), 2);
        assert_eq!(ops.get(Prim::P256Add), 2 * 3);
    }

    #[test]
    fn non_member_token_and_replayed_token_fail_the_group() {
        let (ro, mut ms) = group(3, 2, 2);
        let (a, b) = (ro.members()[0].addr, ro.members()[1].addr);
        let mut r = run(&ro, &mut ms);
        // Non-member: b's token replaced by a random point.
        let forged = Token::<POINT_LEN> {
            session: 0,
            id: ro.members()[1].id,
            value: ec::encode(&ec::mul_base(
                &field::from_id(12345),
                &mut CryptoOps::default(),
            )),
        }
        .encode(CHIEN_TOKEN);
        r.tamper = Some(Box::new(move |p| {
            Some(if p.from == b && p.kind == "ChienToken" {
                forged.clone()
            } else {
                p.pdu.clone()
            })
        }));
        r.start(a);
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Rejected {
                    reason: "group_check_failed",
                    ..
                }
            )),
            2
        );
        // Replay: a's session-0 token relabelled for session 1 (P_1 differs).
        r.outcomes.clear();
        let old = r
            .log
            .iter()
            .find(|p| p.from == a && p.kind == "ChienToken")
            .unwrap()
            .pdu
            .clone();
        let mut replay = Token::<POINT_LEN>::decode(&old, CHIEN_TOKEN).unwrap();
        replay.session = 1;
        let replay = replay.encode(CHIEN_TOKEN);
        r.tamper = Some(Box::new(move |p| {
            Some(if p.from == a && p.kind == "ChienToken" {
                replay.clone()
            } else {
                p.pdu.clone()
            })
        }));
        r.start(a);
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Rejected {
                    reason: "group_check_failed",
                    ..
                }
            )),
            2
        );
        // A token from a bad point encoding is refused as malformed.
        r.tamper = None;
        r.outcomes.clear();
        let bad = Token::<POINT_LEN> {
            session: 5,
            id: 8,
            value: [0; POINT_LEN],
        }
        .encode(CHIEN_TOKEN);
        r.inject(b, a, Interface::Han, bad);
        assert_eq!(
            r.outcomes_of(a),
            vec![Outcome::Rejected {
                subject: b,
                reason: "malformed_pdu"
            }]
        );
    }

    /// Asynchronous release within one session: with m − 1 ≥ t tokens out,
    /// the last releaser interpolates s·P_j "in the exponent" from the
    /// others' s_i·P_j = λ_i⁻¹·T_i and forges the missing token. Tokens do not
    /// reveal shares, but this session is lost (see chien-gas.md).
    #[test]
    fn last_releaser_can_forge_within_a_session() {
        let (ro, ms) = group(4, 2, 1);
        let ids: Vec<u64> = ro.members()[..3].iter().map(|m| m.id).collect();
        let mut ops = CryptoOps::default();
        let public = ms[0].scheme().public().clone();
        let released: Vec<(u64, ProjectivePoint)> = ms[..2]
            .iter()
            .map(|m| {
                (
                    m.id(),
                    token(&public, 0, m.id(), &m.scheme().share, &ids, &mut ops).unwrap(),
                )
            })
            .collect();
        // s_i·P_j for the two released tokens, then s·P_j = Σ μ_i (s_i·P_j) over those two.
        let pair: Vec<u64> = released.iter().map(|r| r.0).collect();
        let mut sp = ProjectivePoint::IDENTITY;
        for &(id, tok) in &released {
            let xi = field::from_id(id);
            let in_m = ids.iter().filter(|&&r| r != id).map(|&r| field::from_id(r));
            let lam = field::lagrange_at_zero(&xi, in_m, &mut ops).unwrap();
            let in_pair = pair
                .iter()
                .filter(|&&r| r != id)
                .map(|&r| field::from_id(r));
            let mu = field::lagrange_at_zero(&xi, in_pair, &mut ops).unwrap();
            sp += tok * (mu * lam.invert().unwrap());
        }
        let forged = sp - released[0].1 - released[1].1;
        assert!(ms[0].scheme().verify(
            0,
            &[released[0].1, released[1].1, forged].map(|p| ec::encode(&p)),
            &mut ops
        ));
    }

    /// Issue 19 (a mutant of the dealer's threshold check survived): t = 0
    /// and t > n are refused at set-up.
    #[test]
    fn a_threshold_outside_one_to_n_is_refused_at_setup() {
        let ro = Roster::new(
            (0..3)
                .map(|i| Member {
                    id: 7 + i as u64,
                    addr: Addr::new(1, i as u32),
                })
                .collect(),
        )
        .unwrap();
        for t in [0, 4] {
            let cfg = ChienConfig {
                t,
                sessions: 1,
                token_timeout: time::SECOND,
            };
            let got = setup(
                &cfg,
                ro.clone(),
                &mut SimRng::seed_from_u64(8),
                &mut CryptoOps::default(),
            );
            assert!(matches!(got, Err(SetupError::Threshold { t: tt, n: 3 }) if tt == t));
        }
    }

    /// Issue 19 (mutants of `Chien::t` survived): a member asked to start a
    /// session with fewer than t participants refuses it and sends nothing.
    #[test]
    fn a_participant_set_below_the_threshold_is_refused() {
        let (ro, mut ms) = group(4, 3, 2);
        crate::gas::group::assert_refuses_a_set_below_t(&ro, &mut ms);
    }

    /// The PDU of the first message of `kind` that `from` sent.
    fn sent_by(r: &Router<'_>, kind: &str, from: Addr) -> Vec<u8> {
        let t = r.log.iter().find(|p| p.kind == kind && p.from == from);
        t.unwrap().pdu.clone()
    }

    /// Issue 19 (mutants of the member's session bookkeeping survived, in
    /// `gas/group.rs`): with every token held back, each member waits its
    /// token time from the start; a token filed twice is refused as a
    /// duplicate; the session ends when the last one is in, the next
    /// session index moves on, and the start replayed is stale.
    #[test]
    fn members_refuse_repeated_tokens_and_stale_starts() {
        let (ro, mut ms) = group(3, 2, 2);
        let [a, b, c] = [0, 1, 2].map(|i| ro.members()[i].addr);
        assert_eq!(ms[2].next_session(), 0);
        let mut r = run(&ro, &mut ms);
        r.now = 5 * time::SECOND;
        r.tamper = Some(Box::new(|p| {
            (p.kind != "ChienToken").then(|| p.pdu.clone())
        }));
        r.start(a);
        r.tamper = None;
        for who in [a, b, c] {
            let armed: Vec<_> = r.timers.iter().filter(|((x, _), _)| *x == who).collect();
            assert_eq!(armed.len(), 1);
            assert_eq!(*armed[0].1, 6 * time::SECOND, "token timer of {who:?}");
        }
        // c gets b's token twice (b is not at position 0), then a's.
        let (from_a, from_b) = (sent_by(&r, "ChienToken", a), sent_by(&r, "ChienToken", b));
        r.inject(b, c, Interface::Han, from_b.clone());
        r.inject(b, c, Interface::Han, from_b);
        assert_eq!(r.rejections(c), ["duplicate_token"]);
        r.inject(a, c, Interface::Han, from_a);
        assert_eq!(
            count(&r, |o| matches!(o, Outcome::Authenticated { .. })),
            2,
            "c authenticated a and b"
        );
        let start = r.log.iter().find(|p| p.kind == "ChienStart").unwrap();
        let start = start.pdu.clone();
        r.inject(a, c, Interface::Han, start);
        assert_eq!(r.rejections(c), ["duplicate_token", "stale_session"]);
        drop(r);
        assert_eq!(ms[2].next_session(), 1);
    }

    /// Issue 19 (a mutant of the early-token replay survived): tokens that
    /// reach a member before the session's start are filed when it starts.
    #[test]
    fn tokens_that_arrive_before_the_start_are_filed_when_it_starts() {
        // A session run once on a group, to record its start and tokens
        // (the dealing is seeded: an identical group makes the same ones).
        let (ro, mut ms) = group(3, 2, 2);
        let [a, b, c] = [0, 1, 2].map(|i| ro.members()[i].addr);
        let mut r = run(&ro, &mut ms);
        r.start(a);
        let start = sent_by(&r, "ChienStart", a);
        let tokens = [
            (a, sent_by(&r, "ChienToken", a)),
            (b, sent_by(&r, "ChienToken", b)),
        ];
        drop(r);
        // On the identical group, c gets a's and b's tokens first, then the start.
        let (ro, mut ms) = group(3, 2, 2);
        let mut r = run(&ro, &mut ms);
        let later = relabel(&tokens[0].1, 1);
        for (from, t) in tokens {
            r.inject(from, c, Interface::Han, t);
        }
        assert!(r.outcomes_of(c).is_empty(), "tokens kept, not refused");
        // The early buffer holds one token per roster member (3): a fourth is counted.
        r.inject(a, c, Interface::Han, later.clone());
        assert!(r.ignored.is_empty());
        r.inject(a, c, Interface::Han, later.clone());
        assert_eq!(r.ignored, vec![(c, "early_token_overflow")]);
        r.inject(a, c, Interface::Han, start);
        let authenticated = r.outcomes_of(c).into_iter();
        let authenticated = authenticated.filter(|o| matches!(o, Outcome::Authenticated { .. }));
        assert_eq!(authenticated.count(), 2);
        // The session-1 token stayed kept through session 0: filed when
        // session 1 starts, so the same token again is a duplicate.
        let ids = ro.members().iter().map(|m| m.id).collect();
        let start1 = crate::gas::msg::group::Start { session: 1, ids };
        r.inject(a, c, Interface::Han, start1.encode(CHIEN_START));
        r.inject(a, c, Interface::Han, later);
        assert!(
            r.outcomes_of(c).contains(&Outcome::Rejected {
                subject: a,
                reason: "duplicate_token"
            }),
            "{:?}",
            r.outcomes_of(c)
        );
    }

    /// A Chien token PDU with its session index changed.
    fn relabel(pdu: &[u8], session: u32) -> Vec<u8> {
        let t = Token::<POINT_LEN>::decode(pdu, CHIEN_TOKEN).unwrap();
        Token::<POINT_LEN> { session, ..t }.encode(CHIEN_TOKEN)
    }

    /// Issue 19 (mutants of the member's token routing and token timer
    /// survived, in `gas/group.rs`): while a session runs, a token of a later
    /// session is kept for it, not filed into this one; a foreign timer is
    /// stale; the token timer ends the session for the initiator.
    #[test]
    fn a_running_session_keeps_later_tokens_apart_and_times_out() {
        use crate::core::{TimerKey, TimerKind};
        let (ro, mut ms) = group(3, 2, 2);
        let [a, b, c] = [0, 1, 2].map(|i| ro.members()[i].addr);
        let mut r = run(&ro, &mut ms);
        r.tamper = Some(Box::new(|p| {
            (p.kind != "ChienToken").then(|| p.pdu.clone())
        }));
        r.start(a);
        r.tamper = None;
        let (from_a, from_b) = (sent_by(&r, "ChienToken", a), sent_by(&r, "ChienToken", b));
        // b's token relabelled for session 1 reaches c during session 0.
        r.inject(b, c, Interface::Han, relabel(&from_b, 1));
        assert!(r.outcomes_of(c).is_empty());
        // A timer c never armed is stale; the session runs on.
        r.timers.insert((c, TimerKey::own(TimerKind::T3410)), r.now);
        assert!(r.fire_next_timer());
        assert_eq!(r.ignored, vec![(c, "stale_timer")]);
        r.inject(b, c, Interface::Han, from_b);
        r.inject(a, c, Interface::Han, from_a);
        let ok = r.outcomes_of(c).into_iter();
        assert_eq!(
            ok.filter(|o| matches!(o, Outcome::Authenticated { .. }))
                .count(),
            2
        );
        assert!(
            r.rejections(c).is_empty(),
            "the later token was not filed here"
        );
        // a still misses the others' tokens: its token timer ends its session.
        while r.fire_next_timer() {}
        let failed = Outcome::Failed {
            subject: a,
            reason: "tokens_missing",
        };
        assert_eq!(r.outcomes_of(a), vec![failed]);
    }
}
