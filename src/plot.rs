//! Figures (PNG and SVG, drawn with plotters; the font is vendored in `assets/`).
//! Every figure is written atomically (temporary file, then rename).
//!
//! Every figure stands alone: axis titles (with units where the quantity has them), a
//! colour bar with its label and units wherever colour encodes a value (value-coloured
//! scatters, heatmaps), and a [`Caption`] line under the plot naming the data file, n, the
//! estimator (where an entropy is shown) and the command that drew it.

use std::path::Path;
use std::sync::Once;

use ndarray::ArrayView3;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::error::{Error, Result};
use crate::io::png::viridis;

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

/// Width of a scatter figure and the height of its plot (the caption adds lines below).
const FIG_W: u32 = 900;
const FIG_H: u32 = 600;
/// Width of the colour-bar strip at the right of a figure.
pub const COLOUR_BAR_W: u32 = 130;
const CAPTION_FONT: u32 = 13;
const CAPTION_LINE: u32 = 18;
const CAPTION_PAD: u32 = 10;

fn font(size: u32) -> TextStyle<'static> {
    ("sans-serif", size).into_font().into()
}

/// Runs the drawing expression once on a bitmap (`stem.png`, via a temporary file and a
/// rename) and once on an SVG string (`stem.svg`, written atomically).
macro_rules! render {
    ($stem:expr, $size:expr, |$area:ident| $draw:expr) => {{
        register_font();
        let png = $stem.with_extension("png");
        let tmp = $stem.with_extension("tmp.png");
        {
            let $area = BitMapBackend::new(&tmp, $size).into_drawing_area();
            $draw?;
        }
        std::fs::rename(&tmp, &png).map_err(|e| Error::io(&png, e))?;
        let mut svg = String::new();
        {
            let $area = SVGBackend::with_string(&mut svg, $size).into_drawing_area();
            $draw?;
        }
        crate::io::write_atomic(&$stem.with_extension("svg"), svg.as_bytes())
    }};
}

fn perr(e: impl std::fmt::Display) -> Error {
    Error::param("plot", e.to_string())
}

/// The line under a figure that says where it came from: the data file, n (with its unit:
/// cells, runs, windows...), the estimator where an entropy is shown, and the command that
/// drew it. Drawn in small type, wrapped at the figure's width, never clipped (the figure
/// grows by the lines it needs).
///
/// ```
/// use sednas::plot::Caption;
/// let c = Caption::new("runs.csv", "36 runs", "sednas experiment net-ablation")
///     .estimator("exact H1, 3×3×1 windows per channel");
/// assert_eq!(
///     c.text(),
///     "data: runs.csv · n = 36 runs · estimator: exact H1, 3×3×1 windows per channel · command: sednas experiment net-ablation"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caption {
    /// The data file(s) the figure was drawn from.
    pub data: String,
    /// How many things are shown, with their unit ("15625 cells", "2 seeds").
    pub n: String,
    /// The estimator of the entropy the figure shows (none where no entropy is shown).
    pub estimator: Option<String>,
    /// The command that drew the figure.
    pub command: String,
}

impl Caption {
    /// A caption without an estimator.
    pub fn new(data: impl Into<String>, n: impl Into<String>, command: impl Into<String>) -> Self {
        Caption {
            data: data.into(),
            n: n.into(),
            estimator: None,
            command: command.into(),
        }
    }

    /// The same caption naming the entropy estimator.
    pub fn estimator(mut self, e: impl Into<String>) -> Self {
        self.estimator = Some(e.into());
        self
    }

    fn parts(&self) -> Vec<String> {
        let mut v = vec![format!("data: {}", self.data), format!("n = {}", self.n)];
        if let Some(e) = &self.estimator {
            v.push(format!("estimator: {e}"));
        }
        v.push(format!("command: {}", self.command));
        v
    }

    /// The caption on one line.
    pub fn text(&self) -> String {
        self.parts().join(" · ")
    }

    /// The caption's lines at `width` pixels: its parts joined with " · " while they fit,
    /// a part too wide on its own broken at spaces (a word wider than a line, at a
    /// character).
    fn lines(&self, width: u32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut cur = String::new();
        for part in self.parts() {
            for piece in break_to_fit(&part, width, CAPTION_FONT) {
                let joined = if cur.is_empty() {
                    piece.clone()
                } else {
                    format!("{cur} · {piece}")
                };
                if cur.is_empty() || text_width(&joined, CAPTION_FONT) <= width {
                    cur = joined;
                } else {
                    lines.push(std::mem::replace(&mut cur, piece));
                }
            }
        }
        if !cur.is_empty() {
            lines.push(cur);
        }
        lines
    }
}

/// Width in pixels of `s` in the vendored font at `size`.
fn text_width(s: &str, size: u32) -> u32 {
    register_font();
    ("sans-serif", size)
        .into_font()
        .box_size(s)
        .map(|b| b.0)
        .unwrap_or(s.chars().count() as u32 * size * 6 / 10)
}

