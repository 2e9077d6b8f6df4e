//! One function per command: load what it needs, run the library, pick the
//! renderer. Decisions about the domain live below, in the library layers.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::analysis;
use crate::cli::args::{
    CheckFormat, Cli, Command, CustomersFrom, GateArgs, GraphOperationArgs, ImportSource, ListFormat, OperationArgs,
    PlansArgs, ReportFormat, ValidateFormat,
};
use crate::cli::{Environment, Output, OutputFile, docs};
use crate::engine;
use crate::error::{Diagnostic, Error, Result};
use crate::limits::Limits;
use crate::model::{self, Topology};
use crate::plan::{self, Plan, Selection};
use crate::render::{self, Style};
use crate::report::{self, CheckRun};
use crate::text::shown;

/// What every command shares: limits, colour, the terminal.
struct Context<'e> {
    limits: Limits,
    color_out: bool,
    color_err: bool,
    environment: &'e Environment,
}

impl Context<'_> {
    /// How to lay out text for stdout.
    fn style(&self) -> Style {
        Style {
            color: self.color_out,
            width: self.environment.width,
        }
    }
}

pub(crate) fn dispatch(cli: &Cli, environment: &Environment) -> Result<Output> {
    let cx = Context {
        limits: cli.global.limits(),
        color_out: cli.global.color(environment, environment.stdout_is_terminal),
        color_err: cli.global.color(environment, environment.stderr_is_terminal),
        environment,
    };
    match &cli.command {
        Command::Check {
            topology,
            operation,
            gate,
            format,
            quiet,
            output,
        } => check(&cx, topology, operation, gate, *format, *quiet, output.as_deref()),
        Command::Explain {
            topology,
            component,
            operation,
            gate,
        } => explain(&cx, topology, component, operation, gate),
        Command::List {
            topology,
            pattern,
            kind,
            format,
        } => list(&cx, topology, pattern.as_deref(), kind.as_deref(), *format),
        Command::Graph {
            topology,
            operation,
            gate,
            format,
            focus,
            depth,
        } => graph(&cx, topology, operation, gate, *format, focus.as_deref(), *depth),
        Command::Schema { plan } => Ok(docs::schema(*plan)),
        Command::Completions { shell } => docs::completions(*shell),
        Command::Man { command, dir } => docs::man(command.as_deref(), dir.as_deref()),
        Command::Convert { file, to: _, plan } => convert(&cx, file, *plan),
        Command::Spof {
            topology,
            top,
            include_apps,
            format,
        } => spof(&cx, topology, *top, *include_apps, *format),
        Command::Cuts {
            topology,
            target,
            max_size,
            max_sets,
            format,
        } => {
            let limits = analysis::cuts::Limits {
                max_size: usize::from(*max_size),
                max_sets: *max_sets as usize,
            };
            cuts(&cx, topology, target, limits, *format)
        }
        Command::Diff {
            old,
            new,
            fail_on,
            format,
        } => diff(&cx, old, new, *fail_on, *format),
        Command::Validate {
            topology,
            format,
            output,
        } => validate(&cx, topology, *format, output.as_deref()),
        Command::Import { source } => import(&cx, source),
    }
}

impl OperationArgs {
    fn selection(&self) -> Selection {
        if let Some(path) = &self.plan {
            Selection::File(path.clone())
        } else if let Some(name) = &self.scenario {
            Selection::Scenario(name.clone())
        } else {
            Selection::Ops(self.ops.clone())
        }
    }
}

