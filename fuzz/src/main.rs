//! `arazzo-fuzz`: a fuzz harness that runs on the stable toolchain (cargo-fuzz needs nightly).
//!
//! Inputs are seeded from the files of `specs/` (documents, expression fixtures, the criteria
//! of `specs/expr/eval`) and mutated (bytes, tokens of the languages involved, repeated chunks
//! that build deep nesting, splices of other seeds). Three targets:
//!
//! - `load`: [`arazzo_model::SourceFile::parse`] and [`arazzo_model::validate`];
//! - `expr`: the expression, template, condition and value parsers, in both modes, and the
//!   evaluation of what parses against a fixed context;
//! - `criteria`: `simple`, `regex`, `jsonpath` and `xpath` criteria evaluated against that
//!   context.
//!
//! Each input runs on a worker thread under a watchdog: more than 2 s is a hang, a panic is
//! caught, and the resident memory must stay under 512 MiB. Each finding is saved under
//! `--out`; the input being run is always in `<out>/last-input` (a stack overflow aborts the
//! process before it can be reported). The exit code is 1 when anything was found.
//!
//! ```sh
//! cargo run --release -p arazzo-fuzz -- --seconds 60
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use arazzo_expr::{Context, CriterionKind, HttpMessage, Mode};
use clap::Parser;
use serde_json::{Value, json};

/// Mutates inputs seeded from `specs/` and runs them through the loader, the validator, the
/// expression parsers and the criteria evaluators, under a watchdog.
#[derive(Parser)]
struct Args {
    /// How long to fuzz, in seconds, for all targets together.
    #[arg(long, default_value_t = 60)]
    seconds: u64,
    /// The random seed (by default from the clock; it is printed, so a run can be repeated).
    #[arg(long)]
    seed: Option<u64>,
    /// The folder the seeds are read from.
    #[arg(long, default_value = "specs")]
    specs: PathBuf,
    /// Where findings are saved.
    #[arg(long, default_value = "fuzz/findings")]
    out: PathBuf,
    /// Runs one saved input (a finding, or `last-input` with the target and label of
    /// `last-input.name`) under the watchdog instead of fuzzing.
    #[arg(long, value_name = "FILE")]
    replay: Option<PathBuf>,
}

/// How long one input may run.
const HANG: Duration = Duration::from_secs(2);
/// How much resident memory the process may use.
const MAX_RSS: u64 = 512 << 20;
/// Mutated inputs are cut to this size, so that each run stays short.
const MAX_INPUT: usize = 64 << 10;
/// The stack of the worker thread: what the CLI's main thread has.
const STACK: usize = 8 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Load,
    Expr,
    Criteria,
}

const TARGETS: [Target; 3] = [Target::Load, Target::Expr, Target::Criteria];

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Load => "load",
            Target::Expr => "expr",
            Target::Criteria => "criteria",
        }
    }
}

/// One input: `label` says how `text` is read (a file name for `load`, the parser for `expr`,
/// the criterion type for `criteria`).
#[derive(Debug, Clone)]
struct Input {
    target: Target,
    label: String,
    text: String,
}

const EXPR_LABELS: [&str; 4] = ["expression", "template", "condition", "value"];
const CRITERIA_LABELS: [&str; 5] = ["simple", "regex", "jsonpath", "goessner", "xpath"];
const LOAD_LABELS: [&str; 3] = ["fuzz.arazzo.yaml", "fuzz.arazzo.json", "fuzz.openapi.yaml"];

