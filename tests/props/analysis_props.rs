//! Property tests: `spof`, `cuts` and `diff` against brute force through the
//! engine: one independent `check` per failure.

use crate::common;
use crate::oracle;

use std::collections::{BTreeMap, BTreeSet};

use blast_radius::analysis::cuts::{Limits, Target, cuts_with};
use blast_radius::analysis::diff::diff;
use blast_radius::analysis::spof::{Options, Unit, spof_with};
use blast_radius::engine;
use blast_radius::model::{ComponentIdx, Topology};
use blast_radius::plan::{Origin, inline_plan, resolve};
use blast_radius::report::{self, Counts};
use blast_radius::{FailOn, Status};
use common::{component, load, topology_text};
use proptest::prelude::*;

/// What `blast check --op OP` reports.
fn check_op(topology: &Topology, op: &str) -> report::Report {
    let plan = resolve(topology, &inline_plan(&[op.to_string()]).unwrap(), Origin::Inline, &[]).unwrap();
    let outcome = engine::run(topology, &plan);
    report::build(
        topology,
        &plan,
        "inline".into(),
        &outcome,
        FailOn::Degraded,
        report::AppRows::Affected,
    )
}

fn target_down(topology: &Topology, set: &[ComponentIdx], target: ComponentIdx) -> bool {
    if set.is_empty() {
        return blast_radius::engine::overlay::Overlay::new(topology).baseline(target) == Status::Down;
    }
    let ops: Vec<String> = set
        .iter()
        .map(|c| format!("fail {}", topology.component(*c).id))
        .collect();
    let plan = resolve(topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
    engine::run(topology, &plan).worst[target.index()] == Status::Down
}

fn same_counts(a: &Counts, b: &Counts) -> bool {
    a == b
}

/// The `--op` that fails `unit`.
fn op_of(topology: &Topology, unit: Unit) -> String {
    match unit {
        Unit::Component(c) => format!("fail {}", topology.component(c).id),
        Unit::Zone(z) => format!("fail-zone {}", topology.zone(z).id),
        Unit::Region(r) => format!("fail-region {}", topology.region(r).id),
    }
}

/// Every unit `spof` must rank, by label, read off the topology directly.
fn expected_units(topology: &Topology, include_apps: bool) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = topology
        .components()
        .iter()
        .filter(|c| include_apps || c.customer.is_none())
        .map(|c| c.id.to_string())
        .collect();
    out.extend(topology.zones().iter().map(|z| format!("zone {}", z.id)));
    out.extend(topology.regions().iter().map(|r| format!("region {}", r.id)));
    out
}

/// By brute force, one `check` per unit: each customer's single points of
/// failure (units that bring it from below `threshold` to it or worse, its
/// own apps aside), and the customers at `threshold` or worse with no
/// operation, with their status.
#[allow(clippy::type_complexity)]
fn brute_spofs(
    topology: &Topology,
    threshold: Status,
) -> (BTreeMap<String, BTreeSet<String>>, BTreeMap<String, Status>) {
    let baseline = blast_radius::engine::overlay::Overlay::new(topology);
    let status_before =
        |k: &blast_radius::model::Customer| k.apps().map(|a| baseline.baseline(a)).max().unwrap_or_default();
    let failing: BTreeMap<String, Status> = topology
        .customers()
        .iter()
        .map(|k| (k.id.to_string(), status_before(k)))
        .filter(|(_, s)| *s >= threshold)
        .collect();
    let mut spofs: BTreeMap<String, BTreeSet<String>> = topology
        .customers()
        .iter()
        .map(|k| (k.id.to_string(), BTreeSet::new()))
        .collect();
    let units = topology
        .component_indices()
        .map(Unit::Component)
        .chain(topology.zone_indices().map(Unit::Zone))
        .chain(topology.region_indices().map(Unit::Region));
    for unit in units {
        let report = check_op(topology, &op_of(topology, unit));
        for customer in &report.customers {
            let Some(k) = topology.find_customer(&customer.id).map(|k| topology.customer(k)) else {
                continue;
            };
            let own_app = matches!(unit, Unit::Component(c) if k.apps().any(|a| a == c));
            if customer.status >= threshold && status_before(k) < threshold && !own_app {
                spofs.entry(k.id.to_string()).or_default().insert(unit.label(topology));
            }
        }
    }
    (spofs, failing)
}

