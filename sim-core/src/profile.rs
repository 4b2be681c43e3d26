//! Node profiles: what a node class's processing costs, in time and energy.
//!
//! A profile prices the crypto work an endpoint reports (counts of primitive
//! operations) plus a fixed cost per handled input (decode, state lookup,
//! encode), in nanoseconds of service time and in microjoules, and prices the
//! radio: microjoules per byte sent and per byte received. The protocol never
//! guesses time or energy; the profile does, per class.
//!
//! The built-in classes and the published figures behind every number are
//! documented in docs/profiles.md; the arithmetic is spelled out below with the
//! same names (cycles at a clock, currents at a voltage, bytes at a data rate).

use authsim_protocols::core::{CryptoOps, Nanos, Prim};

#[derive(Clone, Debug, PartialEq)]
pub struct Profile {
    pub name: String,
    /// Fixed cost of handling one input (message, timer, start), in ns.
    pub per_input_ns: f64,
    /// Cost of one primitive operation, in ns, indexed by `Prim`.
    pub prim_ns: [f64; Prim::COUNT],
    /// Energy of handling one input (beyond its crypto), in µJ.
    pub per_input_uj: f64,
    /// Energy of one primitive operation, in µJ, indexed by `Prim`.
    pub prim_uj: [f64; Prim::COUNT],
    /// Radio energy per byte sent (PDU and lower-layer header bytes), in µJ.
    pub tx_uj_per_byte: f64,
    /// Radio energy per byte received, in µJ.
    pub rx_uj_per_byte: f64,
}

/// ns of `c` cycles at `mhz`.
const fn cycles_ns(c: f64, mhz: f64) -> f64 {
    c * 1e3 / mhz
}

/// µJ of `ns` nanoseconds at `watts` (W × ns = nJ = 10⁻³ µJ).
const fn uj(ns: f64, watts: f64) -> f64 {
    ns * watts * 1e-3
}

/// µJ per byte of a radio drawing `ma` at `volts` while moving `kbps` kbit/s.
const fn radio_uj_per_byte(ma: f64, volts: f64, kbps: f64) -> f64 {
    // P [W] × 8 bits / rate [bit/s] = J per byte; × 10⁶ for µJ.
    ma * 1e-3 * volts * 8.0 / (kbps * 1e3) * 1e6
}

/// ns per operation measured by `authsim calibrate` on this project's reference
/// machine (one core of a virtualised Intel Xeon, family 6 model 207, with
/// AES-NI and SHA-NI), median of 7 batches, rounded to 4 significant digits.
/// The server profile uses them as they are; the other classes take from them
/// only the ratios to `p256_mul` of the primitives no publication gives
/// (docs/profiles.md, "Derived figures").
pub const REFERENCE_NS: [f64; Prim::COUNT] = {
    let mut r = [0.0; Prim::COUNT];
    r[Prim::AesBlock as usize] = 69.87;
    r[Prim::Sha256Block as usize] = 95.23;
    r[Prim::P256Mul as usize] = 343_900.0;
    // Not measured in the same session: `p256_mul` above times the ratio
    // fixed-base / variable-base of one `authsim calibrate --budget-ms 1500`
    // run (123 175 / 537 771 = 0.2290; issue 15, docs/profiles.md). The
    // former 337 300 came from a calibrate path that multiplied the
    // generator as a variable point.
    r[Prim::P256MulBase as usize] = 78_770.0;
    r[Prim::P256Add as usize] = 1_082.0;
    r[Prim::ScalarInv as usize] = 9_022.0;
    r[Prim::ScalarMul as usize] = 116.3;
    r[Prim::AeadByte as usize] = 1.417;
    // One BLS12-381 pairing, Miller loop and final exponentiation (no protocol counts it: the
    // aggregate signatures count `miller_loop` and `final_exp`); measured as below.
    r[Prim::Pairing as usize] = 2_906_000.0;
    // BLS12-381 (zkcrypto `bls12_381`): one `authsim calibrate --budget-ms 1000` on the
    // reference machine for issue 13, in a busier session (its `p256_mul` was 479 941 ns),
    // so each figure is scaled by 343 900 / 479 941 = 0.7165 (docs/profiles.md, "Server").
    r[Prim::MillerLoop as usize] = BLS_NS[0];
    r[Prim::FinalExp as usize] = BLS_NS[1];
    r[Prim::G1Mul as usize] = BLS_NS[2];
    r[Prim::G2Mul as usize] = BLS_NS[3];
    r[Prim::G1Add as usize] = BLS_NS[4];
    r[Prim::G2Add as usize] = BLS_NS[5];
    r[Prim::HashToG1 as usize] = BLS_NS[6];
    r[Prim::HashToG2 as usize] = BLS_NS[7];
    r[Prim::G1Decompress as usize] = BLS_NS[8];
    r[Prim::G2Decompress as usize] = BLS_NS[9];
    // Not measured in the same session: `p256_mul` above times the ratio
    // X25519 / P-256 variable-base of one `authsim calibrate` run (issue 11,
    // docs/profiles.md).
    r[Prim::X25519Mul as usize] = 343_900.0 * X25519_OVER_P256_MUL;
    r
};