/// `s` broken into pieces no wider than `width` (at spaces; a word wider than a line is
/// broken between characters).
fn break_to_fit(s: &str, width: u32, size: u32) -> Vec<String> {
    if text_width(s, size) <= width {
        return vec![s.to_string()];
    }
    let mut out = Vec::new();
    let mut cur = String::new();
    for word in s.split(' ') {
        let joined = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if text_width(&joined, size) <= width {
            cur = joined;
            continue;
        }
        if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        // the word alone: broken between characters while it is too wide
        for ch in word.chars() {
            cur.push(ch);
            if text_width(&cur, size) > width && cur.chars().count() > 1 {
                let last = cur.pop().expect("a character");
                out.push(std::mem::take(&mut cur));
                cur.push(last);
            }
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Height the caption's lines take below a figure.
fn caption_height(lines: &[String]) -> u32 {
    CAPTION_PAD + CAPTION_LINE * lines.len() as u32 + CAPTION_PAD / 2
}

fn draw_caption<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, lines: &[String]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let style = font(CAPTION_FONT).color(&RGBColor(60, 60, 60));
    for (k, l) in lines.iter().enumerate() {
        area.draw_text(
            l,
            &style,
            (
                CAPTION_PAD as i32,
                (CAPTION_PAD / 2 + CAPTION_LINE * k as u32) as i32,
            ),
        )
        .map_err(perr)?;
    }
    Ok(())
}

/// The title and axis titles of a figure. Axis titles carry units where the quantity has
/// them ("test accuracy (%)", "#params (M)"); a dimensionless score says so.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    /// Title over the figure.
    pub title: &'a str,
    /// x-axis title.
    pub x: &'a str,
    /// y-axis title.
    pub y: &'a str,
}

/// Colour encoding a value: one value per point (of the first series of a scatter) and the
/// colour bar's label, with units ("test accuracy (%)").
#[derive(Debug, Clone, Copy)]
pub struct ColourBar<'a> {
    /// The values (viridis over their finite range; a non-finite value is drawn black).
    pub values: &'a [f64],
    /// The colour bar's label, with units.
    pub label: &'a str,
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

/// The finite range of colour values, exactly (no padding); a single value gets ± 0.5 so
/// that the bar has a scale, no finite value gives (0, 1).
fn colour_range<'a>(v: impl IntoIterator<Item = &'a f64>) -> (f64, f64) {
    let (lo, hi) = v
        .into_iter()
        .filter(|x| x.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if !lo.is_finite() {
        (0.0, 1.0)
    } else if hi > lo {
        (lo, hi)
    } else {
        (lo - 0.5, hi + 0.5)
    }
}

fn colour_of(v: f64, (lo, hi): (f64, f64)) -> RGBColor {
    if !v.is_finite() {
        return RGBColor(0, 0, 0);
    }
    let [r, g, b] = viridis((v - lo) / (hi - lo));
    RGBColor(r, g, b)
}

/// A vertical colour bar in `area` (a strip [`COLOUR_BAR_W`] wide): the gradient from `lo`
/// (bottom) to `hi` (top), its scale on the right and `label` along it. `top` and `bottom`
/// are the margins that align it with the plot beside it.
fn draw_colour_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    (lo, hi): (f64, f64),
    label: &str,
    top: u32,
    bottom: u32,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut chart = ChartBuilder::on(area)
        .margin_top(top)
        .margin_bottom(bottom)
        .margin_left(14)
        .margin_right(4)
        .set_label_area_size(LabelAreaPosition::Right, 84)
        .build_cartesian_2d(0f64..1f64, lo..hi)
        .map_err(perr)?;
    // the gradient, one pixel row at a time: the bottom row viridis(0), the top viridis(1)
    let area = chart.plotting_area().strip_coord_spec();
    let (xr, yr) = area.get_pixel_range();
    let (bw, bh) = (xr.len() as i32, yr.len());
    for row in 0..bh {
        let t = if bh > 1 {
            (bh - 1 - row) as f64 / (bh - 1) as f64
        } else {
            0.5
        };
        let [r, g, b] = viridis(t);
        area.draw(&Rectangle::new(
            [(0, row as i32), (bw, row as i32 + 1)],
            RGBColor(r, g, b).filled(),
        ))
        .map_err(perr)?;
    }
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_labels(6)
        .y_desc(label)
        .label_style(font(13))
        .axis_desc_style(font(14))
        .draw()
        .map_err(perr)?;
    Ok(())
}

fn draw_scatter<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels<'_>,
    series: &[Series],
    colour: Option<&ColourBar<'_>>,
    caption: &[String],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(perr)?;
    let (body, foot) = root.split_vertically(FIG_H);
    draw_caption(&foot, caption)?;
    let body = body.titled(labels.title, font(22)).map_err(perr)?;
    let (plot, bar) = match colour {
        Some(_) => {
            let (p, b) = body.split_horizontally(FIG_W - COLOUR_BAR_W);
            (p, Some(b))
        }
        None => (body, None),
    };
    let pts = series
        .iter()
        .flat_map(|s| s.points.iter().copied())
        .filter(|p| p.0.is_finite() && p.1.is_finite());
    let (x0, x1) = range(pts.clone().map(|p| p.0));
    let (y0, y1) = range(pts.map(|p| p.1));
    let (margin, x_area) = (12, 50);
    let mut chart = ChartBuilder::on(&plot)
        .margin(margin)
        .x_label_area_size(x_area)
        .y_label_area_size(75)
        .build_cartesian_2d(x0..x1, y0..y1)
        .map_err(perr)?;
    chart
        .configure_mesh()
        .x_desc(labels.x)
        .y_desc(labels.y)
        .label_style(font(14))
        .axis_desc_style(font(15))
        .draw()
        .map_err(perr)?;
    let crange = colour.map(|c| colour_range(c.values));
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
                let fill = match (colour, crange) {
                    (Some(c), Some(r)) if k == 0 => {
                        colour_of(c.values.get(i).copied().unwrap_or(f64::NAN), r).to_rgba()
                    }
                    _ => base,
                };
                Circle::new(p, 3, fill.filled())
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
            .label_font(font(13))
            .draw()
            .map_err(perr)?;
    }
    if let (Some(bar), Some(c), Some(r)) = (bar, colour, crange) {
        draw_colour_bar(&bar, r, c.label, margin, margin + x_area)?;
    }
    root.present().map_err(perr)?;
    Ok(())
}

