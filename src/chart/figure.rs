//! A chart as data ([`Figure`]) and the one renderer that draws it as SVG or
//! PNG, so every chart kind shares axes, legend and style.

use std::path::Path;

use crate::units::clock_time;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    AXIS_SIZE, FONT, LABEL_SIZE, LEGEND_WIDTH, MARKER, REFERENCE, SIZE, TITLE_SIZE, register_fonts,
};

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("cannot draw chart {name}: {message}")]
pub struct ChartError {
    /// Chart name.
    pub name: String,
    /// What went wrong.
    pub message: String,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mark {
    /// A solid line (exact theory, measured curves).
    Line,
    /// A dashed line (approximations).
    Dashed,
    /// Filled circles with vertical error bars where given (simulation).
    Points,
    /// Bars of this width (in horizontal units) rising from the axis, with
    /// vertical error bars where given.
    Bars(f64),
    /// Short horizontal strokes of this width (a value over a bar).
    Ticks(f64),
    /// A shaded band between each point's `bar` bounds (an interval along
    /// a curve); the points' own values do not show.
    Band,
}

impl Mark {
    /// When the mark is drawn: bars behind everything, then lines and
    /// strokes, points last so that nothing hides them.
    fn layer(self) -> u8 {
        match self {
            Mark::Bars(_) | Mark::Band => 0,
            Mark::Line | Mark::Dashed | Mark::Ticks(_) => 1,
            Mark::Points => 2,
        }
    }
}

/// One point; `low`/`high` bound an error bar.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// Horizontal position (category index on categorical axes).
    pub x: f64,
    /// Value.
    pub y: f64,
    /// Error bar bounds.
    pub bar: Option<(f64, f64)>,
}

/// A labelled series.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// Colour.
    pub colour: RGBColor,
    /// How it is drawn.
    pub mark: Mark,
    /// The points, by increasing x for lines.
    pub points: Vec<Point>,
}

/// How the axes count and label their ticks (by default: numbers).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axes {
    /// Horizontal values are counts: ticks on whole numbers only.
    pub integer_x: bool,
    /// Vertical values are counts: ticks on whole numbers only.
    pub integer_y: bool,
    /// Horizontal values are hours since midnight: ticks as clock times
    /// (hh:mm, with a day count after the first day).
    pub clock_x: bool,
    /// Horizontal values are percentiles on OMB's log axis: x = log10(1/(1
    /// − q)) for the q-quantile, so 90%, 99%, 99.9% ... fall on whole
    /// numbers; ticks there, labelled as percentiles.
    pub percentile_x: bool,
    /// A quantity shaded behind the series on an axis of its own, on the
    /// right (an arrival rate behind the metrics it drives).
    pub behind: Option<Behind>,
    /// A swept value that stands for no limit, drawn right of the others.
    pub unlimited: Option<Unlimited>,
}

/// Where a sweep's "no limit" point (a prefetch of 0) stands on the
/// horizontal axis: right of the largest other value, labelled
/// `unlimited`; number ticks beyond that value are left blank.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Unlimited {
    /// The largest other swept value.
    pub largest: f64,
    /// The x the point is drawn at.
    pub at: f64,
}

/// A quantity shaded behind a chart's series, with its own axis on the
/// right, from 0.
#[derive(Clone, Debug, PartialEq)]
pub struct Behind {
    /// Axis and legend text.
    pub label: String,
    /// The outline, by increasing x (steps as two points per level).
    pub points: Vec<(f64, f64)>,
}

/// Everything needed to draw one chart.
#[derive(Clone, Debug)]
pub struct Figure {
    /// File stem, e.g. `mean_wait`.
    pub name: String,
    /// Title above the plot.
    pub title: String,
    /// Horizontal axis description.
    pub x_label: String,
    /// Vertical axis description.
    pub y_label: String,
    /// Category names when the horizontal axis is categorical.
    pub categories: Option<Vec<String>>,
    /// Logarithmic vertical axis.
    pub log_y: bool,
    /// Vertical reference lines with their legend text.
    pub markers: Vec<(f64, String)>,
    /// How the ticks count and read.
    pub axes: Axes,
    /// The data.
    pub series: Vec<Series>,
}

