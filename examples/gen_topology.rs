//! Synthetic topology generator (format v1, SPEC section 2) for benchmarks.
//!
//! ```text
//! gen_topology --components N [--seed S] [--regions R] > topology.yaml
//! cargo run --release --example gen_topology -- --components 1000000 > big.yaml
//! ```
//!
//! Writes exactly N components (services, s3_subsystems, load_balancers,
//! data_stores and customer apps) to stdout, byte-identical for the same
//! arguments. `--seed` defaults to 1; `--regions` defaults to one region per
//! 50,000 components (at least 1, at most 20), each with three zones.
//!
//! Shape per region `rK`: zones `rK-az1..3`; a main and an internal network
//! joined by four `bridge` devices (`collapse_at: 1.5`); monitoring on the
//! internal network and the network control plane on monitoring (the internal
//! network softly needs that control plane: an intentional cycle); internal
//! DNS; auth; five S3-like subsystems with `min_capacity`, `restart_time` and
//! `guard: {max_step_percent: 10}`; one control plane and one approval-guarded
//! state store per service family; the bulk of internal services in six
//! tiers, each with 2-4 dependencies on infrastructure and on services of
//! lower tiers (mostly the tier just below); load balancers holding their
//! configuration in `rK.elb.state`. Customers (weight 1..1,000,000) own 1-3
//! apps that need `any_of` two load balancers, a service, a quorum of two of
//! three services and a soft dependency. Every dependency points to an id
//! defined earlier in the file, except the network/monitoring cycle and
//! services that use S3. Scenarios: `fail-zone` (zone `r0-az1`) and
//! `remove-s3` (50% of `r0.s3.index` in one step).
//!
//! std only, one buffered write path, no allocation per component.

use std::io::{self, Write};
use std::process::exit;

const USAGE: &str = concat!(
    "usage: gen_topology --components N [--seed S] [--regions R] [--dynamics] [--shape tiered|flat|chain]\n",
    "\n",
    "Writes a synthetic blast-radius topology (format v1) with N components to stdout.\n",
    "  --components N  total components incl. customer apps (N >= 50 per region)\n",
    "  --seed S        PRNG seed, u64 (default 1)\n",
    "  --regions R     number of regions, 1..=1000 (default N/50000 rounded up, 1..=20)\n",
    "  --dynamics      add load dynamics: retries on the bridges and on 10% of services,\n",
    "                  recovery surges from 5% of services, failover on 30% of load balancers\n",
    "  --shape S       `tiered` (default, described above), `flat`: the shape of the\n",
    "                  second generator in ../shared/bench (24 regions at most, flow-style\n",
    "                  entries, 10% services, 20% load balancers, the rest apps), or\n",
    "                  `chain`: c0 <- c1 <- ... each hard on the one before, one app on\n",
    "                  the last (the worst case for `spof` done naively: quadratic)",
);

/// Service families: each gets a control plane and a state store per region.
const FAMILIES: [&str; 8] = ["ec2", "ebs", "elb", "lambda", "sqs", "ddb", "iam", "rds"];
/// Index of `elb` in [`FAMILIES`]: load balancers keep their state in its store.
const ELB: usize = 2;
const BRIDGES: usize = 4;
const S3_NAMES: [&str; 5] = ["index", "placement", "metadata", "billing", "frontend"];
const S3_RESTART: [&str; 5] = ["4h", "2h30m", "90m", "45m", "1h"];
const APP_NAMES: [&str; 3] = ["web", "api", "mobile"];
const ZONES: usize = 3;
const TIERS: usize = 6;
/// Components every region has regardless of N: 2 networks, bridges,
/// monitoring, network control plane, DNS, auth, S3 subsystems, and a control
/// plane plus a state store per family.
const FIXED_PER_REGION: usize = 2 + BRIDGES + 4 + S3_NAMES.len() + 2 * FAMILIES.len();
const MIN_PER_REGION: usize = 50;

fn usage_error(msg: &str) -> ! {
    eprintln!("gen_topology: {msg}\n\n{USAGE}");
    exit(2);
}

struct Args {
    components: usize,
    seed: u64,
    regions: Option<usize>,
    dynamics: bool,
    flat: bool,
    chain: bool,
}

fn parse_num<T: std::str::FromStr>(flag: &str, value: Option<String>) -> T {
    let Some(v) = value else {
        usage_error(&format!("{flag} needs a value"));
    };
    let digits = v.replace('_', "");
    match digits.parse() {
        Ok(n) => n,
        Err(_) => usage_error(&format!("{flag}: `{v}` is not a non-negative integer")),
    }
}