/// Scatter plot to `stem.png` and `stem.svg`, with axis titles, a caption line under it
/// and, when `colour` is given, the points of the first series coloured by its values
/// (viridis over their finite range) and a colour bar labelled with its label.
///
/// # Errors
/// [`Error::Io`] for a figure that cannot be written; a drawing failure of the backend.
///
/// ```
/// use sednas::plot::{scatter, Caption, ColourBar, Labels, Series};
/// let dir = std::env::temp_dir().join(format!("sednas-doc-scatter-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let s = Series { name: "cells".into(), points: vec![(1.0, 2.0), (2.0, 3.5)] };
/// let labels = Labels { title: "title", x: "#params (M)", y: "SED" };
/// let bar = ColourBar { values: &[0.0, 1.0], label: "test accuracy (%)" };
/// let cap = Caption::new("cells.csv", "2 cells", "sednas experiment demo");
/// scatter(&dir.join("fig"), &labels, &[s], Some(&bar), &cap).unwrap();
/// let png = std::fs::read(dir.join("fig.png")).unwrap();
/// assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
/// let svg = std::fs::read_to_string(dir.join("fig.svg")).unwrap();
/// assert!(svg.contains("<svg") && svg.contains("test accuracy (%)") && svg.contains("cells.csv"));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn scatter(
    stem: &Path,
    labels: &Labels<'_>,
    series: &[Series],
    colour: Option<&ColourBar<'_>>,
    caption: &Caption,
) -> Result<()> {
    let lines = caption.lines(FIG_W - 2 * CAPTION_PAD);
    let size = (FIG_W, FIG_H + caption_height(&lines));
    render!(stem, size, |area| draw_scatter(
        area, labels, series, colour, &lines
    ))
}

/// Bars are drawn on an integer axis of tenths: bar i is centred at 10·i.
const SLOT: i32 = 10;

fn draw_bars<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    labels: &Labels<'_>,
    names: &[String],
    values: &[f64],
    errors: Option<&[(f64, f64)]>,
    caption: &[String],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(perr)?;
    let (body, foot) = root.split_vertically(FIG_H);
    draw_caption(&foot, caption)?;
    let body = body.titled(labels.title, font(22)).map_err(perr)?;
    let finite_err = |i: usize| {
        errors
            .and_then(|e| e.get(i).copied())
            .filter(|(a, b)| a.is_finite() && b.is_finite())
    };
    let ends = values
        .iter()
        .copied()
        .chain(
            (0..values.len())
                .filter_map(finite_err)
                .flat_map(|(a, b)| [a, b]),
        )
        .filter(|x| x.is_finite());
    let hi = ends.clone().fold(0.0f64, f64::max);
    let lo = ends.fold(0.0f64, f64::min);
    let n = names.len().max(1) as i32;
    let mut chart = ChartBuilder::on(&body)
        .margin(12)
        .x_label_area_size(50)
        .y_label_area_size(75)
        .build_cartesian_2d(
            (-SLOT / 2..n * SLOT - SLOT / 2).with_key_points((0..n).map(|i| i * SLOT).collect()),
            lo * 1.1..(hi * 1.1).max(1e-9),
        )
        .map_err(perr)?;
    let names_owned: Vec<String> = names.to_vec();
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_label_formatter(&move |x| {
            usize::try_from(x.div_euclid(SLOT))
                .ok()
                .and_then(|i| names_owned.get(i).cloned())
                .unwrap_or_default()
        })
        .x_desc(labels.x)
        .y_desc(labels.y)
        .label_style(font(12))
        .axis_desc_style(font(15))
        .draw()
        .map_err(perr)?;
    let half = SLOT * 4 / 10;
    chart
        .draw_series(
            values
                .iter()
                .enumerate()
                .filter(|(_, v)| v.is_finite())
                .map(|(i, &v)| {
                    let c = i as i32 * SLOT;
                    Rectangle::new(
                        [(c - half, 0.0), (c + half, v)],
                        Palette99::pick(0).filled(),
                    )
                }),
        )
        .map_err(perr)?;
    let cap = SLOT / 10;
    for i in 0..values.len() {
        if let Some((a, b)) = finite_err(i) {
            let c = i as i32 * SLOT;
            let style = BLACK.stroke_width(2);
            chart
                .draw_series([
                    PathElement::new(vec![(c, a), (c, b)], style),
                    PathElement::new(vec![(c - cap, a), (c + cap, a)], style),
                    PathElement::new(vec![(c - cap, b), (c + cap, b)], style),
                ])
                .map_err(perr)?;
        }
    }
    root.present().map_err(perr)?;
    Ok(())
}