impl PlansArgs {
    /// The plans to run, in order: the `--op` list as one plan, each
    /// `--plan`, each `--scenario`, then every other scenario for
    /// `--all-scenarios`.
    fn selections(&self, topology: &Topology) -> Result<Vec<Selection>> {
        let mut out = Vec::new();
        if !self.ops.is_empty() {
            out.push(Selection::Ops(self.ops.clone()));
        }
        out.extend(self.plans.iter().cloned().map(Selection::File));
        out.extend(self.scenarios.iter().cloned().map(Selection::Scenario));
        if self.all_scenarios {
            if topology.scenarios().is_empty() {
                return Err(Error::usage(
                    Diagnostic::new(format!(
                        "--all-scenarios: `{}` has no scenarios",
                        crate::text::path(topology.source())
                    ))
                    .help("add `scenarios` to the topology, or pass --plan or --op"),
                ));
            }
            for scenario in topology.scenarios() {
                if !self.scenarios.contains(&scenario.name) {
                    out.push(Selection::Scenario(scenario.name.clone()));
                }
            }
        }
        Ok(out)
    }
}

/// Standard input can be read once: refuse `-` for two inputs.
fn one_stdin<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<()> {
    if paths.into_iter().filter(|p| *p == Path::new("-")).count() > 1 {
        return Err(Error::usage(
            Diagnostic::new("`-` (standard input) is given for more than one input")
                .help("standard input can be read once: pass the other inputs as files"),
        ));
    }
    Ok(())
}

/// Loads a topology and checks the scenarios it ships, with a spinner on a
/// terminal for files big enough to take a while.
fn load(cx: &Context, path: &Path, quiet: bool) -> Result<Topology> {
    load_checking(cx, path, quiet, model::Checking::Beside)
}

fn load_checking(cx: &Context, path: &Path, quiet: bool, checking: model::Checking) -> Result<Topology> {
    const BIG: u64 = 8 * 1024 * 1024;
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > BIG);
    let spinner = (big && cx.environment.stderr_is_terminal && !quiet)
        .then(|| indicatif::ProgressBar::new_spinner().with_message(format!("loading {}", crate::text::path(path))));
    let result = match &spinner {
        Some(spinner) => with_ticker(spinner, || model::load_topology(path, cx.limits, checking)),
        None => model::load_topology(path, cx.limits, checking),
    };
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let topology = result?;
    plan::resolve_scenarios(&topology)?;
    Ok(topology)
}

/// Runs `work` while a thread of ours ticks `spinner`. indicatif's own
/// ticker panics where no thread can be started (a process limit); without
/// one, the spinner just stands still.
fn with_ticker<T>(spinner: &indicatif::ProgressBar, work: impl FnOnce() -> T) -> T {
    /// Stops the ticker when dropped, so a panic in `work` cannot leave the
    /// scope waiting for it.
    struct Stop<'a>(&'a AtomicBool, Option<std::thread::Thread>);
    impl Drop for Stop<'_> {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Release);
            if let Some(ticker) = &self.1 {
                ticker.unpark();
            }
        }
    }
    let stopped = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let ticker = std::thread::Builder::new()
            .spawn_scoped(scope, || {
                while !stopped.load(Ordering::Acquire) {
                    spinner.tick();
                    std::thread::park_timeout(std::time::Duration::from_millis(120));
                }
            })
            .ok();
        let _stop = Stop(&stopped, ticker.as_ref().map(|t| t.thread().clone()));
        work()
    })
}

fn select(cx: &Context, topology: &Topology, operation: &OperationArgs, gate: &GateArgs) -> Result<(Plan, String)> {
    plan::select(topology, &operation.selection(), &gate.approvals, cx.limits)
}

/// A progress bar on stderr for work that can take a while; hidden unless
/// stderr is a terminal, so pipes, files and CI logs never see it.
fn progress_bar(cx: &Context, message: &str) -> indicatif::ProgressBar {
    if !cx.environment.stderr_is_terminal {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0).with_message(message.to_string());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({eta})") {
        bar.set_style(style);
    }
    bar
}

/// Reports `(done, total)` progress from an analysis to `bar`.
fn track(bar: &indicatif::ProgressBar) -> impl Fn(usize, usize) + '_ {
    |done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
    }
}

