//! SVG charts drawn with plotters' SVG backend (text is left to the viewer's
//! fonts, so no font or bitmap libraries are needed).

use std::path::Path;

use plotters::prelude::*;
use plotters::style::text_anchor;

/// A chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
#[error("chart {path}: {message}")]
pub struct ChartError {
    /// The file.
    pub path: String,
    /// What went wrong.
    pub message: String,
}

/// One series of a grouped bar chart: a label and one value per group
/// (`None` where there is no value, e.g. a FAIL or a missing mode).
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub label: String,
    /// One value per group.
    pub values: Vec<Option<f64>>,
}

/// A grouped bar chart on a logarithmic value axis.
#[derive(Clone, Debug)]
pub struct BarChart {
    /// Title above the plot.
    pub title: String,
    /// Value axis description.
    pub y_desc: String,
    /// Group names along the bottom.
    pub groups: Vec<String>,
    /// The bars of each group, one per series.
    pub series: Vec<Series>,
    /// A horizontal reference line (value and label), e.g. `1.0`, `CPython`.
    pub reference: Option<(f64, String)>,
    /// Shown instead of the plot when there is nothing to draw.
    pub empty_note: String,
}

const COLORS: [RGBColor; 6] = [
    RGBColor(0x4c, 0x72, 0xb0),
    RGBColor(0xdd, 0x84, 0x52),
    RGBColor(0x55, 0xa8, 0x68),
    RGBColor(0xc4, 0x4e, 0x52),
    RGBColor(0x81, 0x72, 0xb3),
    RGBColor(0x93, 0x78, 0x60),
];

impl BarChart {
    /// Every value present, for scaling.
    fn values(&self) -> impl Iterator<Item = f64> + '_ {
        self.series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied())
            .filter(|v| v.is_finite() && *v > 0.0)
    }

    /// Draws the chart as SVG into `path`.
    pub fn write_svg(&self, path: &Path) -> Result<(), ChartError> {
        let shown = path.display().to_string();
        let err = |message: String| ChartError {
            path: shown.clone(),
            message,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
        }
        let width = (140 * self.groups.len() as u32 + 160).max(720);
        let root = SVGBackend::new(path, (width, 480)).into_drawing_area();
        self.draw(&root).map_err(err)?;
        root.present().map_err(|e| err(e.to_string()))
    }

    fn draw(&self, root: &DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<(), String> {
        let e = |x: &dyn std::fmt::Display| x.to_string();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let values: Vec<f64> = self.values().collect();
        if values.is_empty() || self.groups.is_empty() {
            root.draw(&Text::new(
                self.title.clone(),
                (20, 30),
                ("sans-serif", 22).into_font(),
            ))
            .map_err(|x| e(&x))?;
            root.draw(&Text::new(
                self.empty_note.clone(),
                (20, 70),
                ("sans-serif", 15).into_font(),
            ))
            .map_err(|x| e(&x))?;
            return Ok(());
        }
        let reference = self.reference.as_ref().map(|r| r.0);
        let lo_v = values
            .iter()
            .copied()
            .chain(reference)
            .fold(f64::INFINITY, f64::min);
        let hi_v = values.iter().copied().chain(reference).fold(0.0, f64::max);
        // Headroom above the tallest bar keeps the legend clear of the bars.
        let (lo, hi) = (lo_v / 1.6, hi_v * 3.0);
        let n = self.groups.len() as f64;
        let mut chart = ChartBuilder::on(root)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(0f64..n, (lo..hi).log_scale())
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(0)
            .x_label_formatter(&|_| String::new())
            .y_desc(&self.y_desc)
            .y_label_formatter(&|v| format_value(*v))
            .draw()
            .map_err(|x| e(&x))?;
        let k = self.series.len().max(1) as f64;
        let bar = 0.8 / k;
        for (si, s) in self.series.iter().enumerate() {
            let color = COLORS[si % COLORS.len()];
            let bars = s.values.iter().enumerate().filter_map(|(gi, v)| {
                let v = (*v)?;
                let x0 = gi as f64 + 0.1 + bar * si as f64;
                Some(Rectangle::new(
                    [(x0, lo), (x0 + bar * 0.92, v)],
                    color.filled(),
                ))
            });
            chart
                .draw_series(bars)
                .map_err(|x| e(&x))?
                .label(s.label.clone())
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], color.filled())
                });
            let labels = s.values.iter().enumerate().filter_map(|(gi, v)| {
                let v = (*v)?;
                let x = gi as f64 + 0.1 + bar * (si as f64 + 0.46);
                Some(Text::new(
                    format_value(v),
                    (x, v),
                    ("sans-serif", 10)
                        .into_font()
                        .color(&BLACK)
                        .pos(text_anchor::Pos::new(
                            text_anchor::HPos::Center,
                            text_anchor::VPos::Bottom,
                        )),
                ))
            });
            chart.draw_series(labels).map_err(|x| e(&x))?;
        }
        if let Some((v, label)) = &self.reference {
            let v = *v;
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, v), (n, v)],
                    BLACK.stroke_width(1),
                )))
                .map_err(|x| e(&x))?
                .label(label.clone())
                .legend(|(x, y)| PathElement::new([(x, y), (x + 12, y)], BLACK));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .draw()
            .map_err(|x| e(&x))?;
        for (gi, g) in self.groups.iter().enumerate() {
            let (px, py) = chart.backend_coord(&(gi as f64 + 0.5, lo));
            let style = ("sans-serif", 13)
                .into_font()
                .color(&BLACK)
                .pos(text_anchor::Pos::new(
                    text_anchor::HPos::Center,
                    text_anchor::VPos::Top,
                ));
            root.draw(&Text::new(g.clone(), (px, py + 8), style))
                .map_err(|x| e(&x))?;
        }
        Ok(())
    }
}

/// Compact number for labels: `12`, `3.4`, `0.52`.
pub fn format_value(v: f64) -> String {
    if v >= 10.0 {
        format!("{v:.0}")
    } else if v >= 1.0 {
        format!("{v:.1}")
    } else {
        format!("{v:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chart(values: Vec<Option<f64>>) -> BarChart {
        BarChart {
            title: "Speed-up".into(),
            y_desc: "x".into(),
            groups: vec!["fib".into(), "nbody".into()],
            series: vec![Series {
                label: "jit".into(),
                values,
            }],
            reference: Some((1.0, "CPython".into())),
            empty_note: "nothing measured".into(),
        }
    }

    fn tmp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!(
            "cpjit-bench-chart-{}-{name}.svg",
            std::process::id()
        ))
    }

    #[test]
    fn writes_an_svg_with_labels_and_legend() {
        let p = tmp("full");
        chart(vec![Some(2.5), None]).write_svg(&p).unwrap();
        let svg = std::fs::read_to_string(&p).unwrap();
        std::fs::remove_file(&p).unwrap();
        assert!(svg.starts_with("<svg"));
        for needle in ["Speed-up", "fib", "nbody", "jit", "CPython", "2.5"] {
            assert!(svg.contains(needle), "missing {needle}");
        }
    }

    #[test]
    fn empty_chart_says_why() {
        let p = tmp("empty");
        chart(vec![None, None]).write_svg(&p).unwrap();
        let svg = std::fs::read_to_string(&p).unwrap();
        std::fs::remove_file(&p).unwrap();
        assert!(svg.contains("nothing measured"));
    }

    #[test]
    fn formats_values_compactly() {
        assert_eq!(format_value(12.34), "12");
        assert_eq!(format_value(3.44), "3.4");
        assert_eq!(format_value(0.523), "0.52");
    }
}