/// Bar chart to `stem.png` and `stem.svg`, with axis titles and a caption line under it.
/// `errors` are the ends (low, high) of each bar's error bar (say in the axis title or the
/// title what they are: ± sd, min–max, and over how many seeds). A bar whose value is not
/// finite is not drawn; an error bar with a non-finite end (an undefined standard
/// deviation) is not drawn and does not stretch the axis. The figure is widened so that
/// every bar's name fits under it.
///
/// # Errors
/// [`Error::Io`] for a figure that cannot be written; a drawing failure of the backend.
///
/// ```
/// use sednas::plot::{bars, Caption, Labels};
/// let dir = std::env::temp_dir().join(format!("sednas-doc-bars-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let names = ["a".to_string(), "b".to_string()];
/// let labels = Labels { title: "t", x: "configuration", y: "accuracy (fraction)" };
/// let cap = Caption::new("runs.csv", "2 seeds per bar", "sednas experiment demo");
/// bars(&dir.join("acc"), &labels, &names, &[0.8, 0.9], Some(&[(0.79, 0.81), (f64::NAN, f64::NAN)]), &cap).unwrap();
/// assert_eq!(&std::fs::read(dir.join("acc.png")).unwrap()[..4], b"\x89PNG");
/// assert!(std::fs::read_to_string(dir.join("acc.svg")).unwrap().contains("configuration"));
/// std::fs::remove_dir_all(&dir).unwrap();
/// ```
pub fn bars(
    stem: &Path,
    labels: &Labels<'_>,
    names: &[String],
    values: &[f64],
    errors: Option<&[(f64, f64)]>,
    caption: &Caption,
) -> Result<()> {
    let widest = names.iter().map(|s| text_width(s, 12)).max().unwrap_or(0);
    let slot = (widest + 14).max(40);
    let w = FIG_W.max(75 + 24 + slot * names.len() as u32);
    let lines = caption.lines(w - 2 * CAPTION_PAD);
    let size = (w, FIG_H + caption_height(&lines));
    render!(stem, size, |area| draw_bars(
        area, labels, names, values, errors, &lines
    ))
}

/// What a heatmap shows: its title, the label (with units) of the colour bar, and the
/// smallest number of pixels per map entry (larger for small maps, so that every panel is
/// at least [`MIN_PANEL`] pixels across).
#[derive(Debug, Clone, Copy)]
pub struct Heatmap<'a> {
    /// Title over the figure.
    pub title: &'a str,
    /// The colour bar's label, with units ("local H1 (bits)").
    pub value: &'a str,
    /// Pixels per map entry along each axis (at least; see [`MIN_PANEL`]).
    pub scale: usize,
}

/// The smallest width and height, in pixels, of a heatmap panel's map.
pub const MIN_PANEL: usize = 120;
const PANEL_MARGIN: u32 = 8;
const PANEL_LEFT: u32 = 58;
const PANEL_BOTTOM: u32 = 46;
const PANEL_TOP: u32 = 22;
const PANEL_RIGHT: u32 = 12;
const HM_TITLE: u32 = 40;
const HM_MIN_W: u32 = 760;

/// The layout of a heatmap figure: pixels per map entry, panels per row and rows, and the
/// figure's size — counted in u128 and refused past [`MAX_HEATMAP_PIXELS`] before anything
/// is allocated.
///
/// [`MAX_HEATMAP_PIXELS`]: crate::io::png::MAX_HEATMAP_PIXELS
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct HeatmapLayout {
    cell: u32,
    cols: u32,
    rows: u32,
    panel_w: u32,
    panel_h: u32,
    width: u32,
    grid_h: u32,
}

impl HeatmapLayout {
    fn new(h: usize, w: usize, c: usize, scale: usize) -> Result<Self> {
        use crate::io::png::MAX_HEATMAP_PIXELS;
        let too_large = |pixels: u128| Error::TooLarge {
            what: "heatmap pixels (map size × scale², with axes)",
            requested: pixels,
            limit: MAX_HEATMAP_PIXELS as u128,
        };
        let (h, w, c, scale) = (h as u128, w as u128, c as u128, scale.max(1) as u128);
        let cell = scale.max((MIN_PANEL as u128).div_ceil(h.max(w)));
        let (mw, mh) = (w.saturating_mul(cell), h.saturating_mul(cell));
        // the map alone, every channel: past the limit, nothing further is counted
        let bare = mw.saturating_mul(mh).saturating_mul(c);
        if bare > MAX_HEATMAP_PIXELS as u128 {
            return Err(too_large(bare));
        }
        let panel_w = mw + (PANEL_MARGIN + PANEL_LEFT + PANEL_RIGHT) as u128;
        let panel_h = mh + (PANEL_TOP + PANEL_BOTTOM) as u128;
        // at most 8 panels a row, fewer when they are wide (about 1800 pixels a row)
        let cols = (1800 / panel_w).clamp(1, 8).min(c);
        let rows = c.div_ceil(cols);
        let width = (cols * panel_w + COLOUR_BAR_W as u128 + 10).max(HM_MIN_W as u128);
        let grid_h = rows * panel_h;
        // the caption's lines are bounded by the figure's width; four are counted here
        let height = HM_TITLE as u128 + grid_h + (CAPTION_PAD + 4 * CAPTION_LINE) as u128;
        let pixels = width.saturating_mul(height);
        if pixels > MAX_HEATMAP_PIXELS as u128 {
            return Err(too_large(pixels));
        }
        // every quantity is below 2^28 here
        Ok(HeatmapLayout {
            cell: cell as u32,
            cols: cols as u32,
            rows: rows as u32,
            panel_w: panel_w as u32,
            panel_h: panel_h as u32,
            width: width as u32,
            grid_h: grid_h as u32,
        })
    }
}

