//! Delegation by warrant (Kim–Park–Won 1997; Lee–Kim–Kim 2001) with the
//! domain separation of Boldyreva–Palacio–Warinschi's triple-Schnorr scheme.
//!
//! - Delegation: A signs the warrant m_w: r_w, R_w = r_w·G,
//!   e_w = H_w(R_w ‖ m_w), s_w = r_w + e_w·x_A. A gives (m_w, R_w, s_w) to B.
//! - Acceptance: B checks s_w·G = R_w + e_w·Y_A and that m_w names B and
//!   Y_B; its proxy key is x_P = s_w + x_B, with public key
//!   Y_P = R_w + e_w·Y_A + Y_B = x_P·G.
//! - Proxy signature on m: Schnorr under x_P in domain H_p over
//!   (m_w ‖ R_w ‖ m); the verifier recomputes Y_P from the public warrant
//!   (m_w, R_w) and the delegator's key, so a forged or altered warrant gives
//!   a wrong Y_P and the signature fails.
//!
//! s_w stays with the proxy (with it and x_B anyone could sign as proxy);
//! verifiers see only the [`PublicWarrant`] (m_w, R_w).

use p256::{ProjectivePoint, Scalar};
use rand::CryptoRng;
use zeroize::Zeroize;

use super::hash::{Domain, challenge};
use super::schnorr::{self, KeyPair, POINT_LEN, SCALAR_LEN, Signature};
use super::warrant::{Purpose, WARRANT_LEN, Warrant};
use crate::core::CryptoOps;
use crate::gas::{ec, field};

/// Octets of a public warrant: m_w ‖ R_w.
pub const PUBLIC_WARRANT_LEN: usize = WARRANT_LEN + POINT_LEN;

/// Why a delegation or a proxy signature was refused; [`ProxyError::reason`]
/// is the outcome label.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProxyError {
    #[error("the warrant names delegator {got}, expected {want} (or another key)")]
    WrongDelegator { got: u64, want: u64 },
    #[error("the warrant names proxy {got}, expected {want} (or another key)")]
    WrongProxy { got: u64, want: u64 },
    #[error("the warrant is for another purpose")]
    WrongPurpose,
    #[error("the warrant is valid {not_before_ms}..={not_after_ms} ms, not at {now_ms} ms")]
    Expired {
        now_ms: u64,
        not_before_ms: u64,
        not_after_ms: u64,
    },
    #[error("device {0} is outside the warrant's scope")]
    NotDelegated(u64),
    #[error("the delegator's signature on the warrant does not verify")]
    BadWarrantSignature,
    #[error("the proxy signature does not verify (forged or altered warrant or message)")]
    BadSignature,
}

impl ProxyError {
    /// Short stable label for outcomes and CSV.
    pub const fn reason(self) -> &'static str {
        match self {
            ProxyError::WrongDelegator { .. } => "wrong_delegator",
            ProxyError::WrongProxy { .. } => "wrong_proxy",
            ProxyError::WrongPurpose => "wrong_purpose",
            ProxyError::Expired { .. } => "warrant_expired",
            ProxyError::NotDelegated(_) => "device_not_delegated",
            ProxyError::BadWarrantSignature => "forged_warrant",
            ProxyError::BadSignature => "bad_proxy_signature",
        }
    }
}

/// What a verifier knows and requires of a proxy signature.
#[derive(Clone, Copy, Debug)]
pub struct Expect<'a> {
    /// The delegator's identity and key, known in advance (never taken from
    /// the warrant).
    pub delegator: u64,
    pub delegator_pk: &'a [u8; POINT_LEN],
    pub purpose: Purpose,
    /// The device the signed statement is about (must be in scope).
    pub device: u64,
    pub now_ms: u64,
}

/// The warrant as verifiers see it: (m_w, R_w).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PublicWarrant {
    pub warrant: Warrant,
    pub r_w: [u8; POINT_LEN],
}

impl PublicWarrant {
    pub fn encode(&self) -> [u8; PUBLIC_WARRANT_LEN] {
        let mut b = [0u8; PUBLIC_WARRANT_LEN];
        b[..WARRANT_LEN].copy_from_slice(&self.warrant.encode());
        b[WARRANT_LEN..].copy_from_slice(&self.r_w);
        b
    }
    pub fn decode(b: &[u8], base: usize) -> Result<Self, crate::wire::WireError> {
        if b.len() != PUBLIC_WARRANT_LEN {
            return Err(crate::wire::WireError::new(
                base,
                "public warrant",
                "not 149 octets",
            ));
        }
        let warrant = Warrant::decode(&b[..WARRANT_LEN], base)?;
        let mut r_w = [0u8; POINT_LEN];
        r_w.copy_from_slice(&b[WARRANT_LEN..]);
        Ok(Self { warrant, r_w })
    }
}

/// The delegation certificate the delegator hands to the proxy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignedWarrant {
    pub public: PublicWarrant,
    pub s_w: [u8; SCALAR_LEN],
}

/// A proxy's signing key for one warrant; the secret is wiped on drop.
pub struct ProxyKey {
    secret: Scalar,
    public: ProjectivePoint,
    warrant: PublicWarrant,
    warrant_bytes: [u8; PUBLIC_WARRANT_LEN],
}

impl Drop for ProxyKey {
    fn drop(&mut self) {
        self.secret.zeroize();
    }
}

impl std::fmt::Debug for ProxyKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProxyKey({:?})", self.warrant)
    }
}

/// The delegator signs `warrant` (which must name it and its key).
pub fn delegate<R: CryptoRng + ?Sized>(
    delegator: &KeyPair,
    warrant: Warrant,
    rng: &mut R,
    ops: &mut CryptoOps,
) -> SignedWarrant {
    let mut r = field::random_nonzero(rng);
    let w = delegate_with_nonce(delegator, warrant, &r, ops);
    r.zeroize();
    w
}