impl Figure {
    /// True when the values span more than two decades (then use log y).
    pub fn spans_decades(series: &[Series]) -> bool {
        let positive = series
            .iter()
            .flat_map(|s| &s.points)
            .map(|p| p.y)
            .filter(|y| *y > 0.0 && y.is_finite());
        let (low, high) = positive.fold((f64::INFINITY, 0.0_f64), |(lo, hi), y| {
            (lo.min(y), hi.max(y))
        });
        high > 0.0 && high / low > 100.0
    }

    fn error(&self, message: impl ToString) -> ChartError {
        ChartError {
            name: self.name.clone(),
            message: message.to_string(),
        }
    }

    /// The chart as an SVG document.
    pub fn to_svg(&self) -> Result<String, ChartError> {
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
            self.render(&root)?;
            root.present().map_err(|e| self.error(e))?;
        }
        Ok(svg)
    }

    /// Writes the chart as a PNG file.
    pub fn write_png(&self, path: &Path) -> Result<(), ChartError> {
        let root = BitMapBackend::new(path, SIZE).into_drawing_area();
        self.render(&root)?;
        root.present().map_err(|e| self.error(e))
    }

    fn render<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), ChartError> {
        // Text is measured (SVG) and drawn (PNG) with the bundled font.
        register_fonts();
        root.fill(&WHITE).map_err(|e| self.error(e))?;
        let (plot, legend) = root.split_horizontally(SIZE.0 - LEGEND_WIDTH);
        self.draw_legend(&legend)?;
        let visible = |y: f64| y.is_finite() && (!self.log_y || y > 0.0);
        let xs = self.series.iter().flat_map(|s| &s.points).map(|p| p.x);
        // A band follows its curve and may reach far below it (to 0): it
        // does not stretch the axis, and is cut at its ends.
        let ys = self.series.iter().flat_map(|s| {
            s.points.iter().flat_map(move |p| {
                let (low, high) = p.bar.filter(|_| s.mark != Mark::Band).unwrap_or((p.y, p.y));
                [p.y, low, high]
            })
        });
        let (x_low, x_high) = match &self.categories {
            Some(names) => (-0.5, names.len() as f64 - 0.5),
            None => {
                let behind = self.axes.behind.iter().flat_map(|b| &b.points).map(|p| p.0);
                let markers = self.markers.iter().map(|m| m.0);
                padded(bounds(xs.chain(markers).chain(behind)), false)
            }
        };
        let (low, high) = bounds(ys.filter(|y| visible(*y)));
        if self.log_y {
            let (y_low, y_high) = padded((low, high), true);
            self.draw_plot(&plot, x_low..x_high, (y_low..y_high).log_scale(), visible)
        } else {
            // A linear axis starts at 0 for non-negative data, so pad the
            // span it draws, not the data's own (possibly tiny) spread.
            let (y_low, y_high) = padded((low.min(0.0), high), false);
            let y_low = if low >= 0.0 { 0.0 } else { y_low };
            self.draw_plot(&plot, x_low..x_high, y_low..y_high, visible)
        }
    }

    fn draw_plot<DB, X, Y>(
        &self,
        area: &DrawingArea<DB, Shift>,
        x_spec: X,
        y_spec: Y,
        visible: impl Fn(f64) -> bool,
    ) -> Result<(), ChartError>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        Y: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
        Y::CoordDescType: ValueFormatter<f64>,
    {
        let fail = |e: &dyn std::fmt::Display| self.error(e);
        // Many category names would overlap side by side: turn them upright.
        let upright = self.categories.as_ref().is_some_and(|c| c.len() > 5);
        // Upright names take their longest's length below the axis, then
        // the axis description.
        let label_style = TextStyle::from((FONT, LABEL_SIZE).into_font());
        let longest = self.categories.iter().flatten().map(|name| {
            area.estimate_text_size(name, &label_style)
                .map_or(0, |size| size.0)
        });
        let upright_room = (longest.max().unwrap_or(0) + 44).clamp(80, MAX_UPRIGHT_ROOM);
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, (FONT, TITLE_SIZE))
            .margin(12)
            .x_label_area_size(if upright { upright_room } else { 48 })
            .y_label_area_size(72)
            // Room on the right for the axis of what is shaded behind.
            .margin_right(if self.axes.behind.is_some() { 84 } else { 12 })
            .build_cartesian_2d(x_spec, y_spec)
            .map_err(|e| fail(&e))?;
        let categories = self.categories.clone().unwrap_or_default();
        let category_label = |x: &f64| {
            let index = x.round();
            if (x - index).abs() < 1e-9 && index >= 0.0 {
                categories.get(index as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        };
        let axes = &self.axes;
        let number_label = |x: &f64| {
            if axes
                .unlimited
                .is_some_and(|u| *x > u.largest + 1e-9 * u.at.abs())
            {
                String::new()
            } else if axes.percentile_x {
                percentile_tick(*x)
            } else {
                tick_text(*x, axes.integer_x, axes.clock_x)
            }
        };
        let y_label = |y: &f64| tick_text(*y, axes.integer_y, false);
        let (x_range, y_range) = (chart.x_range(), chart.y_range());
        let mut mesh = chart.configure_mesh();
        if axes.integer_y && !self.log_y {
            mesh.y_labels(whole_ticks(y_range.start, y_range.end));
        }
        mesh.x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .label_style((FONT, LABEL_SIZE))
            .axis_desc_style((FONT, AXIS_SIZE))
            .y_label_formatter(&y_label)
            .light_line_style(WHITE.mix(0.0));
        let no_label = |_: &f64| String::new();
        if upright {
            // Drawn below, starting under the axis (the mesh would centre them on it).
            mesh.x_labels(categories.len().max(1))
                .x_label_formatter(&no_label);
        } else if self.categories.is_some() {
            mesh.x_labels(categories.len().max(1))
                .x_label_formatter(&category_label);
        } else {
            mesh.x_label_formatter(&number_label);
            if axes.integer_x || axes.percentile_x {
                mesh.x_labels(whole_ticks(x_range.start, x_range.end));
            } else if axes.clock_x {
                mesh.x_labels(CLOCK_TICKS);
            }
        }
        mesh.draw().map_err(|e| fail(&e))?;
        if let Some(behind) = &self.axes.behind {
            self.draw_behind(area, &mut chart, behind)?;
        }

        let (y_low, y_high) = {
            let range = chart.y_range();
            (range.start, range.end)
        };
        if upright {
            let style = TextStyle::from((FONT, LABEL_SIZE).into_font())
                .transform(FontTransform::Rotate90)
                .pos(Pos::new(HPos::Left, VPos::Center));
            for (index, name) in categories.iter().enumerate() {
                let (x, y) = chart.backend_coord(&(index as f64, y_low));
                area.draw(&Text::new(name.as_str(), (x, y + 8), style.clone()))
                    .map_err(|e| fail(&e))?;
            }
        }
        if let Some(unlimited) = axes.unlimited {
            let style = TextStyle::from((FONT, LABEL_SIZE).into_font())
                .pos(Pos::new(HPos::Center, VPos::Top));
            let (x, y) = chart.backend_coord(&(unlimited.at, y_low));
            area.draw(&Text::new("unlimited", (x, y + 6), style))
                .map_err(|e| fail(&e))?;
        }
        for (x, _) in &self.markers {
            let style = MARKER.stroke_width(2);
            chart
                .draw_series(DashedLineSeries::new(
                    [(*x, y_low), (*x, y_high)],
                    6,
                    4,
                    style,
                ))
                .map_err(|e| fail(&e))?;
        }
        let mut layered: Vec<&Series> = self.series.iter().collect();
        layered.sort_by_key(|s| s.mark.layer());
        for series in layered {
            let points: Vec<&Point> = series.points.iter().filter(|p| visible(p.y)).collect();
            let style = series.colour.stroke_width(2);
            // A line stops where a value is missing (not-a-number, or not
            // positive on a log axis) and starts again after it.
            let mut runs = series
                .points
                .split(|p| !visible(p.y))
                .filter(|run| !run.is_empty());
            let error_bars = || {
                points.iter().filter_map(|p| {
                    let (low, high) = p.bar?;
                    (visible(low) && visible(high))
                        .then(|| ErrorBar::new_vertical(p.x, low, p.y, high, style, 10))
                })
            };
            let drawn = match series.mark {
                Mark::Band => {
                    let clamp = |y: f64| {
                        if visible(y) {
                            y.clamp(y_low, y_high)
                        } else {
                            y_low
                        }
                    };
                    let edges: Vec<(f64, f64, f64)> = series
                        .points
                        .iter()
                        .filter_map(|p| p.bar.map(|(low, high)| (p.x, clamp(low), clamp(high))))
                        .collect();
                    let outline: Vec<(f64, f64)> = edges
                        .iter()
                        .map(|&(x, _, high)| (x, high))
                        .chain(edges.iter().rev().map(|&(x, low, _)| (x, low)))
                        .collect();
                    chart
                        .draw_series(std::iter::once(Polygon::new(
                            outline,
                            series.colour.mix(0.2).filled(),
                        )))
                        .map(|_| ())
                }
                Mark::Bars(width) => {
                    // From the axis: 0, or the bottom of a log axis.
                    let base = if self.log_y { y_low } else { y_low.max(0.0) };
                    let fill = series.colour.mix(0.55).filled();
                    let rectangles = points.iter().map(|p| {
                        Rectangle::new([(p.x - width / 2.0, base), (p.x + width / 2.0, p.y)], fill)
                    });
                    let drawn_rectangles = chart.draw_series(rectangles).map(|_| ());
                    drawn_rectangles.and_then(|()| chart.draw_series(error_bars()).map(|_| ()))
                }
                Mark::Ticks(width) => {
                    let strokes = points.iter().map(|p| {
                        PathElement::new(
                            vec![(p.x - width / 2.0, p.y), (p.x + width / 2.0, p.y)],
                            series.colour.stroke_width(3),
                        )
                    });
                    chart.draw_series(strokes).map(|_| ())
                }
                Mark::Line => runs.try_for_each(|run| {
                    let line = run.iter().map(|p| (p.x, p.y));
                    chart.draw_series(LineSeries::new(line, style)).map(|_| ())
                }),
                Mark::Dashed => runs.try_for_each(|run| {
                    let line = run.iter().map(|p| (p.x, p.y));
                    chart
                        .draw_series(DashedLineSeries::new(line, 8, 5, style))
                        .map(|_| ())
                }),
                Mark::Points => {
                    let drawn_bars = chart.draw_series(error_bars()).map(|_| ());
                    drawn_bars.and_then(|()| {
                        let dots = points
                            .iter()
                            .map(|p| Circle::new((p.x, p.y), 4, series.colour.filled()));
                        chart.draw_series(dots).map(|_| ())
                    })
                }
            };
            drawn.map_err(|e| fail(&e))?;
        }
        Ok(())
    }

    /// Shades `behind` under the series, scaled so its axis (drawn on the
    /// right, from 0) spans the plot's height.
    fn draw_behind<DB, X, Y>(
        &self,
        area: &DrawingArea<DB, Shift>,
        chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
        behind: &Behind,
    ) -> Result<(), ChartError>
    where
        DB: DrawingBackend,
        X: Ranged<ValueType = f64>,
        Y: Ranged<ValueType = f64>,
    {
        let fail = |e: &dyn std::fmt::Display| self.error(e);
        let (x_range, y_range) = (chart.x_range(), chart.y_range());
        let peak = behind.points.iter().map(|p| p.1).fold(0.0, f64::max);
        if self.log_y || !(peak > 0.0 && peak.is_finite()) {
            return Ok(());
        }
        let step = nice_step(peak / 4.0);
        let top = (peak / step).ceil() * step * 1.05;
        let to_y = |value: f64| y_range.start + value / top * (y_range.end - y_range.start);
        let colour = REFERENCE.mix(0.18);
        let (first, last) = match (behind.points.first(), behind.points.last()) {
            (Some(first), Some(last)) => (first.0, last.0),
            _ => return Ok(()),
        };
        let outline: Vec<(f64, f64)> = std::iter::once((first, y_range.start))
            .chain(behind.points.iter().map(|&(x, v)| (x, to_y(v))))
            .chain(std::iter::once((last, y_range.start)))
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(outline, colour.filled())))
            .map_err(|e| fail(&e))?;
        let style = TextStyle::from((FONT, LABEL_SIZE).into_font())
            .color(&REFERENCE)
            .pos(Pos::new(HPos::Left, VPos::Center));
        let mut value = 0.0;
        while value <= top {
            let (x, y) = chart.backend_coord(&(x_range.end, to_y(value)));
            area.draw(&Text::new(format_tick(value), (x + 8, y), style.clone()))
                .map_err(|e| fail(&e))?;
            area.draw(&PathElement::new(vec![(x, y), (x + 5, y)], REFERENCE))
                .map_err(|e| fail(&e))?;
            value += step;
        }
        let (x, top_y) = chart.backend_coord(&(x_range.end, y_range.end));
        let (_, bottom_y) = chart.backend_coord(&(x_range.end, y_range.start));
        let description = TextStyle::from((FONT, AXIS_SIZE).into_font())
            .color(&REFERENCE)
            .transform(FontTransform::Rotate90)
            .pos(Pos::new(HPos::Center, VPos::Center));
        area.draw(&Text::new(
            behind.label.as_str(),
            (x + 58, (top_y + bottom_y) / 2),
            description,
        ))
        .map_err(|e| fail(&e))
    }

    fn draw_legend<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
    ) -> Result<(), ChartError> {
        let fail = |e: &dyn std::fmt::Display| self.error(e);
        let style = TextStyle::from((FONT, LABEL_SIZE).into_font()).color(&BLACK);
        let text_width = area.dim_in_pixel().0.saturating_sub(LEGEND_TEXT_X + 6);
        let measure = |text: &str| {
            area.estimate_text_size(text, &style)
                .map_or(u32::MAX, |s| s.0)
        };
        let mut y = 50;
        let entries = self
            .series
            .iter()
            .map(|s| {
                (
                    s.label.as_str(),
                    s.colour,
                    s.mark,
                    s.points.iter().any(|p| p.bar.is_some()),
                )
            })
            .chain(
                self.markers
                    .iter()
                    .map(|(_, label)| (label.as_str(), MARKER, Mark::Dashed, false)),
            )
            .chain(
                self.axes
                    .behind
                    .iter()
                    .map(|behind| (behind.label.as_str(), REFERENCE, Mark::Band, false)),
            );
        for (label, colour, mark, bars) in entries {
            let sample = [(8, y), (38, y)];
            match mark {
                Mark::Points => {
                    area.draw(&Circle::new((23, y), 4, colour.filled()))
                        .map_err(|e| fail(&e))?;
                    if bars {
                        area.draw(&PathElement::new(
                            vec![(23, y - 7), (23, y + 7)],
                            colour.stroke_width(2),
                        ))
                        .map_err(|e| fail(&e))?;
                    }
                }
                Mark::Band => area
                    .draw(&Rectangle::new(
                        [(8, y - 6), (38, y + 6)],
                        colour.mix(0.2).filled(),
                    ))
                    .map_err(|e| fail(&e))?,
                Mark::Bars(_) => {
                    area.draw(&Rectangle::new(
                        [(12, y - 6), (34, y + 6)],
                        colour.mix(0.55).filled(),
                    ))
                    .map_err(|e| fail(&e))?;
                    if bars {
                        area.draw(&PathElement::new(
                            vec![(23, y - 9), (23, y + 9)],
                            colour.stroke_width(2),
                        ))
                        .map_err(|e| fail(&e))?;
                    }
                }
                Mark::Ticks(_) => area
                    .draw(&PathElement::new(
                        vec![(12, y), (34, y)],
                        colour.stroke_width(3),
                    ))
                    .map_err(|e| fail(&e))?,
                Mark::Line => area
                    .draw(&PathElement::new(sample.to_vec(), colour.stroke_width(2)))
                    .map_err(|e| fail(&e))?,
                Mark::Dashed => {
                    for (start, end) in [(8, 15), (20, 27), (32, 38)] {
                        area.draw(&PathElement::new(
                            vec![(start, y), (end, y)],
                            colour.stroke_width(2),
                        ))
                        .map_err(|e| fail(&e))?;
                    }
                }
            }
            for line in wrap(label, text_width, measure) {
                area.draw(&Text::new(
                    line,
                    (LEGEND_TEXT_X as i32, y - 7),
                    style.clone(),
                ))
                .map_err(|e| fail(&e))?;
                y += LEGEND_LINE_HEIGHT;
            }
            y += LEGEND_GAP;
        }
        Ok(())
    }
}

