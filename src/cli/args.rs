//! The command line as clap types: what each command takes.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use clap_complete::engine::ArgValueCompleter;

use crate::cli::complete;
use crate::limits::Limits;
pub use crate::render::check::CheckFormat;
use crate::render::graph::GraphFormat;
use crate::status::FailOn;

/// The grammar of `--op` and of selectors, shown by `check --help` and
/// `explain --help`: the messages about a bad `--op` point here.
/// `tests/cli/check_cli.rs` checks that it names every step kind and field.
pub const OPERATION_HELP: &str = "\
Operations (--op 'KIND [PRIMARY] [key=value]...'; KIND in kebab- or snake-case,
PRIMARY fills the field in capitals; several --op run in order as one plan):
  remove-capacity TARGET count=N | percent=P [expect_matches=N]
  add-capacity    TARGET count=N | percent=P [expect_matches=N]
  fail            TARGET [expect_matches=N]
  restart         TARGET [expect_matches=N]
  fail-zone       ZONE [expect_matches=N]
  fail-region     REGION [expect_matches=N]
  add-load        TARGET factor=F | amount=A [expect_matches=N]
  shift-load      FROM to=SELECTOR [percent=P] [expect_matches=N]
  delete-data     STORE [owners=SELECTOR] [expect_matches=N]
  wait            DURATION (45s, 10m, 4h, 1h30m)

Selectors (TARGET, FROM, to=, STORE, owners=):
  an exact id          s3.index
  a glob over ids      's3.*'  'lb.[ab]*'  'db.?'
  a map, all keys match 'target={kind: database, region: us-east-1, zone: use1-az1, tags: {tier: gold}}'
Quote a value with spaces or a map as one shell word.

