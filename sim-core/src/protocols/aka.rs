//! What the AKA protocols (eps-aka, umts-aka, group-aka) share in a
//! scenario: subscriber provisioning and the checks of their common
//! parameters.

use authsim_protocols::aka::HeSqn;
use authsim_protocols::crypto::milenage::Milenage;
use authsim_protocols::eps_aka::Subscriber;

use crate::build::{BuildContext, BuildError, subscriber_keys};
use crate::spec::FieldError;

/// An invalid `protocol.<field>`.
pub(crate) fn invalid(field: &str, message: &str) -> FieldError {
    FieldError::new(format!("protocol.{field}"), message)
}

/// Timers must be positive numbers of seconds.
pub(crate) fn check_timers(timers: &[(&str, f64)]) -> Result<(), FieldError> {
    match timers.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
        Some((f, _)) => Err(invalid(f, "must be a positive number of seconds")),
        None => Ok(()),
    }
}

/// `op`, when given, is 32 hex digits.
pub(crate) fn check_op(op: Option<&str>) -> Result<(), FieldError> {
    match op {
        Some(op) if !matches!(hex::decode(op), Ok(b) if b.len() == 16) => {
            Err(invalid("op", "must be 32 hex digits"))
        }
        _ => Ok(()),
    }
}

/// One device per subscriber of the population, made by `device(index,
/// USIM)`, and the home network's subscriber records, from the same keys.
pub(crate) fn provision<D>(
    ctx: &BuildContext<'_>,
    op: Option<&str>,
    mut device: impl FnMut(u32, Milenage) -> D,
) -> Result<(Vec<D>, Vec<Subscriber>), BuildError> {
    let n = ctx.population.devices;
    let mut devices = Vec::with_capacity(n as usize);
    let mut subscribers = Vec::with_capacity(n as usize);
    for (i, (k, opc)) in subscriber_keys(ctx.seed, op, n)?.enumerate() {
        devices.push(device(i as u32, Milenage::new(k, opc)));
        subscribers.push(Subscriber {
            milenage: Milenage::new(k, opc),
            sqn: HeSqn::new(1),
        });
    }
    Ok((devices, subscribers))
}