#[allow(clippy::too_many_arguments)]
fn check(
    cx: &Context,
    path: &Path,
    operation: &PlansArgs,
    gate: &GateArgs,
    format: CheckFormat,
    quiet: bool,
    output: Option<&Path>,
) -> Result<Output> {
    if quiet && format != CheckFormat::Table {
        return Err(Error::usage(
            Diagnostic::new(format!(
                "--quiet prints the verdict line of the table format; it cannot be used with --format {}",
                format_name(format)
            ))
            .help("drop --quiet: the machine-readable formats are whole documents (the verdict is in them)"),
        ));
    }
    one_stdin(std::iter::once(path).chain(operation.plans.iter().map(|p| p.as_path())))?;
    let topology = load(cx, path, quiet)?;
    let mut reports = Vec::new();
    for selection in operation.selections(&topology)? {
        let (plan, source) = plan::select(&topology, &selection, &gate.approvals, cx.limits)?;
        let fail_on = gate.fail_on.or(plan.fail_on).unwrap_or_default();
        let outcome = engine::run(&topology, &plan);
        let rows = if format == CheckFormat::Junit {
            report::AppRows::Every
        } else {
            report::AppRows::Affected
        };
        reports.push(report::build(&topology, &plan, source, &outcome, fail_on, rows));
    }
    let run = CheckRun::new(reports, topology.source().to_path_buf());
    // The reports own what they show: the topology can go before the
    // output is written, which on a large file would otherwise hold both.
    drop(topology);
    let code = run.exit_code();
    Ok(match output {
        Some(file) => Output {
            stdout: render::check::verdict_lines(&run, cx.color_out),
            files: vec![OutputFile {
                path: file.to_path_buf(),
                contents: format.render(&run, Style::default()),
            }],
            ..Output::stdout(String::new(), code)
        },
        None if quiet => Output::stdout(render::check::verdict_lines(&run, cx.color_out), code),
        None => Output::stdout(format.render(&run, cx.style()), code),
    })
}

fn format_name(format: CheckFormat) -> String {
    clap::ValueEnum::to_possible_value(&format).map_or_else(String::new, |v| v.get_name().to_string())
}

fn explain(cx: &Context, path: &Path, id: &str, operation: &OperationArgs, gate: &GateArgs) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let (plan, _) = select(cx, &topology, operation, gate)?;
    let outcome = engine::run(&topology, &plan);
    let explanation = report::explain::explain(&topology, &plan, &outcome, id)?;
    Ok(Output::stdout(render::explain::text(&explanation), 0))
}

fn graph(
    cx: &Context,
    path: &Path,
    operation: &GraphOperationArgs,
    gate: &GateArgs,
    format: render::graph::GraphFormat,
    focus: Option<&str>,
    depth: usize,
) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let run = match operation.selected() {
        Some(operation) => {
            let (plan, _) = select(cx, &topology, &operation, gate)?;
            let outcome = engine::run(&topology, &plan);
            Some((plan, outcome))
        }
        None => None,
    };
    let nodes = match focus {
        Some(id) => {
            let Some(c) = topology.find(id) else {
                let diagnostic = Diagnostic::new(format!(
                    "--focus `{}` is not a component of `{}`",
                    shown(id),
                    shown(&topology.source().display().to_string())
                ))
                .suggest(crate::error::nearest(id, topology.component_ids()));
                return Err(Error::usage(diagnostic));
            };
            Some(report::graph::neighbourhood(&topology, c, depth))
        }
        None => None,
    };
    let graph = report::graph::graph(&topology, run.as_ref().map(|(p, o)| (p, o)), nodes.as_ref());
    Ok(Output::stdout(format.render(&graph), 0))
}

/// Checks the file as `validate` (or a plan load) would, then writes it as JSON.
fn convert(cx: &Context, path: &Path, is_plan: bool) -> Result<Output> {
    if crate::input::json::is_json(path) {
        return Err(Error::usage(
            Diagnostic::new(format!("`{}` is JSON already", shown(&path.display().to_string())))
                .help("convert reads YAML and writes JSON"),
        ));
    }
    // Read once: `-` is standard input, which cannot be read twice.
    let text = crate::input::read::read_text(path, cx.limits)?;
    if is_plan {
        plan::plan_from_str(text.clone(), path, cx.limits)?;
    } else {
        plan::resolve_scenarios(&model::topology_from_str(&text, path, cx.limits)?)?;
    }
    Ok(Output::stdout(
        crate::input::convert::to_json(&text, path, cx.limits)?,
        0,
    ))
}

