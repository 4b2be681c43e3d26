//! Who is who in a proxy multiparty network, what each party was provisioned
//! with, and the exact statements each signature covers.
//!
//! Provisioning is offline (a deployment does it at contract and
//! subscription time): key pairs, the three warrants CN → MTC server,
//! MTC server → CN and CN → MTCAP, and the device keys the CN and the MTC
//! server hold. Its work is not simulated.

use std::sync::Arc;

use rand::CryptoRng;

use super::delegation::{self, ProxyKey};
use super::msg::Nonce;
use super::schnorr::{KeyPair, POINT_LEN};
use super::warrant::{Purpose, Warrant};
use crate::core::{Addr, CryptoOps, Nanos, time::MILLISECOND};

/// Identifiers of the network parties; devices are `DEVICE_ID_BASE + index`.
pub const CN_ID: u64 = 1;
pub const SERVER_ID: u64 = 2;
pub const AP_ID: u64 = 3;
pub const DEVICE_ID_BASE: u64 = 1000;

/// What every party knows about the others: identities, addresses and
/// public keys (the CN's and the MTC server's keys are provisioned in each
/// device, as the paper's "public key of the core network").
#[derive(Debug)]
pub struct Directory {
    pub cn_pk: [u8; POINT_LEN],
    pub server_pk: [u8; POINT_LEN],
    pub device_node: u16,
    pub ap: Addr,
    pub cn: Addr,
    pub server: Addr,
    /// Devices' public keys by index, as registered with the CN (subscription)
    /// and the MTC server (contract). The MTCAP does not hold them.
    pub device_keys: Vec<[u8; POINT_LEN]>,
    /// How long a device waits for its challenge.
    pub guard: Nanos,
}

impl Directory {
    pub fn device_id(index: u32) -> u64 {
        DEVICE_ID_BASE + index as u64
    }
    /// The device's address and registered key, if `id` names a device.
    pub fn device(&self, id: u64) -> Option<(Addr, &[u8; POINT_LEN])> {
        let index = u32::try_from(id.checked_sub(DEVICE_ID_BASE)?).ok()?;
        let key = self.device_keys.get(index as usize)?;
        Some((Addr::new(self.device_node, index), key))
    }
}

/// Simulated time in milliseconds, the warrants' clock.
pub fn now_ms(now: Nanos) -> u64 {
    now / MILLISECOND
}

/// Provisioning parameters.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub devices: u32,
    /// Devices 0..delegated are in every warrant's scope; the rest are not.
    pub delegated: u32,
    /// Warrants are valid from 0 to this many ms of simulated time.
    pub validity_ms: u64,
    pub device_node: u16,
    pub ap: Addr,
    pub cn: Addr,
    pub server: Addr,
    pub guard: Nanos,
}

/// Everything provisioning hands out.
pub struct Provisioned {
    pub directory: Arc<Directory>,
    pub device_keys: Vec<KeyPair>,
    /// The MTC server's key to sign on behalf of the CN.
    pub server_for_cn: ProxyKey,
    /// The CN's key to sign on behalf of the MTC server.
    pub cn_for_server: ProxyKey,
    /// The MTCAP's key to sign on behalf of the CN.
    pub ap_for_cn: ProxyKey,
}

