//! The command line: clap definitions and dispatch to the commands.

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::{Diagnostic, Error};
use crate::load::{self, Limits};
use crate::plan::{self, Origin, Plan};
use crate::status::FailOn;
use crate::topology::Topology;
use crate::{analysis, engine, explain, render, report, validate};

/// What the process should write and how it should exit.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub code: u8,
}

impl Outcome {
    /// Results on stdout, nothing on stderr.
    fn stdout(stdout: String, code: u8) -> Self {
        Outcome {
            stdout,
            stderr: String::new(),
            code,
        }
    }
}

/// Facts about the process's surroundings that decide colouring.
#[derive(Debug, Default, Clone, Copy)]
pub struct Environment {
    pub stdout_is_terminal: bool,
    pub stderr_is_terminal: bool,
    /// `NO_COLOR` is set to a non-empty value.
    pub no_color: bool,
}

#[derive(Debug, Parser)]
#[command(
    name = "blast",
    version,
    about = "Compute the blast radius of an operation on a topology before anyone runs it",
    long_about = None,
    after_help = "Exit codes: 0 the gate passes, 1 the gate fails, 2 bad input or usage."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour the output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Refuse input files larger than this many bytes
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().max_file_bytes, global = true)]
    pub max_file_size: u64,
    /// Refuse topologies with more components than this (customer apps included)
    #[arg(long, value_name = "N", default_value_t = Limits::default().max_components, global = true)]
    pub max_components: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    Table,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    Table,
    Json,
    Markdown,
    /// GitHub Actions workflow commands: one annotation per violation and affected customer
    Github,
    /// JUnit XML: one test case per customer app and per policy violation
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Markdown,
}

/// Which operation to apply: exactly one of `--op` (repeatable), `--plan` or `--scenario`.
#[derive(Debug, Args)]
#[group(id = "operation", required = true, multiple = false)]
pub struct OperationArgs {
    /// An inline step: `KIND [PRIMARY] [key=value]...`, e.g. 'remove-capacity s3.index count=2' (repeat for several steps)
    #[arg(long = "op", value_name = "OP", group = "operation")]
    pub ops: Vec<String>,
    /// A plan file (YAML: description, approvals, fail_on, steps)
    #[arg(long, value_name = "FILE", group = "operation")]
    pub plan: Option<PathBuf>,
    /// A scenario from the topology's `scenarios`
    #[arg(long, value_name = "NAME", group = "operation")]
    pub scenario: Option<String>,
}

/// The same choice as [`OperationArgs`], optional: `graph` draws plain topologies too.
#[derive(Debug, Args)]
#[group(id = "graph_operation", required = false, multiple = false)]
pub struct GraphOperationArgs {
    /// An inline step, as for `check` (repeatable); colours the graph by status
    #[arg(long = "op", value_name = "OP", group = "graph_operation")]
    pub ops: Vec<String>,
    /// A plan file
    #[arg(long, value_name = "FILE", group = "graph_operation")]
    pub plan: Option<PathBuf>,
    /// A scenario from the topology's `scenarios`
    #[arg(long, value_name = "NAME", group = "graph_operation")]
    pub scenario: Option<String>,
}