/// X25519 / P-256 variable-base multiplication time on the reference
/// machine, from one `authsim calibrate --budget-ms 1500` run:
/// 158 236 ns / 521 663 ns (docs/profiles.md).
pub const X25519_OVER_P256_MUL: f64 = 0.3033;

/// The BLS12-381 rows of [`REFERENCE_NS`], in `Prim` order from `miller_loop`.
const BLS_NS: [f64; 10] = [
    MILLER_LOOP_NS,
    FINAL_EXP_NS,
    G1_MUL_NS,
    G2_MUL_NS,
    G1_ADD_NS,
    G2_ADD_NS,
    HASH_TO_G1_NS,
    HASH_TO_G2_NS,
    G1_DECOMPRESS_NS,
    G2_DECOMPRESS_NS,
];
const MILLER_LOOP_NS: f64 = 1_047_000.0;
const FINAL_EXP_NS: f64 = 1_851_000.0;
const G1_MUL_NS: f64 = 795_000.0;
const G2_MUL_NS: f64 = 2_205_000.0;
const G1_ADD_NS: f64 = 1_657.0;
const G2_ADD_NS: f64 = 1_636.0;
const HASH_TO_G1_NS: f64 = 243_700.0;
const HASH_TO_G2_NS: f64 = 1_196_000.0;
const G1_DECOMPRESS_NS: f64 = 262_800.0;
const G2_DECOMPRESS_NS: f64 = 633_500.0;

/// Primitives no publication prices for the constrained classes: each is the class's
/// `p256_mul` times the reference machine's ratio (docs/profiles.md, "Derived figures").
const DERIVED: [Prim; 14] = [
    Prim::P256Add,
    Prim::ScalarInv,
    Prim::ScalarMul,
    Prim::Pairing,
    Prim::MillerLoop,
    Prim::FinalExp,
    Prim::G1Mul,
    Prim::G2Mul,
    Prim::G1Add,
    Prim::G2Add,
    Prim::HashToG1,
    Prim::HashToG2,
    Prim::G1Decompress,
    Prim::G2Decompress,
];

/// `prim`'s cost for a class whose `p256_mul` costs `p256_mul_ns`, scaled by the
/// reference machine's ratio (for primitives without a published figure).
fn by_reference_ratio(prim: Prim, p256_mul_ns: f64) -> f64 {
    p256_mul_ns * REFERENCE_NS[prim as usize] / REFERENCE_NS[Prim::P256Mul as usize]
}

