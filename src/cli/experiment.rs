//! `sednas experiment NAME` (alias `ablate`): runs an experiment of `experiments/`.

use std::path::PathBuf;

use anyhow::bail;
use clap::Args;

#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// nb201-fashion, sed-ablation, net-ablation, sed-calibrate
    name: String,
    /// Config file (default experiments/NAME/config.toml).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output folder (default results/NAME).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Skip the runs already finished in the output folder.
    #[arg(long)]
    resume: bool,
    /// Train nothing: tabulate the runs already finished in the output folder (its stored
    /// config must equal the requested one). A summary that covers fewer runs than planned
    /// says so on its first line. nb201-fashion and net-ablation.
    #[arg(long, conflicts_with = "resume")]
    tabulate: bool,
    /// Redraw the figures from the tables in the output folder (nothing tabulated or
    /// rewritten; its stored config must equal the requested one). nb201-fashion trains
    /// again only the two runs whose heatmaps it draws when their checkpoints are missing,
    /// and, where a retrained run does not reproduce runs.csv, draws its heatmaps with both accuracies in the caption. nb201-fashion and
    /// net-ablation.
    #[arg(long, conflicts_with_all = ["resume", "tabulate"])]
    replot: bool,
}

pub fn run(a: ExperimentArgs) -> anyhow::Result<i32> {
    let config = a
        .config
        .unwrap_or_else(|| PathBuf::from(format!("experiments/{}/config.toml", a.name)));
    let out = a.out.unwrap_or_else(|| match a.name.as_str() {
        "sed-calibrate" => PathBuf::from("results/sed-measured"),
        name => PathBuf::from(format!("results/{name}")),
    });
    let summary = match a.name.as_str() {
        #[cfg(feature = "nn")]
        "nb201-fashion" if a.replot => crate::experiments::nb201_fashion::replot(&config, &out)?,
        #[cfg(feature = "nn")]
        "net-ablation" if a.replot => crate::experiments::net_ablation::replot(&config, &out)?,
        _ if a.replot => {
            bail!("--replot applies to the training experiments (nb201-fashion, net-ablation)")
        }
        #[cfg(feature = "nn")]
        "nb201-fashion" if a.tabulate => {
            crate::experiments::nb201_fashion::tabulate(&config, &out)?
        }
        #[cfg(feature = "nn")]
        "nb201-fashion" => crate::experiments::nb201_fashion::run(&config, &out, a.resume)?,
        #[cfg(feature = "nn")]
        "net-ablation" if a.tabulate => crate::experiments::net_ablation::tabulate(&config, &out)?,
        _ if a.tabulate => {
            bail!("--tabulate applies to the training experiments (nb201-fashion, net-ablation)")
        }
        "sed-ablation" => crate::experiments::sed_ablation::run(&config, &out)?,
        #[cfg(feature = "nn")]
        "sed-calibrate" => crate::experiments::sed_calibrate::run(&config, &out)?,
        #[cfg(feature = "nn")]
        "net-ablation" => crate::experiments::net_ablation::run(&config, &out, a.resume)?,
        other => bail!(
            "unknown experiment {other:?}: expected nb201-fashion, sed-ablation, net-ablation or sed-calibrate"
        ),
    };
    out!("{summary}")?;
    outln!("results: {}", out.display())?;
    Ok(0)
}