fn analysis_output(
    format: ReportFormat,
    json: impl FnOnce() -> String,
    text: impl FnOnce(render::analysis::Layout) -> String,
) -> String {
    match format {
        ReportFormat::Json => json(),
        ReportFormat::Table => text(render::analysis::Layout::Table),
        ReportFormat::Markdown => text(render::analysis::Layout::Markdown),
    }
}

fn spof(cx: &Context, path: &Path, top: usize, include_apps: bool, format: ReportFormat) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let bar = progress_bar(cx, "spof");
    let options = analysis::spof::Options {
        include_apps,
        listed: top,
        ..analysis::spof::Options::default()
    };
    let entries = analysis::spof::spof_with(&topology, &options, track(&bar));
    bar.finish_and_clear();
    let view = render::analysis::spof_view(&topology, &entries, top);
    Ok(Output::stdout(
        analysis_output(
            format,
            || render::analysis::spof_json(&view),
            |l| render::analysis::spof_text(&view, l),
        ),
        0,
    ))
}

fn cuts(
    cx: &Context,
    path: &Path,
    target: &str,
    limits: analysis::cuts::Limits,
    format: ReportFormat,
) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let resolved = analysis::cuts::Target::resolve(&topology, target)?;
    let bar = progress_bar(cx, "cuts: expanding the fault tree");
    let cuts = analysis::cuts::cuts_with(&topology, &resolved, limits, track(&bar));
    bar.finish_and_clear();
    let view = render::analysis::cuts_view(&topology, target, limits, &cuts);
    Ok(Output::stdout(
        analysis_output(
            format,
            || render::analysis::cuts_json(&view),
            |l| render::analysis::cuts_text(&view, l),
        ),
        0,
    ))
}

fn diff(
    cx: &Context,
    old_path: &Path,
    new_path: &Path,
    fail_on: crate::FailOn,
    format: ReportFormat,
) -> Result<Output> {
    one_stdin([old_path, new_path])?;
    // The two files are independent: read at once, each on its own core,
    // unless OLD cannot even be opened, whose error then comes at once.
    let old_opens = old_path == Path::new("-") || std::fs::File::open(old_path).is_ok();
    let (old, new) = std::thread::scope(|scope| {
        // NEW loads without a spinner of its own: two would fight over one line.
        // Each checks its own entries: the two loads keep both cores busy.
        let beside = if old_opens {
            std::thread::Builder::new()
                .spawn_scoped(scope, || load_checking(cx, new_path, true, model::Checking::Inline))
                .ok()
        } else {
            None
        };
        let old = match beside {
            Some(_) => load_checking(cx, old_path, false, model::Checking::Inline),
            None => load(cx, old_path, false),
        };
        (old, beside.map(|thread| thread.join()))
    });
    let old = old?;
    let new = match new {
        Some(Ok(new)) => new?,
        Some(Err(panic)) => std::panic::resume_unwind(panic),
        // Not read beside OLD (OLD cannot be opened, or no thread to be had
        // under a process limit): now, after OLD's error if it has one.
        None => load(cx, new_path, false)?,
    };
    let bar = progress_bar(cx, "diff: single failures");
    let diff = analysis::diff::diff(&old, &new, fail_on.threshold(), track(&bar));
    bar.finish_and_clear();
    let view = render::analysis::diff_view(&diff, fail_on.as_str());
    let code = u8::from(diff.fails());
    Ok(Output::stdout(
        analysis_output(
            format,
            || render::analysis::diff_json(&view),
            |l| render::analysis::diff_text(&view, l),
        ),
        code,
    ))
}

