//! Figures (PNG and SVG, drawn with plotters; the font is vendored in `assets/`).
//! Every figure is written atomically (temporary file, then rename).

use std::path::Path;
use std::sync::Once;

use plotters::prelude::*;

use crate::error::{Error, Result};

static FONT: Once = Once::new();

fn register_font() {
    FONT.call_once(|| {
        let _ = plotters::style::register_font(
            "sans-serif",
            FontStyle::Normal,
            include_bytes!("../assets/DejaVuSans.ttf"),
        );
    });
}

/// Runs the drawing expression once on a bitmap (`stem.png`, via a temporary file and a
/// rename) and once on an SVG string (`stem.svg`, written atomically).
macro_rules! render {
    ($stem:expr, |$area:ident| $draw:expr) => {{
        register_font();
        let png = $stem.with_extension("png");
        let tmp = $stem.with_extension("tmp.png");
        {
            let $area = BitMapBackend::new(&tmp, (900, 600)).into_drawing_area();
            $draw?;
        }
        std::fs::rename(&tmp, &png).map_err(|e| Error::io(&png, e))?;
        let mut svg = String::new();
        {
            let $area = SVGBackend::with_string(&mut svg, (900, 600)).into_drawing_area();
            $draw?;
        }
        crate::io::write_atomic(&$stem.with_extension("svg"), svg.as_bytes())
    }};
}

fn perr(e: impl std::fmt::Display) -> Error {
    Error::param("plot", e.to_string())
}

/// A named set of points.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend name.
    pub name: String,
    /// (x, y) points; non-finite points are left out.
    pub points: Vec<(f64, f64)>,
}

fn range(v: impl Iterator<Item = f64> + Clone) -> (f64, f64) {
    let lo = v
        .clone()
        .filter(|x| x.is_finite())
        .fold(f64::INFINITY, f64::min);
    let hi = v
        .filter(|x| x.is_finite())
        .fold(f64::NEG_INFINITY, f64::max);
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.05).max(1e-9);
    (lo - pad, hi + pad)
}

fn draw_scatter<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    series: &[Series],
    colour_values: Option<&[f64]>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(perr)?;
    let pts = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|p| p.0.is_finite() && p.1.is_finite());
    let (x0, x1) = range(pts.clone().map(|p| p.0));
    let (y0, y1) = range(pts.map(|p| p.1));
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(perr)?;
    chart
        .configure_mesh()
        .x_desc(xlabel)
        .y_desc(ylabel)
        .label_style(("sans-serif", 14))
        .draw()
        .map_err(perr)?;
    let (c0, c1) = colour_values
        .map(|v| range(v.iter().copied()))
        .unwrap_or((0.0, 1.0));
    for (k, s) in series.iter().enumerate() {
        let base = Palette99::pick(k).to_rgba();
        let pts: Vec<(usize, (f64, f64))> = s
            .points
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, p)| p.0.is_finite() && p.1.is_finite())
            .collect();
        let drawn = chart
            .draw_series(pts.iter().map(|&(i, p)| {
                let colour = match colour_values {
                    Some(v) => {
                        let [r, g, b] = crate::io::png::viridis((v[i] - c0) / (c1 - c0));
                        RGBColor(r, g, b).to_rgba()
                    }
                    None => base,
                };
                Circle::new(p, 3, colour.filled())
            }))
            .map_err(perr)?;
        if series.len() > 1 {
            drawn
                .label(s.name.clone())
                .legend(move |(x, y)| Circle::new((x, y), 4, base.filled()));
        }
    }
    if series.len() > 1 {
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(perr)?;
    }
    root.present().map_err(perr)?;
    Ok(())
}

