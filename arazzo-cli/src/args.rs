//! The command line, parsed by clap.

use std::path::PathBuf;
use std::time::Duration;

use arazzo_mock::Fault;
use clap::{Parser, Subcommand, ValueEnum};

/// What `--help` adds about the environment, for the commands that run a workflow.
const RUN_ENVIRONMENT: &str = "\
Environment:
  ARAZZO_INPUT_<name>      an input (the name as written), overridden by --inputs and --input
  ARAZZO_SERVER_<SOURCE>   a source's base URL (the name upper-cased, `-` as `_`), as --server
  ARAZZO_AUTH_<SCHEME>     a security scheme's credential (apiKey value, bearer token,
                           user:password); <SCHEME>_CLIENT_ID and _CLIENT_SECRET for OAuth2
  NO_COLOR                 no colour on the terminal";

/// What `arazzo test --help` adds: where inputs come from, and the environment.
const TEST_AFTER_HELP: &str = "\
Inputs: each document's from the file beside it, <FILE without extension>.inputs.yaml (or .yml,
.json), unless --inputs is given; --input and ARAZZO_INPUT_* apply to every document. An inputs
file whose top-level keys are workflow ids gives each workflow its own inputs.

Environment:
  ARAZZO_INPUT_<name>      an input (the name as written), overridden by the inputs file and --input
  ARAZZO_SERVER_<SOURCE>   a source's base URL (the name upper-cased, `-` as `_`), as --server
  ARAZZO_AUTH_<SCHEME>     a security scheme's credential; <SCHEME>_CLIENT_ID and _CLIENT_SECRET
                           for OAuth2
  NO_COLOR                 no colour on the terminal";

/// Run, validate and inspect Arazzo 1.0.x workflows.
#[derive(Debug, Parser)]
#[command(
    name = "arazzo",
    version,
    about = "Validate, list, run, snapshot-test and mock Arazzo 1.0.x workflows"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// When to use colours: on a terminal (`auto`; `NO_COLOR` and `CLICOLOR_FORCE` are
    /// honoured), `always` or `never`.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// When to use colours.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On each stream that is a terminal, unless `NO_COLOR` is set (or `CLICOLOR_FORCE`).
    #[default]
    Auto,
    /// Always, even into a file or a pipe.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Arazzo documents against the specification; exit 3 when one is invalid.
    Validate {
        /// Arazzo documents (YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Where sources are found and how other dialects are read.
        #[command(flatten)]
        sources: SourceArgs,
    },
    /// Rewrite the constructs of other tools' dialects (the `compat-…` warnings) into the
    /// spec's form, editing only their text; prints a diff. Exit 1 with `--check` when a file
    /// would change.
    Fix {
        /// Arazzo documents (YAML or JSON).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Save the files (by default only the diff is printed).
        #[arg(long, conflicts_with = "check")]
        write: bool,
        /// Change nothing; exit 1 when a file would change.
        #[arg(long)]
        check: bool,
        /// Also upgrade Arazzo 1.0.x documents to this version (`1.1`): the `arazzo` field
        /// becomes `1.1.0`, and the result must be a valid 1.1 document.
        #[arg(long, value_name = "VERSION", value_parser = ["1.1", "1.1.0"])]
        to: Option<String>,
        /// Where sources are found.
        #[command(flatten)]
        sources: SourceArgs,
    },
    /// Run a workflow against its APIs; exit 0 passed, 1 failed, 3 invalid, 4 runtime error.
    #[command(after_help = RUN_ENVIRONMENT)]
    Run(RunArgs),
    /// Run every workflow of Arazzo documents (or folders of them) as a test suite: a summary
    /// table, or JUnit, TAP or JSON; exit 1 when one failed, 3 when a document is invalid, 4 on
    /// a runtime error (the worst wins).
    #[command(after_help = TEST_AFTER_HELP)]
    Test(TestArgs),
    /// Run a workflow and print its report made deterministic, to commit; `--check` compares
    /// it with the committed one (exit 1 and a diff when they differ), `--update` writes it.
    #[command(after_help = RUN_ENVIRONMENT)]
    Snapshot(SnapshotArgs),
    /// Show each workflow: summary, inputs, steps and outputs.
    List {
        /// An Arazzo document (YAML or JSON).
        file: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Serve OpenAPI descriptions from a mock: examples as responses, requests checked.
    Mock(MockArgs),
}

