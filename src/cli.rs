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
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
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
                clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion => Outcome {
                    stdout: rendered,
                    stderr: String::new(),
                    code: 0,
                },
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
                    ReportFormat::Table => render::check::table(&report, color_out),
                    ReportFormat::Json => render::json::to_string(&report),
                    ReportFormat::Markdown => render::check::markdown(&report),
                }
            };
            let code = match report.verdict {
                report::Verdict::Pass => 0,
                report::Verdict::Fail => 1,
            };
            Ok(Outcome {
                stdout,
                stderr: String::new(),
                code,
            })
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
            Ok(Outcome {
                stdout,
                stderr: String::new(),
                code: 0,
            })
        }
        Command::Spof { topology, top, format } => {
            let topology = load::load_topology(topology, limits)?;
            let entries = analysis::spof::spof(&topology, |_, _| {});
            let view = render::analysis::spof_view(&topology, &entries, *top);
            Ok(Outcome {
                stdout: analysis_output(
                    *format,
                    || render::analysis::spof_json(&view),
                    |l| render::analysis::spof_text(&view, l),
                ),
                stderr: String::new(),
                code: 0,
            })
        }
        Command::Cuts {
            topology,
            target,
            max_size,
            format,
        } => {
            let topology = load::load_topology(topology, limits)?;
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
            let cuts = analysis::cuts::cuts(
                &topology,
                &analysis::cuts::Target { components },
                usize::from(*max_size),
                |_, _| {},
            );
            let view = render::analysis::cuts_view(&topology, target, usize::from(*max_size), &cuts);
            Ok(Outcome {
                stdout: analysis_output(
                    *format,
                    || render::analysis::cuts_json(&view),
                    |l| render::analysis::cuts_text(&view, l),
                ),
                stderr: String::new(),
                code: 0,
            })
        }
        Command::Diff {
            old,
            new,
            fail_on,
            format,
        } => {
            let old = load::load_topology(old, limits)?;
            let new = load::load_topology(new, limits)?;
            let diff = match fail_on.threshold() {
                Some(threshold) => analysis::diff::diff(&old, &new, threshold, |_, _| {}),
                // `never`: still report the changes, but no single failure counts against the gate.
                None => {
                    let mut diff = analysis::diff::diff(&old, &new, crate::status::Status::Down, |_, _| {});
                    diff.customers.clear();
                    diff
                }
            };
            let view = render::analysis::diff_view(&diff, fail_on.as_str());
            let code = u8::from(diff.gained());
            Ok(Outcome {
                stdout: analysis_output(
                    *format,
                    || render::analysis::diff_json(&view),
                    |l| render::analysis::diff_text(&view, l),
                ),
                stderr: String::new(),
                code,
            })
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
                SummaryFormat::Json => Outcome {
                    stdout: crate::render::json::to_string(&summary),
                    stderr: String::new(),
                    code: 0,
                },
            })
        }
    }
}
