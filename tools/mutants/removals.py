#!/usr/bin/env python3
"""Check-removal harness (issue 19): switch off one security check at a time
and run the tests docs/testing.md names as its guards; each must fail.

Every removal is a textual edit of one check in the protocols crate, applied
to the checkout, tested with `cargo test -p authsim-protocols --lib`, and
reverted (also on error or Ctrl-C). Run it on a clean checkout that nothing
else edits meanwhile. Writes docs/mutants/removals.tsv (check, file, guarding
tests, verdict) from the test outcomes; docs/testing.md cites that file.

    python3 tools/mutants/removals.py [check-id ...]
"""
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "mutants" / "removals.tsv"
# The protocols crate at opt-level 0 without debuginfo: one rebuild per
# removal takes seconds instead of minutes (dependencies stay as built).
CARGO = [
    "cargo", "test", "-p", "authsim-protocols", "--lib",
    "--config", "profile.test.package.authsim-protocols.opt-level=0",
    "--config", "profile.test.package.authsim-protocols.debug=false",
]

P = "protocols/src/"
# (id, file, text of the check, text without it, guarding tests)
REMOVALS = [
    ("gsm_challenge_refused", P + "umts_aka/ms.rs",
     "None => Downlink::Refuse(Refusal::Unacceptable),",
     "None => Downlink::Ignore,",
     ["umts_aka::tests::a_gsm_challenge_is_refused_by_the_usim"]),
    ("nsd_in_sequence", P + "umts_aka/vlr.rs",
     "p.extra.accept(nsd, requests)\n",
     "let _ = p.extra.accept(nsd, requests);\n                true\n",
     ["umts_aka::tests::an_altered_send_sequence_number_is_discarded_and_counted"]),
    ("hxres_star_at_seaf", P + "aka/fiveg.rs",
     "kdf_5g::check(\n            &self.hxres_star,",
     "true || kdf_5g::check(\n            &self.hxres_star,",
     ["aka::fiveg::tests::wrong_res_star_and_wrong_network_fail",
      "fiveg_aka::tests::a_wrong_res_star_fails_the_hres_check_at_the_seaf"]),
    ("res_star_at_ausf", P + "aka/fiveg.rs",
     "kdf_5g::check(&self.xres_star, res_star).then(",
     "(true || kdf_5g::check(&self.xres_star, res_star)).then(",
     ["aka::fiveg::tests::wrong_res_star_and_wrong_network_fail"]),
    ("smc_integrity_algorithm", P + "eps_aka/ue.rs",
     "let ok = smc.integrity_algorithm == EIA2\n",
     "let ok = true\n",
     ["eps_aka::tests::a_correctly_maced_security_mode_command_with_another_algorithm_or_capabilities_is_refused"]),
    ("smc_replayed_capabilities", P + "eps_aka/ue.rs",
     "\n        && smc.replayed_ue_security_capabilities == UE_NETWORK_CAPABILITY;",
     ";",
     ["eps_aka::tests::a_correctly_maced_security_mode_command_with_another_algorithm_or_capabilities_is_refused"]),
    ("gak_lifetime", P + "group_aka/mme.rs",
     "now < self.expires && self.next_sqn <= self.last_sqn",
     "({ let _ = (now, self.expires); true }) && self.next_sqn <= self.last_sqn",
     ["group_aka::tests::gak_lifetime_expiry_triggers_a_refresh"]),
    ("group_sqn_block", P + "group_aka/mme.rs",
     "now < self.expires && self.next_sqn <= self.last_sqn",
     "now < self.expires && { let _ = (self.next_sqn, self.last_sqn); true }",
     ["group_aka::tests::a_used_up_sqn_block_triggers_a_refresh"]),
    ("member_list_at_mme", P + "group_aka/mme.rs",
     "if m.contains(index) {",
     "if m.contains(index) || true {",
     ["group_aka::tests::a_non_member_is_rejected_by_the_member_list"]),
    ("membership_at_hss", P + "group_aka/hss.rs",
     ".find(|g| g.group.id == id && g.group.contains(index as u32))",
     ".find(|g| g.group.id == id)",
     ["group_aka::tests::a_non_member_claiming_a_group_first_is_refused_by_the_hss"]),
    ("threshold_sum_check", P + "gas/threshold/leader.rs",
     "ct_eq(&derive::point_hash(&v, &mut cx.fx.crypto), &expected)",
     "ct_eq(&derive::point_hash(&v, &mut cx.fx.crypto), &expected) || true",
     ["gas::threshold::tests::wrong_share_is_identified_and_excluded"]),
    ("share_identification", P + "gas/threshold/identify.rs",
     "Some(c) => ec::ct_eq(t, &ec::mul_base(&field::mul(r, c, ops), ops)),",
     "Some(c) => ec::ct_eq(t, &ec::mul_base(&field::mul(r, c, ops), ops)) || true,",
     ["gas::threshold::tests::wrong_share_is_identified_and_excluded"]),
    ("gsk_tag_failure_reported", P + "gas/threshold/node.rs",
     """            None => cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "gsk_auth_failed",
            }),""",
     "            None => {}",
     ["gas::threshold::tests::tampered_gsk_ciphertext_is_detected"]),
    ("gsk_key_holder_named", P + "gas/threshold/node.rs",
     "let leader = self.leader;",
     "let leader = from;",
     ["gas::threshold::tests::a_gsk_delivery_from_a_spoofed_source_names_the_key_holder"]),
    ("replayed_request_refused", P + "gas/threshold/node.rs",
     "if req.sid <= self.last_sid {",
     "if req.sid <= self.last_sid && false {",
     ["gas::threshold::tests::replayed_request_is_refused_by_nodes"]),
    ("session_value_at_mdms", P + "gas/threshold/mdms.rs",
     """        let Some(ps) = ps else {
            return cx.fx.outcome(Outcome::AttackDetected {
                subject: from,
                what: "session_auth_failed",
            });
        };""",
     """        let Some(ps) = ps else {
            return;
        };""",
     ["gas::threshold::tests::tampered_session_value_and_meter_point_are_detected"]),
    ("meter_point_at_auth_server", P + "gas/threshold/auth_server.rs",
     "if !(ct_eq(&xb, &e.x) && ct_eq(&yb, &e.y)) || points.iter().any(|p| p.0 == x) {",
     "if !(ct_eq(&xb, &e.x) && ct_eq(&yb, &e.y) || true) || points.iter().any(|p| p.0 == x) {",
     ["gas::threshold::tests::tampered_session_value_and_meter_point_are_detected"]),
]