impl GraphOperationArgs {
    fn selected(&self) -> Option<OperationArgs> {
        (!self.ops.is_empty() || self.plan.is_some() || self.scenario.is_some()).then(|| OperationArgs {
            ops: self.ops.clone(),
            plan: self.plan.clone(),
            scenario: self.scenario.clone(),
        })
    }
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Approve touching a `requires_approval` component (repeatable)
    #[arg(long = "approve", value_name = "ID")]
    pub approvals: Vec<String>,
    /// Fail the gate when a customer app reaches this status [default: the plan's `fail_on`, else degraded]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply an operation on paper and print its blast radius; exit 1 if the gate fails
    Check {
        /// The topology file (YAML)
        topology: PathBuf,
        #[command(flatten)]
        operation: OperationArgs,
        #[command(flatten)]
        gate: GateArgs,
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
        /// Print only the verdict line
        #[arg(long, short)]
        quiet: bool,
    },
    /// Show the causal chain from the operation to one component
    Explain {
        /// The topology file (YAML)
        topology: PathBuf,
        /// The component (or customer) to explain
        component: String,
        #[command(flatten)]
        operation: OperationArgs,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// Rank every component by what its single failure takes down
    Spof {
        /// The topology file (YAML)
        topology: PathBuf,
        /// Show the N highest-ranked components (0: all)
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Every minimal set of up to K failures that takes an app or customer down
    Cuts {
        /// The topology file (YAML)
        topology: PathBuf,
        /// The app (any component) or customer that must go down
        #[arg(long, value_name = "ID")]
        target: String,
        /// Largest set to consider
        #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=4))]
        max_size: u8,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// How a topology change moves blast radii and redundancy; exit 1 if a customer gains a single point of failure
    Diff {
        /// The topology before the change
        old: PathBuf,
        /// The topology after the change
        new: PathBuf,
        /// The status a single failure must bring a customer to, to count as its single point of failure
        #[arg(long, value_enum, default_value_t = FailOn::Down)]
        fail_on: FailOn,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Draw the dependency graph, coloured by status when an operation is given
    Graph {
        /// The topology file (YAML)
        topology: PathBuf,
        #[command(flatten)]
        operation: GraphOperationArgs,
        #[command(flatten)]
        gate: GateArgs,
        /// Output format
        #[arg(long, value_enum)]
        format: GraphFormat,
        /// Draw only this component's neighbourhood
        #[arg(long, value_name = "ID")]
        focus: Option<String>,
        /// How many hops around --focus to draw, both ways
        #[arg(long, value_name = "N", default_value_t = 2, requires = "focus")]
        depth: usize,
    },
    /// Print the JSON Schema of the topology format (or of plan files)
    Schema {
        /// The schema of plan files instead
        #[arg(long)]
        plan: bool,
    },
    /// Print shell completions
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
    /// Load and check a topology; print what it holds and any warnings
    Validate {
        /// The topology file (YAML)
        topology: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = SummaryFormat::Table)]
        format: SummaryFormat,
    },
}

impl GlobalArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_components: self.max_components,
            ..Limits::default()
        }
    }

    fn color(&self, environment: &Environment, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !environment.no_color,
        }
    }
}

/// Runs `blast` with these arguments (the first is the program name).
pub fn run<I, T>(args: I, environment: &Environment) -> Outcome
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let rendered = e.render().to_string();
            return match e.kind() {
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => {
                    Outcome::stdout(rendered, 0)
                }
                _ => Outcome {
                    stdout: String::new(),
                    stderr: rendered,
                    code: 2,
                },
            };
        }
    };
    let color_err = cli.global.color(environment, environment.stderr_is_terminal);
    match dispatch(&cli, environment) {
        Ok(outcome) => outcome,
        Err(error) => Outcome {
            stdout: String::new(),
            stderr: crate::render::error_text(&error, color_err),
            code: error.exit_code(),
        },
    }
}

/// Resolves the operation selection into a plan and a description of its source.
fn select_plan(
    topology: &Topology,
    operation: &OperationArgs,
    gate: &GateArgs,
    limits: Limits,
) -> Result<(Plan, String), Error> {
    if let Some(path) = &operation.plan {
        let raw = plan::load_plan_file(path, limits)?;
        let plan = plan::resolve(topology, &raw, Origin::File(path), &gate.approvals)?;
        Ok((plan, format!("plan {}", path.display())))
    } else if let Some(name) = &operation.scenario {
        let scenario = topology.find_scenario(name).ok_or_else(|| {
            let names: Vec<&str> = topology.scenarios().iter().map(|s| s.name.as_str()).collect();
            let diagnostic = Diagnostic::new(format!("no scenario `{name}` in `{}`", topology.source().display()));
            Error::usage(match crate::error::nearest(name, names.iter().copied()) {
                Some(near) => diagnostic.help(format!("did you mean `{near}`?")),
                None if names.is_empty() => diagnostic.help("this topology has no `scenarios`"),
                None => diagnostic.help(format!("scenarios: {}", names.join(", "))),
            })
        })?;
        let origin = Origin::Scenario {
            topology: topology.source(),
            name,
        };
        let plan = plan::resolve(topology, &scenario.plan, origin, &gate.approvals)?;
        Ok((plan, format!("scenario {name}")))
    } else {
        let raw = plan::inline_plan(&operation.ops)?;
        let plan = plan::resolve(topology, &raw, Origin::Inline, &gate.approvals)?;
        Ok((plan, "inline".to_string()))
    }
}