/// [`delegate`] with a chosen nonce r_w (known-answer tests only).
pub(crate) fn delegate_with_nonce(
    delegator: &KeyPair,
    warrant: Warrant,
    nonce: &Scalar,
    ops: &mut CryptoOps,
) -> SignedWarrant {
    let sig = schnorr::sign_with_nonce(
        delegator.secret(),
        Domain::Warrant,
        &[&warrant.encode()],
        nonce,
        ops,
    );
    SignedWarrant {
        public: PublicWarrant {
            warrant,
            r_w: sig.r,
        },
        s_w: sig.s,
    }
}

/// Y_P = R_w + e_w·Y_A + Y_B from the public warrant; `None` if a point in it
/// does not decode. One variable-base multiplication, two additions, one hash.
fn proxy_public(pw: &PublicWarrant, ops: &mut CryptoOps) -> Option<ProjectivePoint> {
    let w = &pw.warrant;
    let y_a = ec::decode(&w.delegator_pk)?;
    let y_b = ec::decode(&w.proxy_pk)?;
    let r_w = ec::decode(&pw.r_w)?;
    let e_w = challenge(Domain::Warrant, &[&pw.r_w, &w.encode()], ops);
    let t = ec::add(&r_w, &ec::mul(&y_a, &e_w, ops), ops);
    Some(ec::add(&t, &y_b, ops))
}

impl ProxyKey {
    /// The proxy checks the delegation it received and derives
    /// x_P = s_w + x_B. Refuses a warrant for another proxy or key, from a
    /// delegator other than `delegator_pk`, or whose signature fails.
    pub fn accept(
        signed: &SignedWarrant,
        proxy: &KeyPair,
        proxy_id: u64,
        delegator: u64,
        delegator_pk: &[u8; POINT_LEN],
        ops: &mut CryptoOps,
    ) -> Result<Self, ProxyError> {
        let w = &signed.public.warrant;
        if w.proxy != proxy_id || w.proxy_pk != proxy.public_bytes() {
            return Err(ProxyError::WrongProxy {
                got: w.proxy,
                want: proxy_id,
            });
        }
        if w.delegator != delegator || w.delegator_pk != *delegator_pk {
            return Err(ProxyError::WrongDelegator {
                got: w.delegator,
                want: delegator,
            });
        }
        let y_a = ec::decode(delegator_pk).ok_or(ProxyError::BadWarrantSignature)?;
        let sig = Signature {
            r: signed.public.r_w,
            s: signed.s_w,
        };
        if !schnorr::verify(&y_a, Domain::Warrant, &[&w.encode()], &sig, ops) {
            return Err(ProxyError::BadWarrantSignature);
        }
        let s_w = field::from_bytes(&signed.s_w).ok_or(ProxyError::BadWarrantSignature)?;
        let secret = s_w + proxy.secret();
        let public = ec::mul_base(&secret, ops);
        Ok(Self {
            secret,
            public,
            warrant: signed.public,
            warrant_bytes: signed.public.encode(),
        })
    }

    pub fn warrant(&self) -> &PublicWarrant {
        &self.warrant
    }

    /// Y_P, for tests and the documentation's equation check.
    pub fn public(&self) -> &ProjectivePoint {
        &self.public
    }

    /// A proxy signature on `msg`.
    pub fn sign<R: CryptoRng + ?Sized>(
        &self,
        msg: &[u8],
        rng: &mut R,
        ops: &mut CryptoOps,
    ) -> Signature {
        schnorr::sign(
            &self.secret,
            Domain::Proxy,
            &[&self.warrant_bytes, msg],
            rng,
            ops,
        )
    }

    /// [`ProxyKey::sign`] with a chosen nonce (known-answer tests only).
    #[cfg(test)]
    pub(crate) fn sign_with_nonce(
        &self,
        msg: &[u8],
        nonce: &Scalar,
        ops: &mut CryptoOps,
    ) -> Signature {
        schnorr::sign_with_nonce(
            &self.secret,
            Domain::Proxy,
            &[&self.warrant_bytes, msg],
            nonce,
            ops,
        )
    }
}

/// Verifies a proxy signature `sig` on `msg` under public warrant `pw`:
/// the delegator is the expected one (identity and key), the purpose and
/// validity match, the device is in scope, and s·G = R + e·Y_P with Y_P
/// recomputed from the warrant. Checks that need no curve arithmetic come
/// first, so a refused warrant costs nothing.
pub fn verify(
    pw: &PublicWarrant,
    expect: &Expect<'_>,
    msg: &[u8],
    sig: &Signature,
    ops: &mut CryptoOps,
) -> Result<(), ProxyError> {
    let w = &pw.warrant;
    if w.delegator != expect.delegator || w.delegator_pk != *expect.delegator_pk {
        return Err(ProxyError::WrongDelegator {
            got: w.delegator,
            want: expect.delegator,
        });
    }
    if w.purpose != expect.purpose {
        return Err(ProxyError::WrongPurpose);
    }
    if !w.valid_at(expect.now_ms) {
        return Err(ProxyError::Expired {
            now_ms: expect.now_ms,
            not_before_ms: w.not_before_ms,
            not_after_ms: w.not_after_ms,
        });
    }
    if !w.covers(expect.device) {
        return Err(ProxyError::NotDelegated(expect.device));
    }
    let y_p = proxy_public(pw, ops).ok_or(ProxyError::BadSignature)?;
    let bytes = pw.encode();
    if schnorr::verify(&y_p, Domain::Proxy, &[&bytes, msg], sig, ops) {
        Ok(())
    } else {
        Err(ProxyError::BadSignature)
    }
}

#[cfg(test)]
mod tests;