/// Where legend text starts in the legend panel, right of the sample mark.
const LEGEND_TEXT_X: u32 = 46;
/// Height of one line of legend text.
const LEGEND_LINE_HEIGHT: i32 = 17;
/// Space between two legend entries, beyond their lines.
const LEGEND_GAP: i32 = 7;

/// `text` in lines no wider than `width` by `measure`, whole: broken
/// between words, and inside a word only when the word alone is wider.
fn wrap(text: &str, width: u32, measure: impl Fn(&str) -> u32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let joined = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if measure(&joined) <= width {
            line = joined;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // A word wider than the panel: as many characters per line as fit.
        for c in word.chars() {
            line.push(c);
            if measure(&line) > width && line.chars().count() > 1 {
                line.pop();
                lines.push(std::mem::replace(&mut line, c.to_string()));
            }
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        })
}

/// Widens a range a little (by a factor on log axes) and handles empty or
/// single-value ranges.
fn padded((low, high): (f64, f64), log: bool) -> (f64, f64) {
    if !low.is_finite() || !high.is_finite() {
        return if log { (0.1, 10.0) } else { (0.0, 1.0) };
    }
    // Axes stay within what the plotting library can lay ticks on: values
    // beyond are drawn at the edge.
    let (low, high) = (
        low.clamp(-AXIS_LIMIT, AXIS_LIMIT),
        high.clamp(-AXIS_LIMIT, AXIS_LIMIT),
    );
    let low = if log {
        low.max(high / MAX_LOG_SPAN)
    } else {
        low
    };
    let (padded_low, padded_high) = if log {
        (low / 1.5, high * 1.5)
    } else {
        let span = if high > low {
            high - low
        } else {
            high.abs().max(1.0)
        };
        (low - 0.05 * span, high + 0.08 * span)
    };
    // Near the float's limits the padding overflows: draw the bare range.
    if padded_low.is_finite() && padded_high.is_finite() && padded_low < padded_high {
        (padded_low, padded_high)
    } else {
        (low, high)
    }
}

