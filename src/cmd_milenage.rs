//! `authsim milenage`: Milenage outputs for given inputs, as one JSON object.

use authsim_protocols::core::CryptoOps;
use authsim_protocols::crypto::{kdf, milenage};
use clap::Args;

use crate::Failure;

#[derive(Args)]
pub struct MilenageArgs {
    /// Subscriber key K, 32 hex digits.
    #[arg(long)]
    k: String,
    /// Operator variant OP, 32 hex digits (or give --opc).
    #[arg(long, conflicts_with = "opc", required_unless_present = "opc")]
    op: Option<String>,
    /// OPc, 32 hex digits.
    #[arg(long)]
    opc: Option<String>,
    /// RAND, 32 hex digits.
    #[arg(long)]
    rand: String,
    /// SQN, 12 hex digits.
    #[arg(long)]
    sqn: String,
    /// AMF, 4 hex digits.
    #[arg(long)]
    amf: String,
    /// Serving network id (PLMN identity), 6 hex digits: adds `kasme`.
    #[arg(long)]
    snid: Option<String>,
    #[command(flatten)]
    fiveg: crate::cmd_milenage_5g::FiveGArgs,
}

fn hex_arg<const N: usize>(name: &str, v: &str) -> Result<[u8; N], Failure> {
    let bytes =
        hex::decode(v.trim()).map_err(|e| Failure::BadInput(format!("--{name}: not hex ({e})")))?;
    bytes.try_into().map_err(|b: Vec<u8>| {
        Failure::BadInput(format!(
            "--{name}: expected {N} bytes ({} hex digits), got {} bytes",
            2 * N,
            b.len()
        ))
    })
}

pub fn run(a: MilenageArgs) -> Result<(), Failure> {
    let k = hex_arg::<16>("k", &a.k)?;
    let rand = hex_arg::<16>("rand", &a.rand)?;
    let sqn = hex_arg::<6>("sqn", &a.sqn)?;
    let amf = hex_arg::<2>("amf", &a.amf)?;
    let mut ops = CryptoOps::default();
    let opc = match (&a.op, &a.opc) {
        (Some(op), _) => milenage::opc(&k, &hex_arg::<16>("op", op)?, &mut ops),
        (None, Some(opc)) => hex_arg::<16>("opc", opc)?,
        (None, None) => return Err(Failure::BadInput("give --op or --opc".into())),
    };
    let snid = a
        .snid
        .as_deref()
        .map(|s| hex_arg::<3>("snid", s))
        .transpose()?;
    let m = milenage::Milenage::new(k, opc);
    let f1 = m.f1(&rand, &sqn, &amf, &mut ops);
    let f1s = m.f1_star(&rand, &sqn, &amf, &mut ops);
    let (res, ck, ik, ak) = m.f2345(&rand, &mut ops);
    let aks = m.f5_star(&rand, &mut ops);
    let mut autn = Vec::with_capacity(16);
    autn.extend(sqn.iter().zip(ak.iter()).map(|(s, a)| s ^ a));
    autn.extend_from_slice(&amf);
    autn.extend_from_slice(&f1);
    let mut out = serde_json::Map::new();
    let mut put = |k: &str, v: &[u8]| {
        out.insert(k.into(), serde_json::Value::String(hex::encode(v)));
    };
    put("opc", &opc);
    put("f1", &f1);
    put("f1_star", &f1s);
    put("f2", &res);
    put("f3", &ck);
    put("f4", &ik);
    put("f5", &ak);
    put("f5_star", &aks);
    put("autn", &autn);
    if let Some(sn) = snid {
        let sqn_xor_ak: [u8; 6] = std::array::from_fn(|i| sqn[i] ^ ak[i]);
        put("kasme", &kdf::kasme(&ck, &ik, &sn, &sqn_xor_ak, &mut ops));
    }
    let sqn_xor_ak: [u8; 6] = std::array::from_fn(|i| sqn[i] ^ ak[i]);
    let aka = crate::cmd_milenage_5g::AkaOutputs {
        rand: &rand,
        res: &res,
        ck: &ck,
        ik: &ik,
        sqn_xor_ak: &sqn_xor_ak,
    };
    crate::cmd_milenage_5g::extend(&a.fiveg, &aka, &mut ops, &mut put)?;
    println!("{}", serde_json::Value::Object(out));
    Ok(())
}
