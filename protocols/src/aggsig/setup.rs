//! Enrolment before the first reading (offline, not simulated): keys for every meter, the
//! MDMS's directory, and under IBAS the PKG's master key and the installation keys that
//! protect the key issue. BLS and ECDSA public keys and HMAC keys reach the MDMS at
//! installation (a certificate or a provisioning record); how is outside the protocol.

use rand::CryptoRng;
use rustc_hash::FxHashMap;
use zeroize::Zeroizing;

use super::bls::{self, MinSig};
use super::gateway::Gateway;
use super::mdms::Mdms;
use super::meter::{KeyRetry, Meter};
use super::pkg::Pkg;
use super::scheme::{IbasMeterKey, MeterKey, MeterRecord, Scheme, ibas_identity};
use super::{ecdsa, ibas, random_scalar};
use crate::core::{Addr, CryptoOps, Nanos};

/// What the roles need to know of the deployment.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Deployment {
    pub scheme: Scheme,
    pub gateways: u32,
    pub meters_per_gateway: u32,
    pub interval: Nanos,
    pub intervals: u32,
    pub window: Nanos,
    /// Readings per batch (capped by the scheme's TLV limit).
    pub max_batch: usize,
    /// IBAS: meters check the issued key with pairings.
    pub check_issued_key: bool,
    /// IBAS: the meters' `KeyRequest` retransmission.
    pub key_retry: KeyRetry,
}

/// Where each role lives.
pub trait Addresses {
    fn meter(&self, global_index: u32) -> Addr;
    fn gateway(&self, g: u32) -> Addr;
    fn mdms(&self) -> Addr;
    fn pkg(&self) -> Addr;
}

/// Every role, ready to run.
pub struct World {
    pub meters: Vec<Meter>,
    pub gateways: Vec<Gateway>,
    pub mdms: Mdms,
    pub pkg: Option<Pkg>,
}

/// Meter `i`'s identifier (1-based: 0 is no meter).
pub fn meter_id(global_index: u32) -> u64 {
    global_index as u64 + 1
}

/// Enrols every meter; `tampered(i)` says whether meter `i` alters its readings.
pub fn enrol<R: CryptoRng + ?Sized>(
    d: &Deployment,
    at: &dyn Addresses,
    tampered: &dyn Fn(u32) -> bool,
    rng: &mut R,
    offline: &mut CryptoOps,
) -> World {
    let n = d.gateways * d.meters_per_gateway;
    let pkg_master = (d.scheme == Scheme::Ibas).then(|| ibas::Pkg::setup(rng, offline));
    let mut records = FxHashMap::default();
    let mut install_keys = FxHashMap::default();
    let mut meters = Vec::with_capacity(n as usize);
    for i in 0..n {
        let id = meter_id(i);
        let (key, record) = match d.scheme {
            Scheme::BlsAggregate => {
                let sk = random_scalar(rng);
                let pk = bls::sk_to_pk::<MinSig>(&sk, offline);
                (MeterKey::Bls(sk), MeterRecord::Bls(pk))
            }
            Scheme::Ibas => {
                let mut k = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(&mut k[..]);
                install_keys.insert(id, k.clone());
                let q = pkg_master.as_ref().map(|p| p.q).unwrap_or_default();
                (
                    MeterKey::Ibas(Box::new(IbasMeterKey {
                        q,
                        install_key: k,
                        key: None,
                    })),
                    MeterRecord::Ibas(ibas::VerifierIdentity::new(&ibas_identity(id), offline)),
                )
            }
            Scheme::Ecdsa => {
                let k = ecdsa::random_signing_key(rng);
                let vk = *k.verifying_key();
                (MeterKey::Ecdsa(k), MeterRecord::Ecdsa(vk))
            }
            Scheme::Hmac => {
                let mut k = Zeroizing::new([0u8; 32]);
                rng.fill_bytes(&mut k[..]);
                (MeterKey::Hmac(k.clone()), MeterRecord::Hmac(k))
            }
        };
        records.insert(id, (at.meter(i), record));
        let g = i / d.meters_per_gateway;
        let m = Meter::new(id, key, at.gateway(g), at.pkg(), d.interval, d.intervals)
            .with_key_retry(d.key_retry);
        let m = if d.check_issued_key {
            m.checking_issued_key()
        } else {
            m
        };
        meters.push(if tampered(i) { m.tampered() } else { m });
    }
    let gateways = (0..d.gateways)
        .map(|g| {
            Gateway::new(
                g as u64 + 1,
                d.scheme,
                at.mdms(),
                d.meters_per_gateway as usize,
                d.window,
                d.max_batch,
            )
        })
        .collect();
    let q = pkg_master.as_ref().map(|p| p.q);
    World {
        meters,
        gateways,
        mdms: Mdms::new(d.scheme, records, q),
        pkg: pkg_master.map(|p| Pkg::new(p, install_keys)),
    }
}
