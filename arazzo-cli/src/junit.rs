//! `--format junit`: a run as JUnit XML, for CI systems. A test suite per workflow (the one
//! run, then the workflows it depended on or called), a test case per step run (a retried
//! step appears once per attempt) and a skipped one per step that did not run, failures with
//! their cause.

use arazzo_exec::{Outcome, StepOutcome, WorkflowReport};
use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};

/// The JUnit XML of a run (secrets are already redacted in a report).
///
/// # Errors
/// When the XML writer fails (it writes to memory: in practice, never).
pub fn render(report: &WorkflowReport) -> Result<String, quick_junit::SerializeError> {
    render_all(std::slice::from_ref(report))
}

/// The JUnit XML of several runs (`run --all`): the test suites of each, in order.
///
/// # Errors
/// As [`render`].
pub fn render_all(reports: &[WorkflowReport]) -> Result<String, quick_junit::SerializeError> {
    let mut junit = Report::new("arazzo");
    junit.set_time(reports.iter().map(|report| report.duration).sum());
    junit.add_test_suites(suites(reports, ""));
    junit.to_string()
}

/// The test suites of `reports` and of the workflows they reached, each suite's name after
/// `prefix` (`arazzo test` names the document).
pub(crate) fn suites(reports: &[WorkflowReport], prefix: &str) -> Vec<TestSuite> {
    let mut suites = Vec::new();
    for report in reports {
        collect(report, prefix, &mut suites);
    }
    suites
}

fn collect(report: &WorkflowReport, prefix: &str, suites: &mut Vec<TestSuite>) {
    let mut suite = TestSuite::new(format!("{prefix}{}", report.workflow_id));
    suite.set_time(report.duration);
    for step in &report.steps {
        let status = match step.outcome {
            StepOutcome::Passed => TestCaseStatus::success(),
            outcome => {
                let kind = match outcome {
                    StepOutcome::Error => NonSuccessKind::Error,
                    _ => NonSuccessKind::Failure,
                };
                let mut status = TestCaseStatus::non_success(kind);
                let cause = step.error_message().unwrap_or_default();
                status.set_message(cause);
                let failed: Vec<String> = step
                    .criteria
                    .iter()
                    .filter(|criterion| !criterion.passed)
                    .map(|criterion| {
                        format!(
                            "failed criterion: {}",
                            criterion.reason.as_deref().unwrap_or_default()
                        )
                    })
                    .collect();
                let status_line = step
                    .response
                    .as_ref()
                    .map(|response| format!("status {}", response.status));
                let description: Vec<String> = status_line.into_iter().chain(failed).collect();
                if !description.is_empty() {
                    status.set_description(description.join("\n"));
                }
                status
            }
        };
        let mut case = TestCase::new(step.step_id.as_str(), status);
        case.set_classname(format!("{}.{}", report.workflow_id, step.step_id));
        case.set_time(step.duration);
        if let Some(request) = &step.request {
            case.set_system_out(format!("{} {}", request.method, request.url));
        }
        suite.add_test_case(case);
    }
    // A test case per step, as promised: the steps that did not run are skipped ones.
    let why = match &report.outcome {
        Outcome::Passed => "not run: skipped by a goto or ended early".to_string(),
        Outcome::Failed { step_id, .. } | Outcome::Error { step_id, .. } if !step_id.is_empty() => {
            format!("not run: the workflow stopped at step `{step_id}`")
        }
        _ => "not run: the workflow stopped before it".to_string(),
    };
    for step_id in &report.not_run {
        let mut status = TestCaseStatus::skipped();
        status.set_message(why.as_str());
        let mut case = TestCase::new(step_id.as_str(), status);
        case.set_classname(format!("{}.{step_id}", report.workflow_id));
        suite.add_test_case(case);
    }
    suites.push(suite);
    for called in report.workflows.iter().chain(
        report
            .steps
            .iter()
            .filter_map(|step| step.workflow.as_deref()),
    ) {
        collect(called, prefix, suites);
    }
}