/// Largest magnitude an axis reaches.
const AXIS_LIMIT: f64 = 1e300;

/// Widest ratio a logarithmic axis spans (15 decades).
const MAX_LOG_SPAN: f64 = 1e15;

/// Most ticks on an axis of counts; fewer when its span is short, so that
/// the steps are whole numbers.
fn whole_ticks(low: f64, high: f64) -> usize {
    let span = (high - low).abs();
    if span.is_finite() {
        (span.floor() as usize + 1).clamp(2, 10)
    } else {
        10
    }
}

/// The round step (1, 2 or 5 times a power of ten) nearest above `rough`.
fn nice_step(rough: f64) -> f64 {
    let power = 10f64.powf(rough.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|&step| step >= rough)
        .unwrap_or(10.0 * power)
}

/// Most room upright category names take below the plot, in pixels.
const MAX_UPRIGHT_ROOM: u32 = 220;

/// Most ticks on a clock axis: a day in two-hour steps.
const CLOCK_TICKS: usize = 13;

/// A tick's text: a clock time, nothing between whole numbers on an axis
/// of counts, else a number with few digits.
fn tick_text(value: f64, integer: bool, clock: bool) -> String {
    if clock {
        return clock_time(value);
    }
    if integer && (value - value.round()).abs() > 1e-9 {
        return String::new();
    }
    format_tick(if integer { value.round() } else { value })
}

