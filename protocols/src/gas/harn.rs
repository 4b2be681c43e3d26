//! Harn 2013 group authentication over Shamir (t, m, n) sharing.
//!
//! The group manager (GM) deals k polynomials f_1..f_k of degree t − 1; member
//! i holds u_{i,l} = f_l(x_i). Session j has public (w_{j,l}, d_{j,l}) and the
//! published verifier H(s_j) with s_j = Σ_l d_{j,l} f_l(w_{j,l}). Member i's
//! token for participant set M is the Lagrange component
//!
//! ```text
//! c_i = Σ_l d_{j,l} · u_{i,l} · Π_{r∈M, r≠i} (w_{j,l} − x_r) / (x_i − x_r)
//! ```
//!
//! and Σ_{i∈M} c_i = s_j when |M| ≥ t. [`HarnVariant::Basic`] is the one-time
//! scheme (k = 1, w = 0, d = 1: c_i = s_i Π x_r/(x_r − x_i), s = f(0));
//! [`HarnVariant::Multi`] is GAS2, whose number of sessions is capped so that
//! the released tokens never determine the next one (see
//! docs/protocols/harn-gas.md for the budget J·n ≤ k·t and the attacks).

use std::sync::Arc;

use p256::Scalar;
use rand::CryptoRng;
use zeroize::Zeroizing;

use crate::core::{CryptoOps, Nanos};
use crate::crypto::ct_eq;
use crate::gas::SetupError;
use crate::gas::field::{self, Poly};
use crate::gas::group::{GroupMember, Roster, Scheme};
use crate::gas::hash::{Domain, hash};
use crate::gas::msg::SCALAR_LEN;
use crate::gas::msg::group::{HARN_START, HARN_TOKEN, Token};
use crate::wire::WireError;

/// Which Harn scheme to deal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HarnVariant {
    /// One polynomial, one session, tokens reveal shares (one-time).
    Basic,
    /// GAS2: k polynomials and `sessions` published (w, d, H(s_j)) sets;
    /// refused unless sessions · n ≤ k · t.
    Multi { k: usize, sessions: usize },
}

#[derive(Clone, Copy, Debug)]
pub struct HarnConfig {
    pub t: usize,
    pub variant: HarnVariant,
    /// How long a member waits for the other tokens.
    pub token_timeout: Nanos,
}

/// Public data of one session j.
#[derive(Clone, Debug)]
pub struct HarnSession {
    pub w: Vec<Scalar>,
    pub d: Vec<Scalar>,
    /// H(s_j).
    pub verifier: [u8; 32],
}

/// What the GM publishes; shared by all members.
#[derive(Debug)]
pub struct HarnPublic {
    pub t: usize,
    pub k: usize,
    pub roster: Arc<Roster>,
    pub sessions: Vec<HarnSession>,
}

/// Harn's per-member state: identifier, k share values, the public data.
pub struct Harn {
    id: u64,
    shares: Zeroizing<Vec<Scalar>>,
    public: Arc<HarnPublic>,
}

/// A Harn group member endpoint.
pub type HarnMember = GroupMember<Harn>;

/// Largest GAS2 session count whose tokens stay undetermined: J·n ≤ k·t.
pub fn session_budget(n: usize, t: usize, k: usize) -> usize {
    k * t / n
}

/// GM dealing: polynomials, shares, per-session public values, verifiers.
/// Returns the members in roster order. Offline work is added to `ops`.
pub fn setup<R: CryptoRng + ?Sized>(
    cfg: &HarnConfig,
    roster: Arc<Roster>,
    rng: &mut R,
    ops: &mut CryptoOps,
) -> Result<Vec<HarnMember>, SetupError> {
    deal(cfg, roster, rng, ops, true)
}