/// `spof` on `text` against one `check` per unit.
fn spof_against_checks(text: &str, include_apps: bool) -> Result<(), TestCaseError> {
    let topology = load(text);
    let options = Options {
        include_apps,
        ..Options::default()
    };
    let entries = spof_with(&topology, &options, |_, _| {});
    let ranked: BTreeSet<String> = entries.iter().map(|e| e.unit.label(&topology)).collect();
    prop_assert_eq!(ranked, expected_units(&topology, include_apps));
    for entry in &entries {
        let report = check_op(&topology, &op_of(&topology, entry.unit));
        let id = entry.unit.label(&topology);
        prop_assert!(
            same_counts(&entry.impact.customers, &report.summary.customers),
            "{id}: spof {:?} vs check {:?}\n{text}",
            entry.impact.customers,
            report.summary.customers
        );
        prop_assert!(
            same_counts(&entry.impact.services, &report.summary.services),
            "{id}: spof {:?} vs check {:?}\n{text}",
            entry.impact.services,
            report.summary.services
        );
        let mut down: Vec<&str> = report
            .customers
            .iter()
            .filter(|c| c.status == Status::Down)
            .map(|c| c.id.as_str())
            .collect();
        let mut spof_down: Vec<&str> = entry
            .impact
            .down_customers
            .iter()
            .map(|c| topology.customer(*c).id.as_str())
            .collect();
        down.sort_unstable();
        spof_down.sort_unstable();
        prop_assert_eq!(spof_down, down, "{}\n{}", id, text);
    }
    Ok(())
}