/// Fragments of the languages involved, inserted by the mutator.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    "(",
    ")",
    "'",
    "\"",
    "\\",
    "$",
    "{$",
    "#/",
    ".",
    ",",
    "$response.body",
    "$response.body#/items/0",
    "$response.header.X",
    "$steps.a.outputs.b",
    "$inputs.x",
    "$workflows.w.outputs.o",
    "$components.parameters.p",
    "$sourceDescriptions.s.url",
    "$statusCode",
    "==",
    "!=",
    "&&",
    "||",
    "!",
    "<",
    ">=",
    ": ",
    "\n",
    "\n  ",
    "\n    ",
    "- ",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "|\n",
    ">-\n",
    "---\n",
    "[?(@",
    ")]",
    "@.a",
    "..",
    "*",
    "(a+)+",
    "(a|a)*",
    "\\1",
    "(?<=",
    "(?=",
    "(?!",
    "[^]",
    "\\d",
    "\\b",
    "\\u{1F600}",
    "%7B",
    "~1",
    "é",
    "\u{0}",
    "\u{FEFF}",
    "1e999",
    "-0",
    "99999999999999999999",
    "//",
    "/@",
    "(:",
    ":)",
    "map{",
    "array{",
    "count(",
    "length(",
    "match(",
    "search(",
    "workflowId: ",
    "stepId: ",
    "dependsOn: [",
    "operationId: ",
    "workflowId: w\n",
    "successCriteria:\n  - condition: ",
    "type: regex\n",
    "context: ",
    "onSuccess:\n  - {name: n, type: goto, stepId: s}\n",
    "$ref: '#/components/inputs/x'",
    "outputs: {o: $response.body}",
];