fn validate(cx: &Context, path: &Path, format: ValidateFormat, output: Option<&Path>) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let scenarios = plan::resolve_scenarios(&topology)?;
    let inventory = report::validate::inventory(&topology, &scenarios);
    let (document, stderr) = match format {
        ValidateFormat::Table => (
            render::validate::table(&inventory),
            render::validate::warnings(&inventory, cx.color_err),
        ),
        ValidateFormat::Json => (render::json::to_string(&inventory), String::new()),
        ValidateFormat::Github => (render::validate::github(&inventory), String::new()),
        ValidateFormat::Junit => (render::validate::junit(&inventory), String::new()),
        ValidateFormat::Sarif => (render::sarif::validate(&inventory), String::new()),
    };
    Ok(match output {
        Some(file) => Output {
            stderr,
            files: vec![OutputFile {
                path: file.to_path_buf(),
                contents: document,
            }],
            ..Output::default()
        },
        None => Output {
            stdout: document,
            stderr,
            ..Output::default()
        },
    })
}

fn list(cx: &Context, path: &Path, pattern: Option<&str>, kind: Option<&str>, format: ListFormat) -> Result<Output> {
    let pattern = pattern
        .map(|p| {
            glob::Pattern::new(p).map_err(|e| {
                Error::usage(
                    Diagnostic::new(format!("invalid glob `{}`: {}", shown(p), e.msg))
                        .help("globs use `*`, `?` and `[...]`, e.g. `s3.*`"),
                )
            })
        })
        .transpose()?;
    let topology = load(cx, path, false)?;
    let filter = report::list::Filter {
        pattern,
        kind: kind.map(str::to_string),
    };
    let listing = report::list::list(&topology, &filter);
    Ok(Output::stdout(
        match format {
            ListFormat::Table => render::list::table(&listing, cx.style()),
            ListFormat::Json => render::json::to_string(&listing),
        },
        0,
    ))
}

/// `import backstage`: the topology on stdout (or in `--output`), the
/// warnings on stderr; under `--strict` a warning is an error and no
/// topology is written.
fn import(cx: &Context, source: &ImportSource) -> Result<Output> {
    let ImportSource::Backstage {
        paths,
        customers_from,
        default_region,
        name,
        strict,
        output,
    } = source;
    let options = crate::import::backstage::Options {
        name: name.clone(),
        customers_from: match customers_from {
            CustomersFrom::Annotation => crate::import::backstage::CustomersFrom::Annotation,
            CustomersFrom::System => crate::import::backstage::CustomersFrom::System,
        },
        default_region: default_region.clone(),
    };
    let imported = crate::import::backstage::import(paths, &options, cx.limits)?;
    let mut stderr = import_warnings(&imported.warnings, *strict, cx.color_err);
    if *strict && !imported.warnings.is_empty() {
        stderr.push_str(&format!(
            "error: {} in the catalog (--strict); no topology written\n",
            crate::text::plural(imported.warnings.len(), "problem")
        ));
        return Ok(Output {
            stderr,
            code: 2,
            ..Output::default()
        });
    }
    Ok(match output {
        Some(file) => Output {
            stderr,
            files: vec![OutputFile {
                path: file.clone(),
                contents: imported.yaml,
            }],
            ..Output::default()
        },
        None => Output {
            stdout: imported.yaml,
            stderr,
            ..Output::default()
        },
    })
}

/// The warnings of an import as stderr shows them: as errors under `--strict`.
fn import_warnings(warnings: &[Diagnostic], strict: bool, color: bool) -> String {
    let (severity, paint) = if strict {
        ("error", render::style::Paint::Red)
    } else {
        ("warning", render::style::Paint::Yellow)
    };
    let label = format!("{severity}:");
    warnings
        .iter()
        .map(|w| {
            let mut diagnostic = w.clone().with_excerpt();
            // Messages quote the catalog: kept on one line whatever it holds.
            diagnostic.message = shown(&diagnostic.message);
            let text = diagnostic.render(severity);
            if color {
                text.replacen(&label, &render::style::paint(&label, paint), 1)
            } else {
                text
            }
        })
        .collect()
}