/// The ten largest moves in the ranking of units that are not apps, from
/// a full `spof` of each file: (label, old rank, new rank, weights down).
fn brute_moves(old: &Topology, new: &Topology, threshold: Status) -> Vec<(String, usize, usize, String, String)> {
    let ranks = |t: &Topology| -> BTreeMap<String, (usize, String, bool)> {
        let options = Options {
            include_apps: false,
            threshold,
            listed: 0,
        };
        spof_with(t, &options, |_, _| {})
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let w = &e.impact.customers.down_weight;
                (e.unit.label(t), (i + 1, w.display(), w.is_positive()))
            })
            .collect()
    };
    let (a, b) = (ranks(old), ranks(new));
    let mut moves: Vec<(String, usize, usize, String, String)> = a
        .iter()
        .filter_map(|(id, (ra, wa, pa))| {
            let (rb, wb, pb) = b.get(id)?;
            ((*pa || *pb) && ra != rb).then(|| (id.clone(), *ra, *rb, wa.clone(), wb.clone()))
        })
        .collect();
    moves.sort_by(|x, y| {
        y.1.abs_diff(y.2)
            .cmp(&x.1.abs_diff(x.2))
            .then_with(|| x.2.cmp(&y.2))
            .then_with(|| x.0.cmp(&y.0))
    });
    moves.truncate(10);
    moves
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Hundreds of components: the workers take several trees of the
    /// failure forest at a time from their shared queue, so chunks and the
    /// merge of what each worker measured are exercised (the small cases
    /// below give one root per chunk).
    #[test]
    fn spof_of_hundreds_of_components_equals_one_check_per_unit(specs in proptest::collection::vec(component(), 150..300)) {
        spof_against_checks(&topology_text(&specs), false)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn spof_equals_one_check_per_unit(specs in proptest::collection::vec(component(), 2..9), include_apps in any::<bool>()) {
        let text = topology_text(&specs);
        spof_against_checks(&text, include_apps)?;
    }

    /// Several regions, surges and failovers (the oracle's generator): a
    /// zone failure changes the capacities failover shares are split by.
    #[test]
    fn spof_with_load_dynamics_equals_one_check_per_unit(t in oracle::r#gen::topo(), include_apps in any::<bool>()) {
        spof_against_checks(&t.yaml(), include_apps)?;
    }

    /// Listing only the top units (what `blast spof --top N` shows) ranks
    /// and counts exactly as listing all, and lists the same for those.
    #[test]
    fn spof_lists_of_the_top_units_equal_those_of_a_full_listing(
        t in oracle::r#gen::topo(),
        listed in 1usize..6,
    ) {
        let topology = load(&t.yaml());
        let all = spof_with(&topology, &Options::default(), |_, _| {});
        let top = spof_with(&topology, &Options { listed, ..Options::default() }, |_, _| {});
        prop_assert_eq!(all.len(), top.len());
        for (i, (a, b)) in all.iter().zip(&top).enumerate() {
            prop_assert_eq!(a.unit, b.unit);
            prop_assert!(same_counts(&a.impact.customers, &b.impact.customers));
            prop_assert!(same_counts(&a.impact.services, &b.impact.services));
            if i < listed {
                prop_assert_eq!(&a.impact.down_customers, &b.impact.down_customers);
                prop_assert_eq!(&a.impact.hit_customers, &b.impact.hit_customers);
            } else {
                prop_assert!(b.impact.down_customers.is_empty() && b.impact.hit_customers.is_empty());
            }
        }
    }

    #[test]
    fn diff_equals_brute_force_single_points_of_failure(
        old_specs in proptest::collection::vec(component(), 2..8),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), component()), 1..3),
        threshold in prop_oneof![Just(Status::Down), Just(Status::Degraded), Just(Status::AtRisk)],
    ) {
        let mut new_specs = old_specs.clone();
        for (at, spec) in edits {
            let i = at.index(new_specs.len());
            new_specs[i] = spec;
        }
        let (old_text, new_text) = (topology_text(&old_specs), topology_text(&new_specs));
        let (old, new) = (load(&old_text), load(&new_text));
        let result = diff(&old, &new, Some(threshold), |_, _| {});
        let (old_spofs, old_failing) = brute_spofs(&old, threshold);
        let (new_spofs, new_failing) = brute_spofs(&new, threshold);
        let failing: Vec<(String, Status)> = new_failing.iter().map(|(id, s)| (id.clone(), *s)).collect();
        prop_assert_eq!(&result.baseline_failures, &failing, "{}", new_text);
        let mut expected = BTreeMap::new();
        for (id, after) in &new_spofs {
            if old_failing.contains_key(id) || new_failing.contains_key(id) {
                continue;
            }
            let before = old_spofs.get(id).cloned().unwrap_or_default();
            let gained: Vec<String> = after.difference(&before).cloned().collect();
            let lost: Vec<String> = before.difference(after).cloned().collect();
            if !gained.is_empty() || !lost.is_empty() {
                expected.insert(id.clone(), (gained, lost));
            }
        }
        let got: BTreeMap<String, (Vec<String>, Vec<String>)> = result
            .customers
            .iter()
            .map(|c| (c.id.clone(), (c.gained.clone(), c.lost.clone())))
            .collect();
        prop_assert_eq!(got, expected, "OLD\n{}\nNEW\n{}", old_text, new_text);
        let moves: Vec<(String, usize, usize, String, String)> = result
            .moves
            .iter()
            .map(|m| (m.id.clone(), m.old_rank, m.new_rank, m.old_weight_down.display(), m.new_weight_down.display()))
            .collect();
        prop_assert_eq!(moves, brute_moves(&old, &new, threshold), "OLD\n{}\nNEW\n{}", old_text, new_text);
        prop_assert_eq!(result.fails(), result.gained() || !failing.is_empty());
    }
}

/// Every failure unit of the topology, as `cuts` labels them.
fn units(topology: &Topology) -> Vec<String> {
    let mut out: Vec<String> = topology.components().iter().map(|c| c.id.to_string()).collect();
    out.extend(topology.zones().iter().map(|z| format!("zone {}", z.id)));
    out.extend(topology.regions().iter().map(|r| format!("region {}", r.id)));
    out
}

/// What `blast check` says about the target once every unit of `set` has
/// failed: one `fail`, `fail-zone` or `fail-region` step per unit, one fresh
/// engine run, nothing shared with `cuts`.
fn down_after(topology: &Topology, set: &[&String], target: ComponentIdx) -> bool {
    if set.is_empty() {
        return target_down(topology, &[], target);
    }
    let ops: Vec<String> = set
        .iter()
        .map(|u| match u.split_once(' ') {
            Some(("zone", z)) => format!("fail-zone {z}"),
            Some(("region", r)) => format!("fail-region {r}"),
            _ => format!("fail {u}"),
        })
        .collect();
    let plan = resolve(topology, &inline_plan(&ops).unwrap(), Origin::Inline, &[]).unwrap();
    engine::run(topology, &plan).worst[target.index()] == Status::Down
}