/// Cortex-M4F at 64 MHz (nRF52840), the MCU of the MTC-device and meter-node classes.
pub mod cortex_m4 {
    /// Clock of the nRF52840 (Product Specification).
    pub const MHZ: f64 = 64.0;
    /// AES-128 single-block encryption, cycles on Cortex-M4 (Schwabe & Stoffelen,
    /// SAC 2016, aes-armcortexm README, STM32F407).
    pub const AES128_BLOCK_CYCLES: f64 = 644.7;
    /// AES-256 CTR, cycles per 16-byte block on Cortex-M4 (same source).
    pub const AES256_CTR_BLOCK_CYCLES: f64 = 774.6;
    /// wolfSSL 5.6.4 on STM32L4A6Z (Cortex-M4, 80 MHz), no HW crypto, no asm:
    /// SHA-256 847.458 KiB/s, AES-128-CBC 425.000 KiB/s, GMAC (4-bit table)
    /// 1.064 MiB/s (wolfSSL IDE/STM32Cube/STM32_Benchmarks.md).
    pub const WOLFSSL_MHZ: f64 = 80.0;
    pub const WOLFSSL_SHA256_BPS: f64 = 847.458 * 1024.0;
    pub const WOLFSSL_AES128_CBC_BPS: f64 = 425.0 * 1024.0;
    pub const WOLFSSL_GMAC_BPS: f64 = 1.064 * 1024.0 * 1024.0;
    /// SHA-256 compression, cycles per 64-byte block: 80 MHz / (B/s) × 64.
    pub const SHA256_BLOCK_CYCLES: f64 = WOLFSSL_MHZ * 1e6 / WOLFSSL_SHA256_BPS * 64.0;
    /// AES-128 block in the same wolfSSL build (for the SHA/AES ratio only).
    pub const WOLFSSL_AES128_BLOCK_CYCLES: f64 = WOLFSSL_MHZ * 1e6 / WOLFSSL_AES128_CBC_BPS * 16.0;
    /// AES-256-GCM per byte: AES-256-CTR (Schwabe & Stoffelen) + GHASH (wolfSSL GMAC).
    pub const AEAD_BYTE_CYCLES: f64 =
        AES256_CTR_BLOCK_CYCLES / 16.0 + WOLFSSL_MHZ * 1e6 / WOLFSSL_GMAC_BPS;
    /// P256-Cortex-M4 (Emil Lenngren) on nRF52840, GCC -O2, cycles: ECDH shared
    /// secret 906k (a variable-base multiplication), key generation 327k (base).
    pub const P256_MUL_CYCLES: f64 = 906_000.0;
    pub const P256_MUL_BASE_CYCLES: f64 = 327_000.0;
    /// X25519-Cortex-M4 (Emil Lenngren), README "Performance": one scalar
    /// multiplication in 548 873 cycles on Cortex-M4.
    pub const X25519_MUL_CYCLES: f64 = 548_873.0;
    /// nRF52840 at 3.0 V with DC/DC: CPU current = compounded (CPU + radio)
    /// minus radio alone: IS0 8.1 − IRADIO_TX1 6.40 = 1.70 mA and IS1 8.6 −
    /// IRADIO_RX0 6.26 = 2.34 mA; their mean, 2.02 mA.
    pub const VOLTS: f64 = 3.0;
    pub const CPU_MA: f64 = ((8.1 - 6.40) + (8.6 - 6.26)) / 2.0;
    pub const WATTS: f64 = VOLTS * CPU_MA * 1e-3;
}

/// Raspberry Pi 3 Model B+ class (Cortex-A53, 1.4 GHz, no ARMv8 crypto extensions):
/// smart meters and gateways.
pub mod pi3 {
    /// sbc-bench Results.md, Raspberry Pi 3 B+ (Raspbian Stretch, kernel 4.14,
    /// "normal"): AES-128 (16 byte) 30 500 kB/s, AES-256 (16 KB) 36 600 kB/s.
    pub const AES128_16B_BPS: f64 = 30_500e3;
    pub const AES256_16K_BPS: f64 = 36_600e3;
    pub const AES_BLOCK_NS: f64 = 16.0 / AES128_16B_BPS * 1e9;
    /// GCM over CBC time ratio in wolfSSL's software build on STM32L4A6Z:
    /// AES-256-CBC-enc 314.922 KiB/s over AES-256-GCM-enc 243.191 KiB/s.
    pub const GCM_OVER_CBC: f64 = 314.922 / 243.191;
    pub const AEAD_BYTE_NS: f64 = 1e9 / AES256_16K_BPS * GCM_OVER_CBC;
    /// SHA-256 block = AES block × the SHA-256/AES-128 block-cost ratio of the
    /// same software build (wolfSSL, STM32L4A6Z, no asm).
    pub const SHA256_BLOCK_NS: f64 = AES_BLOCK_NS * super::cortex_m4::SHA256_BLOCK_CYCLES
        / super::cortex_m4::WOLFSSL_AES128_BLOCK_CYCLES;
    /// P256-cortex-ecdh README: "The Raspberry Pi 3 (Cortex-A53) runs one
    /// operation in 0.94 ms" (a variable-base scalar multiplication).
    pub const P256_MUL_NS: f64 = 940_000.0;
    /// Base multiplication: the same ratio as P256-Cortex-M4's keygen/ECDH (327k/906k).
    pub const P256_MUL_BASE_NS: f64 =
        P256_MUL_NS * super::cortex_m4::P256_MUL_BASE_CYCLES / super::cortex_m4::P256_MUL_CYCLES;
    /// Raspberry Pi documentation, power supply table: Pi 3 Model B+ typical
    /// bare-board active current 500 mA at 5.1 V (whole board).
    pub const WATTS: f64 = 5.1 * 0.5;
}