/// What `arazzo run` and `arazzo snapshot` both take: the document, the workflow, its inputs
/// and servers.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct DocumentArgs {
    /// The Arazzo document (YAML or JSON).
    pub file: PathBuf,
    /// The workflow to run (optional when the document has one).
    #[arg(long, short = 'w', value_name = "ID")]
    pub workflow: Option<String>,
    /// An input, typed by the workflow's inputs schema (`meterValue=5` is a number).
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A JSON or YAML file of inputs, or `-` for standard input.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
    /// Send the requests of a source description to this base URL instead of its servers.
    #[arg(long = "server", short = 's', value_name = "SOURCE=URL")]
    pub servers: Vec<String>,
    /// Where sources are found and how other dialects are read.
    #[command(flatten)]
    pub sources: SourceArgs,
}

/// How `validate`, `run`, `snapshot` and `fix` find sources and read other dialects.
#[derive(Debug, Default, Clone, clap::Args)]
pub struct SourceArgs {
    /// Allow source descriptions to be fetched over http(s).
    #[arg(long)]
    pub allow_remote: bool,
    /// With --allow-remote: allow fetching from loopback, private, link-local and cloud
    /// metadata addresses (127.0.0.1, 10.0.0.0/8, 169.254.169.254…).
    #[arg(long, requires = "allow_remote")]
    pub allow_private: bool,
    /// The letter of the spec and the descriptions: constructs of other tools' dialects
    /// (`compat-…` warnings, a source found away from its document) are errors, and in a run
    /// a response that does not match its OpenAPI description (status, content type, body
    /// schema) fails its step.
    #[arg(long)]
    pub strict: bool,
    /// Where to look for a relative source URL that is not beside the document, before its
    /// parent folders up to the repository root and the current directory.
    #[arg(long, value_name = "DIR")]
    pub sources_root: Option<PathBuf>,
}

impl SourceArgs {
    /// As source options (no server overrides).
    pub fn options(&self) -> arazzo_exec::SourceOptions {
        arazzo_exec::SourceOptions {
            allow_remote: self.allow_remote,
            allow_private: self.allow_private,
            strict: self.strict,
            sources_root: self.sources_root.clone(),
            ..arazzo_exec::SourceOptions::default()
        }
    }
}

/// Environment variables, names and values: the process's ([`crate::run`]) or ones given
/// ([`crate::run_with_env`]). Its `Debug` shows the names only: values may be credentials.
#[derive(Clone, Default)]
pub struct Environment(pub Vec<(String, String)>);

impl Environment {
    /// Every variable, as `std::env::vars()` gives them.
    pub fn vars(&self) -> impl Iterator<Item = (String, String)> + '_ {
        self.0.iter().cloned()
    }
}

impl std::fmt::Debug for Environment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.0.iter().map(|(name, _)| name))
            .finish()
    }
}