fn main() -> anyhow::Result<ExitCode> {
    let args = Args::parse();
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos() as u64)
    });
    if let Some(path) = &args.replay {
        return replay(path);
    }
    let mut corpus = seeds(&args.specs)?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    println!(
        "arazzo-fuzz: {} s, seed {seed}, seeds: {}",
        args.seconds,
        TARGETS
            .iter()
            .zip(&corpus)
            .map(|(target, seeds)| format!("{} {}", target.name(), seeds.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut stats = Stats::default();
    let worker = Worker::start()?;
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let last_input = args.out.join("last-input");
    let mut round = 0usize;
    while Instant::now() < deadline {
        let which = round % TARGETS.len();
        round += 1;
        let input = mutated(&mut rng, &corpus[which]);
        std::fs::write(&last_input, &input.text)?;
        std::fs::write(
            last_input.with_extension("name"),
            file_name("last", 0, &input),
        )?;
        let started = Instant::now();
        let outcome = worker.run(input.clone());
        stats.tried[which] += 1;
        match outcome {
            Outcome::Done => {
                // No coverage feedback on stable: keep a few mutants to drift further.
                if rng.u8(..) < 8 && corpus[which].len() < 4096 {
                    corpus[which].push(input.clone());
                }
            }
            Outcome::Panicked(message) => {
                stats.panics[which] += 1;
                let path = save(&args.out, "panic", stats.findings(), &input)?;
                println!(
                    "PANIC  {}: {message}\n       input: {}",
                    input.target.name(),
                    path.display()
                );
            }
            Outcome::Hung => {
                stats.hangs[which] += 1;
                let path = save(&args.out, "hang", stats.findings(), &input)?;
                println!(
                    "HANG   {}: more than {} s\n       input: {}",
                    input.target.name(),
                    HANG.as_secs(),
                    path.display()
                );
                // The worker is still busy with it and cannot be stopped: end the run.
                break;
            }
        }
        let rss = resident_bytes();
        stats.max_rss = stats.max_rss.max(rss);
        if rss > MAX_RSS {
            stats.memory += 1;
            let path = save(&args.out, "memory", stats.findings(), &input)?;
            println!(
                "MEMORY {}: {} MiB resident after this input ({:?})\n       input: {}",
                input.target.name(),
                rss >> 20,
                started.elapsed(),
                path.display()
            );
            break;
        }
    }
    let _ = std::fs::remove_file(&last_input);
    let _ = std::fs::remove_file(last_input.with_extension("name"));
    print!("{}", stats.report());
    Ok(if stats.findings() == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[derive(Default)]
struct Stats {
    tried: [u64; 3],
    panics: [u64; 3],
    hangs: [u64; 3],
    memory: u64,
    max_rss: u64,
}

impl Stats {
    fn findings(&self) -> u64 {
        self.panics.iter().sum::<u64>() + self.hangs.iter().sum::<u64>() + self.memory
    }

    fn report(&self) -> String {
        let mut text = String::from("target    inputs   panics  hangs\n");
        for (at, target) in TARGETS.iter().enumerate() {
            let _ = writeln!(
                text,
                "{:<9} {:>8} {:>8} {:>6}",
                target.name(),
                self.tried[at],
                self.panics[at],
                self.hangs[at]
            );
        }
        let _ = writeln!(
            text,
            "max RSS: {:.1} MiB (limit {} MiB){}",
            self.max_rss as f64 / f64::from(1 << 20),
            MAX_RSS >> 20,
            if self.memory > 0 { ", exceeded" } else { "" }
        );
        let _ = writeln!(text, "findings: {}", self.findings());
        text
    }
}

/// Saves a finding as [`file_name`].
fn save(out: &Path, kind: &str, number: u64, input: &Input) -> anyhow::Result<PathBuf> {
    let path = out.join(file_name(kind, number, input));
    std::fs::write(&path, &input.text)?;
    Ok(path)
}

/// `<kind>-<n>-<target>-<label>.txt`, or `<kind>-<n>-<file name>` for a `load` input, so that
/// `arazzo validate` reads it as it was run.
fn file_name(kind: &str, number: u64, input: &Input) -> String {
    match input.target {
        Target::Load => format!("{kind}-{number}-{}", input.label),
        _ => format!(
            "{kind}-{number}-{}-{}.txt",
            input.target.name(),
            input.label
        ),
    }
}

/// Runs one saved input, its target and label read back from its name.
fn replay(path: &Path) -> anyhow::Result<ExitCode> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let name = match std::fs::read_to_string(path.with_extension("name")) {
        Ok(name) => name,
        Err(_) => path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or_default()
            .to_owned(),
    };
    // Past `<kind>-<n>-`.
    let rest = name.splitn(3, '-').nth(2).unwrap_or_default();
    let input = match rest.split_once('-') {
        Some((target, label)) if target == "expr" || target == "criteria" => Input {
            target: if target == "expr" {
                Target::Expr
            } else {
                Target::Criteria
            },
            label: label.trim_end_matches(".txt").to_owned(),
            text,
        },
        _ => Input {
            target: Target::Load,
            label: rest.to_owned(),
            text,
        },
    };
    println!("replay: {} `{}`", input.target.name(), input.label);
    let started = Instant::now();
    let outcome = Worker::start()?.run(input);
    let (verdict, code) = match outcome {
        Outcome::Done => ("done".to_owned(), ExitCode::SUCCESS),
        Outcome::Panicked(message) => (format!("panic: {message}"), ExitCode::FAILURE),
        Outcome::Hung => (
            format!("hang: more than {} s", HANG.as_secs()),
            ExitCode::FAILURE,
        ),
    };
    println!("{verdict} ({:?})", started.elapsed());
    Ok(code)
}

/// The resident memory of this process (`/proc/self/statm`, in pages of 4 KiB); 0 elsewhere.
fn resident_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

enum Outcome {
    Done,
    Panicked(String),
    Hung,
}

/// The thread that runs the inputs, one at a time.
struct Worker {
    jobs: mpsc::Sender<Input>,
    done: mpsc::Receiver<Result<(), String>>,
}

impl Worker {
    fn start() -> anyhow::Result<Worker> {
        let (jobs, inbox) = mpsc::channel::<Input>();
        let (outbox, done) = mpsc::channel();
        // Panics are reported with the input, not printed as they happen.
        std::panic::set_hook(Box::new(|_| {}));
        std::thread::Builder::new()
            .name("fuzz-worker".into())
            .stack_size(STACK)
            .spawn(move || {
                let context = Fixed::new();
                for input in inbox {
                    let result = catch_unwind(AssertUnwindSafe(|| run(&input, &context))).map_err(
                        |payload| {
                            payload
                                .downcast_ref::<&str>()
                                .map(|text| (*text).to_owned())
                                .or_else(|| payload.downcast_ref::<String>().cloned())
                                .unwrap_or_else(|| "a panic without a message".to_owned())
                        },
                    );
                    if outbox.send(result).is_err() {
                        break;
                    }
                }
            })?;
        Ok(Worker { jobs, done })
    }

    fn run(&self, input: Input) -> Outcome {
        if self.jobs.send(input).is_err() {
            return Outcome::Panicked("the worker thread is gone".to_owned());
        }
        match self.done.recv_timeout(HANG) {
            Ok(Ok(())) => Outcome::Done,
            Ok(Err(message)) => Outcome::Panicked(message),
            Err(mpsc::RecvTimeoutError::Timeout) => Outcome::Hung,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Outcome::Panicked("the worker thread is gone".to_owned())
            }
        }
    }
}

/// Runs one input through its target; results are dropped, only panics and time matter.
fn run(input: &Input, context: &Fixed) {
    match input.target {
        Target::Load => {
            if let Ok(file) =
                arazzo_model::SourceFile::parse(input.label.as_str(), input.text.as_str())
            {
                let _ = arazzo_model::validate(&file);
            }
        }
        Target::Expr => {
            for mode in [Mode::Strict, Mode::Lenient] {
                let text = input.text.as_str();
                match input.label.as_str() {
                    "expression" => {
                        if let Ok(parsed) = arazzo_expr::parse_expression(text, mode) {
                            let _ = parsed.value.to_string();
                            let _ = arazzo_expr::evaluate(&parsed.value, context);
                        }
                    }
                    "template" => {
                        if let Ok(parsed) = arazzo_expr::parse_template(text, mode) {
                            let _ = arazzo_expr::render_template(&parsed.value, context);
                        }
                    }
                    "condition" => {
                        if let Ok(parsed) = arazzo_expr::parse_condition(text, mode) {
                            let _ = parsed.value.to_string();
                            let _ = arazzo_expr::evaluate_condition(&parsed.value, context);
                        }
                    }
                    _ => {
                        if let Ok(parsed) = arazzo_expr::parse_value(text, mode) {
                            let _ = arazzo_expr::evaluate_value(&parsed.value, context);
                        }
                    }
                }
            }
        }
        Target::Criteria => {
            let kind = match input.label.as_str() {
                "simple" => CriterionKind::Simple,
                "regex" => CriterionKind::Regex,
                "jsonpath" => CriterionKind::JsonPath(arazzo_expr::JsonPathVersion::Rfc9535),
                "goessner" => CriterionKind::JsonPath(arazzo_expr::JsonPathVersion::DraftGoessner),
                _ => CriterionKind::XPath(arazzo_expr::XPathVersion::XPath31),
            };
            let source = match kind {
                CriterionKind::Regex => "$response.body#/text",
                CriterionKind::XPath(_) => "$inputs.xml",
                _ => "$response.body",
            };
            let expression = arazzo_expr::parse_expression(source, Mode::Strict)
                .expect("the context expressions parse")
                .value;
            if let Ok(parsed) =
                arazzo_expr::parse_criterion(kind, Some(expression), &input.text, Mode::Lenient)
            {
                let _ = arazzo_expr::evaluate_criterion(&parsed.value, context);
            }
            if kind == CriterionKind::Simple {
                let _ = arazzo_expr::replace_in_xml(
                    context.xml.as_str().unwrap_or_default(),
                    &input.text,
                    "v",
                );
            }
        }
    }
}

/// The context every expression and criterion is evaluated against.
struct Fixed {
    body: Value,
    inputs: Value,
    xml: Value,
}

impl Fixed {
    fn new() -> Fixed {
        let xml = "<root><pet status='available'>Rex</pet><n>0</n><a><a><a/></a></a></root>";
        Fixed {
            body: json!({
                "items": [{"id": 1, "name": "a", "tags": ["x", "y"]}, {"id": 2, "name": null}],
                "text": format!("{}b", "a".repeat(40)),
                "count": 3,
                "nested": {"a": {"a": {"a": [[[1]]]}}},
            }),
            inputs: json!({"x": "1", "q": "$.items[0]", "p": "a+", "xml": xml}),
            xml: Value::String(xml.to_owned()),
        }
    }
}

impl Context for Fixed {
    fn url(&self) -> Option<Cow<'_, Value>> {
        Some(Cow::Owned(json!("https://example.com/pets?x=1")))
    }
    fn method(&self) -> Option<Cow<'_, Value>> {
        Some(Cow::Owned(json!("GET")))
    }
    fn status_code(&self) -> Option<Cow<'_, Value>> {
        Some(Cow::Owned(json!(200)))
    }
    fn header(&self, _: HttpMessage, name: &str) -> Option<Cow<'_, Value>> {
        arazzo_expr::header_value([("X", "1"), ("x", "2"), ("Set-Cookie", "a=b")], name)
            .map(|value| Cow::Owned(Value::String(value)))
    }
    fn body(&self, _: HttpMessage) -> Option<Cow<'_, Value>> {
        Some(Cow::Borrowed(&self.body))
    }
    fn input(&self, name: &str) -> Option<Cow<'_, Value>> {
        self.inputs.get(name).map(Cow::Borrowed)
    }
    fn step_output(&self, _: &str, name: &str) -> Option<Cow<'_, Value>> {
        self.body.get(name).map(Cow::Borrowed)
    }
}