/// Radios.
pub mod radio {
    /// LTE-M (Cat M1): Quectel BG96 on the RAKwireless RAK8213 card: data
    /// transfer LTE-FDD B20 @ 23.07 dBm, 209 mA; 375 kbit/s uplink and downlink;
    /// 3.3 V supply (3.3Vaux). No receive-only current is published: receiving
    /// is priced at the same current (an upper bound).
    pub const LTEM_MA: f64 = 209.0;
    pub const LTEM_VOLTS: f64 = 3.3;
    pub const LTEM_KBPS: f64 = 375.0;
    /// IEEE 802.15.4 (250 kbit/s) on the nRF52840, 3.0 V, DC/DC: TX at 0 dBm
    /// 6.40 mA (IRADIO_TX5), RX 6.53 mA (IRADIO_RX2).
    pub const IEEE802154_TX_MA: f64 = 6.40;
    pub const IEEE802154_RX_MA: f64 = 6.53;
    pub const IEEE802154_VOLTS: f64 = 3.0;
    pub const IEEE802154_KBPS: f64 = 250.0;
}

/// One server core: Intel Xeon Platinum 8592+ (Emerald Rapids, the family of the
/// reference machine), 350 W TDP over 64 cores.
pub const SERVER_CORE_WATTS: f64 = 350.0 / 64.0;

impl Profile {
    /// Service time for one input that did `ops` of crypto work.
    pub fn service_time(&self, ops: &CryptoOps) -> Nanos {
        let crypto: f64 = ops
            .0
            .iter()
            .zip(self.prim_ns.iter())
            .map(|(&n, &c)| n as f64 * c)
            .sum();
        (self.per_input_ns + crypto).round() as Nanos
    }

    /// Processing energy in µJ of `inputs` handled inputs that did `ops` of
    /// crypto work in total: Σ ops × prim_uj + inputs × per_input_uj.
    pub fn crypto_energy_uj(&self, ops: &CryptoOps, inputs: u64) -> f64 {
        let crypto: f64 = ops
            .0
            .iter()
            .zip(self.prim_uj.iter())
            .map(|(&n, &e)| n as f64 * e)
            .sum();
        crypto + inputs as f64 * self.per_input_uj
    }

    /// Radio energy in µJ: bytes sent × tx + bytes received × rx.
    pub fn radio_energy_uj(&self, tx_bytes: u64, rx_bytes: u64) -> f64 {
        tx_bytes as f64 * self.tx_uj_per_byte + rx_bytes as f64 * self.rx_uj_per_byte
    }

    /// Energy of every primitive and of an input at a constant active power.
    fn with_power(mut self, watts: f64) -> Self {
        for (e, &t) in self.prim_uj.iter_mut().zip(self.prim_ns.iter()) {
            *e = uj(t, watts);
        }
        self.per_input_uj = uj(self.per_input_ns, watts);
        self
    }

    fn with_radio(mut self, tx_uj_per_byte: f64, rx_uj_per_byte: f64) -> Self {
        self.tx_uj_per_byte = tx_uj_per_byte;
        self.rx_uj_per_byte = rx_uj_per_byte;
        self
    }

    fn timed(name: &str, per_input_ns: f64, prim_ns: [f64; Prim::COUNT]) -> Self {
        Self {
            name: name.into(),
            per_input_ns,
            prim_ns,
            per_input_uj: 0.0,
            prim_uj: [0.0; Prim::COUNT],
            tx_uj_per_byte: 0.0,
            rx_uj_per_byte: 0.0,
        }
    }

    /// Core-network server class (MME, HSS, MDMS, auth server) on one server
    /// core: the reference machine's measured costs (`authsim calibrate`), a
    /// 20 µs per-input cost, one core's share of the TDP; wired links, so no
    /// radio energy.
    pub fn server() -> Self {
        Self::timed("server", 20_000.0, REFERENCE_NS).with_power(SERVER_CORE_WATTS)
    }