fn parse_args() -> Args {
    let mut components = None;
    let mut seed = 1;
    let mut regions = None;
    let mut dynamics = false;
    let mut flat = false;
    let mut chain = false;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || inline.clone().or_else(|| it.next());
        match flag.as_str() {
            "--components" | "-n" => components = Some(parse_num::<usize>(&flag, value())),
            "--seed" | "-s" => seed = parse_num::<u64>(&flag, value()),
            "--regions" | "-r" => regions = Some(parse_num::<usize>(&flag, value())),
            "--dynamics" => dynamics = true,
            "--shape" => match value().as_deref() {
                Some("tiered") => (flat, chain) = (false, false),
                Some("flat") => (flat, chain) = (true, false),
                Some("chain") => (flat, chain) = (false, true),
                _ => usage_error("--shape is `tiered`, `flat` or `chain`"),
            },
            "--help" | "-h" => {
                // Ignore a closed pipe (`--help | head -1`).
                let _ = writeln!(io::stdout(), "{USAGE}");
                exit(0);
            }
            other => usage_error(&format!("unexpected argument `{other}`")),
        }
    }
    let Some(components) = components else {
        usage_error("--components is required");
    };
    if regions.is_some_and(|r| !(1..=1000).contains(&r)) {
        usage_error("--regions must be between 1 and 1000");
    }
    Args {
        components,
        seed,
        regions,
        dynamics,
        flat,
        chain,
    }
}

/// splitmix64: tiny, fast, and good enough for synthetic data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0), by multiply-shift.
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `pct` percent.
    fn pct(&mut self, pct: usize) -> bool {
        self.below(100) < pct
    }
}

/// Buffered stdout writer with hand-rolled integer formatting.
struct Out {
    buf: Vec<u8>,
    sink: io::StdoutLock<'static>,
    /// With `--dynamics`: its own generator, so that the rest of the file is
    /// the same with and without load dynamics.
    dynamics: Option<Rng>,
}

impl Out {
    const CHUNK: usize = 1 << 16;

    fn new() -> Self {
        Out {
            buf: Vec::with_capacity(Self::CHUNK + 4096),
            sink: io::stdout().lock(),
            dynamics: None,
        }
    }

    fn s(&mut self, s: &str) -> &mut Self {
        self.buf.extend_from_slice(s.as_bytes());
        self
    }

