//! The threshold scheme's derived values, one function per equation, shared
//! by the roles that compute them on both sides.

use p256::elliptic_curve::Field;
use p256::{ProjectivePoint, Scalar};
use zeroize::Zeroizing;

use crate::core::CryptoOps;
use crate::gas::ec;
use crate::gas::field;
use crate::gas::hash::{Domain, h2, hash};
use crate::gas::msg::HT_NONCE_LEN;

/// b_i = h(X ‖ ID_i), the node's secret key (§4.1 step 4).
pub fn node_key(x: &[u8; 32], id: u64, ops: &mut CryptoOps) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(hash(Domain::NodeKey, &[x, &id.to_be_bytes()], ops))
}

/// v_i = h_t(b_i ‖ T_i ‖ SID ‖ ID_i), h_t selected by the session nonce (§4.2 step 5).
pub fn token_check(
    nonce: &[u8; HT_NONCE_LEN],
    b: &[u8; 32],
    token: &[u8; ec::POINT_LEN],
    sid: u64,
    id: u64,
    ops: &mut CryptoOps,
) -> [u8; 32] {
    hash(
        Domain::Ht,
        &[nonce, b, token, &sid.to_be_bytes(), &id.to_be_bytes()],
        ops,
    )
}

/// k_i, the AES-256-GCM key protecting the GSK for node i, derived from b_i.
pub fn aead_key(b: &[u8; 32], ops: &mut CryptoOps) -> Zeroizing<[u8; 32]> {
    Zeroizing::new(hash(Domain::AeadKey, &[b], ops))
}

/// GSK = h_1(P_s ‖ X ‖ sc) (§4.3 step 1).
pub fn gsk(
    ps: &ProjectivePoint,
    x: &[u8; 32],
    sc: &Scalar,
    ops: &mut CryptoOps,
) -> Zeroizing<[u8; 32]> {
    let sc = Zeroizing::new(field::to_bytes(sc));
    Zeroizing::new(hash(Domain::H1Gsk, &[&ec::encode(ps), x, &*sc], ops))
}

/// h(V) for the leader's group check (§4.2 step 8).
pub fn point_hash(p: &ProjectivePoint, ops: &mut CryptoOps) -> [u8; 32] {
    hash(Domain::H, &[&ec::encode(p)], ops)
}

/// P_t = h_2(κ_S ‖ SID ‖ ID_S): a smart meter's point for session SID (§4.4 step 2).
pub fn meter_point(kappa: &[u8; 32], sid: u64, id_s: u64, ops: &mut CryptoOps) -> (Scalar, Scalar) {
    h2(&[kappa, &sid.to_be_bytes(), &id_s.to_be_bytes()], ops)
}

/// h_2(g_u ‖ R ‖ SID): the gateway's point on f_s (§4.4 steps 4 and 7).
pub fn gateway_point(g_u: &[u8; 32], r: &[u8], sid: u64, ops: &mut CryptoOps) -> (Scalar, Scalar) {
    h2(&[g_u, r, &sid.to_be_bytes()], ops)
}

/// f_s(0) from u + 1 points; `None` if an x repeats or is zero (a point at
/// x = 0 would publish f_s(0)).
pub fn fs_zero(points: &[(Scalar, Scalar)], ops: &mut CryptoOps) -> Option<Zeroizing<Scalar>> {
    if points.iter().any(|(x, _)| bool::from(x.is_zero())) {
        return None;
    }
    field::interpolate(points, &Scalar::ZERO, ops).map(Zeroizing::new)
}

/// AUTH = h_1(SID ‖ ID_MDMS ‖ f_s(0)) (§4.4 steps 6–7).
pub fn auth(sid: u64, id_mdms: u64, fs0: &Scalar, ops: &mut CryptoOps) -> [u8; 32] {
    let y = Zeroizing::new(field::to_bytes(fs0));
    hash(
        Domain::H1Auth,
        &[&sid.to_be_bytes(), &id_mdms.to_be_bytes(), &*y],
        ops,
    )
}

/// SK = h_1(f_s(0) ‖ SID) (§4.4 step 8).
pub fn session_key(fs0: &Scalar, sid: u64, ops: &mut CryptoOps) -> Zeroizing<[u8; 32]> {
    let y = Zeroizing::new(field::to_bytes(fs0));
    Zeroizing::new(hash(Domain::H1Sk, &[&*y, &sid.to_be_bytes()], ops))
}