    /// An MCU's costs: Cortex-M4 at 64 MHz (docs/profiles.md).
    fn cortex_m4_timing(name: &str) -> Self {
        use cortex_m4 as m;
        let mut p = [0.0; Prim::COUNT];
        p[Prim::AesBlock as usize] = cycles_ns(m::AES128_BLOCK_CYCLES, m::MHZ);
        p[Prim::Sha256Block as usize] = cycles_ns(m::SHA256_BLOCK_CYCLES, m::MHZ);
        let mul = cycles_ns(m::P256_MUL_CYCLES, m::MHZ);
        p[Prim::P256Mul as usize] = mul;
        p[Prim::P256MulBase as usize] = cycles_ns(m::P256_MUL_BASE_CYCLES, m::MHZ);
        p[Prim::X25519Mul as usize] = cycles_ns(m::X25519_MUL_CYCLES, m::MHZ);
        for prim in DERIVED {
            p[prim as usize] = by_reference_ratio(prim, mul);
        }
        p[Prim::AeadByte as usize] = cycles_ns(m::AEAD_BYTE_CYCLES, m::MHZ);
        // 100 µs per handled input (decode, state, encode): an assumption, no source.
        Self::timed(name, 100_000.0, p).with_power(m::WATTS)
    }

    /// MTC device: Cortex-M4 MCU and an LTE-M radio.
    pub fn mtc_device() -> Self {
        use radio as r;
        let lte = radio_uj_per_byte(r::LTEM_MA, r::LTEM_VOLTS, r::LTEM_KBPS);
        Self::cortex_m4_timing("mtc-device").with_radio(lte, lte)
    }

    /// The constrained device of the quick start: the MTC device class.
    pub fn constrained_device() -> Self {
        Self {
            name: "constrained-device".into(),
            ..Self::mtc_device()
        }
    }

    /// Smart-metering meter node: Cortex-M4 MCU and an IEEE 802.15.4 radio (HAN).
    pub fn meter_node() -> Self {
        Self::cortex_m4_timing("meter-node").with_radio(ieee802154_tx(), ieee802154_rx())
    }

    fn pi3_timing(name: &str) -> Self {
        let mut p = [0.0; Prim::COUNT];
        p[Prim::AesBlock as usize] = pi3::AES_BLOCK_NS;
        p[Prim::Sha256Block as usize] = pi3::SHA256_BLOCK_NS;
        p[Prim::P256Mul as usize] = pi3::P256_MUL_NS;
        p[Prim::P256MulBase as usize] = pi3::P256_MUL_BASE_NS;
        for prim in DERIVED.into_iter().chain([Prim::X25519Mul]) {
            p[prim as usize] = by_reference_ratio(prim, pi3::P256_MUL_NS);
        }
        p[Prim::AeadByte as usize] = pi3::AEAD_BYTE_NS;
        // 50 µs per handled input: an assumption, no source.
        Self::timed(name, 50_000.0, p)
            .with_power(pi3::WATTS)
            .with_radio(ieee802154_tx(), ieee802154_rx())
    }

    /// Smart meter: Raspberry-Pi-3-class application processor, 802.15.4 radio.
    pub fn smart_meter() -> Self {
        Self::pi3_timing("smart-meter")
    }

    /// Data-concentrator gateway: the same Raspberry-Pi-3 class and radio.
    pub fn gateway() -> Self {
        Self::pi3_timing("gateway")
    }

    /// No processing cost and no energy at all (closed-form cross-checks, pure
    /// signalling counts).
    pub fn free() -> Self {
        Self::timed("free", 0.0, [0.0; Prim::COUNT])
    }

    /// Every built-in profile, by name (what `base` and `profile` may name).
    pub fn builtin(name: &str) -> Option<Self> {
        Some(match name {
            "server" => Self::server(),
            "mtc-device" => Self::mtc_device(),
            "constrained-device" => Self::constrained_device(),
            "meter-node" => Self::meter_node(),
            "smart-meter" => Self::smart_meter(),
            "gateway" => Self::gateway(),
            "free" => Self::free(),
            _ => return None,
        })
    }

    /// Names of the built-in profiles.
    pub const BUILTIN: [&'static str; 7] = [
        "server",
        "mtc-device",
        "constrained-device",
        "meter-node",
        "smart-meter",
        "gateway",
        "free",
    ];
}

fn ieee802154_tx() -> f64 {
    use radio as r;
    radio_uj_per_byte(r::IEEE802154_TX_MA, r::IEEE802154_VOLTS, r::IEEE802154_KBPS)
}