/// Generates keys and the three delegations. Refuses nothing: a plan with
/// `delegated = 0` gives warrants with an empty scope.
pub fn provision<R: CryptoRng + ?Sized>(plan: &Plan, rng: &mut R) -> Provisioned {
    let mut ops = CryptoOps::default();
    let cn = KeyPair::generate(rng, &mut ops);
    let server = KeyPair::generate(rng, &mut ops);
    let ap = KeyPair::generate(rng, &mut ops);
    let device_keys: Vec<KeyPair> = (0..plan.devices)
        .map(|_| KeyPair::generate(rng, &mut ops))
        .collect();
    let (first, last) = (
        DEVICE_ID_BASE,
        // An empty range when nothing is delegated.
        (DEVICE_ID_BASE + plan.delegated as u64).wrapping_sub(1),
    );
    let warrant = |a: (u64, &KeyPair), b: (u64, &KeyPair), purpose| Warrant {
        delegator: a.0,
        delegator_pk: a.1.public_bytes(),
        proxy: b.0,
        proxy_pk: b.1.public_bytes(),
        not_before_ms: 0,
        not_after_ms: plan.validity_ms,
        purpose,
        first,
        last: if plan.delegated == 0 { 0 } else { last },
    };
    let mut delegate_to = |a: (u64, &KeyPair), b: (u64, &KeyPair), purpose| {
        let signed = delegation::delegate(a.1, warrant(a, b, purpose), rng, &mut ops);
        ProxyKey::accept(&signed, b.1, b.0, a.0, &a.1.public_bytes(), &mut ops)
            .expect("a delegation made here is accepted")
    };
    let server_for_cn = delegate_to(
        (CN_ID, &cn),
        (SERVER_ID, &server),
        Purpose::DeviceCredential,
    );
    let cn_for_server = delegate_to(
        (SERVER_ID, &server),
        (CN_ID, &cn),
        Purpose::DeviceCredential,
    );
    let ap_for_cn = delegate_to((CN_ID, &cn), (AP_ID, &ap), Purpose::AccessPoint);
    let directory = Arc::new(Directory {
        cn_pk: cn.public_bytes(),
        server_pk: server.public_bytes(),
        device_node: plan.device_node,
        ap: plan.ap,
        cn: plan.cn,
        server: plan.server,
        device_keys: device_keys.iter().map(KeyPair::public_bytes).collect(),
        guard: plan.guard,
    });
    Provisioned {
        directory,
        device_keys,
        server_for_cn,
        cn_for_server,
        ap_for_cn,
    }
}

/// The statements signed, each with a 4-octet label so that no signature
/// can be replayed as another (they share the H_p domain).
pub mod statement {
    use super::*;

    /// σ_S, the MTC server for the CN: it vouches for the device's key,
    /// fresh for the device (n_d) and the CN (n_cn).
    pub fn server(
        device: u64,
        key: &[u8; POINT_LEN],
        n_d: &Nonce,
        n_cn: &Nonce,
        n_s: &Nonce,
    ) -> Vec<u8> {
        cat(b"px/S", &[&device.to_be_bytes(), key, n_d, n_cn, n_s])
    }
    /// σ_CN, the CN for the MTC server: it vouches for the device's key to
    /// this MTCAP, fresh for the device and the MTCAP.
    pub fn cn(device: u64, key: &[u8; POINT_LEN], ap: u64, n_d: &Nonce, n_ap: &Nonce) -> Vec<u8> {
        cat(
            b"px/C",
            &[&device.to_be_bytes(), key, &ap.to_be_bytes(), n_d, n_ap],
        )
    }
    /// σ_AP, the MTCAP for the CN, to the device.
    pub fn ap(ap: u64, device: u64, n_d: &Nonce, n_ap: &Nonce) -> Vec<u8> {
        cat(
            b"px/A",
            &[&ap.to_be_bytes(), &device.to_be_bytes(), n_d, n_ap],
        )
    }
    /// σ_D, the device's own signature over every party's nonce.
    pub fn device(
        device: u64,
        ap: u64,
        n_d: &Nonce,
        n_ap: &Nonce,
        n_cn: &Nonce,
        n_s: &Nonce,
    ) -> Vec<u8> {
        cat(
            b"px/D",
            &[
                &device.to_be_bytes(),
                &ap.to_be_bytes(),
                n_d,
                n_ap,
                n_cn,
                n_s,
            ],
        )
    }

    fn cat(label: &[u8; 4], parts: &[&[u8]]) -> Vec<u8> {
        let mut v = label.to_vec();
        for p in parts {
            v.extend_from_slice(p);
        }
        v
    }
}

/// A fresh nonce.
pub fn nonce<R: rand::Rng + ?Sized>(rng: &mut R) -> Nonce {
    let mut n = [0u8; 16];
    rng.fill_bytes(&mut n);
    n
}
