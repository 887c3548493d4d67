//! `sednas demo`: the main job on embedded defaults (thin: the work is
//! `experiments::demo`).

use clap::Args;

#[derive(Debug, Args)]
pub struct DemoArgs {}

pub fn run(_a: DemoArgs) -> anyhow::Result<i32> {
    let mut out = std::io::stdout().lock();
    crate::experiments::demo::run(&mut out).map_err(super::lib_err)?;
    Ok(0)
}
