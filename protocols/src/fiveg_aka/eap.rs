//! EAP-AKA' as the 5G primary authentication method (TS 33.501 §6.1.3.1,
//! RFC 9048): the same roles as 5G-AKA with a method switch. The UDM/ARPF
//! makes the EAP-AKA' vector (RAND, AUTN, XRES, CK', IK'), the AUSF is the
//! EAP server, the AMF/SEAF relays EAP packets, the UE is the EAP peer.
//! This module holds the method's steps both ends run; the roles call them.

use zeroize::Zeroize;

use crate::aka::{AuthVector, UsimAccept};
use crate::core::CryptoOps;
use crate::crypto::ct_eq;
use crate::crypto::eap_aka_prime::{Keys, at_mac, ck_ik_prime, verify_at_mac};
use crate::crypto::kdf_5g::{self, ServingNetworkName};
use crate::wire::eap::{AkaPrime, Attribute, EapPacket, KDF_1, subtype};

/// The primary authentication method the home network runs (TS 33.501
/// §6.1.2: the UDM chooses it from the subscription).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthMethod {
    #[default]
    FiveGAka,
    EapAkaPrime,
}

/// The EAP-AKA' vector of the ARPF (TS 33.501 §6.1.3.1 step 2). Wiped on drop.
#[derive(Clone)]
pub struct EapAv {
    pub rand: [u8; 16],
    pub autn: [u8; 16],
    pub xres: Vec<u8>,
    pub ck_prime: [u8; 16],
    pub ik_prime: [u8; 16],
}

impl Drop for EapAv {
    fn drop(&mut self) {
        self.xres.zeroize();
        self.ck_prime.zeroize();
        self.ik_prime.zeroize();
    }
}

/// ARPF: CK' ‖ IK' from a MILENAGE vector for network name `snn` (RFC
/// 9048 §3.3 with the serving network name as the network name).
pub fn eap_av_from(v: &AuthVector, snn: &ServingNetworkName, ops: &mut CryptoOps) -> EapAv {
    let (ck_prime, ik_prime) =
        match ck_ik_prime(&v.ck, &v.ik, snn.as_str().as_bytes(), &v.sqn_xor_ak(), ops) {
            Ok(k) => k,
            Err(e) => unreachable!("the SNN is bounded by its type: {e}"),
        };
    EapAv {
        rand: v.rand,
        autn: v.autn,
        xres: v.xres.to_vec(),
        ck_prime,
        ik_prime,
    }
}

/// The Identity of the MK derivation: the IMSI digits of the SUPI (TS
/// 33.501 Annex F.3), whatever identity the UE sent.
pub fn mk_identity(supi: &str) -> &[u8] {
    supi.strip_prefix("imsi-").unwrap_or(supi).as_bytes()
}

/// An EAP-AKA' packet with AT_MAC filled in under `k_aut`.
fn with_mac(mut p: EapPacket, k_aut: &[u8; 32], ops: &mut CryptoOps) -> Vec<u8> {
    let mac = at_mac(k_aut, &p.encode_with_zero_mac(), ops);
    p.set_mac(mac);
    p.encode()
}

/// What the AUSF keeps of one EAP session until it ends.
pub struct EapServer {
    pub rand: [u8; 16],
    xres: Vec<u8>,
    keys: Keys,
    /// The Identifier of the outstanding EAP-Request.
    pub identifier: u8,
    /// Resynchronisations run in this session (at most 2, as the AMF allows for 5G-AKA).
    pub resyncs: u8,
}

impl Drop for EapServer {
    fn drop(&mut self) {
        self.xres.zeroize();
    }
}

/// How the AUSF answers an EAP-Response.
#[derive(Debug, PartialEq, Eq)]
pub enum ServerVerdict {
    /// AT_MAC and AT_RES verified: EAP-Success, and K_AUSF.
    Success { kausf: [u8; 32] },
    /// The peer reports a stale SQN: resynchronise with this AUTS.
    Resync { auts: [u8; 14] },
    /// EAP-Failure, with the reason the AMF reports.
    Failure(&'static str),
}

impl EapServer {
    /// AUSF (TS 33.501 §6.1.3.1 steps 3-4): the keys of RFC 9048 §3.3 for
    /// the SUPI and the EAP-Request/AKA'-Challenge (AT_RAND, AT_AUTN,
    /// AT_KDF 1, AT_KDF_INPUT = SNN, AT_MAC) with Identifier `identifier`.
    pub fn challenge(
        av: &EapAv,
        supi: &str,
        snn: &ServingNetworkName,
        identifier: u8,
        resyncs: u8,
        ops: &mut CryptoOps,
    ) -> (Self, Vec<u8>) {
        let keys = Keys::derive(&av.ck_prime, &av.ik_prime, mk_identity(supi), ops);
        let request = EapPacket::Request {
            identifier,
            method: AkaPrime {
                subtype: subtype::CHALLENGE,
                attributes: vec![
                    Attribute::Rand(av.rand),
                    Attribute::Autn(av.autn),
                    Attribute::Kdf(KDF_1),
                    Attribute::KdfInput(snn.as_str().as_bytes().to_vec()),
                    Attribute::Mac([0; 16]),
                ],
            },
        };
        let pdu = with_mac(request, &keys.k_aut, ops);
        let server = Self {
            rand: av.rand,
            xres: av.xres.clone(),
            keys,
            identifier,
            resyncs,
        };
        (server, pdu)
    }

