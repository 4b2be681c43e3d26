//! A message travelling between nodes.

use authsim_protocols::core::{Addr, Interface};

use super::attribution::Cause;
use crate::pdu::Pdu;

/// A message travelling between nodes.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub from: Addr,
    pub to: Addr,
    pub interface: Interface,
    pub kind: &'static str,
    /// The encoded PDU (moved, not copied, for a unicast; shared by the
    /// deliveries of a broadcast).
    pub pdu: Pdu,
    /// The device attempt it was sent for (storm runs; else `Cause::NONE`),
    /// or `Cause::ADVERSARY` for a PDU an adversary made.
    pub cause: Cause,
}

// nexosim requires scheduled event payloads to be serializable (for its
// save/restore feature). authsim never restores a run, so a delivery serializes
// for inspection but refuses to deserialize.
impl serde::Serialize for Delivery {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Delivery", 5)?;
        st.serialize_field("from", &self.from.to_string())?;
        st.serialize_field("to", &self.to.to_string())?;
        st.serialize_field("interface", self.interface.name())?;
        st.serialize_field("kind", self.kind)?;
        st.serialize_field("pdu", &*self.pdu)?;
        st.end()
    }
}

impl<'de> serde::Deserialize<'de> for Delivery {
    fn deserialize<D: serde::Deserializer<'de>>(_: D) -> Result<Self, D::Error> {
        Err(serde::de::Error::custom(
            "authsim does not restore saved simulations",
        ))
    }
}

#[cfg(test)]
mod tests {
    /// Storms queue millions of deliveries: the attempt a delivery is for
    /// (7 octets) fits in what the rest leaves of 64 octets.
    #[test]
    fn a_delivery_stays_within_64_octets() {
        let n = std::mem::size_of::<super::Delivery>();
        assert!(n <= 64, "{n} octets");
    }
}