/// Scatter plot to `stem.png` and `stem.svg`; `colour_values` (one per point of the first
/// series) colours the points with viridis.
///
/// ```
/// use sednas::plot::{scatter, Series};
/// let dir = std::env::temp_dir().join(format!("sednas-doc-scatter-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let s = Series { name: "cells".into(), points: vec![(1.0, 2.0), (2.0, 3.5)] };
/// scatter(&dir.join("fig"), "title", "x", "y", &[s], Some(&[0.0, 1.0])).unwrap();
/// let png = std::fs::read(dir.join("fig.png")).unwrap();
/// assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
/// assert!(std::fs::read_to_string(dir.join("fig.svg")).unwrap().contains("<svg"));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn scatter(
    stem: &Path,
    title: &str,
    xlabel: &str,
    ylabel: &str,
    series: &[Series],
    colour_values: Option<&[f64]>,
) -> Result<()> {
    render!(stem, |area| draw_scatter(
        area,
        title,
        xlabel,
        ylabel,
        series,
        colour_values
    ))
}

fn draw_bars<DB: DrawingBackend>(
    root: DrawingArea<DB, plotters::coord::Shift>,
    title: &str,
    ylabel: &str,
    labels: &[String],
    values: &[f64],
    errors: Option<&[f64]>,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(perr)?;
    let hi = values
        .iter()
        .zip(errors.unwrap_or(&vec![0.0; values.len()]))
        .map(|(v, e)| if e.is_finite() { v + e } else { *v })
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::max);
    let lo = values
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0f64, f64::min);
    let n = labels.len();
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 22))
        .margin(12)
        .x_label_area_size(110)
        .y_label_area_size(60)
        .build_cartesian_2d(
            (0..n).into_segmented(),
            lo.min(0.0) * 1.1..(hi * 1.1).max(1e-9),
        )
        .map_err(perr)?;
    let labels_owned: Vec<String> = labels.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(n.max(1))
        .x_label_formatter(&move |x| match x {
            SegmentValue::CenterOf(i) => labels_owned.get(*i).cloned().unwrap_or_default(),
            _ => String::new(),
        })
        .x_label_style(
            ("sans-serif", 11)
                .into_font()
                .transform(FontTransform::Rotate90),
        )
        .y_desc(ylabel)
        .label_style(("sans-serif", 12))
        .draw()
        .map_err(perr)?;
    chart
        .draw_series(
            values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, &v)| {
                    let mut r = Rectangle::new(
                        [
                            (SegmentValue::Exact(i), 0.0),
                            (SegmentValue::Exact(i + 1), v),
                        ],
                        Palette99::pick(0).filled(),
                    );
                    r.set_margin(0, 0, 6, 6);
                    r
                }),
        )
        .map_err(perr)?;
    if let Some(e) = errors {
        chart
            .draw_series(
                values
                    .iter()
                    .zip(e)
                    .enumerate()
                    .filter(|(_, (v, e))| v.is_finite() && e.is_finite())
                    .map(|(i, (&v, &e))| {
                        PathElement::new(
                            vec![
                                (SegmentValue::CenterOf(i), v - e),
                                (SegmentValue::CenterOf(i), v + e),
                            ],
                            BLACK.stroke_width(2),
                        )
                    }),
            )
            .map_err(perr)?;
    }
    root.present().map_err(perr)?;
    Ok(())
}

/// Bar chart (optional ± error bars) to `stem.png` and `stem.svg`. A bar whose value is
/// not finite is not drawn; an error that is not finite (an undefined standard deviation)
/// draws no error bar and does not stretch the axis.
///
/// ```
/// let dir = std::env::temp_dir().join(format!("sednas-doc-bars-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let labels = ["a".to_string(), "b".to_string()];
/// sednas::plot::bars(&dir.join("acc"), "t", "accuracy", &labels, &[0.8, 0.9], Some(&[0.01, f64::NAN])).unwrap();
/// assert_eq!(&std::fs::read(dir.join("acc.png")).unwrap()[..4], b"\x89PNG");
/// assert!(dir.join("acc.svg").is_file());
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn bars(
    stem: &Path,
    title: &str,
    ylabel: &str,
    labels: &[String],
    values: &[f64],
    errors: Option<&[f64]>,
) -> Result<()> {
    render!(stem, |area| draw_bars(
        area, title, ylabel, labels, values, errors
    ))
}