    /// AUSF (step 6): checks an EAP-Response. A Challenge response must
    /// answer the outstanding Identifier, carry AT_RES and AT_MAC, and both
    /// must verify (constant time); a Synchronization-Failure with AT_AUTS
    /// asks for a resynchronisation; anything else fails the session.
    pub fn on_response(&self, pdu: &[u8], ops: &mut CryptoOps) -> ServerVerdict {
        let Ok(packet) = EapPacket::decode(pdu) else {
            return ServerVerdict::Failure("eap_undecodable");
        };
        let EapPacket::Response { identifier, method } = &packet else {
            return ServerVerdict::Failure("eap_not_a_response");
        };
        if *identifier != self.identifier {
            return ServerVerdict::Failure("eap_identifier_mismatch");
        }
        match method.subtype {
            subtype::CHALLENGE => {}
            subtype::SYNCHRONIZATION_FAILURE => {
                return match method.auts() {
                    Some(auts) => ServerVerdict::Resync { auts },
                    None => ServerVerdict::Failure("eap_no_auts"),
                };
            }
            subtype::AUTHENTICATION_REJECT => {
                return ServerVerdict::Failure("eap_authentication_reject");
            }
            _ => return ServerVerdict::Failure("eap_client_error"),
        }
        // Only KDF 1 was offered: a negotiation answer has nothing to pick.
        let (Some(res), Some(mac)) = (method.res(), method.mac()) else {
            return ServerVerdict::Failure("eap_kdf_negotiation");
        };
        let mac_ok = verify_at_mac(&self.keys.k_aut, &packet.encode_with_zero_mac(), &mac, ops);
        let res_ok = ct_eq(&self.xres, res);
        if !(mac_ok & res_ok) {
            return ServerVerdict::Failure(if mac_ok {
                "eap_res_mismatch"
            } else {
                "eap_mac_failure"
            });
        }
        ServerVerdict::Success {
            kausf: self.keys.kausf(),
        }
    }
}

/// EAP-Success or EAP-Failure with the session's Identifier.
pub fn result_packet(identifier: u8, success: bool) -> Vec<u8> {
    if success {
        EapPacket::Success { identifier }.encode()
    } else {
        EapPacket::Failure { identifier }.encode()
    }
}

/// An EAP-Response/AKA' with Identifier `identifier`.
pub fn response(identifier: u8, st: u8, attributes: Vec<Attribute>) -> Vec<u8> {
    EapPacket::Response {
        identifier,
        method: AkaPrime {
            subtype: st,
            attributes,
        },
    }
    .encode()
}

/// What the peer derives from an accepted challenge: the response packet
/// and K_AUSF (EMSK's first 256 bits), or nothing if AT_MAC fails.
pub struct PeerAccept {
    pub response: Vec<u8>,
    pub kausf: [u8; 32],
}

impl Drop for PeerAccept {
    fn drop(&mut self) {
        self.kausf.zeroize();
    }
}

/// UE (TS 33.501 §6.1.3.1 step 5, RFC 9048 §3.3): CK'/IK' from the USIM's
/// CK, IK, the network name and SQN ⊕ AK of AUTN; the keys; AT_MAC of the
/// request checked (constant time); the EAP-Response/AKA'-Challenge with
/// AT_RES and AT_MAC. `None` if the request's AT_MAC does not verify.
pub fn peer_accept(
    request: &EapPacket,
    accept: &UsimAccept,
    autn: &[u8; 16],
    snn: &ServingNetworkName,
    supi: &str,
    ops: &mut CryptoOps,
) -> Option<PeerAccept> {
    let mac = request.method()?.mac()?;
    let mut sqn_xor_ak = [0u8; 6];
    sqn_xor_ak.copy_from_slice(&autn[..6]);
    let (mut ck_p, mut ik_p) = match ck_ik_prime(
        &accept.ck,
        &accept.ik,
        snn.as_str().as_bytes(),
        &sqn_xor_ak,
        ops,
    ) {
        Ok(k) => k,
        Err(e) => unreachable!("the SNN is bounded by its type: {e}"),
    };
    let keys = Keys::derive(&ck_p, &ik_p, mk_identity(supi), ops);
    ck_p.zeroize();
    ik_p.zeroize();
    if !verify_at_mac(&keys.k_aut, &request.encode_with_zero_mac(), &mac, ops) {
        return None;
    }
    let reply = EapPacket::Response {
        identifier: request.identifier(),
        method: AkaPrime {
            subtype: subtype::CHALLENGE,
            attributes: vec![Attribute::Res(accept.res.clone()), Attribute::Mac([0; 16])],
        },
    };
    Some(PeerAccept {
        response: with_mac(reply, &keys.k_aut, ops),
        kausf: keys.kausf(),
    })
}

/// K_SEAF from K_AUSF (TS 33.501 A.6), as for 5G-AKA.
pub fn kseaf(kausf: &[u8; 32], snn: &ServingNetworkName, ops: &mut CryptoOps) -> [u8; 32] {
    kdf_5g::kseaf(kausf, snn, ops)
}
