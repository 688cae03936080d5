//! `cargo bench --bench scaling`: the engine's cost must grow linearly with a script's
//! size. Times check (lint alone, and with the fix simulation behind `[*]`) and fix
//! on scripts of 1k, 4k and 16k repeated Run As blocks and on a 10 MB script made of
//! the corpus runbooks end to end, and prints seconds per MB: roughly the same at
//! every size when the cost is linear. A size is skipped once a smaller one took
//! longer than the budget (as the cubic engine did).

use std::time::{Duration, Instant};

#[path = "support/corpus.rs"]
mod corpus;

use corpus::corpus_runbooks;
use mimigrate::fix::{fix_text, FixMode};
use mimigrate::lint::{lint, CheckedFile, LintOptions};
use mimigrate::source::SourceText;

const RUNAS_BLOCK: &str = "$conn = Get-AutomationConnection -Name AzureRunAsConnection\n\
Connect-AzAccount -ServicePrincipal -Tenant $conn.TenantID `\n    \
-ApplicationId $conn.ApplicationID -CertificateThumbprint $conn.CertificateThumbprint\n\
Select-AzSubscription -SubscriptionId $conn.SubscriptionID\n";

/// Skip larger sizes of a kind once one run took this long.
const BUDGET: Duration = Duration::from_secs(60);

fn corpus_script(bytes: usize) -> String {
    let texts: Vec<String> = corpus_runbooks()
        .iter()
        .filter_map(|(_, bytes)| SourceText::decode(bytes).ok())
        .map(|s| s.text)
        .collect();
    let mut script = String::with_capacity(bytes + 100_000);
    while script.len() < bytes {
        for text in &texts {
            script.push_str(text);
            script.push('\n');
        }
    }
    script
}

fn timed(work: impl FnOnce()) -> Duration {
    let start = Instant::now();
    work();
    start.elapsed()
}

fn main() {
    let options = LintOptions::default();
    let cases: Vec<(String, String)> = [1_000, 4_000, 16_000]
        .iter()
        .map(|&n| (format!("{n} Run As blocks"), RUNAS_BLOCK.repeat(n)))
        .chain([("corpus end to end".to_owned(), corpus_script(10 << 20))])
        .collect();
    println!(
        "{:<20} {:>9} {:>14} {:>14} {:>14} {:>14}",
        "script", "MB", "parse s/MB", "lint s/MB", "check s/MB", "fix s/MB"
    );
    let mut over_budget = false;
    for (name, script) in &cases {
        let mb = script.len() as f64 / 1e6;
        if over_budget && name.contains("Run As") {
            println!("{name:<20} {mb:>9.2} {:>14}", "skipped");
            continue;
        }
        let parse_time = timed(|| drop(mimigrate::syntax::parse(script)));
        let lint_time = timed(|| drop(lint(script, &options)));
        let check_time = timed(|| {
            let source = SourceText::decode(script.as_bytes()).expect("text");
            drop(CheckedFile::check("x.ps1".into(), source, &options, true, None));
        });
        let fix_time = timed(|| drop(fix_text(script, &options, FixMode::default())));
        over_budget = [lint_time, check_time, fix_time].iter().any(|t| *t > BUDGET);
        let per_mb = |t: Duration| t.as_secs_f64() / mb;
        println!(
            "{name:<20} {mb:>9.2} {:>14.3} {:>14.3} {:>14.3} {:>14.3}",
            per_mb(parse_time),
            per_mb(lint_time),
            per_mb(check_time),
            per_mb(fix_time)
        );
    }
}