Examples:
  blast check topo.yaml --op 'remove-capacity s3.index count=80'
  blast check topo.yaml --op \"delete-data elb.state owners='elb.*'\"
  blast check topo.yaml --op 'restart db.a' --op 'wait 5m' --op 'restart db.b'
  blast check topo.yaml --plan plans/*.yaml --format sarif --output blast.sarif
  blast check topo.yaml --all-scenarios --quiet

Exit status: 0 the gate passes, 1 it fails, 2 bad input or usage.";

#[derive(Debug, Parser)]
#[command(
    name = "blast",
    version,
    about = "Compute the blast radius of an operation on a topology before anyone runs it",
    long_about = None,
    after_help = "Exit codes: 0 the gate passes, 1 the gate fails, 2 bad input or usage.\n`blast COMMAND --help` shows a command's options; `blast man` the manual."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// When to colour the output (auto: on a terminal, unless NO_COLOR is set; CLICOLOR_FORCE forces it)
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

/// The output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ValidateFormat {
    Table,
    Json,
    /// GitHub Actions workflow commands: a notice, then one annotation per warning
    Github,
    /// JUnit XML: one test case for the topology, one per warning
    Junit,
    /// SARIF 2.1.0 (GitHub code scanning): one result per warning
    Sarif,
}

/// The output formats of `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
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

/// The plans `check` runs: any mix of `--op` (together one plan), `--plan`
/// and `--scenario` (each repeatable) and `--all-scenarios`, in that order.
#[derive(Debug, Args)]
#[group(id = "operation", required = true, multiple = true)]
#[command(next_help_heading = "Operation (at least one; several plans give one combined report)")]
pub struct PlansArgs {
    /// An inline step: `KIND [PRIMARY] [key=value]...` (see below); repeat for several steps of one plan
    #[arg(long = "op", value_name = "OP", add = ArgValueCompleter::new(complete::operation))]
    pub ops: Vec<String>,
    /// A plan file (YAML: description, approvals, fail_on, steps); repeatable, `-` reads standard input
    #[arg(long = "plan", value_name = "FILE")]
    pub plans: Vec<PathBuf>,
    /// A scenario from the topology's `scenarios`; repeatable
    #[arg(long = "scenario", value_name = "NAME", add = ArgValueCompleter::new(complete::scenario))]
    pub scenarios: Vec<String>,
    /// Every scenario of the topology, each as a plan of its own
    #[arg(long)]
    pub all_scenarios: bool,
}

/// Which operation to apply: exactly one of `--op` (repeatable), `--plan` or `--scenario`.
#[derive(Debug, Args)]
#[group(id = "one_operation", required = true, multiple = false)]
#[command(next_help_heading = "Operation (exactly one)")]
pub struct OperationArgs {
    /// An inline step: `KIND [PRIMARY] [key=value]...`, e.g. 'remove-capacity s3.index count=2' (repeat for several steps)
    #[arg(long = "op", value_name = "OP", group = "one_operation", add = ArgValueCompleter::new(complete::operation))]
    pub ops: Vec<String>,
    /// A plan file (YAML: description, approvals, fail_on, steps); `-` reads standard input
    #[arg(long, value_name = "FILE", group = "one_operation")]
    pub plan: Option<PathBuf>,
    /// A scenario from the topology's `scenarios`
    #[arg(long, value_name = "NAME", group = "one_operation", add = ArgValueCompleter::new(complete::scenario))]
    pub scenario: Option<String>,
}

/// The same choice as [`OperationArgs`], optional: `graph` draws plain topologies too.
#[derive(Debug, Args)]
#[group(id = "graph_operation", required = false, multiple = false)]
#[command(next_help_heading = "Operation (optional)")]
pub struct GraphOperationArgs {
    /// An inline step, as for `check` (repeatable); colours the graph by status
    #[arg(long = "op", value_name = "OP", group = "graph_operation", add = ArgValueCompleter::new(complete::operation))]
    pub ops: Vec<String>,
    /// A plan file
    #[arg(long, value_name = "FILE", group = "graph_operation")]
    pub plan: Option<PathBuf>,
    /// A scenario from the topology's `scenarios`
    #[arg(long, value_name = "NAME", group = "graph_operation", add = ArgValueCompleter::new(complete::scenario))]
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
#[command(next_help_heading = "Gate")]
pub struct GateArgs {
    /// Approve touching a `requires_approval` component (repeatable)
    #[arg(long = "approve", value_name = "ID", add = ArgValueCompleter::new(complete::component))]
    pub approvals: Vec<String>,
    /// Fail the gate when a customer app reaches this status [default: the plan's `fail_on`, else degraded]
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply operations on paper and print their blast radius; exit 1 if the gate fails
    #[command(after_help = OPERATION_HELP)]
    Check {
        /// The topology file (YAML); `-` reads standard input
        topology: PathBuf,
        #[command(flatten)]
        operation: PlansArgs,
        #[command(flatten)]
        gate: GateArgs,
        /// Output format
        #[arg(long, value_enum, default_value_t = CheckFormat::Table)]
        format: CheckFormat,
        /// Print only the verdict line (table format only; refused with the others)
        #[arg(long, short)]
        quiet: bool,
        /// Write the report to FILE (atomically) and only the verdict to stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Show the causal chain from the operation to one component
    #[command(after_help = OPERATION_HELP)]
    Explain {
        /// The topology file (YAML); `-` reads standard input
        topology: PathBuf,
        /// The component (or customer) to explain
        #[arg(add = ArgValueCompleter::new(complete::component))]
        component: String,
        #[command(flatten)]
        operation: OperationArgs,
        #[command(flatten)]
        gate: GateArgs,
    },
    /// List what a topology holds: components, regions and zones, customers, scenarios
    List {
        /// The topology file (YAML); `-` reads standard input
        topology: PathBuf,
        /// Only ids (and scenario names) matching this glob, e.g. 's3.*'
        #[arg(value_name = "GLOB")]
        pattern: Option<String>,
        /// Only components of this kind
        #[arg(long, value_name = "KIND", add = ArgValueCompleter::new(complete::kind))]
        kind: Option<String>,
        /// Output format
        #[arg(long, value_enum, default_value_t = ListFormat::Table)]
        format: ListFormat,
    },
    /// Rank every component, zone and region by what its single failure takes down
    Spof {
        /// The topology file (YAML)
        topology: PathBuf,
        /// Show the N highest-ranked rows (0: all)
        #[arg(long, value_name = "N", default_value_t = 20)]
        top: usize,
        /// Rank customer apps too (each takes at least its own customer down)
        #[arg(long)]
        include_apps: bool,
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
        /// Largest set to consider (components, zones and regions all count as members)
        #[arg(long, value_name = "K", default_value_t = 2, value_parser = clap::value_parser!(u8).range(1..=10))]
        max_size: u8,
        /// Stop once this many minimal sets are found (the output says the list was cut)
        #[arg(long, value_name = "N", default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..))]
        max_sets: u32,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// How a topology change moves blast radii and redundancy; exit 1 if a customer gains a single point of failure (a component, zone or region) or NEW has a customer at --fail-on before any operation
    Diff {
        /// The topology before the change
        old: PathBuf,
        /// The topology after the change
        new: PathBuf,
        /// The status a single failure must bring a customer to, to count as its single point of failure (and that no customer of NEW may have before any operation)
        #[arg(long, value_enum, default_value_t = FailOn::Down)]
        fail_on: FailOn,
        /// Output format
        #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
    },
    /// Draw the dependency graph, coloured by status when an operation is given
    Graph {
        /// The topology file (YAML); `-` reads standard input
        topology: PathBuf,
        #[command(flatten)]
        operation: GraphOperationArgs,
        #[command(flatten)]
        gate: GateArgs,
        /// Output format
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Draw only this component's neighbourhood
        #[arg(long, value_name = "ID", add = ArgValueCompleter::new(complete::component))]
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
    /// Print the shell code that completes blast's arguments (scenarios, ids, operations)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page of blast, or of one command (roff)
    Man {
        /// The command whose page to print (blast-COMMAND(1))
        command: Option<String>,
        /// Write every page (blast.1, blast-check.1, ...) into DIR instead
        #[arg(long, value_name = "DIR", conflicts_with = "command")]
        dir: Option<PathBuf>,
    },
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
    /// Build a topology from another tool's data (a Backstage catalog)
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Load and check a topology; print what it holds and any warnings
    Validate {
        /// The topology file (YAML); `-` reads standard input
        topology: PathBuf,
        /// Output format
        #[arg(long, value_enum, default_value_t = ValidateFormat::Table)]
        format: ValidateFormat,
        /// Write the result to FILE (atomically) instead of stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// What `import` reads.
#[derive(Debug, Subcommand)]
pub enum ImportSource {
    /// A topology from Backstage catalog files (catalog-info.yaml), printed as YAML
    #[command(after_help = IMPORT_HELP)]
    Backstage {
        /// Catalog files, or directories searched recursively for *.yaml and *.yml
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Where customers come from: `blast-radius.dev/customer` annotations, or one per System
        #[arg(long, value_enum, value_name = "SOURCE", default_value_t = CustomersFrom::Annotation)]
        customers_from: CustomersFrom,
        /// The region of components without a `blast-radius.dev/region` annotation [default: none, they are global]
        #[arg(long, value_name = "ID")]
        default_region: Option<String>,
        /// The topology's name
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Treat every warning as an error: exit 2 and print no topology
        #[arg(long)]
        strict: bool,
        /// Write the topology to FILE (atomically) instead of stdout
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// Where `import backstage` takes customers from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CustomersFrom {
    /// Entities annotated `blast-radius.dev/customer: NAME[:WEIGHT]`
    Annotation,
    /// One customer per System, an app for each of its Components
    System,
}

/// Shown by `import backstage --help`.
pub const IMPORT_HELP: &str = "\
Annotations (metadata.annotations, prefix blast-radius.dev/):
  region, zones (comma list), capacity, load, min-capacity, max-capacity,
  restart-time, restore-time, soft-dependencies (comma list of refs),
  surges ('[{factor: 3}, {target: REF, amount: 40}]'),
  failover ('REF' or '{to: REF, when: degraded}'), customer ('NAME[:WEIGHT], ...')

Warnings go to stderr; --strict makes them errors (exit 2).
Only local files are read: url targets of Locations are skipped.

Examples:
  blast import backstage catalog/ > topology.yaml
  blast import backstage catalog-info.yaml --customers-from system --default-region eu-west-1
  blast import backstage catalog/ --strict --output topology.yaml && blast validate topology.yaml";

impl GlobalArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_size,
            max_components: self.max_components,
            ..Limits::default()
        }
    }

    /// Whether to colour a stream that is (`terminal`) or is not a terminal:
    /// `--color` decides, else `NO_COLOR` turns colour off, `CLICOLOR_FORCE` on.
    pub fn color(&self, environment: &crate::cli::Environment, terminal: bool) -> bool {
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto if environment.no_color => false,
            ColorChoice::Auto => terminal || environment.clicolor_force,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::Cli;

    /// clap's own consistency checks (conflicting names, bad defaults,
    /// groups that name missing arguments), which it makes only when asked.
    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
