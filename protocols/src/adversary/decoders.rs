//! Every wire decoder on hostile bytes: it must not panic, and whatever it
//! accepts must survive a round trip — re-encoded to the same bytes by the
//! strict decoders (NAS, 5G NAS, EAP, SBI, MAP/TCAP, group NAS, the GAS and aggregate-signature
//! TLV messages), to an encoding that decodes to the same value by the others
//! (MM, Diameter, whose decoders accept what the encoders never write: AVPs in
//! any order, unknown optional AVPs, ...).

use std::fmt::Debug;

use crate::aggsig::msg::{KeyIssue, KeyRequest, MeterReading, ReadingBatch, SigList, SigRequest};
use crate::gas::msg::group::GroupMessage;
use crate::gas::msg::intra::{GaChallenge, GaJoin, GaRequest, GaToken, GskDelivery};
use crate::gas::msg::uplink::{
    MgAccessRequest, MgAggregate, MgAuth, MgMeterPoint, MgSessionGateway, MgSessionMdms,
};
use crate::proxy::msg::PxMessage;
use crate::tls13::msg::TlsMessage;
use crate::wire::Message;
use crate::wire::diameter::{
    AuthenticationInformationAnswer, AuthenticationInformationRequest, S6aMessage,
};
use crate::wire::eap::EapPacket;
use crate::wire::group::{GroupAia, GroupAir, GroupNas};
use crate::wire::map::{MapMessage, SaiBegin, SaiEnd};
use crate::wire::mm::MmMessage;
use crate::wire::nas::{Nas, SecurityProtected};
use crate::wire::nas5g::{Nas5g, Nas5gMessage, SecurityProtected5g};
use crate::wire::sbi::SbiMessage;

/// A decoded message whose round trip was not exact: a decoder bug.
#[derive(Debug, thiserror::Error)]
#[error("{decoder}: {problem} (input {input})")]
pub struct RoundTripError {
    pub decoder: &'static str,
    pub problem: &'static str,
    /// The input, in hex.
    pub input: String,
}

/// One decoder: its name (the fuzz target's suffix) and its check.
pub struct Decoder {
    pub name: &'static str,
    pub check: fn(&[u8]) -> Result<bool, RoundTripError>,
}

/// Decodes `data` as `M`; `Ok(true)` if it was accepted (and round-tripped).
fn round_trip<M: Message + PartialEq + Debug>(
    name: &'static str,
    strict: bool,
    data: &[u8],
) -> Result<bool, RoundTripError> {
    let Ok(m) = M::decode(data) else {
        return Ok(false);
    };
    let fail = |problem| RoundTripError {
        decoder: name,
        problem,
        input: hex::encode(data),
    };
    let pdu = m.encode();
    if pdu.len() != m.encoded_len() {
        return Err(fail("encoded_len differs from the encoding"));
    }
    if strict && pdu != data {
        return Err(fail("accepted bytes re-encode differently"));
    }
    match M::decode(&pdu) {
        Ok(back) if back == m => {}
        Ok(_) => return Err(fail("re-encoding decodes to another value")),
        Err(_) => return Err(fail("re-encoding does not decode")),
    }
    if M::decode(&pdu).map(|b| b.kind()).ok() != Some(m.kind()) {
        return Err(fail("kind changed"));
    }
    Ok(true)
}

macro_rules! decoders {
    ($($name:literal => $ty:ty, $strict:expr;)*) => {
        /// Every decoder of the wire formats and the GAS messages.
        pub const DECODERS: &[Decoder] = &[
            $(Decoder { name: $name, check: |d| round_trip::<$ty>($name, $strict, d) },)*
        ];
    };
}

decoders! {
    "nas" => Nas, true;
    "nas_protected" => SecurityProtected, true;
    "mm" => MmMessage, false;
    "s6a" => S6aMessage, false;
    "s6a_air" => AuthenticationInformationRequest, false;
    "s6a_aia" => AuthenticationInformationAnswer, false;
    "map" => MapMessage, true;
    "map_begin" => SaiBegin, true;
    "map_end" => SaiEnd, true;
    "group_nas" => GroupNas, true;
    "group_air" => GroupAir, false;
    "group_aia" => GroupAia, false;
    "gas_group" => GroupMessage, true;
    "gas_ga_request" => GaRequest, true;
    "gas_ga_join" => GaJoin, true;
    "gas_ga_challenge" => GaChallenge, true;
    "gas_ga_token" => GaToken, true;
    "gas_gsk_delivery" => GskDelivery, true;
    "gas_mg_access_request" => MgAccessRequest, true;
    "gas_mg_meter_point" => MgMeterPoint, true;
    "gas_mg_aggregate" => MgAggregate, true;
    "gas_mg_session_mdms" => MgSessionMdms, true;
    "gas_mg_session_gateway" => MgSessionGateway, true;
    "gas_mg_auth" => MgAuth, true;
    "aggsig_meter_reading" => MeterReading, true;
    "aggsig_reading_batch" => ReadingBatch, true;
    "aggsig_sig_request" => SigRequest, true;
    "aggsig_sig_list" => SigList, true;
    "aggsig_key_request" => KeyRequest, true;
    "aggsig_key_issue" => KeyIssue, true;
    "proxy" => PxMessage, true;
    "tls13" => TlsMessage, true;
    "nas5g" => Nas5g, true;
    "nas5g_plain" => Nas5gMessage, true;
    "nas5g_protected" => SecurityProtected5g, true;
    "eap" => EapPacket, true;
    "sbi" => SbiMessage, true;
}

/// Runs every decoder on `data`; the number that accepted it.
pub fn all(data: &[u8]) -> Result<usize, RoundTripError> {
    let mut accepted = 0;
    for d in DECODERS {
        accepted += usize::from((d.check)(data)?);
    }
    Ok(accepted)
}