/// A progress bar on stderr for work that can take a while; hidden unless
/// stderr is a terminal, so pipes, files and CI logs never see it.
fn progress_bar(environment: &Environment, message: &str) -> indicatif::ProgressBar {
    if !environment.stderr_is_terminal {
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

/// Loads a topology, with a spinner on a terminal for files big enough to take a while.
fn load_with_progress(
    path: &std::path::Path,
    limits: Limits,
    environment: &Environment,
    quiet: bool,
) -> Result<Topology, Error> {
    const BIG: u64 = 8 * 1024 * 1024;
    let big = std::fs::metadata(path).is_ok_and(|m| m.len() > BIG);
    if !(big && environment.stderr_is_terminal && !quiet) {
        return load::load_topology(path, limits);
    }
    let spinner = indicatif::ProgressBar::new_spinner().with_message(format!("loading {}", path.display()));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    let result = load::load_topology(path, limits);
    spinner.finish_and_clear();
    result
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

fn dispatch(cli: &Cli, environment: &Environment) -> Result<Outcome, Error> {
    let limits = cli.global.limits();
    let color_out = cli.global.color(environment, environment.stdout_is_terminal);
    match &cli.command {
        Command::Check {
            topology,
            operation,
            gate,
            format,
            quiet,
        } => {
            let topology = load::load_topology(topology, limits)?;
            let (plan, source) = select_plan(&topology, operation, gate, limits)?;
            let fail_on = gate.fail_on.or(plan.fail_on).unwrap_or_default();
            let outcome = engine::run(&topology, &plan);
            let report = report::build(&topology, &plan, source, &outcome, fail_on);
            let stdout = if *quiet {
                render::check::verdict_line(&report, color_out)
            } else {
                match format {
                    CheckFormat::Table => render::check::table(&report, color_out),
                    CheckFormat::Json => render::json::to_string(&report),
                    CheckFormat::Markdown => {
                        let diagram = render::graph::affected_mermaid(&topology, &plan, &outcome);
                        render::check::markdown(&report, &diagram)
                    }
                    CheckFormat::Github => render::ci::github(&report),
                    CheckFormat::Junit => render::ci::junit(&topology, &report),
                }
            };
            let code = match report.verdict {
                report::Verdict::Pass => 0,
                report::Verdict::Fail => 1,
            };
            Ok(Outcome::stdout(stdout, code))
        }
        Command::Explain {
            topology,
            component,
            operation,
            gate,
        } => {
            let topology = load::load_topology(topology, limits)?;
            let (plan, _) = select_plan(&topology, operation, gate, limits)?;
            let outcome = engine::run(&topology, &plan);
            let stdout = explain::explain(&topology, &plan, &outcome, component)?;
            Ok(Outcome::stdout(stdout, 0))
        }
        Command::Graph {
            topology,
            operation,
            gate,
            format,
            focus,
            depth,
        } => {
            let topology = load::load_topology(topology, limits)?;
            let run = match operation.selected() {
                Some(operation) => {
                    let (plan, _) = select_plan(&topology, &operation, gate, limits)?;
                    let outcome = engine::run(&topology, &plan);
                    Some((plan, outcome))
                }
                None => None,
            };
            let nodes = match focus {
                Some(id) => {
                    let Some(c) = topology.find(id) else {
                        let diagnostic = Diagnostic::new(format!(
                            "--focus `{id}` is not a component of `{}`",
                            topology.source().display()
                        ))
                        .suggest(crate::error::nearest(id, topology.component_ids()));
                        return Err(Error::usage(diagnostic));
                    };
                    Some(render::graph::neighbourhood(&topology, c, *depth))
                }
                None => None,
            };
            let drawing = render::graph::Drawing {
                topology: &topology,
                outcome: run.as_ref().map(|(p, o)| (p, o)),
                nodes,
            };
            let format = match format {
                GraphFormat::Dot => render::graph::GraphFormat::Dot,
                GraphFormat::Mermaid => render::graph::GraphFormat::Mermaid,
            };
            Ok(Outcome::stdout(render::graph::render(&drawing, format), 0))
        }
        Command::Schema { plan } => {
            let schema = if *plan {
                schemars::schema_for!(crate::raw::RawPlan)
            } else {
                schemars::schema_for!(crate::raw::RawTopology)
            };
            Ok(Outcome::stdout(render::json::to_string(&schema), 0))
        }
        Command::Completions { shell } => {
            let mut buffer = Vec::new();
            clap_complete::generate(
                *shell,
                &mut <Cli as clap::CommandFactory>::command(),
                "blast",
                &mut buffer,
            );
            Ok(Outcome::stdout(String::from_utf8_lossy(&buffer).into_owned(), 0))
        }
        Command::Man => {
            let mut buffer = Vec::new();
            clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
                .render(&mut buffer)
                .map_err(|e| Error::usage(Diagnostic::new(format!("cannot render the man page: {e}"))))?;
            Ok(Outcome::stdout(String::from_utf8_lossy(&buffer).into_owned(), 0))
        }
        Command::Spof { topology, top, format } => {
            let topology = load_with_progress(topology, limits, environment, false)?;
            let bar = progress_bar(environment, "spof");
            let entries = analysis::spof::spof(&topology, track(&bar));
            bar.finish_and_clear();
            let view = render::analysis::spof_view(&topology, &entries, *top);
            Ok(Outcome::stdout(
                analysis_output(
                    *format,
                    || render::analysis::spof_json(&view),
                    |l| render::analysis::spof_text(&view, l),
                ),
                0,
            ))
        }
        Command::Cuts {
            topology,
            target,
            max_size,
            format,
        } => {
            let topology = load_with_progress(topology, limits, environment, false)?;
            let components = match (topology.find(target), topology.find_customer(target)) {
                (Some(c), _) => vec![c],
                (None, Some(customer)) => topology.customer(customer).apps.clone(),
                (None, None) => {
                    let diagnostic = Diagnostic::new(format!(
                        "`{target}` is not a component or customer of `{}`",
                        topology.source().display()
                    ))
                    .suggest(crate::error::nearest(
                        target,
                        topology
                            .component_ids()
                            .chain(topology.customers().iter().map(|c| c.id.as_str())),
                    ));
                    return Err(Error::usage(diagnostic));
                }
            };
            let bar = progress_bar(environment, "cuts: single failures");
            let cuts = analysis::cuts::cuts(
                &topology,
                &analysis::cuts::Target { components },
                usize::from(*max_size),
                track(&bar),
            );
            bar.finish_and_clear();
            let view = render::analysis::cuts_view(&topology, target, usize::from(*max_size), &cuts);
            Ok(Outcome::stdout(
                analysis_output(
                    *format,
                    || render::analysis::cuts_json(&view),
                    |l| render::analysis::cuts_text(&view, l),
                ),
                0,
            ))
        }
        Command::Diff {
            old,
            new,
            fail_on,
            format,
        } => {
            let old = load_with_progress(old, limits, environment, false)?;
            let new = load_with_progress(new, limits, environment, false)?;
            let bar = progress_bar(environment, "diff: single failures");
            let tick = track(&bar);
            let diff = match fail_on.threshold() {
                Some(threshold) => analysis::diff::diff(&old, &new, threshold, tick),
                // `never`: still report the changes, but no single failure counts against the gate.
                None => {
                    let mut diff = analysis::diff::diff(&old, &new, crate::status::Status::Down, tick);
                    diff.customers.clear();
                    diff
                }
            };
            bar.finish_and_clear();
            let view = render::analysis::diff_view(&diff, fail_on.as_str());
            let code = u8::from(diff.gained());
            Ok(Outcome::stdout(
                analysis_output(
                    *format,
                    || render::analysis::diff_json(&view),
                    |l| render::analysis::diff_text(&view, l),
                ),
                code,
            ))
        }
        Command::Validate { topology, format } => {
            let topology = load::load_topology(topology, limits)?;
            // A scenario that no longer resolves is as broken as a dangling id.
            for scenario in topology.scenarios() {
                let origin = Origin::Scenario {
                    topology: topology.source(),
                    name: &scenario.name,
                };
                plan::resolve(&topology, &scenario.plan, origin, &[])?;
            }
            let summary = validate::summarize(&topology);
            let color = cli.global.color(environment, environment.stderr_is_terminal);
            Ok(match format {
                SummaryFormat::Table => Outcome {
                    stdout: crate::render::summary::table(&summary),
                    stderr: crate::render::summary::warnings(&summary, color),
                    code: 0,
                },
                SummaryFormat::Json => Outcome::stdout(crate::render::json::to_string(&summary), 0),
            })
        }
    }
}