/// [`setup`], optionally without the GAS2 budget (attack demonstrations).
fn deal<R: CryptoRng + ?Sized>(
    cfg: &HarnConfig,
    roster: Arc<Roster>,
    rng: &mut R,
    ops: &mut CryptoOps,
    enforce_budget: bool,
) -> Result<Vec<HarnMember>, SetupError> {
    let n = roster.len();
    if cfg.t == 0 || cfg.t > n {
        return Err(SetupError::Threshold { t: cfg.t, n });
    }
    let (k, sessions) = match cfg.variant {
        HarnVariant::Basic => (1, 1),
        HarnVariant::Multi { k, sessions } => {
            let max = session_budget(n, cfg.t, k);
            if k == 0 || (enforce_budget && sessions > max) {
                return Err(SetupError::OverBudget { sessions, max });
            }
            (k, sessions)
        }
    };
    let polys: Vec<Poly> = (0..k).map(|_| Poly::random(cfg.t, rng)).collect();
    let xs: Vec<Scalar> = roster
        .members()
        .iter()
        .map(|m| field::from_id(m.id))
        .collect();
    let mut published = Vec::with_capacity(sessions);
    for _ in 0..sessions {
        let (w, d): (Vec<Scalar>, Vec<Scalar>) = match cfg.variant {
            HarnVariant::Basic => (vec![Scalar::ZERO], vec![Scalar::ONE]),
            HarnVariant::Multi { .. } => (0..k)
                .map(|_| {
                    // w must differ from every x_i, or a Lagrange factor vanishes.
                    let w = loop {
                        let w = field::random_nonzero(rng);
                        if !xs.contains(&w) {
                            break w;
                        }
                    };
                    (w, field::random_nonzero(rng))
                })
                .unzip(),
        };
        let mut s = Scalar::ZERO;
        for ((f, w), d) in polys.iter().zip(&w).zip(&d) {
            s += field::mul(d, &f.eval(w, ops), ops);
        }
        let verifier = hash(Domain::Verifier, &[&field::to_bytes(&s)], ops);
        published.push(HarnSession { w, d, verifier });
    }
    let public = Arc::new(HarnPublic {
        t: cfg.t,
        k,
        roster: roster.clone(),
        sessions: published,
    });
    Ok(roster
        .members()
        .iter()
        .zip(&xs)
        .map(|(m, x)| {
            let shares = Zeroizing::new(polys.iter().map(|f| f.eval(x, ops)).collect());
            GroupMember::new(
                Harn {
                    id: m.id,
                    shares,
                    public: public.clone(),
                },
                cfg.token_timeout,
            )
        })
        .collect())
}

/// Member `id`'s token c_i for `session` and participant set `ids`.
///
/// Costs (m − 2) + k·(m + 1) multiplications and one inversion for m ≥ 2:
/// the denominator Π(x_i − x_r) is shared by the k terms.
pub fn token(
    public: &HarnPublic,
    session: u32,
    id: u64,
    shares: &[Scalar],
    ids: &[u64],
    ops: &mut CryptoOps,
) -> Option<Scalar> {
    let s = public.sessions.get(session as usize)?;
    let xi = field::from_id(id);
    let others = ids.iter().filter(|&&r| r != id).map(|&r| field::from_id(r));
    let den_inv = match others.clone().next() {
        None => Scalar::ONE,
        Some(_) => field::inv(&field::product(others.clone().map(|xr| xi - xr), ops), ops)?,
    };
    let mut c = Scalar::ZERO;
    for ((u, w), d) in shares.iter().zip(&s.w).zip(&s.d) {
        let num = field::product(others.clone().map(|xr| *w - xr), ops);
        let term = field::mul(
            &field::mul(&field::mul(d, u, ops), &num, ops),
            &den_inv,
            ops,
        );
        c += term;
    }
    Some(c)
}

impl Harn {
    pub fn public(&self) -> &Arc<HarnPublic> {
        &self.public
    }
    /// The member's share values (tests and attack demonstrations only).
    #[cfg(test)]
    pub(crate) fn shares(&self) -> &[Scalar] {
        &self.shares
    }
}

