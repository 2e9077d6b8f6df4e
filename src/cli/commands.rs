//! One function per command: load what it needs, run the library, pick the
//! renderer. Decisions about the domain live below, in the library layers.

use std::path::Path;

use crate::analysis;
use crate::cli::args::{
    CheckFormat, Cli, Command, GateArgs, GraphOperationArgs, OperationArgs, ReportFormat, SummaryFormat,
};
use crate::cli::{Environment, Output};
use crate::engine;
use crate::error::{Diagnostic, Error, Result};
use crate::limits::Limits;
use crate::model::{self, Topology};
use crate::plan::{self, Plan, Selection};
use crate::render;
use crate::report::{self, Verdict};
use crate::text::shown;

/// What every command shares: limits, colour, the terminal.
struct Context<'e> {
    limits: Limits,
    color_out: bool,
    color_err: bool,
    environment: &'e Environment,
}

pub(crate) fn dispatch(cli: &Cli, environment: &Environment) -> Result<Output> {
    let cx = Context {
        limits: cli.global.limits(),
        color_out: cli.global.color(environment.no_color, environment.stdout_is_terminal),
        color_err: cli.global.color(environment.no_color, environment.stderr_is_terminal),
        environment,
    };
    match &cli.command {
        Command::Check {
            topology,
            operation,
            gate,
            format,
            quiet,
        } => check(&cx, topology, operation, gate, *format, *quiet),
        Command::Explain {
            topology,
            component,
            operation,
            gate,
        } => explain(&cx, topology, component, operation, gate),
        Command::Graph {
            topology,
            operation,
            gate,
            format,
            focus,
            depth,
        } => graph(&cx, topology, operation, gate, *format, focus.as_deref(), *depth),
        Command::Schema { plan } => Ok(schema(*plan)),
        Command::Completions { shell } => Ok(completions(*shell)),
        Command::Man => man(),
        Command::Convert { file, to: _, plan } => convert(&cx, file, *plan),
        Command::Spof { topology, top, format } => spof(&cx, topology, *top, *format),
        Command::Cuts {
            topology,
            target,
            max_size,
            format,
        } => cuts(&cx, topology, target, usize::from(*max_size), *format),
        Command::Diff {
            old,
            new,
            fail_on,
            format,
        } => diff(&cx, old, new, *fail_on, *format),
        Command::Validate { topology, format } => validate(&cx, topology, *format),
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

/// Loads a topology and checks the scenarios it ships, with a spinner on a
/// terminal for files big enough to take a while.
fn load(cx: &Context, path: &Path, quiet: bool) -> Result<Topology> {
    const BIG: u64 = 8 * 1024 * 1024;
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > BIG);
    let spinner = if big && cx.environment.stderr_is_terminal && !quiet {
        let spinner = indicatif::ProgressBar::new_spinner()
            .with_message(format!("loading {}", shown(&path.display().to_string())));
        spinner.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(spinner)
    } else {
        None
    };
    let result = model::load_topology(path, cx.limits);
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let topology = result?;
    plan::resolve_scenarios(&topology)?;
    Ok(topology)
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

fn check(
    cx: &Context,
    path: &Path,
    operation: &OperationArgs,
    gate: &GateArgs,
    format: CheckFormat,
    quiet: bool,
) -> Result<Output> {
    let topology = load(cx, path, quiet)?;
    let (plan, source) = select(cx, &topology, operation, gate)?;
    let fail_on = gate.fail_on.or(plan.fail_on).unwrap_or_default();
    let outcome = engine::run(&topology, &plan);
    let report = report::build(&topology, &plan, source, &outcome, fail_on);
    let stdout = if quiet {
        render::check::verdict_line(&report, cx.color_out)
    } else {
        format.render(&report, cx.color_out)
    };
    let code = match report.verdict {
        Verdict::Pass => 0,
        Verdict::Fail => 1,
    };
    Ok(Output::stdout(stdout, code))
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

fn schema(plan: bool) -> Output {
    let schema = if plan {
        schemars::schema_for!(crate::input::raw::RawPlan)
    } else {
        schemars::schema_for!(crate::input::raw::RawTopology)
    };
    Output::stdout(render::json::to_string(&schema), 0)
}

fn completions(shell: clap_complete::Shell) -> Output {
    let mut buffer = Vec::new();
    clap_complete::generate(
        shell,
        &mut <Cli as clap::CommandFactory>::command(),
        "blast",
        &mut buffer,
    );
    Output::stdout(String::from_utf8_lossy(&buffer).into_owned(), 0)
}

fn man() -> Result<Output> {
    let mut buffer = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut buffer)
        .map_err(|e| Error::usage(Diagnostic::new(format!("cannot render the man page: {e}"))))?;
    Ok(Output::stdout(String::from_utf8_lossy(&buffer).into_owned(), 0))
}

/// Checks the file as `validate` (or a plan load) would, then writes it as JSON.
fn convert(cx: &Context, path: &Path, is_plan: bool) -> Result<Output> {
    if crate::input::json::is_json(path) {
        return Err(Error::usage(
            Diagnostic::new(format!("`{}` is JSON already", shown(&path.display().to_string())))
                .help("convert reads YAML and writes JSON"),
        ));
    }
    if is_plan {
        plan::load_plan_file(path, cx.limits)?;
    } else {
        load(cx, path, false)?;
    }
    let text = crate::input::read::read_text(path, cx.limits)?;
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

fn spof(cx: &Context, path: &Path, top: usize, format: ReportFormat) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let bar = progress_bar(cx, "spof");
    let entries = analysis::spof::spof(&topology, track(&bar));
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

fn cuts(cx: &Context, path: &Path, target: &str, max_size: usize, format: ReportFormat) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let resolved = analysis::cuts::Target::resolve(&topology, target)?;
    let bar = progress_bar(cx, "cuts: single failures");
    let cuts = analysis::cuts::cuts(&topology, &resolved, max_size, track(&bar));
    bar.finish_and_clear();
    let view = render::analysis::cuts_view(&topology, target, max_size, &cuts);
    Ok(Output::stdout(
        analysis_output(
            format,
            || render::analysis::cuts_json(&view),
            |l| render::analysis::cuts_text(&view, l),
        ),
        0,
    ))
}

fn diff(cx: &Context, old: &Path, new: &Path, fail_on: crate::FailOn, format: ReportFormat) -> Result<Output> {
    let old = load(cx, old, false)?;
    let new = load(cx, new, false)?;
    let bar = progress_bar(cx, "diff: single failures");
    let diff = analysis::diff::diff(&old, &new, fail_on.threshold(), track(&bar));
    bar.finish_and_clear();
    let view = render::analysis::diff_view(&diff, fail_on.as_str());
    let code = u8::from(diff.gained());
    Ok(Output::stdout(
        analysis_output(
            format,
            || render::analysis::diff_json(&view),
            |l| render::analysis::diff_text(&view, l),
        ),
        code,
    ))
}

fn validate(cx: &Context, path: &Path, format: SummaryFormat) -> Result<Output> {
    let topology = load(cx, path, false)?;
    let scenarios = plan::resolve_scenarios(&topology)?;
    let inventory = report::validate::inventory(&topology, &scenarios);
    Ok(match format {
        SummaryFormat::Table => Output {
            stdout: render::validate::table(&inventory),
            stderr: render::validate::warnings(&inventory, cx.color_err),
            code: 0,
        },
        SummaryFormat::Json => Output::stdout(render::json::to_string(&inventory), 0),
    })
}
