//! The command line as clap types: what each command takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::limits::Limits;
pub use crate::render::check::CheckFormat;
use crate::render::graph::GraphFormat;
use crate::status::FailOn;

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
pub enum ConvertTo {
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
    pub fn selected(&self) -> Option<OperationArgs> {
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
    /// Convert a YAML topology (or plan) to JSON, which loads several times faster
    Convert {
        /// The file to convert (YAML); it is checked first, as `validate` does
        file: PathBuf,
        /// The format to write
        #[arg(long, value_enum, default_value_t = ConvertTo::Json)]
        to: ConvertTo,
        /// The file is a plan, not a topology
        #[arg(long)]
        plan: bool,
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
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_components: self.max_components,
            ..Limits::default()
        }
    }

    /// Whether to colour a stream that is (`terminal`) or is not a terminal.
    pub fn color(&self, no_color_env: bool, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color_env,
        }
    }
}