/// A seed of the target `corpus` mutated one to eight times.
fn mutated(rng: &mut fastrand::Rng, corpus: &[Input]) -> Input {
    let mut input = corpus[rng.usize(..corpus.len())].clone();
    let mut bytes = std::mem::take(&mut input.text).into_bytes();
    for _ in 0..rng.usize(1..=8) {
        let other = corpus[rng.usize(..corpus.len())].text.as_bytes();
        mutate(rng, &mut bytes, other);
    }
    bytes.truncate(MAX_INPUT);
    input.text = String::from_utf8_lossy(&bytes).into_owned();
    if rng.u8(..) < 16 {
        let labels: &[&str] = match input.target {
            Target::Load => &LOAD_LABELS,
            Target::Expr => &EXPR_LABELS,
            Target::Criteria => &CRITERIA_LABELS,
        };
        input.label = labels[rng.usize(..labels.len())].to_owned();
    }
    input
}

fn mutate(rng: &mut fastrand::Rng, bytes: &mut Vec<u8>, other: &[u8]) {
    let at = rng.usize(..=bytes.len());
    let token = TOKENS[rng.usize(..TOKENS.len())].as_bytes();
    match rng.u8(..8) {
        0 if !bytes.is_empty() => {
            let at = rng.usize(..bytes.len());
            bytes[at] = rng.u8(0x20..0x7f);
        }
        1 => {
            bytes.splice(at..at, token.iter().copied());
        }
        2 => {
            let end = (at + rng.usize(1..=16)).min(bytes.len());
            bytes.drain(at..end);
        }
        // A chunk repeated many times: deep nesting, long chains, large documents.
        3 => {
            let end = (at + rng.usize(1..=64)).min(bytes.len());
            let chunk = bytes[at..end].to_vec();
            let times = rng.usize(1..=256);
            let repeated: Vec<u8> = chunk.repeat(times);
            bytes.splice(at..at, repeated);
        }
        4 if !other.is_empty() => {
            let from = rng.usize(..other.len());
            let to = (from + rng.usize(1..=256)).min(other.len());
            let end = (at + rng.usize(0..=64)).min(bytes.len());
            bytes.splice(at..end, other[from..to].iter().copied());
        }
        5 => {
            let repeated = token.repeat(rng.usize(1..=300));
            bytes.splice(at..at, repeated);
        }
        6 => bytes.truncate(at),
        _ => {
            let ch = char::from_u32(rng.u32(..0x11_0000)).unwrap_or('\u{FFFD}');
            let mut buffer = [0; 4];
            let encoded = ch.encode_utf8(&mut buffer).as_bytes().to_vec();
            bytes.splice(at..at, encoded);
        }
    }
}