    fn n(&mut self, mut v: usize) -> &mut Self {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        loop {
            i -= 1;
            tmp[i] = b'0' + (v % 10) as u8;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
        self
    }

    /// Zero-padded to at least `width` digits.
    fn padded(&mut self, v: usize, width: usize) -> &mut Self {
        let mut digits = 1;
        let mut x = v / 10;
        while x > 0 {
            digits += 1;
            x /= 10;
        }
        for _ in digits..width {
            self.buf.push(b'0');
        }
        self.n(v)
    }

    /// Region prefix: `rK`.
    fn region(&mut self, r: usize) -> &mut Self {
        self.s("r").n(r)
    }

    fn zone(&mut self, r: usize, z: usize) -> &mut Self {
        self.region(r).s("-az").n(z + 1)
    }

    fn id(&mut self, t: Target) -> &mut Self {
        match t {
            Target::NetMain(r) => self.region(r).s(".net.main"),
            Target::NetInternal(r) => self.region(r).s(".net.internal"),
            Target::NetControl(r) => self.region(r).s(".net.control"),
            Target::Bridge(r, i) => self.region(r).s(".net.bridge").n(i + 1),
            Target::Monitoring(r) => self.region(r).s(".monitoring"),
            Target::Dns(r) => self.region(r).s(".dns"),
            Target::Auth(r) => self.region(r).s(".auth"),
            Target::S3(r, i) => self.region(r).s(".s3.").s(S3_NAMES[i]),
            Target::Control(r, f) => self.region(r).s(".").s(FAMILIES[f]).s(".control"),
            Target::Store(r, f) => self.region(r).s(".").s(FAMILIES[f]).s(".state"),
            Target::Svc(r, i) => self.region(r).s(".svc.").padded(i, 6),
            Target::Lb(r, i) => self.region(r).s(".lb.").padded(i, 5),
        }
    }

    /// One `depends_on` list entry: a plain id when hard, `{id, mode: soft}` when soft.
    fn dep(&mut self, d: Dep) -> &mut Self {
        if d.soft {
            self.s("{id: ").id(d.target).s(", mode: soft}")
        } else {
            self.id(d.target)
        }
    }

    fn deps(&mut self, deps: &[Dep]) -> &mut Self {
        self.s("    depends_on: [");
        for (i, d) in deps.iter().enumerate() {
            if i > 0 {
                self.s(", ");
            }
            self.dep(*d);
        }
        self.s("]\n")
    }

    /// `zones: [...]` for the zones whose bit is set in `mask`.
    fn zones(&mut self, r: usize, mask: u8, indent: &str) -> &mut Self {
        self.s(indent).s("zones: [");
        let mut first = true;
        for z in 0..ZONES {
            if mask & (1 << z) != 0 {
                if !first {
                    self.s(", ");
                }
                first = false;
                self.zone(r, z);
            }
        }
        self.s("]\n")
    }

    fn maybe_flush(&mut self) {
        if self.buf.len() >= Self::CHUNK {
            self.flush();
        }
    }

    fn flush(&mut self) {
        let result = self.sink.write_all(&self.buf).and_then(|()| self.sink.flush());
        if let Err(e) = result {
            if e.kind() == io::ErrorKind::BrokenPipe {
                exit(0);
            }
            eprintln!("gen_topology: cannot write to stdout: {e}");
            exit(1);
        }
        self.buf.clear();
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    NetMain(usize),
    NetInternal(usize),
    NetControl(usize),
    Bridge(usize, usize),
    Monitoring(usize),
    Dns(usize),
    Auth(usize),
    S3(usize, usize),
    Control(usize, usize),
    Store(usize, usize),
    Svc(usize, usize),
    Lb(usize, usize),
}

#[derive(Clone, Copy)]
struct Dep {
    target: Target,
    soft: bool,
}

fn hard(target: Target) -> Dep {
    Dep { target, soft: false }
}

fn soft(target: Target) -> Dep {
    Dep { target, soft: true }
}

/// How many of `total` items fall to `part` of `parts` (earlier parts get the remainder).
fn share(total: usize, part: usize, parts: usize) -> usize {
    total / parts + usize::from(part < total % parts)
}

/// Plain capacity and a load strictly below it (30-85% utilisation).
fn capacity_load(out: &mut Out, rng: &mut Rng, lo: usize, hi: usize) {
    let cap = rng.range(lo, hi);
    let load = cap * rng.range(30, 85) / 100;
    out.s("    capacity: ").n(cap).s("\n    load: ").n(load).s("\n");
}

struct Plan {
    regions: usize,
    /// Bulk services per region.
    services: Vec<usize>,
    /// Load balancers per region.
    lbs: Vec<usize>,
    apps: usize,
}

fn plan(args: &Args) -> Plan {
    let n = args.components;
    let regions = match args.regions {
        Some(r) => {
            if n < r * MIN_PER_REGION {
                usage_error(&format!(
                    "--components {n} is too small for {r} regions (need at least {})",
                    r * MIN_PER_REGION
                ));
            }
            r
        }
        None => {
            if n < MIN_PER_REGION {
                usage_error(&format!("--components must be at least {MIN_PER_REGION}"));
            }
            n.div_ceil(50_000).clamp(1, 20).min(n / MIN_PER_REGION)
        }
    };
    let rest = n - regions * FIXED_PER_REGION;
    let lbs = (rest / 50).max(2 * regions);
    let apps = (rest * 18 / 100).max(1);
    let services = rest - lbs - apps;
    Plan {
        regions,
        services: (0..regions).map(|r| share(services, r, regions)).collect(),
        lbs: (0..regions).map(|r| share(lbs, r, regions)).collect(),
        apps,
    }
}

fn write_header(out: &mut Out, args: &Args, p: &Plan) {
    out.s("# Synthetic topology written by examples/gen_topology.rs\n");
    out.s("# gen_topology --components ").n(args.components);
    out.s(" --seed ").s(&args.seed.to_string());
    out.s(" --regions ").n(p.regions).s("\n");
    out.s("version: 1\nname: synthetic-").n(args.components);
    out.s("-seed").s(&args.seed.to_string()).s("\n");
    out.s("description: Generated for benchmarks; ").n(p.regions);
    out.s(" regions, 3 zones each.\nregions:\n");
    for r in 0..p.regions {
        out.s("  - id: ").region(r).s("\n    name: Region ").n(r).s("\n");
        out.zones(r, 0b111, "    ");
    }
}

fn write_data_stores(out: &mut Out, p: &Plan) {
    out.s("data_stores:\n");
    for r in 0..p.regions {
        for f in 0..FAMILIES.len() {
            out.s("  - id: ").id(Target::Store(r, f)).s("\n    kind: state_store\n");
            out.s("    region: ").region(r).s("\n");
            out.s("    guard: {requires_approval: true}\n");
        }
    }
}

/// Networks, bridges, monitoring, DNS, auth and family control planes.
fn write_infra(out: &mut Out, rng: &mut Rng, r: usize) {
    let line = |out: &mut Out, t: Target, kind: &str| {
        out.s("  - id: ")
            .id(t)
            .s("\n    kind: ")
            .s(kind)
            .s("\n    region: ")
            .region(r);
        out.s("\n    tags: {tier: infra}\n");
    };

    line(out, Target::NetMain(r), "network");
    out.s("    capacity: 1000\n    load: ").n(rng.range(400, 600)).s("\n");

    for b in 0..BRIDGES {
        line(out, Target::Bridge(r, b), "bridge");
        capacity_load(out, rng, 80, 120);
        out.s("    collapse_at: 1.5\n");
        if out.dynamics.is_some() {
            out.s("    surges: [{factor: 2}]\n");
        }
        out.deps(&[hard(Target::NetMain(r))]);
    }

    line(out, Target::NetInternal(r), "network");
    out.s("    capacity: 400\n    load: ").n(rng.range(150, 250)).s("\n");
    out.s("    depends_on: [{quorum: 3, of: [");
    for b in 0..BRIDGES {
        if b > 0 {
            out.s(", ");
        }
        out.id(Target::Bridge(r, b));
    }
    // Forward reference: the intentional cycle internal -> control -> monitoring -> internal.
    out.s("]}, ").dep(soft(Target::NetControl(r))).s("]\n");

    line(out, Target::Monitoring(r), "monitoring");
    capacity_load(out, rng, 20, 40);
    out.deps(&[hard(Target::NetInternal(r))]);

    line(out, Target::NetControl(r), "control_plane");
    capacity_load(out, rng, 10, 20);
    out.deps(&[hard(Target::Monitoring(r)), hard(Target::NetMain(r))]);

    line(out, Target::Dns(r), "dns");
    capacity_load(out, rng, 30, 60);
    out.s("    restart_time: 10m\n");
    out.deps(&[hard(Target::NetInternal(r))]);

    line(out, Target::Auth(r), "auth");
    capacity_load(out, rng, 30, 60);
    out.deps(&[hard(Target::NetInternal(r)), hard(Target::Dns(r))]);

    for f in 0..FAMILIES.len() {
        line(out, Target::Control(r, f), "control_plane");
        capacity_load(out, rng, 10, 40);
        out.s("    state: ").id(Target::Store(r, f)).s("\n");
        out.s("    restart_time: 30m\n");
        out.deps(&[
            hard(Target::NetInternal(r)),
            hard(Target::Dns(r)),
            hard(Target::Auth(r)),
        ]);
    }
}

/// Pushes `d` unless its target is already in `deps`.
fn push_unique(deps: &mut [Dep; 4], len: &mut usize, d: Dep) {
    if deps[..*len].iter().all(|x| x.target != d.target) {
        deps[*len] = d;
        *len += 1;
    }
}

/// Services are layered in `TIERS` tiers, as real service graphs are: a
/// service depends mostly on the tier just below its own, sometimes on any
/// lower tier, never on its own tier or above. Returns the index range to
/// pick a dependency from, or `None` for the bottom tier.
fn lower_tier(rng: &mut Rng, i: usize, services: usize) -> Option<(usize, usize)> {
    let tier = i * TIERS / services.max(1);
    if tier == 0 {
        return None;
    }
    let start = |t: usize| t * services / TIERS;
    let lo = if rng.pct(70) { start(tier - 1) } else { 0 };
    let hi = start(tier);
    (hi > lo).then_some((lo, hi))
}

fn write_services(out: &mut Out, rng: &mut Rng, p: &Plan) {
    out.s("services:\n");
    for r in 0..p.regions {
        write_infra(out, rng, r);
        for i in 0..p.services[r] {
            let fam = rng.below(FAMILIES.len());
            out.s("  - id: ")
                .id(Target::Svc(r, i))
                .s("\n    kind: ")
                .s(FAMILIES[fam]);
            out.s("\n    region: ").region(r).s("\n");
            // Placement: 20% in a subset of zones, otherwise the whole region.
            let mask: u8 = if rng.pct(20) {
                match rng.below(4) {
                    0 => 0b011,
                    1 => 0b110,
                    2 => 0b101,
                    _ => 1 << rng.below(ZONES),
                }
            } else {
                0b111
            };
            if mask != 0b111 {
                out.zones(r, mask, "    ");
            }
            let total = if rng.pct(15) {
                // Per-zone capacity over exactly the zones it lives in.
                out.s("    capacity: {");
                let mut sum = 0;
                let mut first = true;
                for z in 0..ZONES {
                    if mask & (1 << z) != 0 {
                        let c = rng.range(4, 60);
                        sum += c;
                        if !first {
                            out.s(", ");
                        }
                        first = false;
                        out.zone(r, z).s(": ").n(c);
                    }
                }
                out.s("}\n");
                sum
            } else {
                let cap = rng.range(4, 200);
                out.s("    capacity: ").n(cap).s("\n");
                cap
            };
            out.s("    load: ").n(total * rng.range(30, 85) / 100).s("\n");
            if rng.pct(5) {
                out.s("    min_capacity: ").n(total * rng.range(20, 60) / 100).s("\n");
            }
            if rng.pct(3) {
                out.s("    max_capacity: ").n(total * 2).s("\n");
            }
            if rng.pct(5) {
                out.s("    collapse_at: 1.").n(rng.range(2, 9)).s("\n");
            }
            if rng.pct(10) {
                out.s("    restart_time: ").n(rng.range(1, 59)).s("m\n");
            }
            // Retries on 10% of services, recovery traffic onto the main network from 5%.
            match out.dynamics.as_mut().map(|d| d.below(100)) {
                Some(0..=9) => {
                    out.s("    surges: [{factor: 1.5}]\n");
                }
                Some(10..=14) => {
                    out.s("    surges: [{when: down, target: ")
                        .id(Target::NetMain(r))
                        .s(", amount: 5}]\n");
                }
                _ => {}
            }

            // 2-4 dependencies, mean ~2.9: a network, then mostly earlier services.
            let want = match rng.below(100) {
                0..=34 => 2,
                35..=74 => 3,
                _ => 4,
            };
            let mut deps = [hard(Target::NetMain(r)); 4];
            let mut len = 0;
            let net = if rng.pct(85) {
                Target::NetInternal(r)
            } else {
                Target::NetMain(r)
            };
            push_unique(&mut deps, &mut len, hard(net));
            for _ in 1..want {
                let roll = rng.below(100);
                let d = if roll < 5 {
                    hard(Target::Dns(r))
                } else if roll < 9 {
                    hard(Target::Auth(r))
                } else if roll < 15 {
                    soft(Target::Control(r, fam))
                } else if roll < 19 {
                    // Services that use S3 (forward reference into s3_subsystems).
                    let s3 = if rng.pct(50) { 4 } else { rng.below(S3_NAMES.len()) };
                    Dep {
                        target: Target::S3(r, s3),
                        soft: rng.pct(50),
                    }
                } else if roll < 20 && r > 0 {
                    // Rare cross-region dependency on an earlier region.
                    let o = rng.below(r);
                    soft(Target::Svc(o, rng.below(p.services[o])))
                } else if let Some((lo, hi)) = lower_tier(rng, i, p.services[r]) {
                    Dep {
                        target: Target::Svc(r, lo + rng.below(hi - lo)),
                        soft: rng.pct(20),
                    }
                } else {
                    hard(Target::Dns(r))
                };
                push_unique(&mut deps, &mut len, d);
            }
            out.deps(&deps[..len]);
            out.maybe_flush();
        }
    }
}

fn write_s3(out: &mut Out, rng: &mut Rng, p: &Plan) {
    out.s("s3_subsystems:\n");
    for r in 0..p.regions {
        for (i, name) in S3_NAMES.iter().enumerate() {
            out.s("  - id: ").id(Target::S3(r, i)).s("\n    kind: s3_").s(name);
            out.s("\n    region: ").region(r).s("\n");
            let cap = rng.range(200, 400);
            out.s("    capacity: ").n(cap);
            out.s("\n    min_capacity: ").n(cap * rng.range(55, 65) / 100);
            out.s("\n    load: ").n(cap * rng.range(40, 52) / 100);
            out.s("\n    restart_time: ").s(S3_RESTART[i]).s("\n");
            out.s("    guard: {max_step_percent: 10}\n");
            let mut deps = [hard(Target::NetInternal(r)); 4];
            let mut len = 1;
            push_unique(&mut deps, &mut len, hard(Target::Dns(r)));
            if i > 0 {
                push_unique(&mut deps, &mut len, hard(Target::S3(r, 0)));
            }
            if i == 4 {
                push_unique(&mut deps, &mut len, soft(Target::S3(r, 2)));
            } else if i > 1 {
                push_unique(&mut deps, &mut len, hard(Target::S3(r, 1)));
            }
            out.deps(&deps[..len]);
        }
    }
}

fn write_lbs(out: &mut Out, rng: &mut Rng, p: &Plan) {
    out.s("load_balancers:\n");
    for r in 0..p.regions {
        for i in 0..p.lbs[r] {
            out.s("  - id: ")
                .id(Target::Lb(r, i))
                .s("\n    region: ")
                .region(r)
                .s("\n");
            let mask = match rng.below(4) {
                0 => 0b011,
                1 => 0b110,
                2 => 0b101,
                _ => 0b111,
            };
            out.zones(r, mask, "    ");
            capacity_load(out, rng, 50, 500);
            out.s("    state: ").id(Target::Store(r, ELB)).s("\n");
            // 30% fail over to the next load balancer of their region.
            if p.lbs[r] > 1 && out.dynamics.as_mut().is_some_and(|d| d.pct(30)) {
                out.s("    failover: {to: ")
                    .id(Target::Lb(r, (i + 1) % p.lbs[r]))
                    .s("}\n");
            }
            let mut deps = [hard(Target::NetMain(r)); 4];
            let mut len = 1;
            push_unique(&mut deps, &mut len, soft(Target::Control(r, ELB)));
            for _ in 0..rng.range(1, 2) {
                let s = rng.below(p.services[r]);
                push_unique(&mut deps, &mut len, hard(Target::Svc(r, s)));
            }
            out.deps(&deps[..len]);
            out.maybe_flush();
        }
    }
}

/// Weight 1..=1,000,000, roughly log-uniform (integer only, so platform-independent).
fn weight(rng: &mut Rng) -> usize {
    const DECADES: [usize; 6] = [1, 10, 100, 1_000, 10_000, 100_000];
    let lo = DECADES[rng.below(DECADES.len())];
    rng.range(lo, lo * 10).min(1_000_000)
}

fn write_customers(out: &mut Out, rng: &mut Rng, p: &Plan) {
    out.s("customers:\n");
    let mut left = p.apps;
    let mut c = 0;
    while left > 0 {
        c += 1;
        let apps = rng.range(1, 3).min(left);
        left -= apps;
        let home = rng.below(p.regions);
        out.s("  - id: cust.")
            .padded(c, 6)
            .s("\n    name: Customer ")
            .padded(c, 6);
        out.s("\n    weight: ").n(weight(rng)).s("\n");
        if rng.pct(10) {
            out.s("    tier: enterprise\n");
        }
        out.s("    apps:\n");
        let svcs = p.services[home];
        for name in &APP_NAMES[..apps] {
            out.s("      - id: cust.").padded(c, 6).s(".").s(name).s("\n");
            // any_of two load balancers: one at home, one elsewhere (or another at home).
            let lb1 = Target::Lb(home, rng.below(p.lbs[home]));
            let other = if p.regions > 1 {
                (home + 1 + rng.below(p.regions - 1)) % p.regions
            } else {
                home
            };
            let mut lb2 = Target::Lb(other, rng.below(p.lbs[other]));
            if let (Target::Lb(_, a), true) = (lb1, lb2 == lb1) {
                // Same region, same pick: take a different one (every region has >= 2).
                lb2 = Target::Lb(home, (a + 1 + rng.below(p.lbs[home] - 1)) % p.lbs[home]);
            }
            out.s("        depends_on: [{any_of: [")
                .id(lb1)
                .s(", ")
                .id(lb2)
                .s("]}, ");
            let main = rng.below(svcs);
            out.id(Target::Svc(home, main));
            // quorum 2 of 3 distinct services.
            let a = rng.below(svcs);
            let mut b = rng.below(svcs);
            if b == a {
                b = (a + 1) % svcs;
            }
            let mut q = rng.below(svcs);
            while q == a || q == b {
                q = (q + 1) % svcs;
            }
            out.s(", {quorum: 2, of: [").id(Target::Svc(home, a)).s(", ");
            out.id(Target::Svc(home, b)).s(", ").id(Target::Svc(home, q)).s("]}, ");
            let mut extra = if rng.pct(50) {
                Target::S3(home, 4)
            } else {
                Target::Svc(home, rng.below(svcs))
            };
            if extra == Target::Svc(home, main) {
                extra = Target::S3(home, 4);
            }
            out.dep(soft(extra)).s("]\n");
        }
        out.maybe_flush();
    }
}

fn write_scenarios(out: &mut Out) {
    out.s("scenarios:\n");
    out.s("  fail-zone:\n    description: Lose availability zone r0-az1\n");
    out.s("    steps: [{fail_zone: {zone: r0-az1}}]\n");
    out.s("  remove-s3:\n");
    out.s("    description: Remove half of the r0 S3 index subsystem in one step\n");
    out.s("    steps: [{remove_capacity: {target: r0.s3.index, percent: 50}}]\n");
}

fn main() {
    let args = parse_args();
    let mut out = Out::new();
    if args.dynamics {
        out.dynamics = Some(Rng(args.seed ^ 0xD1CE));
    }
    if args.flat {
        flat::write(&mut out, &args);
        out.flush();
        return;
    }
    if args.chain {
        write_chain(&mut out, &args);
        out.flush();
        return;
    }
    let p = plan(&args);
    let mut rng = Rng(args.seed);
    write_header(&mut out, &args, &p);
    write_data_stores(&mut out, &p);
    write_services(&mut out, &mut rng, &p);
    write_s3(&mut out, &mut rng, &p);
    write_lbs(&mut out, &mut rng, &p);
    write_customers(&mut out, &mut rng, &p);
    write_scenarios(&mut out);
    out.flush();
}

/// `--shape chain`: one region, `c0 <- c1 <- ... <- c(N-2)`, each hard on
/// the one before, and one customer app on the last. Failing `ci` takes
/// down everything after it, so the blast radii add up to N^2/2.
fn write_chain(out: &mut Out, args: &Args) {
    let n = args.components.max(2);
    out.s("version: 1\nname: generated ")
        .n(n)
        .s(" components (chain shape)\n");
    out.s("regions:\n  - id: r0\n    zones: [r0-z0, r0-z1, r0-z2]\nservices:\n");
    out.s("  - {id: c0, region: r0, capacity: 10, load: 5}\n");
    for i in 1..n - 1 {
        out.s("  - {id: c")
            .n(i)
            .s(", region: r0, capacity: 10, load: 5, depends_on: [c");
        out.n(i - 1).s("]}\n");
        out.maybe_flush();
    }
    out.s("customers:\n  - id: k\n    apps:\n      - {id: k.app, depends_on: [c")
        .n(n - 2)
        .s("]}\n");
    out.s("scenarios:\n  fail-zone:\n    description: Lose availability zone r0-z0\n");
    out.s("    steps: [{fail_zone: {zone: r0-z0}}]\n");
}

/// The shape of `../shared/bench/gen_topology.py` (ported; its own random
/// numbers, so not byte-identical to the script): per region networks with a
/// monitoring cycle, S3-like subsystems and an ELB control plane and state
/// store; then internal services (10%), load balancers in two zones (20%)
/// and customers with 1-5 apps, one flow-style entry a line.
mod flat {
    use super::{Args, Out, Rng};

    struct Region {
        infra: Vec<String>,
        services: Vec<usize>,
        lbs: Vec<usize>,
    }

    pub(super) fn write(out: &mut Out, args: &Args) {
        let n = args.components;
        let mut rng = Rng(args.seed);
        let regions = args.regions.unwrap_or((n / 40_000).clamp(1, 24));
        out.s("version: 1\nname: generated ")
            .n(n)
            .s(" components (flat shape)\nregions:\n");
        for r in 0..regions {
            out.s("  - id: r")
                .n(r)
                .s("\n    zones: [r")
                .n(r)
                .s("-z0, r")
                .n(r)
                .s("-z1, r")
                .n(r)
                .s("-z2]\n");
        }
        let mut count = 0;
        let mut world: Vec<Region> = Vec::new();
        out.s("services:\n");
        for r in 0..regions {
            let line = format!(
                "  - {{id: net.main.r{r}, kind: network, region: r{r}, capacity: 1000, load: 600, collapse_at: 1.5}}\n  - {{id: net.internal.r{r}, kind: network, region: r{r}, capacity: 200, load: 90, collapse_at: 1.3, depends_on: [net.main.r{r}]}}\n  - {{id: monitoring.r{r}, kind: monitoring, depends_on: [net.internal.r{r}, net.control.r{r}]}}\n  - {{id: net.control.r{r}, kind: network_control, depends_on: [{{id: monitoring.r{r}, mode: soft}}]}}\n  - {{id: ec2.api.r{r}, kind: api, region: r{r}, capacity: 300, load: 120, depends_on: [net.internal.r{r}]}}\n  - {{id: elb.control.r{r}, kind: control_plane, region: r{r}, depends_on: [elb.state.r{r}, net.internal.r{r}]}}\n"
            );
            out.s(&line);
            count += 6;
            world.push(Region {
                infra: vec![
                    format!("net.main.r{r}"),
                    format!("ec2.api.r{r}"),
                    format!("monitoring.r{r}"),
                ],
                services: Vec::new(),
                lbs: Vec::new(),
            });
        }
        for i in 0..(n / 10).max(regions) {
            let r = i % regions;
            let mut deps = vec![world[r].infra[rng.below(world[r].infra.len())].clone()];
            let pool = &world[r].services;
            if !pool.is_empty() {
                let recent = &pool[pool.len().saturating_sub(200)..];
                deps.push(format!("svc.{}", recent[rng.below(recent.len())]));
                let soft = pool[rng.below(pool.len())];
                if rng.pct(50) && !deps.contains(&format!("svc.{soft}")) {
                    deps.push(format!("{{id: svc.{soft}, mode: soft}}"));
                }
            }
            let cap = rng.range(20, 400);
            let load = cap * rng.range(30, 80) / 100;
            let surge = match out.dynamics.as_mut().map(|d| d.below(100)) {
                Some(0..=9) => ", surges: [{factor: 1.5}]".to_string(),
                Some(10..=14) => format!(", surges: [{{when: down, target: net.main.r{r}, amount: 5}}]"),
                _ => String::new(),
            };
            let line = format!(
                "  - {{id: svc.{i}, region: r{r}, capacity: {cap}, load: {load}{surge}, depends_on: [{}]}}\n",
                deps.join(", ")
            );
            out.s(&line);
            world[r].services.push(i);
            count += 1;
            out.maybe_flush();
        }
        out.s("s3_subsystems:\n");
        for (r, region) in world.iter_mut().enumerate() {
            let line = format!(
                "  - {{id: s3.index.r{r}, region: r{r}, capacity: 3000, min_capacity: 1800, load: 1500, restart_time: 4h, guard: {{max_step_percent: 5}}, depends_on: [net.internal.r{r}]}}\n  - {{id: s3.placement.r{r}, region: r{r}, capacity: 1200, min_capacity: 700, load: 500, restart_time: 1h, depends_on: [s3.index.r{r}]}}\n  - {{id: s3.billing.r{r}, region: r{r}, capacity: 40, min_capacity: 10, load: 12}}\n  - {{id: s3.api.r{r}, region: r{r}, depends_on: [s3.index.r{r}, s3.placement.r{r}, {{id: s3.billing.r{r}, mode: soft}}]}}\n"
            );
            out.s(&line);
            count += 4;
            region.infra.push(format!("s3.api.r{r}"));
        }
        out.s("data_stores:\n");
        for r in 0..regions {
            out.s("  - {id: elb.state.r")
                .n(r)
                .s(", region: r")
                .n(r)
                .s(", guard: {requires_approval: true}}\n");
            count += 1;
        }
        out.s("load_balancers:\n");
        let lb_n = (n / 5).max(regions);
        for i in 0..lb_n {
            let r = i % regions;
            let a = rng.below(3);
            let b = (a + 1 + rng.below(2)) % 3;
            let load = rng.range(20, 70);
            // 30% fail over to another load balancer of their region (the one dealt before).
            let failover = match world[r].lbs.last() {
                Some(prev) if out.dynamics.as_mut().is_some_and(|d| d.pct(30)) => {
                    format!(", failover: {{to: lb.{prev}}}")
                }
                _ => String::new(),
            };
            let line = format!(
                "  - {{id: lb.{i}, region: r{r}, zones: [r{r}-z{a}, r{r}-z{b}], capacity: 100, load: {load}, state: elb.state.r{r}{failover}, depends_on: [net.main.r{r}]}}\n"
            );
            out.s(&line);
            world[r].lbs.push(i);
            count += 1;
            out.maybe_flush();
        }
        out.s("customers:\n");
        let mut c = 0;
        while count < n {
            let apps = rng.range(1, 5);
            out.s("  - id: cust.")
                .n(c)
                .s("\n    weight: ")
                .n(rng.range(1, 100_000))
                .s("\n    apps:\n");
            for a in 0..apps {
                if count >= n && a > 0 {
                    break;
                }
                let line = app(&mut rng, &world, c, a);
                out.s(&line);
                count += 1;
            }
            c += 1;
            out.maybe_flush();
        }
        out.s("scenarios:\n  fail-zone:\n    description: Lose availability zone r0-z0\n");
        out.s("    steps: [{fail_zone: {zone: r0-z0}}]\n");
    }

    fn app(rng: &mut Rng, world: &[Region], c: usize, a: usize) -> String {
        let r = rng.below(world.len());
        let home = &world[r];
        let pick = |rng: &mut Rng, list: &[usize]| list[rng.below(list.len())];
        let mut deps = Vec::new();
        if world.len() > 1 && rng.pct(30) {
            let other = &world[(r + 1) % world.len()];
            deps.push(format!(
                "{{any_of: [lb.{}, lb.{}]}}",
                pick(rng, &home.lbs),
                pick(rng, &other.lbs)
            ));
        } else {
            deps.push(format!("lb.{}", pick(rng, &home.lbs)));
        }
        let hard = pick(rng, &home.services);
        deps.push(format!("svc.{hard}"));
        if rng.pct(50) {
            deps.push(home.infra[rng.below(home.infra.len())].clone());
        }
        let soft = pick(rng, &home.services);
        if rng.pct(30) && soft != hard {
            deps.push(format!("{{id: svc.{soft}, mode: soft}}"));
        }
        let recent = &home.services[home.services.len().saturating_sub(50)..];
        if rng.pct(10) && recent.len() >= 5 {
            let mut quorum: Vec<usize> = Vec::new();
            while quorum.len() < 3 {
                let s = pick(rng, recent);
                if s != hard && s != soft && !quorum.contains(&s) {
                    quorum.push(s);
                }
            }
            deps.push(format!(
                "{{quorum: 2, of: [svc.{}, svc.{}, svc.{}]}}",
                quorum[0], quorum[1], quorum[2]
            ));
        }
        format!("      - {{id: cust.{c}.app{a}, depends_on: [{}]}}\n", deps.join(", "))
    }
}