/// Brute force: every subset of at most `k` units in size order, skipping
/// supersets of the cuts already found (they cannot be minimal).
fn brute_force_cuts(topology: &Topology, target: ComponentIdx, k: usize) -> Vec<Vec<String>> {
    let all = units(topology);
    let mut found: Vec<Vec<String>> = Vec::new();
    for size in 1..=k.min(all.len()) {
        let mut at: Vec<usize> = (0..size).collect();
        loop {
            let set: Vec<&String> = at.iter().map(|i| &all[*i]).collect();
            let has_cut = found.iter().any(|cut| cut.iter().all(|u| set.contains(&u)));
            if !has_cut && down_after(topology, &set, target) {
                found.push(set.into_iter().cloned().collect());
            }
            let Some(i) = (0..size).rev().find(|i| at[*i] < all.len() - size + *i) else {
                break;
            };
            at[i] += 1;
            for j in i + 1..size {
                at[j] = at[j - 1] + 1;
            }
        }
    }
    for cut in &mut found {
        cut.sort();
    }
    found.sort();
    found
}

fn cut_labels(topology: &Topology, target: &Target, k: usize, max_sets: usize) -> (Vec<Vec<String>>, bool) {
    let limits = Limits { max_size: k, max_sets };
    let result = cuts_with(topology, target, limits, |_, _| {});
    let mut got: Vec<Vec<String>> = result
        .sets
        .iter()
        .map(|s| {
            let mut m: Vec<String> = s.members.iter().map(|m| m.label(topology)).collect();
            m.sort();
            m
        })
        .collect();
    got.sort();
    (got, result.truncated)
}