/// The arguments of `arazzo run`.
#[derive(Debug, Default, clap::Args)]
pub struct RunArgs {
    /// The document, the workflow, its inputs and servers.
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Run every workflow of the document, in document order, as one run: a workflow reads
    /// the outputs of those before it (`$workflows.<id>.outputs`), a `dependsOn` that already
    /// ran is not run again. Each workflow takes the inputs its schema lists.
    #[arg(long, conflicts_with = "workflow")]
    pub all: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RunFormat::Human)]
    pub format: RunFormat,
    /// Also write the JSON report to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show each request and response (secrets redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Write every exchange (request and response) to this cassette file, secrets redacted,
    /// for `--replay` later.
    #[arg(long, value_name = "CASSETTE", conflicts_with = "replay")]
    pub record: Option<PathBuf>,
    /// Answer every request from this cassette instead of the network; a request that is not
    /// in it fails its step.
    #[arg(long, value_name = "CASSETTE", conflicts_with = "mock")]
    pub replay: Option<PathBuf>,
    /// Send every OpenAPI source's requests to a built-in mock (see `arazzo mock`) on a free
    /// 127.0.0.1 port, stopped when the run ends; `--server` still wins for its source.
    #[arg(long)]
    pub mock: bool,
    /// With --mock: every request to PATH (a path template or a concrete path) answers STATUS.
    #[arg(long = "fail", value_name = "PATH=STATUS", requires = "mock")]
    pub fails: Vec<String>,
    /// With --mock: delay every answer of the mock by N milliseconds.
    #[arg(long, value_name = "N", requires = "mock")]
    pub delay_ms: Option<u64>,
    /// Bounds on the run.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The load mode: many runs, several at once.
    #[command(flatten)]
    pub load: LoadArgs,
}

impl RunArgs {
    /// Options that make no sense in the load mode, or without it: a usage message.
    pub(crate) fn check(&self) -> Result<(), String> {
        let load = &self.load;
        if !load.requested() {
            if load.concurrency.is_some() || load.rate.is_some() {
                return Err(
                    "--concurrency and --rate need --repeat, --duration or --inputs-csv".into(),
                );
            }
            return Ok(());
        }
        if self.all {
            return Err("--all runs each workflow once: it cannot be used with the load mode (--repeat, --duration, --inputs-csv)".into());
        }
        if self.record.is_some() || self.replay.is_some() {
            return Err("the load mode (--repeat, --duration, --inputs-csv) cannot --record or --replay: a cassette answers each request once".into());
        }
        if self.format == RunFormat::Junit {
            return Err("the load mode prints --format human or json, not junit".into());
        }
        if load.repeat == Some(0) {
            return Err("--repeat must be at least 1".into());
        }
        if load.duration.is_some_and(|duration| duration.is_zero()) {
            return Err("--duration must be longer than 0".into());
        }
        if load.concurrency == Some(0) {
            return Err("--concurrency must be at least 1".into());
        }
        if load
            .rate
            .is_some_and(|rate| !(rate > 0.0 && rate.is_finite()))
        {
            return Err("--rate must be a positive number of runs per second".into());
        }
        Ok(())
    }
}

/// Bounds on a run (`arazzo run`, its load mode, `arazzo snapshot`): whatever the document or
/// the servers do, a run ends.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Limits")]
pub struct LimitArgs {
    /// How long one request may take, body included (`30s`, `500ms`, `2m`).
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// The largest response body accepted (`16MiB`, `512KiB`, a number of bytes).
    #[arg(long, value_name = "SIZE", default_value = "16MiB")]
    pub max_response_size: bytesize::ByteSize,
    /// Stop a run after N steps, retries and loops included (default: no cap on a workflow's
    /// steps, 1000 steps run again by retries and goto loops).
    #[arg(long, value_name = "N")]
    pub max_steps: Option<usize>,
    /// Stop a run that takes longer than this in all, requests and retry waits included.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub deadline: Option<Duration>,
}

impl Default for LimitArgs {
    fn default() -> Self {
        LimitArgs {
            timeout: Duration::from_secs(30),
            max_response_size: bytesize::ByteSize::mib(16),
            max_steps: None,
            deadline: None,
        }
    }
}

impl LimitArgs {
    /// The engine's limits these give.
    pub fn engine_limits(&self) -> arazzo_exec::Limits {
        let mut limits = arazzo_exec::Limits {
            deadline: self.deadline,
            ..arazzo_exec::Limits::default()
        };
        if let Some(steps) = self.max_steps {
            limits = limits.with_max_steps(steps);
        }
        limits
    }
}

/// How results are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people: each diagnostic with its source line and a caret.
    Human,
    /// One JSON document on stdout, for tools.
    Json,
}

