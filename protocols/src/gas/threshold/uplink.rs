//! The smart meter's part of the MDMS–gateway phase (§4.4 step 2): answer
//! the forwarded access request with its point P_t = h_2(κ_S ‖ SID ‖ ID_S).

use crate::core::{Addr, Ctx, Incoming, Interface, Outcome};
use crate::gas::field;
use crate::gas::msg::uplink::{MeterEntry, MgAccessRequest, MgMeterPoint};

use super::derive;
use super::setup::MeterUplinkKeys;

pub(crate) struct MeterUplink {
    keys: MeterUplinkKeys,
    gateway: Addr,
}

impl MeterUplink {
    pub(crate) fn new(keys: MeterUplinkKeys, gateway: Addr) -> Self {
        Self { keys, gateway }
    }

    pub(crate) fn on_access_request(&mut self, msg: Incoming<'_>, cx: &mut Ctx<'_>) {
        let Ok(req) = MgAccessRequest::decode(msg.pdu) else {
            return cx.fx.outcome(Outcome::Rejected {
                subject: msg.from,
                reason: "malformed_pdu",
            });
        };
        let (x, y) =
            derive::meter_point(&self.keys.kappa, req.sid, self.keys.id, &mut cx.fx.crypto);
        let entry = MeterEntry {
            id: self.keys.id,
            x: field::to_bytes(&x),
            y: field::to_bytes(&y),
        };
        let reply = MgMeterPoint {
            sid: req.sid,
            entry,
        };
        cx.fx.send_msg(self.gateway, Interface::Nan, &reply);
    }
}
