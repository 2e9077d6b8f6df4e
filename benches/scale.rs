//! Scale benchmarks: a small harness, run with `cargo bench --bench scale`.
//!
//! Generates topologies with `examples/gen_topology.rs` (built first with
//! `cargo build --release --example gen_topology`), then times, for each size:
//! parsing alone into `serde::de::IgnoredAny` (the floor); reading and
//! checking every entry as it is parsed; resolving references and building
//! the graph; one propagation; and a whole `check` (plan, engine, report,
//! JSON). It also runs `blast check` as its own process for its peak resident
//! memory. Each time is the median of several runs; ratios against the parse
//! floor are measured in the same run, so machine noise cancels out.
//!
//! `BLAST_BENCH_SIZES=10000,100000,1000000` picks the sizes (default 10k and 100k),
//! `BLAST_BENCH_RUNS=5` the runs per figure, `BLAST_BENCH_SHAPE=flat` the
//! generator's second shape (that of `../shared/bench/gen_topology.py`) or
//! `chain` (a chain of hard dependencies, where naive `spof` is quadratic), and
//! `BLAST_BENCH_DYNAMICS=1` topologies with surges and failover, for which a
//! third table compares propagation with and without load dynamics, and
//! the recovery analysis with propagation. `BLAST_BENCH_ANALYSES=0` leaves
//! out the second table (`spof`, `diff`, `cuts` and their brute force),
//! the longest part at a million components.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use blast_radius::analysis::cuts::{self, Target};
use blast_radius::analysis::{diff, spof};
use blast_radius::engine::{self, Propagator, State};
use blast_radius::input::read::parse_yaml;
use blast_radius::limits::Limits;
use blast_radius::model::{ComponentIdx, Section};
use blast_radius::model::{read_topology, topology_from_str};
use blast_radius::plan::{self, Origin};
use blast_radius::{FailOn, report};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort_unstable();
    samples[samples.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    median(
        (0..runs)
            .map(|_| {
                let start = Instant::now();
                std::hint::black_box(f());
                start.elapsed()
            })
            .collect(),
    )
}

/// Peak resident memory of `blast check <path> --scenario fail-zone`, run as
/// its own process, as the kernel accounted it.
#[allow(unsafe_code, reason = "std cannot read a child's resource usage")]
fn peak_rss_of_check(path: &Path) -> u64 {
    #[allow(
        clippy::zombie_processes,
        reason = "reaped by wait4 below, which also reports its memory"
    )]
    let child = Command::new(env!("CARGO_BIN_EXE_blast"))
        .arg("check")
        .arg(path)
        .args(["--scenario", "fail-zone", "-q"])
        .stdout(Stdio::null())
        .spawn()
        .expect("run blast");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain old data, for which all zeros is a valid value.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not waited for yet, and both pointers
    // are to live locals. std has no way to get a child's resource usage.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4 failed");
    // Linux reports ru_maxrss in KiB.
    usage.ru_maxrss as u64 * 1024
}

/// `text` with the first declared `load: N` raised by one.
fn one_load_raised(text: &str) -> String {
    let Some(at) = text.find("load: ") else {
        return text.to_string();
    };
    let start = at + "load: ".len();
    let end = start + text[start..].bytes().take_while(u8::is_ascii_digit).count();
    let load: u64 = text[start..end].parse().unwrap_or(0);
    format!("{}{}{}", &text[..start], load + 1, &text[end..])
}