fn ieee802154_rx() -> f64 {
    use radio as r;
    radio_uj_per_byte(r::IEEE802154_RX_MA, r::IEEE802154_VOLTS, r::IEEE802154_KBPS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_time_prices_each_primitive() {
        let p = Profile::server();
        let mut ops = CryptoOps::default();
        ops.add(Prim::AesBlock, 10);
        ops.add(Prim::Sha256Block, 2);
        let want = 20_000.0
            + 10.0 * REFERENCE_NS[Prim::AesBlock as usize]
            + 2.0 * REFERENCE_NS[Prim::Sha256Block as usize];
        assert_eq!(p.service_time(&ops), want.round() as Nanos);
        assert_eq!(Profile::free().service_time(&ops), 0);
    }

    #[test]
    fn energy_prices_ops_inputs_and_bytes() {
        let mut p = Profile::free();
        p.prim_uj[Prim::AesBlock as usize] = 0.5;
        p.prim_uj[Prim::P256Mul as usize] = 80.0;
        p.per_input_uj = 2.0;
        p.tx_uj_per_byte = 10.0;
        p.rx_uj_per_byte = 1.0;
        let mut ops = CryptoOps::default();
        ops.add(Prim::AesBlock, 4);
        ops.add(Prim::P256Mul, 2);
        assert_eq!(
            p.crypto_energy_uj(&ops, 3),
            4.0 * 0.5 + 2.0 * 80.0 + 3.0 * 2.0
        );
        assert_eq!(p.radio_energy_uj(100, 7), 1000.0 + 7.0);
    }

    #[test]
    fn sourced_conversions() {
        // Cortex-M4 at 64 MHz: 906k cycles = 14.156 ms; at 6.06 mW about 86 µJ.
        let m = Profile::mtc_device();
        assert!((m.prim_ns[Prim::P256Mul as usize] - 14_156_250.0).abs() < 1e-6);
        assert!((cortex_m4::WATTS - 0.00606).abs() < 1e-12);
        assert!((m.prim_uj[Prim::P256Mul as usize] - 14_156_250.0 * 0.00606e-3).abs() < 1e-9);
        // X25519: 548 873 cycles / 64 MHz = 8.576 ms (X25519-Cortex-M4).
        assert!((m.prim_ns[Prim::X25519Mul as usize] - 8_576_140.625).abs() < 1e-6);
        assert!((Profile::server().prim_ns[Prim::X25519Mul as usize] - 104_304.87).abs() < 1e-6);
        // AES-128 block: 644.7 cycles / 64 MHz = 10.073 µs.
        assert!((m.prim_ns[Prim::AesBlock as usize] - 10_073.437_5).abs() < 1e-6);
        // SHA-256: 80 MHz / 867 797 B/s × 64 ≈ 5 900 cycles.
        assert!((cortex_m4::SHA256_BLOCK_CYCLES - 5_900.0).abs() < 1.0);
        // LTE-M: 0.209 A × 3.3 V × 8 / 375 000 bit/s = 14.71 µJ per byte.
        assert!((m.tx_uj_per_byte - 14.7136).abs() < 1e-9);
        // 802.15.4: 6.40 mA × 3 V × 32 µs = 0.6144 µJ per byte.
        let n = Profile::meter_node();
        assert!((n.tx_uj_per_byte - 0.6144).abs() < 1e-12);
        assert!((n.rx_uj_per_byte - 0.62688).abs() < 1e-12);
        // Pi 3 B+: 16 B / 30.5 MB/s = 524.6 ns per AES block; 2.55 W board.
        let s = Profile::smart_meter();
        assert!((s.prim_ns[Prim::AesBlock as usize] - 524.590_163_934).abs() < 1e-6);
        assert!((s.prim_uj[Prim::P256Mul as usize] - 940_000.0 * 2.55e-3).abs() < 1e-9);
        assert_eq!(Profile::server().tx_uj_per_byte, 0.0);
    }

    /// A fixed-base multiplication uses the precomputed generator table: on
    /// every class it costs well under a variable-base one (the server's
    /// price once equalled it, issue 15).
    #[test]
    fn fixed_base_multiplication_is_priced_below_variable_base() {
        for name in Profile::BUILTIN.iter().filter(|n| **n != "free") {
            let p = Profile::builtin(name).unwrap();
            let (var, fixed) = (
                p.prim_ns[Prim::P256Mul as usize],
                p.prim_ns[Prim::P256MulBase as usize],
            );
            assert!(fixed < 0.5 * var, "{name}: {fixed} vs {var}");
        }
    }

    #[test]
    fn builtins_are_named_and_complete() {
        for name in Profile::BUILTIN {
            let p = Profile::builtin(name).unwrap();
            assert_eq!(p.name, name);
            if name != "free" {
                for prim in Prim::ALL {
                    assert!(p.prim_ns[prim as usize] > 0.0, "{name} {prim:?}");
                    assert!(p.prim_uj[prim as usize] > 0.0, "{name} {prim:?}");
                }
            }
        }
        assert!(Profile::builtin("nope").is_none());
    }
}
