//! Random small topologies (as YAML text) and plans (as `--op` strings) for
//! the oracle properties.
//!
//! A topology is drawn as a list of raw choices per component, turned into a
//! [`Topo`] that always loads (every reference is taken modulo what exists,
//! every number clamped into SPEC section 2's bounds), so nothing is
//! rejected and shrinking works on the raw choices. Numbers are micro-units
//! (`i128`), rendered as decimals with at most 6 digits after the point, at a
//! magnitude of 1, 1e6, 1e9, 1e12 or 1e15 per topology; loads, limits and
//! plan amounts sit exactly at, one unit and one micro-unit either side of
//! the thresholds (capacity, min/max capacity, collapse_at x capacity,
//! max_step_percent).

use std::fmt::Write;

use proptest::collection::vec;
use proptest::prelude::*;

/// One unit in micro-units.
pub const UNIT: i128 = 1_000_000;
/// The largest number an input may hold (1e15), in micro-units.
pub const MAX: i128 = 1_000_000_000_000_000 * UNIT;
pub const MAGNITUDES: [i128; 5] = [1, 1_000_000, 1_000_000_000, 1_000_000_000_000, 1_000_000_000_000_000];

/// A number as written: micro-units rendered with at most 6 decimals.
pub fn num(micros: i128) -> String {
    let micros = micros.clamp(0, MAX);
    let (whole, frac) = (micros / UNIT, micros % UNIT);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Service,
    S3,
    LoadBalancer,
    Store,
    App,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Place {
    Global,
    Region(usize),
    /// Explicit zones, with or without the `region` key.
    Zones {
        region: usize,
        zones: Vec<usize>,
        with_region: bool,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub enum Capacity {
    Units,
    Total(i128),
    /// Per zone of one region (zone index in the region, micros); without
    /// `zones` or `region`, the map's keys are the placement.
    PerZone(usize, Vec<(usize, i128)>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Dep {
    Hard(String),
    Soft(String),
    AnyOf(Vec<String>),
    Quorum(u32, Vec<String>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Factor(i128),
    Amount(i128),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Surge {
    pub when: Option<&'static str>,
    pub target: Option<String>,
    pub effect: Effect,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Failover {
    pub to: String,
    pub when: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Comp {
    pub id: String,
    pub section: Section,
    pub place: Place,
    pub capacity: Capacity,
    pub min: Option<i128>,
    pub max: Option<i128>,
    pub load: Option<i128>,
    pub collapse: Option<i128>,
    pub restart_time: Option<&'static str>,
    pub restore_time: Option<&'static str>,
    pub state: Option<String>,
    pub deps: Vec<Dep>,
    pub surges: Vec<Surge>,
    pub failover: Option<Failover>,
    pub approval: bool,
    pub max_step: Option<i128>,
}

/// A topology: regions (zone counts), components, and the magnitude its numbers live at.
#[derive(Debug, Clone, PartialEq)]
pub struct Topo {
    pub regions: Vec<usize>,
    pub comps: Vec<Comp>,
    pub magnitude: i128,
}

pub fn region_id(r: usize) -> String {
    format!("r{r}")
}

pub fn zone_id(r: usize, z: usize) -> String {
    format!("z{r}{}", (b'a' + z as u8) as char)
}

impl Comp {
    /// The zones it is placed in, as (region, zone) pairs.
    pub fn zones(&self, regions: &[usize]) -> Vec<(usize, usize)> {
        match (&self.place, &self.capacity) {
            (Place::Global, Capacity::PerZone(r, map)) => map.iter().map(|(z, _)| (*r, *z)).collect(),
            (Place::Global, _) => Vec::new(),
            (Place::Region(r), _) => (0..regions[*r]).map(|z| (*r, z)).collect(),
            (Place::Zones { region, zones, .. }, _) => zones.iter().map(|z| (*region, *z)).collect(),
        }
    }

    /// Its starting capacity in micros (one unit per zone when not given).
    pub fn capacity_micros(&self, regions: &[usize]) -> i128 {
        match &self.capacity {
            Capacity::Units => UNIT * self.zones(regions).len().max(1) as i128,
            Capacity::Total(c) => *c,
            Capacity::PerZone(_, map) => map.iter().map(|(_, c)| c).sum(),
        }
    }

    pub fn load_micros(&self) -> i128 {
        self.load.unwrap_or(0)
    }

    fn yaml(&self, out: &mut String, indent: &str) {
        writeln!(out, "{indent}- id: {}", self.id).unwrap();
        let i = format!("{indent}  ");
        match &self.place {
            Place::Global => {}
            Place::Region(r) => writeln!(out, "{i}region: {}", region_id(*r)).unwrap(),
            Place::Zones {
                region,
                zones,
                with_region,
            } => {
                if *with_region {
                    writeln!(out, "{i}region: {}", region_id(*region)).unwrap();
                }
                let ids: Vec<String> = zones.iter().map(|z| zone_id(*region, *z)).collect();
                writeln!(out, "{i}zones: [{}]", ids.join(", ")).unwrap();
            }
        }
        match &self.capacity {
            Capacity::Units => {}
            Capacity::Total(c) => writeln!(out, "{i}capacity: {}", num(*c)).unwrap(),
            Capacity::PerZone(r, map) => {
                let entries: Vec<String> = map
                    .iter()
                    .map(|(z, c)| format!("{}: {}", zone_id(*r, *z), num(*c)))
                    .collect();
                writeln!(out, "{i}capacity: {{{}}}", entries.join(", ")).unwrap();
            }
        }
        for (key, value) in [
            ("min_capacity", self.min),
            ("max_capacity", self.max),
            ("load", self.load),
        ] {
            if let Some(v) = value {
                writeln!(out, "{i}{key}: {}", num(v)).unwrap();
            }
        }
        if let Some(c) = self.collapse {
            writeln!(out, "{i}collapse_at: {}", num(c)).unwrap();
        }
        if let Some(t) = self.restart_time {
            writeln!(out, "{i}restart_time: {t}").unwrap();
        }
        if let Some(t) = self.restore_time {
            writeln!(out, "{i}restore_time: {t}").unwrap();
        }
        if let Some(s) = &self.state {
            writeln!(out, "{i}state: {s}").unwrap();
        }
        if !self.deps.is_empty() {
            let entries: Vec<String> = self
                .deps
                .iter()
                .map(|d| match d {
                    Dep::Hard(id) => id.clone(),
                    Dep::Soft(id) => format!("{{id: {id}, mode: soft}}"),
                    Dep::AnyOf(ids) => format!("{{any_of: [{}]}}", ids.join(", ")),
                    Dep::Quorum(k, ids) => format!("{{quorum: {k}, of: [{}]}}", ids.join(", ")),
                })
                .collect();
            writeln!(out, "{i}depends_on: [{}]", entries.join(", ")).unwrap();
        }
        if !self.surges.is_empty() {
            writeln!(out, "{i}surges:").unwrap();
            for s in &self.surges {
                let mut fields = Vec::new();
                if let Some(w) = s.when {
                    fields.push(format!("when: {w}"));
                }
                if let Some(t) = &s.target {
                    fields.push(format!("target: \"{t}\""));
                }
                fields.push(match s.effect {
                    Effect::Factor(f) => format!("factor: {}", num(f)),
                    Effect::Amount(a) => format!("amount: {}", num(a)),
                });
                writeln!(out, "{i}  - {{{}}}", fields.join(", ")).unwrap();
            }
        }
        if let Some(f) = &self.failover {
            match f.when {
                Some(w) => writeln!(out, "{i}failover: {{to: \"{}\", when: {w}}}", f.to).unwrap(),
                None => writeln!(out, "{i}failover: {{to: \"{}\"}}", f.to).unwrap(),
            }
        }
        if self.approval || self.max_step.is_some() {
            let mut fields = Vec::new();
            if self.approval {
                fields.push("requires_approval: true".to_string());
            }
            if let Some(p) = self.max_step {
                fields.push(format!("max_step_percent: {}", num(p)));
            }
            writeln!(out, "{i}guard: {{{}}}", fields.join(", ")).unwrap();
        }
    }
}

impl Topo {
    pub fn yaml(&self) -> String {
        let mut out = String::from("version: 1\nregions:\n");
        for (r, zones) in self.regions.iter().enumerate() {
            let ids: Vec<String> = (0..*zones).map(|z| zone_id(r, z)).collect();
            writeln!(out, "  - id: {}\n    zones: [{}]", region_id(r), ids.join(", ")).unwrap();
        }
        for (section, key) in [
            (Section::Service, "services"),
            (Section::S3, "s3_subsystems"),
            (Section::LoadBalancer, "load_balancers"),
            (Section::Store, "data_stores"),
        ] {
            let members: Vec<&Comp> = self.comps.iter().filter(|c| c.section == section).collect();
            if !members.is_empty() {
                writeln!(out, "{key}:").unwrap();
                for c in members {
                    c.yaml(&mut out, "  ");
                }
            }
        }
        let apps: Vec<&Comp> = self.comps.iter().filter(|c| c.section == Section::App).collect();
        if !apps.is_empty() {
            out.push_str("customers:\n  - id: k0\n    apps:\n");
            for c in apps {
                c.yaml(&mut out, "      ");
            }
        }
        out
    }

    pub fn comp(&self, id: &str) -> Option<&Comp> {
        self.comps.iter().find(|c| c.id == id)
    }

    pub fn core(&self) -> Vec<&Comp> {
        self.comps.iter().filter(|c| c.id.starts_with('c')).collect()
    }

    pub fn stores(&self) -> Vec<&Comp> {
        self.comps.iter().filter(|c| c.section == Section::Store).collect()
    }

    pub fn has_dynamics(&self) -> bool {
        self.comps.iter().any(|c| !c.surges.is_empty() || c.failover.is_some())
    }

    /// The same topology without surges and failovers.
    pub fn without_dynamics(&self) -> Topo {
        let mut t = self.clone();
        for c in &mut t.comps {
            c.surges.clear();
            c.failover = None;
        }
        t
    }

    pub fn without_surges(&self) -> Topo {
        let mut t = self.clone();
        t.comps.iter_mut().for_each(|c| c.surges.clear());
        t
    }

    /// Every surge made a no-op: factor 1 or amount 0 (alternating).
    pub fn with_neutral_surges(&self) -> Topo {
        let mut t = self.clone();
        let mut k = 0;
        for c in &mut t.comps {
            for s in &mut c.surges {
                s.effect = if k % 2 == 0 {
                    Effect::Factor(UNIT)
                } else {
                    Effect::Amount(0)
                };
                k += 1;
            }
        }
        t
    }

    /// The same topology without `min_capacity` (no removal can need a restart).
    pub fn without_min_capacity(&self) -> Topo {
        let mut t = self.clone();
        t.comps.iter_mut().for_each(|c| c.min = None);
        t
    }
}

// ---------------------------------------------------------------------------
// Raw choices

#[derive(Debug, Clone)]
pub struct RawComp {
    section: u8,
    place: (u8, usize, u8, bool),
    cap: (u8, u8, Vec<u8>),
    load: (u8, u8),
    min: u8,
    max: u8,
    collapse: u8,
    times: (u8, u8),
    state: Option<usize>,
    guard: (bool, u8),
    deps: Vec<(u8, Vec<usize>, u32)>,
    surges: Vec<(u8, u8, usize, u8, u8)>,
    failover: Option<(u8, usize, u8)>,
}

fn raw_comp() -> impl Strategy<Value = RawComp> {
    (
        (0u8..3, (0u8..4, 0usize..2, 1u8..8, any::<bool>())),
        (0u8..5, 0u8..12, vec(0u8..6, 3)),
        (0u8..30, 0u8..101),
        (0u8..7, 0u8..6, 0u8..8),
        (0u8..7, 0u8..4),
        proptest::option::weighted(0.3, 0usize..2),
        (proptest::bool::weighted(0.2), 0u8..9),
        vec((0u8..4, vec(1usize..12, 1..4), 0u32..4), 0..3),
        prop_oneof![
            3 => Just(Vec::new()),
            1 => vec((0u8..4, 0u8..5, 1usize..12, 0u8..2, 0u8..8), 1..3),
        ],
        proptest::option::weighted(0.15, (0u8..3, 1usize..12, 0u8..3)),
    )
        .prop_map(
            |((section, place), cap, load, (min, max, collapse), times, state, guard, deps, surges, failover)| {
                RawComp {
                    section,
                    place,
                    cap,
                    load,
                    min,
                    max,
                    collapse,
                    times,
                    state,
                    guard,
                    deps,
                    surges,
                    failover,
                }
            },
        )
}

/// Raw choices of a whole topology.
#[derive(Debug, Clone)]
pub struct RawTopo {
    magnitude: usize,
    /// No surges and no failover anywhere.
    static_only: bool,
    regions: Vec<usize>,
    core: Vec<RawComp>,
    stores: Vec<(u8, u8, u8, bool, Vec<usize>)>,
    apps: Vec<Vec<(u8, Vec<usize>)>>,
}

pub fn raw_topo() -> impl Strategy<Value = RawTopo> {
    (
        (0usize..5, proptest::bool::weighted(0.35)),
        vec(1usize..4, 1..3),
        vec(raw_comp(), 2..8),
        vec(
            (
                0u8..3,
                0u8..4,
                0u8..3,
                proptest::bool::weighted(0.3),
                vec(0usize..12, 0..2),
            ),
            0..3,
        ),
        vec(vec((0u8..4, vec(0usize..12, 1..3)), 1..3), 0..2),
    )
        .prop_map(|((magnitude, static_only), regions, core, stores, apps)| RawTopo {
            magnitude,
            static_only,
            regions,
            core,
            stores,
            apps,
        })
}

pub fn topo() -> impl Strategy<Value = Topo> {
    raw_topo().prop_map(|raw| build(&raw))
}

const COLLAPSE: [i128; 7] = [
    1_000_001, 1_100_000, 1_250_000, 1_500_000, 2_000_000, 3_000_000, 1_300_000,
];
const RESTART: [Option<&str>; 6] = [None, Some("0s"), Some("30s"), Some("10m"), Some("2h"), Some("1h30m")];
const RESTORE: [Option<&str>; 4] = [None, Some("10m"), Some("6h"), Some("45s")];
const STEP_PERCENT: [i128; 9] = [0, 5, 10, 25, 50, 100, 1, 75, 20];
const FACTORS: [i128; 6] = [UNIT, 1_000_001, 1_500_000, 2_000_000, 3_000_000, 10_000_000];

/// Turns raw choices into a topology that loads.
pub fn build(raw: &RawTopo) -> Topo {
    let m = MAGNITUDES[raw.magnitude] * UNIT;
    let regions = raw.regions.clone();
    let n = raw.core.len();
    let nstores = raw.stores.len();
    let core_id = |i: usize| format!("c{}", i % n);
    // Members may be core components or stores.
    let member_id = |i: usize| {
        let k = i % (n + nstores);
        if k < n { format!("c{k}") } else { format!("st{}", k - n) }
    };
    let deps = |me: &str, entries: &[(u8, Vec<usize>, u32)], base: usize| -> Vec<Dep> {
        let mut out = Vec::new();
        for (rule, offsets, k) in entries {
            let mut ids: Vec<String> = offsets
                .iter()
                .map(|o| member_id(base + o))
                .filter(|id| id != me)
                .collect();
            ids.sort();
            ids.dedup();
            if ids.is_empty() {
                continue;
            }
            out.push(match rule {
                0 => Dep::Hard(ids[0].clone()),
                1 => Dep::Soft(ids[0].clone()),
                2 => Dep::AnyOf(ids),
                _ => Dep::Quorum(1 + k % ids.len() as u32, ids),
            });
        }
        out
    };
    let mut comps = Vec::new();
    for (i, rc) in raw.core.iter().enumerate() {
        let id = format!("c{i}");
        let section = [Section::Service, Section::S3, Section::LoadBalancer][rc.section as usize];
        let (kind, region, mask, with_region) = rc.place;
        let region = region % regions.len();
        let zcount = regions[region];
        let mut zones: Vec<usize> = (0..zcount).filter(|z| mask & (1 << z) != 0).collect();
        if zones.is_empty() {
            zones.push(mask as usize % zcount);
        }
        let mut place = match kind {
            0 => Place::Global,
            1 => Place::Region(region),
            _ => Place::Zones {
                region,
                zones: zones.clone(),
                with_region,
            },
        };
        // Capacity: tenths of the magnitude, 0 now and then, or per zone.
        let (cap_kind, k, per_zone) = &rc.cap;
        let tenth = |k: u8| m * i128::from(k) / 10;
        let capacity = match cap_kind {
            0 => Capacity::Units,
            1 if *k == 11 => Capacity::Total(0),
            1 | 2 => Capacity::Total(tenth((*k).min(10))),
            3 if kind == 3 => {
                // A per-zone map is the whole placement.
                place = Place::Global;
                Capacity::PerZone(
                    region,
                    zones.iter().zip(per_zone).map(|(z, k)| (*z, tenth(*k))).collect(),
                )
            }
            _ => match &place {
                Place::Global => Capacity::Total((tenth((*k).clamp(1, 10)) + i128::from(*k)).min(MAX)),
                _ => Capacity::PerZone(
                    region,
                    zones.iter().zip(per_zone).map(|(z, k)| (*z, tenth(*k))).collect(),
                ),
            },
        };
        let mut c = Comp {
            id: id.clone(),
            section,
            place,
            capacity,
            min: None,
            max: None,
            load: None,
            collapse: None,
            restart_time: RESTART[rc.times.0 as usize % RESTART.len()],
            restore_time: if rc.times.1 >= 3 {
                RESTORE[rc.times.1 as usize % RESTORE.len()]
            } else {
                None
            },
            state: None,
            deps: Vec::new(),
            surges: Vec::new(),
            failover: None,
            approval: rc.guard.0,
            max_step: None,
        };
        let cap = c.capacity_micros(&regions);
        let given = !matches!(c.capacity, Capacity::Units);
        c.collapse = (rc.collapse < 6).then(|| COLLAPSE[rc.collapse as usize]);
        let collapse_cap = cap * c.collapse.unwrap_or(2 * UNIT) / UNIT;
        let (load_kind, p) = rc.load;
        c.load = match load_kind {
            0..=2 => None,
            3..=19 => Some(cap * i128::from(p) / 100),
            20 => Some(cap),
            21 => Some(cap + UNIT),
            22 => Some(cap - UNIT),
            23 => Some(cap + 1),
            24 => Some(cap - 1),
            25 => Some(collapse_cap),
            26 => Some(collapse_cap - 1),
            27 => Some(collapse_cap + UNIT),
            28 => Some(collapse_cap - UNIT),
            _ => Some(m * i128::from(p) / 50),
        }
        .map(|l| l.clamp(0, MAX));
        if given {
            c.min = match rc.min {
                0 | 1 => None,
                2 => Some(cap * i128::from(p % 90 + 5) / 100),
                3 => Some(cap),
                4 => Some(cap - UNIT),
                5 => Some(cap - 1),
                _ => Some(cap / 2),
            }
            .map(|v| v.clamp(0, cap));
            c.max = match rc.max {
                _ if cap > MAX => None,
                0 | 1 => None,
                2 => Some(cap),
                3 => Some(cap + UNIT),
                4 => Some(cap + 1),
                _ => Some(cap * 2),
            }
            .map(|v| v.clamp(cap, MAX));
        }
        c.max_step = (rc.guard.1 < STEP_PERCENT.len() as u8).then(|| STEP_PERCENT[rc.guard.1 as usize] * UNIT);
        if rc.guard.1 == 8 {
            c.max_step = Some(33_333_333);
        }
        if nstores > 0 {
            c.state = rc.state.map(|s| format!("st{}", s % nstores));
        }
        c.deps = deps(&id, &rc.deps, i);
        for (when, target, t, effect, e) in &rc.surges {
            let when = [None, Some("at_risk"), Some("degraded"), Some("down")][*when as usize];
            let target = match target {
                0 | 1 => None,
                2 => Some(core_id(i + t)),
                3 => Some("c*".to_string()),
                _ => Some(format!("c[{}{}]", i % n, (i + t) % n)),
            };
            let effect = if *effect == 0 {
                Effect::Factor(FACTORS[*e as usize % FACTORS.len()])
            } else {
                Effect::Amount([0, 1, UNIT, m / 10, m / 2, m, cap, cap / 3 + 1][*e as usize].clamp(0, MAX))
            };
            c.surges.push(Surge { when, target, effect });
        }
        if let Some((to, t, when)) = rc.failover {
            let other = (i + 1 + t % (n - 1)) % n;
            let to = match to {
                0 => core_id(other),
                1 => "c*".to_string(),
                _ => format!("c[{}{}]", i, other),
            };
            c.failover = Some(Failover {
                to,
                when: [None, Some("degraded"), Some("down")][when as usize],
            });
        }
        comps.push(c);
    }
    for (s, (place, cap, restore, approval, on)) in raw.stores.iter().enumerate() {
        let id = format!("st{s}");
        let place = if *place == 1 {
            Place::Region(s % regions.len())
        } else {
            Place::Global
        };
        let capacity = match cap {
            0 | 1 => Capacity::Units,
            2 => Capacity::Total(m),
            _ => Capacity::Total(m / 10),
        };
        comps.push(Comp {
            id: id.clone(),
            section: Section::Store,
            place,
            capacity,
            min: None,
            max: None,
            load: None,
            collapse: None,
            restart_time: None,
            restore_time: RESTORE[*restore as usize % RESTORE.len()],
            state: None,
            deps: on.iter().map(|o| Dep::Hard(core_id(*o))).collect(),
            surges: Vec::new(),
            failover: None,
            approval: *approval,
            max_step: None,
        });
    }
    for (a, entries) in raw.apps.iter().enumerate() {
        let id = format!("a{a}");
        let mut dependencies = Vec::new();
        for (rule, members) in entries {
            let mut ids: Vec<String> = members.iter().map(|x| core_id(*x)).collect();
            ids.sort();
            ids.dedup();
            dependencies.push(match rule {
                0 => Dep::Hard(ids[0].clone()),
                1 => Dep::Soft(ids[0].clone()),
                2 => Dep::AnyOf(ids),
                _ => Dep::Quorum(ids.len() as u32, ids),
            });
        }
        comps.push(Comp {
            id,
            section: Section::App,
            place: Place::Global,
            capacity: Capacity::Units,
            min: None,
            max: None,
            load: None,
            collapse: None,
            restart_time: None,
            restore_time: None,
            state: None,
            deps: dependencies,
            surges: Vec::new(),
            failover: None,
            approval: false,
            max_step: None,
        });
    }
    let t = Topo {
        regions,
        comps,
        magnitude: m,
    };
    if raw.static_only { t.without_dynamics() } else { t }
}

// ---------------------------------------------------------------------------
// Plans

/// Raw choices of one step: kind, three picks, and whether to add `expect_matches`.
pub type RawStep = (u8, usize, usize, u8, Option<u8>);

pub fn raw_steps() -> impl Strategy<Value = Vec<RawStep>> {
    vec(
        (
            0u8..13,
            0usize..64,
            0usize..64,
            0u8..16,
            proptest::option::weighted(0.15, 0u8..4),
        ),
        1..7,
    )
}

const WAITS: [&str; 7] = ["30s", "10m", "2h", "1h30m", "0s", "45s", "90m"];

/// A target selector: mostly a core id, sometimes a glob, a store or an app.
fn target(t: &Topo, pick: usize) -> String {
    let core = t.core();
    let n = core.len();
    match pick % 16 {
        12 => "c*".to_string(),
        13 => format!("c[{}{}]", pick % n, (pick / 3) % n),
        14 if !t.stores().is_empty() => t.stores()[pick % t.stores().len()].id.clone(),
        15 if t.comp("a0").is_some() => "a*".to_string(),
        _ => core[pick % n].id.clone(),
    }
}

/// An amount near the thresholds of component `c`, in micros.
fn removal_amount(t: &Topo, c: &Comp, pick: u8) -> i128 {
    let cap = c.capacity_micros(&t.regions);
    let min = c.min.unwrap_or(cap / 2);
    let step = c.max_step.map_or(cap / 10, |p| cap * p / (100 * UNIT));
    match pick {
        0 => cap - min,
        1 => cap - min + UNIT,
        2 => cap - min - UNIT,
        3 => cap - min + 1,
        4 => cap - min - 1,
        5 => step,
        6 => step + UNIT,
        7 => step - UNIT,
        8 => step + 1,
        9 => step - 1,
        10 => cap,
        11 => cap + UNIT,
        12 => cap + 1,
        13 => UNIT,
        _ => cap / 3,
    }
}

fn addition_amount(t: &Topo, c: &Comp, pick: u8) -> i128 {
    let cap = c.capacity_micros(&t.regions);
    let max = c.max.unwrap_or(cap * 2);
    match pick {
        0 | 1 => max - cap,
        2 => max - cap + UNIT,
        3 => max - cap - UNIT,
        4 => max - cap + 1,
        5 => max - cap - 1,
        6 => UNIT,
        7 => t.magnitude,
        _ => cap / 2,
    }
}

fn load_amount(t: &Topo, c: &Comp, pick: u8) -> i128 {
    let cap = c.capacity_micros(&t.regions);
    let load = c.load_micros();
    let collapse = cap * c.collapse.unwrap_or(2 * UNIT) / UNIT;
    match pick {
        0 => cap - load,
        1 => cap - load + UNIT,
        2 => cap - load - UNIT,
        3 => cap - load + 1,
        4 => cap - load - 1,
        5 => collapse - load,
        6 => collapse - load - 1,
        7 => collapse - load + UNIT,
        8 => collapse - load - UNIT,
        9 => 1,
        10 => UNIT,
        _ => t.magnitude / 10,
    }
}

fn percent(pick: u8, c: &Comp) -> i128 {
    let p = c.max_step.unwrap_or(10 * UNIT);
    match pick {
        0 => p,
        1 => p + 1,
        2 => p - 1,
        3 => 100 * UNIT,
        4 => 50 * UNIT,
        5 => 33_333_333,
        6 => 1,
        _ => i128::from(pick) * 7 * UNIT,
    }
    .clamp(0, 100 * UNIT)
}

/// Renders raw step choices as `--op` strings.
pub fn ops(t: &Topo, raw: &[RawStep]) -> Vec<String> {
    let core = t.core();
    raw.iter()
        .map(|&(kind, a, b, x, expect)| {
            let sel = target(t, a);
            // The component whose numbers the amounts are taken from.
            let c = t.comp(&sel).unwrap_or(core[a % core.len()]);
            let mut op = match kind {
                0 => format!("fail {sel}"),
                1 => format!("restart {sel}"),
                2 | 3 => format!("remove-capacity {sel} count={}", num(removal_amount(t, c, x))),
                4 => format!("remove-capacity {sel} percent={}", num(percent(x, c))),
                5 => format!("add-capacity {sel} count={}", num(addition_amount(t, c, x))),
                6 => format!(
                    "add-capacity {sel} percent={}",
                    num([100, 50, 1, 200, 33][x as usize % 5] * UNIT)
                ),
                7 => {
                    let r = b % t.regions.len();
                    format!("fail-zone {}", zone_id(r, (b / 2) % t.regions[r]))
                }
                8 => format!("fail-region {}", region_id(b % t.regions.len())),
                9 if x < 6 => format!("add-load {sel} factor={}", num(FACTORS[x as usize])),
                9 => format!("add-load {sel} amount={}", num(load_amount(t, c, x - 6))),
                10 => format!(
                    "shift-load {sel} to={} percent={}",
                    target(t, b),
                    num([100 * UNIT, 50 * UNIT, UNIT, 33_333_333, 10 * UNIT][x as usize % 5])
                ),
                11 if !t.stores().is_empty() => {
                    let stores = t.stores();
                    let store = &stores[b % stores.len()].id;
                    match x % 4 {
                        0 | 1 => format!("delete-data {store}"),
                        2 => format!("delete-data {store} owners=c*"),
                        _ => format!("delete-data {store} owners={}", core[a % core.len()].id),
                    }
                }
                11 => format!("fail {sel}"),
                _ => format!("wait {}", WAITS[x as usize % WAITS.len()]),
            };
            if let Some(e) = expect
                && !op.starts_with("wait")
            {
                write!(op, " expect_matches={e}").unwrap();
            }
            op
        })
        .collect()
}

/// Approvals: a subset of the components that require one.
pub fn approvals(t: &Topo, mask: u32) -> Vec<String> {
    t.comps
        .iter()
        .filter(|c| c.approval)
        .enumerate()
        .filter(|(i, _)| mask & (1 << (i % 32)) != 0)
        .map(|(_, c)| c.id.clone())
        .collect()
}

/// A whole case: a topology, its plan as `--op` strings and the approvals.
#[derive(Clone)]
pub struct Case {
    pub topo: Topo,
    pub ops: Vec<String>,
    pub approvals: Vec<String>,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "\n{}ops: {:?}\napprovals: {:?}\n",
            self.topo.yaml(),
            self.ops,
            self.approvals
        )
    }
}

pub fn case() -> impl Strategy<Value = Case> {
    (topo(), raw_steps(), any::<u32>()).prop_map(|(topo, steps, mask)| {
        let ops = ops(&topo, &steps);
        let approvals = approvals(&topo, mask);
        Case { topo, ops, approvals }
    })
}

/// An extra surge or failover for component `on` (for the monotonicity property).
pub fn extra_dynamics() -> impl Strategy<Value = (usize, u8, usize, u8, u8)> {
    (0usize..16, 0u8..3, 0usize..16, 0u8..4, 0u8..8)
}

/// Adds a surge (kinds 0, 1) or a failover (kind 2) to a core component.
pub fn with_extra(t: &Topo, (on, kind, to, when, e): (usize, u8, usize, u8, u8)) -> Topo {
    let mut t = t.clone();
    let n = t.core().len();
    let i = on % n;
    let other = (i + 1 + to % (n - 1)) % n;
    let m = t.magnitude;
    let c = &mut t.comps[i];
    if kind < 2 {
        let target = if kind == 0 { None } else { Some(format!("c{other}")) };
        let effect = if e < 4 {
            Effect::Factor(FACTORS[e as usize + 1])
        } else {
            Effect::Amount([1, UNIT, m / 2, m][e as usize - 4])
        };
        let when = [None, Some("at_risk"), Some("degraded"), Some("down")][when as usize];
        c.surges.push(Surge { when, target, effect });
    } else if c.failover.is_none() {
        let to = if e % 2 == 0 {
            format!("c{other}")
        } else {
            "c*".to_string()
        };
        c.failover = Some(Failover {
            to,
            when: [None, Some("degraded"), Some("down"), None][when as usize],
        });
    } else {
        c.surges.push(Surge {
            when: None,
            target: Some(format!("c{other}")),
            effect: Effect::Amount(m),
        });
    }
    t
}

/// Like [`ops`], with only steps a rollback undoes: restarts become failures
/// and deletions become added load (with `min_capacity` gone from the
/// topology, no removal can need a restart either).
pub fn reversible_ops(t: &Topo, raw: &[RawStep]) -> Vec<String> {
    let raw: Vec<RawStep> = raw
        .iter()
        .map(|&(kind, a, b, x, e)| match kind {
            1 => (0, a, b, x, e),
            11 => (9, a, b, x, e),
            _ => (kind, a, b, x, e),
        })
        .collect();
    ops(t, &raw)
}

/// A topology without surges and failovers, and raw plan steps.
pub fn static_case() -> impl Strategy<Value = (Topo, Vec<RawStep>, u32)> {
    (topo(), raw_steps(), any::<u32>()).prop_map(|(t, steps, mask)| (t.without_dynamics(), steps, mask))
}
