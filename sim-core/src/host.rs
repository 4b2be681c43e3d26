//! A node's collection of endpoints.
//!
//! One nexosim model per device would cost kilobytes each and not reach 10^6
//! devices, so one node hosts many endpoints (a cell's population of devices)
//! or one (an MME). Endpoints are addressed by index inside their node.

use authsim_protocols::core::Endpoint;

pub trait Host: Send {
    fn len(&self) -> u32;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint>;
}

impl<E: Endpoint + Send> Host for Vec<E> {
    fn len(&self) -> u32 {
        Vec::len(self) as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        self.get_mut(index as usize).map(|e| e as &mut dyn Endpoint)
    }
}

/// Hosts boxed endpoints of different types (e.g. one group leader plus members).
pub struct Mixed(pub Vec<Box<dyn Endpoint + Send>>);

impl Host for Mixed {
    fn len(&self) -> u32 {
        self.0.len() as u32
    }
    fn endpoint(&mut self, index: u32) -> Option<&mut dyn Endpoint> {
        match self.0.get_mut(index as usize) {
            Some(e) => Some(e.as_mut()),
            None => None,
        }
    }
}
