//! authsim-sim: the discrete-event engine (nexosim), network and metrics.
//!
//! Layering: `latency`/`link` model the network, `profile` prices processing,
//! `timers` keeps per-node protocol timers, `node` is one node's pure logic,
//! `engine` wraps nodes into nexosim models and runs a bench.

#![deny(unsafe_code)]

pub mod atomic_file;
pub mod attack_matrix;
pub mod attacks;
pub mod attacks_group;
pub mod build;
pub mod csv_table;
pub mod engine;
pub mod fuzzing;
pub mod home_attacks;
pub mod host;
pub mod improvement;
pub mod journal;
pub mod latency;
pub mod link;
pub mod metrics;
pub mod node;
pub mod pcap;
pub mod pdu;
mod prefetch;
pub mod profile;
pub mod protocols;
pub mod rach_report;
pub mod replications;
pub mod report;
pub mod runner;
pub mod scenario;
pub mod spec;
pub mod storm;
pub mod sweep;
pub mod timers;
pub mod trace;
pub mod wasted;
pub mod workload;