/// The position of the `q`-quantile (0 <= q < 1) on a percentile axis:
/// log10(1/(1 − q)).
pub(super) fn percentile_position(q: f64) -> f64 {
    -(1.0 - q).log10()
}

/// A percentile axis's tick at `x` (whole numbers only): the percentile
/// 100(1 − 10^{−x}), e.g. `99.9%` at 3.
fn percentile_tick(x: f64) -> String {
    let whole = x.round();
    if (x - whole).abs() > 1e-9 || whole < 0.0 {
        return String::new();
    }
    let nines = whole as usize;
    match nines {
        0 => "0%".into(),
        1 => "90%".into(),
        _ => format!("99.{}%", "9".repeat(nines - 2)).replace(".%", "%"),
    }
}

/// Tick labels with few digits.
fn format_tick(value: f64) -> String {
    if value == 0.0 {
        return "0".to_string();
    }
    let magnitude = value.abs().log10();
    if !(-3.0..6.0).contains(&magnitude) {
        format!("{value:.0e}")
    } else {
        let text = format!("{value:.4}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_ticks_read_as_omb_s_percentiles() {
        assert_eq!(percentile_tick(0.0), "0%");
        assert_eq!(percentile_tick(1.0), "90%");
        assert_eq!(percentile_tick(2.0), "99%");
        assert_eq!(percentile_tick(4.0), "99.99%");
        assert_eq!(percentile_tick(1.5), "");
        assert!((percentile_position(0.999) - 3.0).abs() < 1e-9);
    }

    #[test]
    fn ticks_of_counts_are_whole_and_clock_ticks_read_as_times() {
        assert_eq!(tick_text(3.5, true, false), "");
        assert_eq!(tick_text(4.0000000001, true, false), "4");
        assert_eq!(tick_text(3.5, false, false), "3.5");
        assert_eq!(whole_ticks(2.7, 8.4), 6);
        assert_eq!(whole_ticks(0.0, 500.0), 10);
        assert_eq!(tick_text(13.5, false, true), "13:30");
    }

    #[test]
    fn legend_text_wraps_whole_within_the_width() {
        // One unit per character: at most 12 characters a line.
        let measure = |text: &str| text.chars().count() as u32;
        let label = "mm1-load-sweep (orders): simulation";
        let lines = wrap(label, 12, measure);
        assert_eq!(lines, ["mm1-load-swe", "ep (orders):", "simulation"]);
        assert!(lines.iter().all(|line| measure(line) <= 12));
        assert_eq!(wrap("theory", 12, measure), ["theory"]);
        assert_eq!(wrap("", 12, measure), [""]);
        assert_eq!(
            wrap("fifo/urgent: theory (approx.)", 20, measure),
            ["fifo/urgent: theory", "(approx.)"]
        );
    }
}
