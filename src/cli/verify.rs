//! `sednas verify`: runs the checks of Propositions 1–5 and prints the verdict table.

use clap::Args;

use crate::propositions::{VerifyOptions, verify_all};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// Larger Monte-Carlo runs and grids (minutes instead of seconds).
    #[arg(long)]
    thorough: bool,
    /// Seed of every random draw.
    #[arg(long, default_value_t = 20241109)]
    seed: u64,
    /// One JSON object per proposition (id, verdict, evidence) per line.
    #[arg(long)]
    json: bool,
}

pub fn run(a: VerifyArgs) -> anyhow::Result<i32> {
    let opts = VerifyOptions {
        thorough: a.thorough,
        seed: a.seed,
    };
    let t = std::time::Instant::now();
    let reports = verify_all(&opts)?;
    if a.json {
        for r in &reports {
            outln!("{}", serde_json::to_string(r)?)?;
        }
    } else {
        outln!(
            "Propositions of the SED paper (arXiv 2411.06236): verdicts on the statements as printed"
        )?;
        outln!(
            "seed {}, {} mode, {:.1} s; proofs and counterexamples in proofs/",
            a.seed,
            if a.thorough { "thorough" } else { "quick" },
            t.elapsed().as_secs_f64()
        )?;
        outln!()?;
        outln!("{:<4} {:<22} corrected statement", "id", "verdict")?;
        for r in &reports {
            outln!("{:<4} {:<22} {}", r.id, r.verdict.to_string(), r.corrected)?;
        }
        for r in &reports {
            outln!()?;
            outln!("{} ({}), evidence:", r.id, r.verdict)?;
            for c in &r.checks {
                let v = c
                    .value
                    .map(|v| format!(" value {v:.6}"))
                    .unwrap_or_default();
                let cl = c
                    .claim
                    .map(|v| format!(" vs claim {v:.6}"))
                    .unwrap_or_default();
                let ci = c
                    .ci95
                    .map(|(l, h)| format!(" 95% CI [{l:.4}, {h:.4}]"))
                    .unwrap_or_default();
                outln!(
                    "  [{}] {}:{v}{cl}{ci}",
                    if c.confirms { "ok" } else { "!!" },
                    c.name
                )?;
                outln!("       {}", c.detail)?;
            }
        }
    }
    // a check that disagrees with its verdict means the verdict table is wrong
    Ok(if reports.iter().all(|r| r.consistent()) {
        0
    } else {
        1
    })
}