/// The seeds of each target, read from `specs/`, plus a few hostile ones.
fn seeds(specs: &Path) -> anyhow::Result<[Vec<Input>; 3]> {
    let mut corpus: [Vec<Input>; 3] = Default::default();
    let mut push = |target: Target, label: &str, text: String| {
        let at = TARGETS
            .iter()
            .position(|&known| known == target)
            .unwrap_or(0);
        corpus[at].push(Input {
            target,
            label: label.to_owned(),
            text,
        });
    };
    let mut folders = vec![specs.to_path_buf()];
    let mut files = Vec::new();
    while let Some(folder) = folders.pop() {
        let entries = std::fs::read_dir(&folder)
            .with_context(|| format!("cannot read the seeds in {}", folder.display()))?;
        for entry in entries {
            let path = entry?.path();
            if path.is_dir() {
                folders.push(path);
            } else {
                files.push(path);
            }
        }
    }
    files.sort();
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if text.len() > 256 << 10 {
            continue;
        }
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .unwrap_or("x");
        let parent = path
            .parent()
            .and_then(|parent| parent.file_name())
            .and_then(|name| name.to_str())
            .unwrap_or_default();
        let in_expr = path.components().any(|part| part.as_os_str() == "expr");
        if name.ends_with(".txt") && EXPR_LABELS.contains(&parent) {
            let text = text.strip_suffix('\n').unwrap_or(&text).to_owned();
            push(Target::Expr, parent, text);
        } else if in_expr && name.ends_with(".yaml") {
            let Ok(fixture) = yaml_serde::from_str::<Value>(&text) else {
                continue;
            };
            for case in fixture["cases"].as_array().into_iter().flatten() {
                for label in ["expression", "template", "value"] {
                    if let Some(text) = case[label].as_str() {
                        push(Target::Expr, label, text.to_owned());
                    }
                }
                if let Some(text) = case["condition"].as_str() {
                    push(Target::Criteria, "simple", text.to_owned());
                    push(Target::Expr, "condition", text.to_owned());
                }
                let criterion = &case["criterion"];
                if let Some(text) = criterion["condition"].as_str() {
                    let label = match (criterion["type"].as_str(), criterion["version"].as_str()) {
                        (Some("jsonpath"), Some(_)) => "goessner",
                        (Some(kind), _) if CRITERIA_LABELS.contains(&kind) => kind,
                        _ => "simple",
                    };
                    push(Target::Criteria, label, text.to_owned());
                }
            }
        } else if [".yaml", ".yml", ".json"]
            .iter()
            .any(|extension| name.ends_with(extension))
        {
            push(Target::Load, name, text);
        }
    }
    for (label, text) in [
        ("regex", "^(a+)+$"),
        ("regex", r"^(a|a)+\1$"),
        ("regex", r"(?<=a{1,3})b"),
        ("jsonpath", "$[?(@[?(@.a)])]"),
        ("jsonpath", "$..items[?@.id > 1 && length(@.tags) == 2]"),
        ("xpath", "/root/pet[@status = 'available']"),
        (
            "simple",
            "$statusCode == 200 && !($response.body#/count < 2)",
        ),
    ] {
        push(Target::Criteria, label, text.to_owned());
    }
    push(
        Target::Load,
        "fuzz.arazzo.yaml",
        "a: [[[{b: [1]}]]]\nc: {d: [e, {f: g}]}\n".to_owned(),
    );
    for (at, seeds) in corpus.iter().enumerate() {
        anyhow::ensure!(
            !seeds.is_empty(),
            "no seed for the `{}` target in {}",
            TARGETS[at].name(),
            specs.display()
        );
    }
    Ok(corpus)
}