fn generator() -> PathBuf {
    // target/release/deps/scale-HASH -> target/release/examples/gen_topology
    let exe = std::env::current_exe().expect("bench executable path");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target profile dir");
    let generator = profile_dir.join("examples").join("gen_topology");
    if !generator.exists() {
        eprintln!("build the generator first: cargo build --release --example gen_topology");
        std::process::exit(2);
    }
    generator
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing useful either.
    let sizes: Vec<usize> = std::env::var("BLAST_BENCH_SIZES")
        .unwrap_or_else(|_| "10000,100000".to_string())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let runs: usize = std::env::var("BLAST_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let generator = generator();
    let shape = std::env::var("BLAST_BENCH_SHAPE").unwrap_or_else(|_| "tiered".to_string());
    let dynamics = std::env::var_os("BLAST_BENCH_DYNAMICS").is_some_and(|v| v == "1");
    let with_analyses = std::env::var_os("BLAST_BENCH_ANALYSES").is_none_or(|v| v != "0");
    let dir = std::env::temp_dir().join("blast-bench");
    std::fs::create_dir_all(&dir).expect("temp dir");
    let limits = Limits::default();

    let mut analyses = Vec::new();
    let mut dynamics_rows: Vec<String> = Vec::new();
    println!(
        "| components | file MB | parse floor | read+check | references+graph | load total | propagation | check (fail-zone) | check / floor | propagation / load | check peak RSS | RSS / file |"
    );
    println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    // Files are generated, and `blast check` run for its memory, before this
    // process reads anything large: a child's peak memory counts the memory
    // of the process it was forked from.
    let mut files = Vec::new();
    for n in sizes {
        let suffix = if dynamics { "-dynamics" } else { "" };
        let path = dir.join(format!("synthetic-{shape}{suffix}-{n}.yaml"));
        if !path.exists() {
            let file = std::fs::File::create(&path).expect("create topology file");
            let mut extra = vec!["--shape", shape.as_str()];
            if dynamics {
                extra.push("--dynamics");
            }
            let status = Command::new(&generator)
                .args(["--components", &n.to_string()])
                .args(&extra)
                .stdout(file)
                .status()
                .expect("run generator");
            assert!(status.success(), "generator failed");
        }
        let rss = peak_rss_of_check(&path);
        files.push((n, path, rss));
    }
    for (n, path, rss) in files {
        let text = std::fs::read_to_string(&path).expect("read topology");
        let mb = text.len() as f64 / 1e6;

        let floor = time(runs, || {
            parse_yaml::<serde::de::IgnoredAny>(&text, &path, limits).expect("parse")
        });
        let read_time = time(runs, || read_topology(&text, &path, limits).expect("read"));
        let graph_time = median(
            (0..runs)
                .map(|_| {
                    let builder = read_topology(&text, &path, limits).expect("read");
                    let start = Instant::now();
                    std::hint::black_box(builder.finish().expect("finish"));
                    start.elapsed()
                })
                .collect(),
        );
        let load_time = time(runs, || topology_from_str(&text, &path, limits).expect("load"));
        let topology = topology_from_str(&text, &path, limits).expect("load");
        let scenario = topology
            .find_scenario("fail-zone")
            .expect("generator writes a fail-zone scenario");
        let plan = plan::resolve(&topology, &scenario.plan, Origin::Inline, &[]).expect("plan");
        let mut state = State::new(&topology);
        engine::apply::apply(&mut state, 1, &plan.steps[0]);
        let propagate = |state: &State| {
            let mut propagator = Propagator::new(&topology, true, true);
            propagator.start(state, None);
            propagator.statuses().len()
        };
        let propagation = time(runs, || propagate(&state));
        if dynamics {
            let fixed = time(runs, || {
                let mut propagator = Propagator::new(&topology, false, true);
                propagator.start(&state, None);
                propagator.statuses().len()
            });
            let mut propagator = Propagator::new(&topology, true, false);
            propagator.start(&state, None);
            let worst = propagator.into_statuses();
            // The baseline is computed once per check and shared with the
            // report, so it is not part of recovery's cost.
            let baseline = engine::baseline(&topology);
            let recovery = time(runs, || {
                engine::recovery::recover(&topology, &state, &worst, &baseline)
                    .after_rollback
                    .len()
            });
            dynamics_rows.push(format!(
                "| {n} | {} | {} | {:.4} s | {:.4} s | {:.2}x | {:.4} s | {:.2}x |",
                topology.surges().len(),
                topology.failovers().len(),
                fixed.as_secs_f64(),
                propagation.as_secs_f64(),
                propagation.as_secs_f64() / fixed.as_secs_f64(),
                recovery.as_secs_f64(),
                recovery.as_secs_f64() / propagation.as_secs_f64(),
            ));
        }
        let check = time(runs, || {
            let text = std::fs::read_to_string(&path).expect("read");
            let topology = topology_from_str(&text, &path, limits).expect("load");
            let scenario = topology.find_scenario("fail-zone").expect("scenario");
            let plan = plan::resolve(&topology, &scenario.plan, Origin::Inline, &[]).expect("plan");
            let outcome = engine::run(&topology, &plan);
            let report = report::build(
                &topology,
                &plan,
                "scenario fail-zone".into(),
                &outcome,
                FailOn::Degraded,
                report::AppRows::Affected,
            );
            serde_json::to_string(&report).expect("json").len()
        });
        println!(
            "| {n} | {mb:.1} | {:.3} s | {:.3} s | {:.3} s | {:.3} s | {:.4} s | {:.3} s | {:.2}x | {:.1}% | {:.0} MB | {:.1}x |",
            floor.as_secs_f64(),
            read_time.as_secs_f64(),
            graph_time.as_secs_f64(),
            load_time.as_secs_f64(),
            propagation.as_secs_f64(),
            check.as_secs_f64(),
            check.as_secs_f64() / floor.as_secs_f64(),
            100.0 * propagation.as_secs_f64() / load_time.as_secs_f64(),
            rss as f64 / 1e6,
            rss as f64 / text.len() as f64,
        );

        if !with_analyses {
            continue;
        }
        // Analyses, against brute force: one full propagation per failure set.
        let spof_time = time(runs, || spof::spof(&topology, |_, _| {}).len());
        // `diff` against the same file with one declared load raised: what a
        // small topology change costs to gate.
        let changed = topology_from_str(&one_load_raised(&text), &path, limits).expect("load changed");
        let diff_time = time(runs, || {
            diff::diff(&topology, &changed, Some(blast_radius::Status::Down), |_, _| {})
                .customers
                .len()
        });
        let full_fail = |set: &[ComponentIdx]| {
            let mut state = State::new(&topology);
            let ops: Vec<String> = set
                .iter()
                .map(|c| format!("fail {}", topology.component(*c).id))
                .collect();
            let raw = plan::inline_plan(&ops).expect("ops");
            let plan = plan::resolve(&topology, &raw, Origin::Inline, &[]).expect("plan");
            for (i, step) in plan.steps.iter().enumerate() {
                engine::apply::apply(&mut state, i + 1, step);
            }
            propagate(&state)
        };
        let sample: Vec<ComponentIdx> = topology.component_indices().step_by((n / 50).max(1)).collect();
        let per_check = time(1, || sample.iter().map(|c| full_fail(&[*c])).sum::<usize>()) / sample.len() as u32;
        let brute_spof = per_check * n as u32;
        let app = topology
            .component_indices()
            .find(|c| topology.component(*c).section == Section::App)
            .expect("the generator writes apps");
        let target = Target { components: vec![app] };
        let mut cone = 0;
        let mut found = [0; 2];
        let mut cuts_times = [Duration::ZERO; 2];
        for (i, k) in [2, 3].into_iter().enumerate() {
            cuts_times[i] = time(runs, || {
                let result = cuts::cuts(&topology, &target, k, |_, _| {});
                cone = result.cone;
                found[i] = result.sets.len();
                result.sets.len()
            });
        }
        // Brute force over the same cone's components (zones and regions
        // aside): every single and every pair.
        let brute_cuts = per_check * (cone + cone * cone.saturating_sub(1) / 2) as u32;
        analyses.push(format!(
            "| {n} | {:.2} s | {:.0} s (est.) | {:.0}x | {:.2} s | {cone} | {:.3} s ({} sets) | {:.3} s ({} sets) | {:.0} s (est.) |",
            spof_time.as_secs_f64(),
            brute_spof.as_secs_f64(),
            brute_spof.as_secs_f64() / spof_time.as_secs_f64(),
            diff_time.as_secs_f64(),
            cuts_times[0].as_secs_f64(),
            found[0],
            cuts_times[1].as_secs_f64(),
            found[1],
            brute_cuts.as_secs_f64(),
        ));
    }
    if with_analyses {
        println!();
        println!(
            "| components | spof | brute-force spof | speed-up | diff (one load changed) | cone of one app | cuts --max-size 2 | cuts --max-size 3 | brute-force cuts, K = 2 |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for line in analyses {
            println!("{line}");
        }
    }
    if !dynamics_rows.is_empty() {
        println!();
        println!(
            "| components | surges | failovers | propagation, loads fixed | propagation with dynamics | ratio | recovery | recovery / propagation |"
        );
        println!("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for line in dynamics_rows {
            println!("{line}");
        }
    }
}