/// How `arazzo list` prints the workflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// For people: each workflow with its inputs, steps and outputs, in columns.
    Human,
    /// One JSON document on stdout, for tools.
    Json,
}

/// How `arazzo run` prints its report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum RunFormat {
    /// A line per step on stderr, the workflow outputs as JSON on stdout.
    #[default]
    Human,
    /// The whole report as one JSON document on stdout.
    Json,
    /// JUnit XML on stdout: a test suite per workflow, a test case per step, for CI systems.
    Junit,
}

/// The arguments of `arazzo test`: what `run` takes, for every workflow of many documents.
#[derive(Debug, clap::Args)]
pub struct TestArgs {
    /// Arazzo documents, or folders searched (recursively) for YAML and JSON files whose root
    /// has an `arazzo` member.
    #[arg(required = true, value_name = "FILE|DIR")]
    pub paths: Vec<PathBuf>,
    /// Only this workflow (repeatable); the documents without it are left out.
    #[arg(long = "workflow", short = 'w', value_name = "ID")]
    pub workflows: Vec<String>,
    /// An input for every document, typed by each workflow's inputs schema.
    #[arg(long = "input", short = 'i', value_name = "NAME=VALUE")]
    pub inputs: Vec<String>,
    /// A JSON or YAML file of inputs for every document, instead of the file beside each.
    #[arg(long = "inputs", value_name = "FILE")]
    pub inputs_file: Option<PathBuf>,
    /// Send the requests of a source description to this base URL, in every document that
    /// has it.
    #[arg(long = "server", short = 's', value_name = "SOURCE=URL")]
    pub servers: Vec<String>,
    /// Where sources are found and how other dialects are read.
    #[command(flatten)]
    pub sources: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TestFormat::Human)]
    pub format: TestFormat,
    /// Also write the JSON report to this file.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Show each request and response (secrets redacted).
    #[arg(long, short = 'v')]
    pub verbose: bool,
    /// Answer every request from this cassette instead of the network (read again for each
    /// document).
    #[arg(long, value_name = "CASSETTE", conflicts_with = "mock")]
    pub replay: Option<PathBuf>,
    /// Send every OpenAPI source's requests to a built-in mock, one per document.
    #[arg(long)]
    pub mock: bool,
    /// With --mock: every request to PATH (a path template or a concrete path) answers STATUS.
    #[arg(long = "fail", value_name = "PATH=STATUS", requires = "mock")]
    pub fails: Vec<String>,
    /// With --mock: delay every answer of the mock by N milliseconds.
    #[arg(long, value_name = "N", requires = "mock")]
    pub delay_ms: Option<u64>,
    /// Bounds on each workflow's run.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// How `arazzo test` prints its results.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum TestFormat {
    /// Each step's line on stderr as it runs, then a summary table on stdout.
    #[default]
    Human,
    /// One JSON document on stdout: every document with its workflows' reports.
    Json,
    /// JUnit XML on stdout: a test suite per workflow, a test case per step.
    Junit,
    /// TAP 14 on stdout: a test point per workflow.
    Tap,
}

/// The arguments of `arazzo mock`.
#[derive(Debug, clap::Args)]
pub struct MockArgs {
    /// OpenAPI 3.0/3.1 descriptions (YAML or JSON): paths, or URLs with --allow-remote.
    #[arg(required = true, value_name = "OPENAPI")]
    pub files: Vec<String>,
    /// The port to listen on (0: a free one).
    #[arg(long, short = 'p', default_value_t = 4010)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// Answer with the examples as written: do not copy request fields into responses.
    #[arg(long)]
    pub no_echo: bool,
    /// Every request to PATH (a path template or a concrete path) answers STATUS.
    #[arg(long = "fail", value_name = "PATH=STATUS")]
    pub fails: Vec<String>,
    /// Delay every answer by N milliseconds.
    #[arg(long, value_name = "N")]
    pub delay_ms: Option<u64>,
    /// Log nothing (by default, one line per request on stderr when it is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Allow descriptions to be fetched over http(s).
    #[arg(long)]
    pub allow_remote: bool,
    /// With --allow-remote: allow fetching from loopback, private, link-local and cloud
    /// metadata addresses (127.0.0.1, 10.0.0.0/8, 169.254.169.254…).
    #[arg(long, requires = "allow_remote")]
    pub allow_private: bool,
}

