//! The bytes a delivery carries.

use std::ops::Deref;
use std::sync::Arc;

/// A delivery's PDU: a unicast's bytes moved in from the sender, or one
/// broadcast's bytes shared by all its deliveries (a group of m members
/// makes m² deliveries of m PDUs: one allocation per broadcast, not one per
/// receiver). Same size as a `Vec<u8>`.
#[derive(Clone, Debug)]
pub enum Pdu {
    Owned(Vec<u8>),
    Shared(Arc<[u8]>),
}

impl Pdu {
    /// The bytes of a broadcast, to be cloned into each of its deliveries.
    pub fn shared(bytes: Vec<u8>) -> Self {
        Pdu::Shared(bytes.into())
    }
}

/// Equal bytes, however held.
impl PartialEq for Pdu {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl Eq for Pdu {}

impl Default for Pdu {
    fn default() -> Self {
        Pdu::Owned(Vec::new())
    }
}

impl Deref for Pdu {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Pdu::Owned(v) => v,
            Pdu::Shared(s) => s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_shared_read_alike() {
        let a = Pdu::Owned(vec![1, 2, 3]);
        let b = Pdu::shared(vec![1, 2, 3]);
        assert_eq!(&*a, &*b.clone());
        assert_eq!(std::mem::size_of::<Pdu>(), std::mem::size_of::<Vec<u8>>());
    }
}
