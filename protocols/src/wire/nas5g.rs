//! 5GS NAS (TS 24.501): the 5GMM messages and IEs that 5G-AKA runs over N1.

pub mod identity;