/// Tick positions (map indices) for an axis of `n` entries: multiples of a step of
/// 1, 2 or 5 × 10^k giving at most 6 ticks.
fn index_ticks(n: usize) -> Vec<usize> {
    let mut decade = 1usize;
    let step = loop {
        if let Some(s) = [1, 2, 5]
            .into_iter()
            .map(|m| decade.saturating_mul(m))
            .find(|&s| n.div_ceil(s) <= 6)
        {
            break s;
        }
        decade = decade.saturating_mul(10);
    };
    (0..n).step_by(step).collect()
}

fn draw_heatmap<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    map: ArrayView3<'_, f64>,
    spec: &Heatmap<'_>,
    layout: &HeatmapLayout,
    caption: &[String],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (h, w, c) = map.dim();
    root.fill(&WHITE).map_err(perr)?;
    let (top, foot) = root.split_vertically(HM_TITLE + layout.grid_h);
    draw_caption(&foot, caption)?;
    let body = top.titled(spec.title, font(20)).map_err(perr)?;
    let (grid, rest) = body.split_horizontally(layout.cols * layout.panel_w);
    let (bar, _) = rest.split_horizontally(COLOUR_BAR_W);
    let range = colour_range(map.iter());
    let cell = layout.cell as i32;
    // pixel-coordinate axes in tenths of an entry: entry j spans [10j − 5, 10j + 5)
    let xt: Vec<i32> = index_ticks(w).into_iter().map(|j| j as i32 * 10).collect();
    let yt: Vec<i32> = index_ticks(h).into_iter().map(|i| i as i32 * 10).collect();
    let (mut map_top, mut map_bottom) = (0i32, 0i32);
    for ch in 0..c {
        let (col, row) = (ch as u32 % layout.cols, ch as u32 / layout.cols);
        let panel = grid.clone().shrink(
            (col * layout.panel_w, row * layout.panel_h),
            (layout.panel_w, layout.panel_h),
        );
        panel
            .draw_text(
                &format!("channel {ch}"),
                &font(13).pos(Pos::new(HPos::Center, VPos::Top)),
                (
                    (PANEL_MARGIN
                        + PANEL_LEFT
                        + (layout.panel_w - PANEL_MARGIN - PANEL_LEFT - PANEL_RIGHT) / 2)
                        as i32,
                    4,
                ),
            )
            .map_err(perr)?;
        let mut chart = ChartBuilder::on(&panel)
            .margin_top(PANEL_TOP)
            .margin_left(PANEL_MARGIN)
            .margin_right(PANEL_RIGHT)
            .x_label_area_size(PANEL_BOTTOM)
            .y_label_area_size(PANEL_LEFT)
            .build_cartesian_2d(
                (-5..w as i32 * 10 - 5).with_key_points(xt.clone()),
                (h as i32 * 10 - 5..-5).with_key_points(yt.clone()),
            )
            .map_err(perr)?;
        // the map, pixel for pixel, in the plotting area's own pixels
        let area = chart.plotting_area().strip_coord_spec();
        let (xr, yr) = area.get_pixel_range();
        debug_assert_eq!(
            (xr.len(), yr.len()),
            (w * cell as usize, h * cell as usize),
            "the plotting area is the map's size"
        );
        if ch == 0 {
            map_top = yr.start;
        }
        map_bottom = map_bottom.max(yr.end);
        for i in 0..h {
            for j in 0..w {
                let (x, y) = (j as i32 * cell, i as i32 * cell);
                area.draw(&Rectangle::new(
                    [(x, y), (x + cell, y + cell)],
                    colour_of(map[[i, j, ch]], range).filled(),
                ))
                .map_err(perr)?;
            }
        }
        let last_row = row + 1 == layout.rows || ch + layout.cols as usize >= c;
        let mut mesh = chart.configure_mesh();
        mesh.disable_mesh()
            .x_label_formatter(&|x| (x / 10).to_string())
            .y_label_formatter(&|y| (y / 10).to_string())
            .label_style(font(11))
            .axis_desc_style(font(12));
        if last_row {
            mesh.x_desc("map column (px)");
        }
        if col == 0 {
            mesh.y_desc("map row (px)");
        }
        mesh.draw().map_err(perr)?;
    }
    // the bar spans the maps, from the top of the first row to the bottom of the last
    let (_, bar_y) = bar.get_pixel_range();
    let bottom = (bar_y.end - map_bottom).max(0) as u32;
    draw_colour_bar(
        &bar,
        range,
        spec.value,
        (map_top - bar_y.start).max(0) as u32,
        bottom,
    )?;
    if map.iter().any(|v| !v.is_finite()) {
        bar.draw_text(
            "black: −∞ (not finite)",
            &font(11),
            (4, (bar_y.len() as u32 - bottom + 8) as i32),
        )
        .map_err(perr)?;
    }
    root.present().map_err(perr)?;
    Ok(())
}

