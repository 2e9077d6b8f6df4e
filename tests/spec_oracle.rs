//! The engine against an independent reading of SPEC.md (tests/oracle).

mod oracle;

use std::path::Path;

use blast_radius::engine;
use blast_radius::limits::Limits;
use blast_radius::model::{Topology, topology_from_str};
use blast_radius::plan::{Origin, Plan, inline_plan, resolve};
use oracle::r#gen as generate;
use proptest::prelude::*;

fn load(text: &str) -> Topology {
    topology_from_str(text, Path::new("oracle.yaml"), Limits::default()).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn plan(t: &Topology, ops: &[String], approvals: &[String]) -> Plan {
    resolve(t, &inline_plan(ops).unwrap(), Origin::Inline, approvals).unwrap_or_else(|e| panic!("{e}\n{ops:?}"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn smoke(case in generate::case()) {
        let text = case.topo.yaml();
        let t = load(&text);
        let p = plan(&t, &case.ops, &case.approvals);
        let outcome = engine::run(&t, &p);
        let expected = oracle::expect(&t, &p);
        let _ = (outcome, expected);
    }
}