impl Scheme for Harn {
    type Token = Scalar;
    const START_TYPE: u8 = HARN_START;
    const START_KIND: &'static str = "HarnStart";
    const TOKEN_TYPE: u8 = HARN_TOKEN;
    const TOKEN_KIND: &'static str = "HarnToken";

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
    fn make_token(&self, session: u32, ids: &[u64], ops: &mut CryptoOps) -> Option<Scalar> {
        token(&self.public, session, self.id, &self.shares, ids, ops)
    }
    fn encode_token(&self, session: u32, token: &Scalar) -> Vec<u8> {
        Token::<SCALAR_LEN> {
            session,
            id: self.id,
            value: field::to_bytes(token),
        }
        .encode(HARN_TOKEN)
    }
    fn decode_token(pdu: &[u8]) -> Result<(u32, u64, Option<Scalar>), WireError> {
        let t = Token::<SCALAR_LEN>::decode(pdu, HARN_TOKEN)?;
        Ok((t.session, t.id, field::from_bytes(&t.value)))
    }
    /// The running sum Σ c_i: the check adds the tokens and additions are
    /// not priced, so adding each as it arrives is the same work.
    type Tally = Scalar;
    fn tally(&self, _m: usize) -> Scalar {
        Scalar::ZERO
    }
    fn file(&self, sum: &mut Scalar, _pos: usize, token: Scalar) {
        *sum += token;
    }
    /// H(Σ c_i) = H(s_j): one hash, additions only.
    fn check(&self, session: u32, sum: &Scalar, ops: &mut CryptoOps) -> bool {
        let Some(s) = self.public.sessions.get(session as usize) else {
            return false;
        };
        ct_eq(
            &hash(Domain::Verifier, &[&field::to_bytes(sum)], ops),
            &s.verifier,
        )
    }
}

#[cfg(test)]
mod tests {
    use p256::elliptic_curve::Field;
    use rand::SeedableRng;

    use super::*;
    use crate::core::{Addr, Endpoint, Outcome, SimRng, time};
    use crate::gas::Member;
    use crate::testing::Router;

    fn roster(n: usize) -> Arc<Roster> {
        Roster::new(
            (0..n)
                .map(|i| Member {
                    id: 10 + 3 * i as u64,
                    addr: Addr::new(1, i as u32),
                })
                .collect(),
        )
        .unwrap()
    }

    fn group(n: usize, t: usize, variant: HarnVariant) -> (Arc<Roster>, Vec<HarnMember>) {
        let r = roster(n);
        let cfg = HarnConfig {
            t,
            variant,
            token_timeout: time::SECOND,
        };
        let mut rng = SimRng::seed_from_u64(42);
        let ms = setup(&cfg, r.clone(), &mut rng, &mut CryptoOps::default()).unwrap();
        (r, ms)
    }