/// Adds load dynamics to a `topology_text` file: `(kind, from, to)` gives
/// component `from` a surge (kind 0: on itself, 1: onto `to`) or a failover
/// onto `to` (kind 2).
fn with_dynamics(text: &str, n: usize, dynamics: &[(u8, usize, usize)]) -> String {
    let mut out = text.to_string();
    let mut done = std::collections::HashSet::new();
    for (kind, from, to) in dynamics {
        let (from, to) = (from % n, to % n);
        if !done.insert((from, *kind == 2)) || (from == to && *kind != 0) {
            continue;
        }
        let line = match kind {
            0 => "    surges: [{ factor: 3 }]\n".to_string(),
            1 => format!("    surges: [{{ when: at_risk, target: c{to}, amount: 2 }}]\n"),
            _ => format!("    failover: {{ to: c{to} }}\n"),
        };
        let key = if *kind == 2 { "failover" } else { "surges" };
        let anchor = format!("  - id: c{from}\n");
        let Some(at) = out.find(&anchor) else { continue };
        let end = out[at + anchor.len()..]
            .find("  - id:")
            .map_or(out.len(), |e| at + anchor.len() + e);
        if out[at..end].contains(key) {
            continue;
        }
        out.insert_str(at + anchor.len(), &line);
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// Components, zones and regions together: `cuts` lists exactly the
    /// minimal sets that one engine run per subset finds, for every K up to 5.
    #[test]
    fn cuts_equal_brute_force_over_components_zones_and_regions(
        specs in proptest::collection::vec(component(), 2..7),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = topology_text(&specs);
        let topology = load(&text);
        let target = topology.component_indices().nth(pick.index(topology.components().len())).unwrap();
        let wanted = Target { components: vec![target] };
        if down_after(&topology, &[], target) {
            let result = cuts_with(&topology, &wanted, Limits { max_size: 2, max_sets: 10 }, |_, _| {});
            prop_assert!(result.already_down);
            return Ok(());
        }
        let expected = brute_force_cuts(&topology, target, 5);
        for k in 1..=5 {
            let (got, truncated) = cut_labels(&topology, &wanted, k, 10_000);
            let within: Vec<Vec<String>> = expected.iter().filter(|c| c.len() <= k).cloned().collect();
            prop_assert!(!truncated);
            prop_assert_eq!(got, within, "K = {}, target {}\n{}", k, topology.component(target).id, text);
        }
    }

    /// The same with surges and failovers, which raise loads towards
    /// `collapse_at`: those components are asked of the engine.
    #[test]
    fn cuts_equal_brute_force_with_load_dynamics(
        specs in proptest::collection::vec(component(), 2..6),
        dynamics in proptest::collection::vec((0u8..3, 0usize..8, 0usize..8), 1..4),
        pick in any::<prop::sample::Index>(),
    ) {
        let text = with_dynamics(&topology_text(&specs), specs.len(), &dynamics);
        let topology = load(&text);
        let target = topology.component_indices().nth(pick.index(topology.components().len())).unwrap();
        if down_after(&topology, &[], target) {
            return Ok(());
        }
        let expected = brute_force_cuts(&topology, target, 4);
        for k in [2, 4] {
            let (got, _) = cut_labels(&topology, &Target { components: vec![target] }, k, 10_000);
            let within: Vec<Vec<String>> = expected.iter().filter(|c| c.len() <= k).cloned().collect();
            prop_assert_eq!(got, within, "K = {}, target {}\n{}", k, topology.component(target).id, text);
        }
    }
}

/// Minimal cut sets of `target` made of basic events only (ids `e.*`), as
/// sorted id lists, and how many there are per order.
fn basic_cuts(text: &str, target: &str, k: usize) -> Vec<Vec<String>> {
    let topology = load(text);
    let app = topology.find(target).unwrap();
    // Gates are failure units too, so the whole list is far longer than
    // the basic events' part of it.
    let (sets, truncated) = cut_labels(&topology, &Target { components: vec![app] }, k, 1_000_000);
    assert!(!truncated);
    sets.into_iter()
        .filter(|s| s.iter().all(|m| m.starts_with("e.")))
        .collect()
}

fn per_order(sets: &[Vec<String>], k: usize) -> Vec<usize> {
    (1..=k).map(|n| sets.iter().filter(|s| s.len() == n).count()).collect()
}

/// The textbook case: 2-out-of-3 voting over three OR gates of two basic
/// events each, the first two sharing event `s`. By hand: `s` alone fails
/// two gates (order 1); otherwise one event under each of two gates, and
/// `{c, d}` fails only one gate: {a,b}, {a,c}, {a,d}, {b,c}, {b,d} (order 2).
#[test]
fn cuts_of_two_out_of_three_voting_over_or_gates_with_a_shared_event() {
    let text = "version: 1\nservices:\n  - id: e.a\n  - id: e.b\n  - id: e.c\n  - id: e.d\n  - id: e.s\n\
        \x20 - id: g1\n    depends_on: [e.a, e.s]\n  - id: g2\n    depends_on: [e.b, e.s]\n\
        \x20 - id: g3\n    depends_on: [e.c, e.d]\n\
        \x20 - id: top\n    depends_on: [{quorum: 2, of: [g1, g2, g3]}]\n";
    let sets = basic_cuts(text, "top", 3);
    assert_eq!(per_order(&sets, 3), vec![1, 5, 0], "{sets:?}");
    assert!(sets.contains(&vec!["e.s".to_string()]), "{sets:?}");
    // An AND over the two voters' OR gates adds no order-1 cut.
    let and = text.replace("[{quorum: 2, of: [g1, g2, g3]}]", "[{any_of: [g1, g3]}]");
    assert_eq!(per_order(&basic_cuts(&and, "top", 3), 3), vec![0, 4, 0]);
}

/// A small deterministic generator (xorshift), so the large tree is the
/// same on every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

#[derive(Debug, Clone)]
enum Gate {
    Or(Vec<usize>),
    And(Vec<usize>),
    /// Fails when at least `.0` of the children fail.
    Vote(usize, Vec<usize>),
}

type Sets = Vec<std::collections::BTreeSet<usize>>;

/// Naive MOCUS, written independently of `cuts`: each node's cut sets over
/// basic events, expanded from its children's, with supersets and sets over
/// `k` dropped by direct comparison.
fn naive(node: usize, basics: usize, gates: &[Gate], k: usize, memo: &mut Vec<Option<Sets>>) -> Sets {
    if node < basics {
        return vec![std::collections::BTreeSet::from([node])];
    }
    if let Some(done) = &memo[node] {
        return done.clone();
    }
    let and_all = |children: &[usize], memo: &mut Vec<Option<Sets>>| {
        let mut acc: Sets = vec![std::collections::BTreeSet::new()];
        for c in children {
            let child = naive(*c, basics, gates, k, memo);
            acc = acc
                .iter()
                .flat_map(|a| child.iter().map(move |b| a | b))
                .filter(|s| s.len() <= k)
                .collect();
        }
        acc
    };
    let mut sets: Sets = match &gates[node - basics] {
        Gate::Or(children) => children
            .iter()
            .flat_map(|c| naive(*c, basics, gates, k, memo))
            .collect(),
        Gate::And(children) => and_all(children, memo),
        Gate::Vote(m, children) => {
            // Every choice of `m` children failing together.
            let mut out = Vec::new();
            for mask in 0u32..(1 << children.len()) {
                if mask.count_ones() as usize == *m {
                    let chosen: Vec<usize> = (0..children.len())
                        .filter(|i| mask & (1 << i) != 0)
                        .map(|i| children[i])
                        .collect();
                    out.extend(and_all(&chosen, memo));
                }
            }
            out
        }
    };
    sets.sort_by_key(|s| s.len());
    let mut minimal: Sets = Vec::new();
    for s in sets {
        if !minimal.iter().any(|m| m.is_subset(&s)) {
            minimal.push(s);
        }
    }
    memo[node] = Some(minimal.clone());
    minimal
}

/// Hundreds of OR, AND and voting gates over shared basic events: `cuts`
/// agrees with the naive expansion, order by order.
#[test]
fn cuts_of_a_large_generated_fault_tree_equal_naive_mocus() {
    let (basics, k) = (30, 3);
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut gates = Vec::new();
    for g in 0..150 {
        let node = basics + g;
        // Children come from anything numbered before, mostly nearby.
        let pick = |rng: &mut Rng| node - 1 - rng.below(node.min(40));
        let gate = match rng.below(10) {
            0..=3 => Gate::Or((0..2 + rng.below(2)).map(|_| pick(&mut rng)).collect()),
            4..=6 => Gate::And(vec![pick(&mut rng), pick(&mut rng)]),
            _ => Gate::Vote(2, (0..3).map(|_| pick(&mut rng)).collect()),
        };
        gates.push(gate);
    }
    let name = |n: usize| {
        if n < basics {
            format!("e.{n}")
        } else {
            format!("g.{}", n - basics)
        }
    };
    let mut text = String::from("version: 1\nservices:\n");
    for b in 0..basics {
        text.push_str(&format!("  - id: {}\n", name(b)));
    }
    for (g, gate) in gates.iter().enumerate() {
        let ids = |children: &[usize]| {
            let mut unique: Vec<usize> = children.to_vec();
            unique.sort_unstable();
            unique.dedup();
            unique.iter().map(|c| name(*c)).collect::<Vec<_>>()
        };
        let deps = match gate {
            Gate::Or(c) => ids(c).join(", "),
            Gate::And(c) => format!("{{any_of: [{}]}}", ids(c).join(", ")),
            Gate::Vote(m, c) => {
                let members = ids(c);
                // Fails when `m` fail: fewer than n - m + 1 left serving.
                let quorum = (members.len() + 1).saturating_sub(*m).max(1);
                format!("{{quorum: {quorum}, of: [{}]}}", members.join(", "))
            }
        };
        text.push_str(&format!("  - id: {}\n    depends_on: [{deps}]\n", name(basics + g)));
    }
    // Duplicate children collapse in the YAML; the naive tree must see the same gates.
    let gates: Vec<Gate> = gates
        .into_iter()
        .map(|gate| {
            let dedup = |c: Vec<usize>| {
                let mut c = c;
                c.sort_unstable();
                c.dedup();
                c
            };
            match gate {
                Gate::Or(c) => Gate::Or(dedup(c)),
                Gate::And(c) => Gate::And(dedup(c)),
                Gate::Vote(m, c) => {
                    let c = dedup(c);
                    let m = m.min(c.len());
                    Gate::Vote(m, c)
                }
            }
        })
        .collect();
    let mut memo = vec![None; basics + gates.len()];
    let mut compared = 0;
    // Several gates of the upper half as targets: each is its own tree.
    for top in (basics + 100..basics + gates.len()).step_by(10) {
        let mut expected: Vec<Vec<String>> = naive(top, basics, &gates, k, &mut memo)
            .into_iter()
            .map(|s| {
                let mut ids: Vec<String> = s.into_iter().map(name).collect();
                ids.sort();
                ids
            })
            .collect();
        expected.sort();
        let got = basic_cuts(&text, &name(top), k);
        assert_eq!(per_order(&got, k), per_order(&expected, k), "{}", name(top));
        assert_eq!(got, expected, "{}", name(top));
        compared += expected.len();
    }
    eprintln!("{compared} basic cut sets compared");
    assert!(compared > 50, "trees worth testing: {compared} sets");
}
