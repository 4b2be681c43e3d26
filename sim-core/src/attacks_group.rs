//! The group AKA part of `[[attacks]]` (crate::attacks): which classes and
//! fields belong to group AKA only, the groups of a run, and the
//! compromised members an entry of class `compromised_member` places.
//!
//! docs/threats.md says what each class exercises and how it is read.

use std::sync::Arc;

use authsim_protocols::adversary::group::Insider;
use authsim_protocols::adversary::injector::Dialect;
use authsim_protocols::aka::SqnState;
use authsim_protocols::core::{Addr, Nanos, SimRng};
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::group_aka::{Config, Group, Member};
use rand::{Rng, SeedableRng};

use crate::attacks::{AttackClass, AttackSpec, FieldSpec};
use crate::host::Host;
use crate::protocols::ProtocolSpec;
use crate::spec::{FieldError, PopulationSpec};

/// The groups of a group AKA run, as its HSS provisions them.
pub struct GroupSetup {
    pub group_size: u32,
    pub groups: Vec<Group>,
    pub cfg: Arc<Config>,
}

/// The groups of a run of `protocol` with `seed`, if it is group AKA.
pub fn setup(
    protocol: &ProtocolSpec,
    seed: u64,
    population: &PopulationSpec,
) -> Option<GroupSetup> {
    let ProtocolSpec::GroupAka(p) = protocol else {
        return None;
    };
    Some(GroupSetup {
        group_size: p.group_size,
        groups: p.groups_of(seed, population.devices),
        cfg: Arc::new(p.config()),
    })
}

/// Whether a class is group AKA's own.
pub fn is_group_class(class: AttackClass) -> bool {
    matches!(
        class,
        AttackClass::GroupChallengeFlood | AttackClass::NonMember | AttackClass::CompromisedMember
    )
}

/// The group classes and the `rand_g` field need group AKA's dialect.
pub(crate) fn check_group_only(
    a: &AttackSpec,
    dialect: Dialect,
    f: &dyn Fn(&str) -> String,
) -> Result<(), FieldError> {
    let group = matches!(dialect, Dialect::Group { .. });
    if is_group_class(a.class) && !group {
        return Err(FieldError::new(
            f("class"),
            format!("class `{}` attacks group AKA only", a.class.name()),
        ));
    }
    if a.field == Some(FieldSpec::RandG) && !group {
        return Err(FieldError::new(
            f("field"),
            "`rand_g` is a field of group AKA's group challenge only",
        ));
    }
    Ok(())
}

/// One compromised member per injection: injection k (at `start + k/rate`)
/// attaches as subscriber `k mod devices` holding that subscriber's group
/// GK and a random USIM key (not the victim's K).
pub(crate) fn insiders(
    a: &AttackSpec,
    g: &GroupSetup,
    population: &PopulationSpec,
    mme: Addr,
    (start, stop): (Nanos, Nanos),
    seed: u64,
) -> (Box<dyn Host>, Vec<(Nanos, u32)>) {
    let mut rng = SimRng::seed_from_u64(seed);
    let step = crate::spec::seconds(1.0 / a.rate_per_s.unwrap_or(1.0)).max(1);
    let devices = population.devices.max(1);
    let mut hosted = Vec::new();
    let mut arrivals = Vec::new();
    let mut at = start;
    let mut k: u32 = 0;
    while at < stop {
        let victim = k % devices;
        let group = &g.groups[((victim / g.group_size.max(1)) as usize).min(g.groups.len() - 1)];
        let (mut key, mut opc) = ([0u8; 16], [0u8; 16]);
        rng.fill_bytes(&mut key);
        rng.fill_bytes(&mut opc);
        let member = Member::new(
            g.cfg.clone(),
            victim,
            mme,
            Milenage::new(key, opc),
            SqnState::default(),
            group.id,
            group.gk,
        );
        hosted.push(Insider::new(member, at));
        arrivals.push((at, k));
        k += 1;
        at += step;
    }
    (Box::new(hosted), arrivals)
}