/// Renders an `h×w×c` map as a heatmap figure (PNG bytes): one panel per channel with
/// pixel-coordinate axes (map column and row, row 0 at the top), viridis over the map's
/// finite range with a colour bar labelled `spec.value` (with units), the title, and the
/// caption line. Each map entry is `spec.scale` pixels square (more for a small map: a
/// panel is at least [`MIN_PANEL`] pixels across). A value that is not finite (−∞) is drawn
/// black and a note under the colour bar says so. A figure past 2^28 pixels is refused before anything
/// is allocated.
///
/// # Errors
/// [`Error::Empty`] for an empty map; [`Error::TooLarge`] for a figure past its pixel limit
/// (refused before allocating); a drawing failure of the backend.
///
/// ```
/// use sednas::plot::{heatmap_png, Caption, Heatmap};
/// let m = ndarray::Array3::from_shape_fn((2, 2, 1), |(i, j, _)| (i + j) as f64);
/// let spec = Heatmap { title: "t", value: "local H1 (bits)", scale: 4 };
/// let cap = Caption::new("img.png", "4 windows", "sednas entropy img.png --heatmap h.png")
///     .estimator("exact H1, 3×3×1 windows");
/// let png = heatmap_png(m.view(), &spec, &cap).unwrap();
/// assert_eq!(&png[..4], b"\x89PNG");
/// // a scale that would make a heatmap past 2^28 pixels is refused before allocating
/// let big = Heatmap { scale: 1 << 20, ..spec };
/// assert!(matches!(
///     heatmap_png(m.view(), &big, &cap),
///     Err(sednas::error::Error::TooLarge { .. })
/// ));
/// assert!(heatmap_png(m.view(), &Heatmap { scale: usize::MAX, ..spec }, &cap).is_err());
/// ```
pub fn heatmap_png(
    map: ArrayView3<'_, f64>,
    spec: &Heatmap<'_>,
    caption: &Caption,
) -> Result<Vec<u8>> {
    let (h, w, c) = map.dim();
    if h == 0 || w == 0 || c == 0 {
        return Err(Error::Empty {
            what: "heatmap",
            shape: vec![h, w, c],
        });
    }
    let layout = HeatmapLayout::new(h, w, c, spec.scale)?;
    let lines = caption.lines(layout.width - 2 * CAPTION_PAD);
    let height = HM_TITLE + layout.grid_h + caption_height(&lines);
    let pixels = layout.width as u128 * height as u128;
    if pixels > crate::io::png::MAX_HEATMAP_PIXELS as u128 {
        return Err(Error::TooLarge {
            what: "heatmap pixels (map size × scale², with axes)",
            requested: pixels,
            limit: crate::io::png::MAX_HEATMAP_PIXELS as u128,
        });
    }
    register_font();
    let mut rgb = vec![255u8; pixels as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (layout.width, height)).into_drawing_area();
        draw_heatmap(root, map, spec, &layout, &lines)?;
    }
    crate::io::png::encode_rgb(layout.width, height, &rgb)
}

/// The windows of an entropy map as a caption names them: `3×3×1 windows (w×h×c, one
/// channel each), stride 1×1×1, crop border`.
///
/// ```
/// use sednas::window::{Border, Kernel, Stride, WindowSpec};
/// let spec = WindowSpec::new(Kernel::square(3).unwrap(), Stride::unit(), Border::Crop);
/// assert_eq!(
///     sednas::plot::windows_text(&spec),
///     "3×3×1 windows (w×h×c, one channel each), stride 1×1×1, crop border"
/// );
/// let spec = WindowSpec::new(Kernel::new(5, 3, 3).unwrap(), Stride::unit(), Border::Zero);
/// assert_eq!(
///     sednas::plot::windows_text(&spec),
///     "5×3×3 windows (w×h×c), stride 1×1×1, zero border"
/// );
/// ```
pub fn windows_text(spec: &crate::window::WindowSpec) -> String {
    let k = spec.kernel;
    let s = spec.stride;
    format!(
        "{}×{}×{} windows (w×h×c{}), stride {}×{}×{}, {} border",
        k.kw(),
        k.kh(),
        k.kc(),
        if k.kc() == 1 {
            ", one channel each"
        } else {
            ""
        },
        s.sw(),
        s.sh(),
        s.sc(),
        spec.border
    )
}