/// The arguments of `arazzo snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The document, the workflow, its inputs and servers.
    #[command(flatten)]
    pub document: DocumentArgs,
    /// Answer every request from this cassette instead of the network.
    #[arg(long, value_name = "CASSETTE", conflicts_with = "mock")]
    pub replay: Option<PathBuf>,
    /// Send every OpenAPI source's requests to the built-in mock (as `arazzo run --mock`). The
    /// report keeps the OpenAPI URLs; a source without an http(s) server is addressed to the
    /// mock, whose port is shown as `[port]`.
    #[arg(long)]
    pub mock: bool,
    /// Bounds on the run.
    #[command(flatten)]
    pub limits: LimitArgs,
    /// The committed snapshot (default: `<FILE without extension>.<workflow>.snapshot.yaml`
    /// next to FILE).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with the committed snapshot: exit 1 with a unified diff when they differ.
    #[arg(long, conflicts_with = "update")]
    pub check: bool,
    /// Write the snapshot file.
    #[arg(long)]
    pub update: bool,
}

/// The load mode of `arazzo run`: the workflow run many times, several runs at once, with
/// throughput, failures by step and latency percentiles as the result.
#[derive(Debug, Default, Clone, clap::Args)]
#[command(next_help_heading = "Load mode")]
pub struct LoadArgs {
    /// Run the workflow N times; in inputs, `{n}` is the run number (from 1).
    // clap turns every `{n}` of a help text into a line break, with no escape: a style reset
    // between `{` and `n` keeps it from matching, and is dropped when the help is printed.
    #[arg(
        long,
        value_name = "N",
        help = "Run the workflow N times; in inputs, `{\x1b[0mn}` is the run number (from 1)"
    )]
    pub repeat: Option<u64>,
    /// Start runs for this long (`30s`, `500ms`, `2m`, `1h`); those under way then finish.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub duration: Option<Duration>,
    /// How many runs at once (default 1).
    #[arg(long, value_name = "C")]
    pub concurrency: Option<usize>,
    /// Start at most R runs per second.
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,
    /// Inputs per run from a CSV file: a header row of input names, then one row per run
    /// (used in turn, again from the first after the last; an empty cell keeps the input's
    /// other value). Without --repeat or --duration, each row runs once.
    #[arg(long = "inputs-csv", value_name = "FILE")]
    pub inputs_csv: Option<PathBuf>,
}

impl LoadArgs {
    /// Whether these ask for the load mode.
    pub fn requested(&self) -> bool {
        self.repeat.is_some() || self.duration.is_some() || self.inputs_csv.is_some()
    }
}

/// Parses `30s`, `500ms`, `2m`, `1h`, `1.5s` (a bare number is seconds).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number
        .parse()
        .map_err(|_| format!("`{text}`: expected a duration such as 30s, 500ms, 2m or 1h"))?;
    let seconds = match unit.trim() {
        "ms" => number / 1000.0,
        "" | "s" => number,
        "m" | "min" => number * 60.0,
        "h" => number * 3600.0,
        other => return Err(format!("`{text}`: unknown unit `{other}` (ms, s, m, h)")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|err| format!("`{text}`: {err}"))
}

/// The mock's faults, `--fail PATH=STATUS` each (which operation a path names is checked when
/// the mock starts).
pub(crate) fn parse_faults(fails: &[String]) -> Result<Vec<Fault>, String> {
    fails
        .iter()
        .map(|text| text.parse::<Fault>().map_err(|err| err.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(parse_duration("1.5"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("5 parsecs").is_err());
        assert!(parse_duration("s").is_err());
    }
}
