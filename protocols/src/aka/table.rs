//! The serving node's table of per-device contexts, keyed by address.
//!
//! A population numbers its devices densely, so the table is indexed by
//! (device node, endpoint index) instead of hashed: no hashing, no rehash of
//! 10^6 entries while growing. Slots come in pages allocated on first use, so
//! the table never copies itself as it grows; a slot costs the size of
//! `Option<C>` (24 bytes for an EPS MME's context).

use crate::core::Addr;

/// Slots per page (4096).
const PAGE_BITS: u32 = 12;
const PAGE: usize = 1 << PAGE_BITS;

/// [`PAGE`] slots.
type Page<C> = Box<[Option<C>]>;

/// Per-device contexts of a serving node (MME, VLR).
pub struct Contexts<C> {
    /// Per device node, the pages of slots.
    nodes: Vec<Vec<Option<Page<C>>>>,
    len: usize,
}

impl<C> Default for Contexts<C> {
    fn default() -> Self {
        Self {
            nodes: Vec::new(),
            len: 0,
        }
    }
}

impl<C> Contexts<C> {
    pub fn get(&self, device: &Addr) -> Option<&C> {
        let i = device.index as usize;
        self.nodes
            .get(device.node as usize)?
            .get(i >> PAGE_BITS)?
            .as_ref()?[i & (PAGE - 1)]
            .as_ref()
    }

    pub fn get_mut(&mut self, device: &Addr) -> Option<&mut C> {
        let i = device.index as usize;
        self.nodes
            .get_mut(device.node as usize)?
            .get_mut(i >> PAGE_BITS)?
            .as_mut()?[i & (PAGE - 1)]
            .as_mut()
    }

    /// The device's context, created with `f` if it has none.
    pub fn get_or_insert_with(&mut self, device: Addr, f: impl FnOnce() -> C) -> &mut C {
        let node = device.node as usize;
        if self.nodes.len() <= node {
            self.nodes.resize_with(node + 1, Vec::new);
        }
        let pages = &mut self.nodes[node];
        let i = device.index as usize;
        if pages.len() <= i >> PAGE_BITS {
            pages.resize_with((i >> PAGE_BITS) + 1, || None);
        }
        let page = pages[i >> PAGE_BITS].get_or_insert_with(|| (0..PAGE).map(|_| None).collect());
        let slot = &mut page[i & (PAGE - 1)];
        if slot.is_none() {
            self.len += 1;
        }
        slot.get_or_insert_with(f)
    }

    /// Contexts held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contexts_are_found_by_address_across_nodes_and_pages() {
        let mut t = Contexts::default();
        let far = Addr::new(3, 3 * PAGE as u32 + 7);
        assert!(t.get(&far).is_none() && t.is_empty());
        *t.get_or_insert_with(far, || 1u32) += 1;
        *t.get_or_insert_with(Addr::new(0, 0), || 10) += 1;
        assert_eq!(*t.get_or_insert_with(far, || 100), 2, "kept, not replaced");
        assert_eq!(t.get(&Addr::new(0, 0)), Some(&11));
        assert_eq!(t.get_mut(&Addr::new(3, 7)), None, "same slot, other page");
        assert_eq!(t.get(&Addr::new(1, 0)), None);
        assert_eq!(t.len(), 2);
        // Pages are allocated as far as the highest index and no further, and
        // a lower index of the same node keeps the pages above it.
        assert_eq!(t.nodes[3].len(), 4);
        *t.get_or_insert_with(Addr::new(3, 1), || 5) += 1;
        assert_eq!(t.nodes[3].len(), 4);
        assert_eq!(t.get(&far), Some(&2));
        assert_eq!(t.get(&Addr::new(3, 1)), Some(&6));
        assert_eq!(t.len(), 3);
    }
}