/// The `sednas entropy --heatmap` figure of a local-entropy map read from `file`: a panel per
/// channel with pixel axes, a colour bar in bits (H2 when `gaussian`, else H1) and a caption
/// naming the file, the windows and the command that made it (`estimator`: its text as given).
///
/// # Errors
/// As [`heatmap_png`] (a figure past its pixel limit is refused before allocating).
pub fn entropy_map_figure(
    file: &Path,
    values: ndarray::ArrayView3<'_, f64>,
    spec: &crate::window::WindowSpec,
    estimator: &str,
    gaussian: bool,
    heatmap: &Path,
) -> Result<Vec<u8>> {
    let what = if gaussian {
        "local H2 (bits)"
    } else {
        "local H1 (bits)"
    };
    let caption = Caption::new(
        file.display().to_string(),
        format!("{} windows", values.len()),
        format!(
            "sednas entropy {} --kernel {} --stride {} --border {} --estimator {estimator} --heatmap {}",
            file.display(),
            spec.kernel,
            spec.stride,
            spec.border,
            heatmap.display()
        ),
    )
    .estimator(format!("{estimator}, {}", windows_text(spec)));
    let fig = Heatmap {
        title: &format!("{what} of {}", file.display()),
        value: what,
        scale: 4,
    };
    heatmap_png(values, &fig, &caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("sednas-plot-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    /// Pixels (x, y) of `img` (h×w×3) equal to `rgb` with x in `xs`.
    fn find(
        img: &ndarray::Array3<u8>,
        xs: std::ops::Range<usize>,
        rgb: [u8; 3],
    ) -> Vec<(usize, usize)> {
        let (h, _, _) = img.dim();
        let mut v = Vec::new();
        for y in 0..h {
            for x in xs.clone() {
                if [img[[y, x, 0]], img[[y, x, 1]], img[[y, x, 2]]] == rgb {
                    v.push((x, y));
                }
            }
        }
        v
    }

    /// The colour bar in a strip: viridis(1) (top) above viridis(0) (bottom), each a
    /// block of pixels.
    fn assert_bar(img: &ndarray::Array3<u8>, xs: std::ops::Range<usize>) {
        let top = find(img, xs.clone(), viridis(1.0));
        let bottom = find(img, xs, viridis(0.0));
        assert!(
            top.len() > 20 && bottom.len() > 20,
            "no colour bar: {} / {} pixels",
            top.len(),
            bottom.len()
        );
        let max_top = top.iter().map(|p| p.1).max().unwrap();
        let min_bottom = bottom.iter().map(|p| p.1).min().unwrap();
        assert!(
            max_top < min_bottom,
            "the bar runs from low (bottom) to high (top)"
        );
    }

    /// Text elements of an SVG (their contents).
    fn svg_texts(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let start = t.find('>')? + 1;
                let end = t.find("</text>")?;
                Some(t[start..end].trim().to_string())
            })
            .collect()
    }

    // A value-coloured scatter draws a colour bar with its label (units), both axis titles
    // and the caption; the caption's strip under the plot is not blank (not clipped).
    #[test]
    fn scatter_draws_colour_bar_labels_and_caption() {
        let dir = tmp("scatter");
        let s = Series {
            name: "cells".into(),
            points: vec![(0.1, 1.0), (0.5, 3.0), (1.2, 2.0)],
        };
        let cap = Caption::new(
            "nb201.csv (column cifar10_test)",
            "3 cells",
            "sednas experiment sed-ablation",
        );
        scatter(
            &dir.join("c"),
            &Labels {
                title: "SED vs #params",
                x: "#params (M)",
                y: "SED (dimensionless score)",
            },
            std::slice::from_ref(&s),
            Some(&ColourBar {
                values: &[70.0, 90.0, 80.0],
                label: "cifar10_test accuracy (%)",
            }),
            &cap,
        )
        .unwrap();
        let img = crate::io::png::read_png(&dir.join("c.png")).unwrap();
        let (h, w, _) = img.dim();
        assert_eq!(w, FIG_W as usize);
        assert!(h > FIG_H as usize);
        assert_bar(&img, (FIG_W - COLOUR_BAR_W) as usize..w);
        // the caption strip holds text (dark pixels)
        let dark = (FIG_H as usize..h)
            .flat_map(|y| (0..w).map(move |x| (x, y)))
            .filter(|&(x, y)| img[[y, x, 0]] < 128)
            .count();
        assert!(dark > 100, "caption strip is blank");
        let svg = std::fs::read_to_string(dir.join("c.svg")).unwrap();
        let texts = svg_texts(&svg);
        for want in [
            "cifar10_test accuracy (%)",
            "#params (M)",
            "SED (dimensionless score)",
            "SED vs #params",
            &cap.text(),
        ] {
            assert!(
                texts.iter().any(|t| t == want),
                "{want:?} not among {texts:?}"
            );
        }
        // without colour values: no bar
        scatter(
            &dir.join("p"),
            &Labels {
                title: "t",
                x: "x (s)",
                y: "y (m)",
            },
            &[s],
            None,
            &cap,
        )
        .unwrap();
        let img = crate::io::png::read_png(&dir.join("p.png")).unwrap();
        assert!(
            find(
                &img,
                (FIG_W - COLOUR_BAR_W) as usize..FIG_W as usize,
                viridis(1.0)
            )
            .is_empty()
        );
        let texts = svg_texts(&std::fs::read_to_string(dir.join("p.svg")).unwrap());
        assert!(texts.iter().any(|t| t == "x (s)") && texts.iter().any(|t| t == "y (m)"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    // A heatmap: a panel per channel with pixel axes (titles on the bottom row and the
    // first column), a colour bar labelled with its units right of the panels, the caption,
    // and a non-finite entry drawn black with the bar saying so.
    #[test]
    fn heatmap_draws_axes_colour_bar_and_caption() {
        let mut m = ndarray::Array3::from_shape_fn((3, 4, 2), |(i, j, c)| (i * 4 + j + c) as f64);
        m[[0, 0, 1]] = f64::NEG_INFINITY;
        let spec = Heatmap {
            title: "Local H1 of layer stem",
            value: "local H1 (bits)",
            scale: 4,
        };
        let cap = Caption::new(
            "img.png",
            "24 windows",
            "sednas entropy img.png --heatmap h.png",
        )
        .estimator("exact, 3×3×1 windows");
        let png = heatmap_png(m.view(), &spec, &cap).unwrap();
        let img = crate::io::png::decode_png(&png, "mem").unwrap();
        let layout = HeatmapLayout::new(3, 4, 2, 4).unwrap();
        assert_eq!(layout.cell, 30); // a 4-entry axis drawn at least 120 pixels
        assert_eq!((layout.cols, layout.rows), (2, 1));
        let (h, w, _) = img.dim();
        assert_eq!(w, layout.width as usize);
        let grid_w = (layout.cols * layout.panel_w) as usize;
        assert_bar(&img, grid_w..w);
        // the map: 30×30 blocks, the −∞ entry black
        assert!(find(&img, 0..grid_w, [0, 0, 0]).len() >= 30 * 30);
        assert!(h > (HM_TITLE + layout.grid_h) as usize);
        // the same figure as SVG: its text elements
        let lines = cap.lines(layout.width - 2 * CAPTION_PAD);
        let height = HM_TITLE + layout.grid_h + caption_height(&lines);
        let mut svg = String::new();
        {
            register_font();
            let root =
                SVGBackend::with_string(&mut svg, (layout.width, height)).into_drawing_area();
            draw_heatmap(root, m.view(), &spec, &layout, &lines).unwrap();
        }
        let texts = svg_texts(&svg);
        for want in [
            "local H1 (bits)",
            "black: −∞ (not finite)",
            "map column (px)",
            "map row (px)",
            "channel 0",
            "channel 1",
            "Local H1 of layer stem",
        ] {
            assert!(
                texts.iter().any(|t| t == want),
                "{want:?} not among {texts:?}"
            );
        }
        assert!(
            texts
                .iter()
                .any(|t| t.contains("data: img.png") && t.contains("estimator: exact"))
        );
        // pixel-coordinate ticks 0..3 on the x axis
        for j in ["0", "1", "2", "3"] {
            assert!(texts.iter().any(|t| t == j), "tick {j}");
        }
    }

    // Many channels: rows of at most 8 panels; each panel's plotting area is the map's size
    // (a debug assertion in draw_heatmap), and the bar spans the rows.
    #[test]
    fn heatmap_many_channels() {
        let m = ndarray::Array3::from_shape_fn((7, 7, 20), |(i, j, c)| (i * j + c) as f64);
        let spec = Heatmap {
            title: "t",
            value: "local H1 (bits)",
            scale: 4,
        };
        let cap = Caption::new("d", "980 windows", "c");
        let png = heatmap_png(m.view(), &spec, &cap).unwrap();
        let img = crate::io::png::decode_png(&png, "mem").unwrap();
        let layout = HeatmapLayout::new(7, 7, 20, 4).unwrap();
        assert_eq!((layout.cols, layout.rows), (8, 3));
        assert_eq!(img.dim().1, layout.width as usize);
        assert_bar(&img, (layout.cols * layout.panel_w) as usize..img.dim().1);
    }

    // Size limits: refused before allocating, counted in u128.
    #[test]
    fn heatmap_layout_refuses_large() {
        assert!(matches!(
            HeatmapLayout::new(usize::MAX, usize::MAX, usize::MAX, usize::MAX),
            Err(Error::TooLarge { .. })
        ));
        assert!(matches!(
            HeatmapLayout::new(20_000, 20_000, 1, 1),
            Err(Error::TooLarge { .. })
        ));
        let empty = ndarray::Array3::<f64>::zeros((0, 3, 1));
        let spec = Heatmap {
            title: "t",
            value: "v",
            scale: 1,
        };
        assert!(matches!(
            heatmap_png(empty.view(), &spec, &Caption::new("d", "0", "c")),
            Err(Error::Empty { .. })
        ));
    }

    // A caption wider than the figure wraps at its parts (then at spaces, then between
    // characters) and every line fits.
    #[test]
    fn caption_wraps_to_width() {
        let long = "x".repeat(300);
        let c = Caption::new(format!("results/a/b/{long}.csv"), "12 runs", "sednas experiment net-ablation --config experiments/net-ablation/mnist.toml --out results/net-ablation-mnist --replot")
            .estimator("exact H1 (Definition 1) on the post-pool float maps, 3×3×1 windows per channel, stride 1, crop border");
        let lines = c.lines(600);
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(text_width(l, CAPTION_FONT) <= 600, "{l}");
        }
        assert_eq!(
            lines.concat().replace(" · ", "").replace(' ', "").len(),
            c.text().replace(" · ", "").replace(' ', "").len()
        );
    }

    #[test]
    fn index_ticks_are_few_and_round() {
        assert_eq!(index_ticks(1), [0]);
        assert_eq!(index_ticks(4), [0, 1, 2, 3]);
        assert_eq!(index_ticks(7), [0, 2, 4, 6]);
        assert_eq!(index_ticks(26), [0, 5, 10, 15, 20, 25]);
        assert_eq!(index_ticks(512), [0, 100, 200, 300, 400, 500]);
    }

    // Bars: one slot per name (no empty slot after the last), error bars drawn, x title.
    #[test]
    fn bars_have_no_empty_slot() {
        let dir = tmp("bars");
        let names: Vec<String> = ["pool 1", "pool 3", "pool 5"].map(String::from).to_vec();
        bars(
            &dir.join("b"),
            &Labels {
                title: "t",
                x: "max-pool size",
                y: "fraction",
            },
            &names,
            &[0.4, 0.2, 0.3],
            Some(&[(0.35, 0.45), (0.15, 0.25), (f64::NAN, f64::NAN)]),
            &Caption::new("runs.csv", "12 runs per pool", "c"),
        )
        .unwrap();
        let svg = std::fs::read_to_string(dir.join("b.svg")).unwrap();
        let texts = svg_texts(&svg);
        assert!(texts.iter().any(|t| t == "max-pool size"));
        for n in &names {
            assert_eq!(texts.iter().filter(|t| *t == n).count(), 1, "{n}");
        }
        // the last bar ends near the right edge of the plot: its right side is within one
        // slot of the axis end
        let img = crate::io::png::read_png(&dir.join("b.png")).unwrap();
        let bar = Palette99::pick(0).to_rgba();
        let xs: Vec<usize> = find(&img, 0..img.dim().1, [bar.0, bar.1, bar.2])
            .into_iter()
            .map(|p| p.0)
            .collect();
        let right = *xs.iter().max().unwrap();
        assert!(right > FIG_W as usize * 3 / 4, "last bar ends at {right}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