    fn run<'a>(roster: &Roster, ms: &'a mut [HarnMember]) -> Router<'a> {
        let mut r = Router::new(5);
        for (m, ep) in roster.members().iter().zip(ms.iter_mut()) {
            r.add(m.addr, ep as &mut dyn Endpoint);
        }
        r
    }

    fn count(r: &Router<'_>, f: impl Fn(&Outcome) -> bool) -> usize {
        r.outcomes.iter().filter(|(_, o)| f(o)).count()
    }

    #[test]
    fn basic_scheme_authenticates_a_subset() {
        let (ro, mut ms) = group(5, 3, HarnVariant::Basic);
        let ids: Vec<u64> = ro.members()[1..5].iter().map(|m| m.id).collect();
        ms[1].set_participants(ids);
        let mut r = run(&ro, &mut ms);
        r.start(ro.members()[1].addr);
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Authenticated { key_id: 0, .. }
            )),
            4 * 3
        );
        assert!(
            r.outcomes_of(ro.members()[0].addr).is_empty(),
            "non-participant silent"
        );
        assert_eq!(r.ignored, vec![], "a benign exchange ignores nothing");
        // One-time: the only published session is used up.
        r.start(ro.members()[1].addr);
        assert_eq!(
            r.outcomes_of(ro.members()[1].addr).last(),
            Some(&Outcome::Failed {
                subject: ro.members()[1].addr,
                reason: "sessions_exhausted"
            })
        );
    }

    #[test]
    fn token_from_a_non_member_fails_the_group() {
        let (ro, mut ms) = group(4, 2, HarnVariant::Basic);
        let mut r = run(&ro, &mut ms);
        let victim = ro.members()[2].addr;
        let mut rng = SimRng::seed_from_u64(9);
        let forged = Token::<SCALAR_LEN> {
            session: 0,
            id: ro.members()[2].id,
            value: field::to_bytes(&Scalar::random(&mut rng)),
        }
        .encode(HARN_TOKEN);
        r.tamper = Some(Box::new(move |p| {
            Some(if p.from == victim && p.kind == "HarnToken" {
                forged.clone()
            } else {
                p.pdu.clone()
            })
        }));
        r.start(ro.members()[0].addr);
        // Every receiver of the forged token rejects; only the member whose
        // transmission was replaced (it holds its real token) still succeeds.
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Rejected {
                    reason: "group_check_failed",
                    ..
                }
            )),
            3
        );
        let ok: Vec<Addr> = r
            .outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Authenticated { .. }))
            .map(|(a, _)| *a)
            .collect();
        assert_eq!(ok, vec![victim; 3]);
    }

    #[test]
    fn gas2_reuses_shares_and_refuses_replayed_tokens() {
        // n = 3, t = 2, k = 3: budget k·t/n = 2 sessions.
        let (ro, mut ms) = group(3, 2, HarnVariant::Multi { k: 3, sessions: 2 });
        let (a, b) = (ro.members()[0].addr, ro.members()[1].addr);
        let mut r = run(&ro, &mut ms);
        r.start(a);
        assert_eq!(
            count(&r, |o| matches!(
                o,
                Outcome::Authenticated { key_id: 0, .. }
            )),
            6
        );
        let old = r
            .log
            .iter()
            .find(|p| p.from == b && p.kind == "HarnToken")
            .unwrap()
            .pdu
            .clone();
        // Session 1: b's token is replaced by its session-0 token, relabelled.
        let mut replay = Token::<SCALAR_LEN>::decode(&old, HARN_TOKEN).unwrap();
        replay.session = 1;
        let replay = replay.encode(HARN_TOKEN);
        r.tamper = Some(Box::new(move |p| {
            Some(if p.from == b && p.kind == "HarnToken" {
                replay.clone()
            } else {
                p.pdu.clone()
            })
        }));
        r.outcomes.clear();
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
        assert!(
            r.outcomes
                .iter()
                .all(|(at, o)| !matches!(o, Outcome::Authenticated { .. }) || *at == b)
        );
        // Replaying it verbatim (old session index) is refused outright.
        r.tamper = None;
        r.outcomes.clear();
        r.inject(b, a, crate::core::Interface::Han, old);
        assert_eq!(
            r.outcomes_of(a),
            vec![Outcome::Rejected {
                subject: b,
                reason: "stale_session"
            }]
        );
    }

    #[test]
    fn gas2_budget_is_enforced() {
        let cfg = HarnConfig {
            t: 2,
            variant: HarnVariant::Multi { k: 2, sessions: 2 },
            token_timeout: 1,
        };
        let err = setup(
            &cfg,
            roster(3),
            &mut SimRng::seed_from_u64(1),
            &mut CryptoOps::default(),
        );
        assert_eq!(
            err.err(),
            Some(SetupError::OverBudget {
                sessions: 2,
                max: 1
            })
        );
    }

    /// Basic scheme, asynchronous release: with m − 1 ≥ t tokens out, the
    /// last releaser recovers shares (c_i / λ_i), hence s, and forges its token.
    #[test]
    fn basic_scheme_last_releaser_can_forge() {
        let (ro, ms) = group(4, 2, HarnVariant::Basic);
        let ids: Vec<u64> = ro.members()[..3].iter().map(|m| m.id).collect();
        let mut ops = CryptoOps::default();
        let public = ms[0].scheme().public().clone();
        let released: Vec<(u64, Scalar)> = ms[..2]
            .iter()
            .map(|m| {
                (
                    m.id(),
                    token(&public, 0, m.id(), m.scheme().shares(), &ids, &mut ops).unwrap(),
                )
            })
            .collect();
        let shares: Vec<(Scalar, Scalar)> = released
            .iter()
            .map(|&(id, c)| {
                let xi = field::from_id(id);
                let others = ids.iter().filter(|&&r| r != id).map(|&r| field::from_id(r));
                let l = field::lagrange_at_zero(&xi, others, &mut ops).unwrap();
                (xi, c * l.invert().unwrap())
            })
            .collect();
        let s = field::interpolate(&shares, &Scalar::ZERO, &mut ops).unwrap();
        let forged = s - released[0].1 - released[1].1;
        let tokens = [released[0].1, released[1].1, forged];
        assert!(
            ms[0].scheme().verify(0, &tokens, &mut ops),
            "outsider impersonates the third member"
        );
        // One token off by one fails the check (issue 19: `verify` as a constant).
        let wrong = [tokens[0], tokens[1], tokens[2] + Scalar::ONE];
        assert!(!ms[0].scheme().verify(0, &wrong, &mut ops));
    }

    /// GAS2 beyond its budget (the spoofing attack the smart-metering paper
    /// cites): member i's k released tokens are k linear equations in its k
    /// share values; solving them lets anyone release i's future tokens.
    #[test]
    fn gas2_over_budget_spoofing_attack() {
        let ro = roster(3);
        let cfg = HarnConfig {
            t: 2,
            variant: HarnVariant::Multi { k: 2, sessions: 3 },
            token_timeout: 1,
        };
        let mut ops = CryptoOps::default();
        let ms = deal(
            &cfg,
            ro.clone(),
            &mut SimRng::seed_from_u64(3),
            &mut ops,
            false,
        )
        .unwrap();
        let ids: Vec<u64> = ro.members().iter().map(|m| m.id).collect();
        let public = ms[0].scheme().public().clone();
        let victim = &ms[1];
        let released: Vec<Scalar> = (0..2)
            .map(|j| {
                token(
                    &public,
                    j,
                    victim.id(),
                    victim.scheme().shares(),
                    &ids,
                    &mut ops,
                )
                .unwrap()
            })
            .collect();
        // Coefficients a_{j,l}: the token is linear in the shares.
        let a = |j: u32, l: usize| {
            let mut e = [Scalar::ZERO; 2];
            e[l] = Scalar::ONE;
            token(&public, j, victim.id(), &e, &ids, &mut CryptoOps::default()).unwrap()
        };
        let (a00, a01, a10, a11) = (a(0, 0), a(0, 1), a(1, 0), a(1, 1));
        let det_inv = (a00 * a11 - a01 * a10).invert().unwrap();
        let u0 = (released[0] * a11 - released[1] * a01) * det_inv;
        let u1 = (a00 * released[1] - a10 * released[0]) * det_inv;
        assert_eq!([u0, u1], victim.scheme().shares());
        let forged = token(&public, 2, victim.id(), &[u0, u1], &ids, &mut ops).unwrap();
        let honest: Vec<Scalar> = [&ms[0], &ms[2]]
            .iter()
            .map(|m| token(&public, 2, m.id(), m.scheme().shares(), &ids, &mut ops).unwrap())
            .collect();
        assert!(
            ms[0]
                .scheme()
                .verify(2, &[honest[0], forged, honest[1]], &mut ops)
        );
    }

    #[test]
    fn token_cost_matches_the_formula() {
        let (ro, ms) = group(5, 3, HarnVariant::Multi { k: 3, sessions: 1 });
        let ids: Vec<u64> = ro.members()[..4].iter().map(|m| m.id).collect();
        let mut ops = CryptoOps::default();
        let m = &ms[0];
        token(
            m.scheme().public(),
            0,
            m.id(),
            m.scheme().shares(),
            &ids,
            &mut ops,
        )
        .unwrap();
        let (mm, k) = (4u64, 3u64);
        assert_eq!(
            ops.get(crate::core::Prim::ScalarMul),
            (mm - 2) + k * (mm + 1)
        );
        assert_eq!(ops.get(crate::core::Prim::ScalarInv), 1);
    }

    /// Issue 19 (the dealer's threshold check, as in Chien's set-up): t = 0
    /// and t > n are refused at set-up.
    #[test]
    fn a_threshold_outside_one_to_n_is_refused_at_setup() {
        for t in [0, 4] {
            let cfg = HarnConfig {
                t,
                variant: HarnVariant::Basic,
                token_timeout: time::SECOND,
            };
            let mut rng = SimRng::seed_from_u64(42);
            let got = setup(&cfg, roster(3), &mut rng, &mut CryptoOps::default());
            assert!(matches!(got, Err(SetupError::Threshold { t: tt, n: 3 }) if tt == t));
        }
    }

    /// Issue 19 (`Harn::t`, as for Chien): a member asked to start a session
    /// with fewer than t participants refuses it and sends nothing.
    #[test]
    fn a_participant_set_below_the_threshold_is_refused() {
        let (ro, mut ms) = group(4, 3, HarnVariant::Basic);
        crate::gas::group::assert_refuses_a_set_below_t(&ro, &mut ms);
    }
}
