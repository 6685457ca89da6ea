//! The chart style in one place: sizes, fonts, colours per source and per
//! series, marks.

use std::sync::Once;

use plotters::style::{FontStyle, RGBColor, register_font};

/// Width and height of every chart, in pixels (PNG) or SVG user units.
pub const SIZE: (u32, u32) = (1000, 600);
/// Width of the legend panel on the right of the plot, so it never hides data.
pub const LEGEND_WIDTH: u32 = 270;
/// Font family used for all text.
pub const FONT: &str = "sans-serif";
/// Font sizes.
pub const TITLE_SIZE: u32 = 22;
/// Axis description size.
pub const AXIS_SIZE: u32 = 16;
/// Tick label and legend size.
pub const LABEL_SIZE: u32 = 14;

/// Colour of theory values when a chart shows one row.
pub const THEORY: RGBColor = RGBColor(31, 119, 180);
/// Colour of simulation estimates when a chart shows one row.
pub const SIMULATION: RGBColor = RGBColor(230, 110, 20);
/// Grey for reference marks (e.g. the warm-up cut).
pub const REFERENCE: RGBColor = RGBColor(120, 120, 120);

/// Colour of a vertical marker (the plan's recommendation), apart from the
/// grey reference lines such as its target.
pub const MARKER: RGBColor = RGBColor(44, 160, 44);
/// Colours of live series, one per channel.
pub const LIVE: [RGBColor; 3] = [
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
];

/// `colour` halfway to white: a paler shade of the same hue.
pub fn pale(colour: RGBColor) -> RGBColor {
    let halfway = |c: u8| c + (255 - c) / 2;
    RGBColor(halfway(colour.0), halfway(colour.1), halfway(colour.2))
}

/// Colours of rows (queues, classes, runs) when a chart shows several.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(230, 110, 20),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(90, 90, 90),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of the `index`-th row.
pub fn row_colour(index: usize) -> RGBColor {
    PALETTE[index % PALETTE.len()]
}

/// Registers the bundled DejaVu Sans (openly licensed) as the font of
/// bitmap charts, so PNG text renders with no system font installed.
pub fn register_fonts() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        for style in [FontStyle::Normal, FontStyle::Bold] {
            let bytes = match style {
                FontStyle::Bold => dejavu::sans::bold(),
                _ => dejavu::sans::regular(),
            };
            // The bundled font is valid TrueType; a failure would only leave
            // PNG text unrendered, never corrupt a chart.
            let _ = register_font(FONT, style, bytes);
        }
    });
}