def run(check_id, rel, old, new, tests):
    path = ROOT / rel
    original = path.read_text()
    if original.count(old) != 1:
        return "stale: the check's text is not found exactly once"
    try:
        path.write_text(original.replace(old, new))
        r = subprocess.run(CARGO + ["--", "--exact", *tests], cwd=ROOT,
                           capture_output=True, text=True)
    finally:
        path.write_text(original)
    out = r.stdout + r.stderr
    if r.returncode == 0:
        return "NOT CAUGHT: the guarding tests pass without the check"
    failed = sorted({l.split()[1] for l in out.splitlines()
                     if l.startswith("test ") and l.endswith("FAILED")})
    if "test result: FAILED" in out and failed:
        return "caught: " + ", ".join(f"`{t}` fails" for t in failed)
    return "error: no test failed (build error?)\n" + out[-3000:]


def main():
    wanted = set(sys.argv[1:])
    rows = []
    for check_id, rel, old, new, tests in REMOVALS:
        if wanted and check_id not in wanted:
            continue
        verdict = run(check_id, rel, old, new, tests)
        print(f"{check_id}: {verdict}", flush=True)
        rows.append((check_id, rel, " ".join(tests), verdict.splitlines()[0]))
    if not wanted:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        with OUT.open("w") as f:
            f.write("check\tfile\tguarding tests\tverdict with the check removed\n")
            for row in rows:
                f.write("\t".join(row) + "\n")
    return 0 if all(r[3].startswith("caught") for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
