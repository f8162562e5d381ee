//! The app's emblem (a shield with a star, our own drawing), from one set of shapes: the SVG the
//! pages use as their icon, and the PNG icons an installed app needs, drawn with tiny-skia.

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use tiny_skia::{FillRule, LineJoin, Paint, PathBuilder, Pixmap, Stroke, Transform};

/// The side of the square the shapes are drawn in.
const GRID: f32 = 512.0;
/// The navy of the page header (`.top` in app.css) and of the manifest's theme colour.
pub const NAVY: [u8; 3] = [0x12, 0x35, 0x5b];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];
/// How much of the square a maskable icon's emblem takes: launchers may cut everything outside
/// a centred circle of 80 % of the side, and the emblem's corners stay inside it.
const MASKABLE_SCALE: f32 = 0.6;

/// One step of an outline, in the 512 grid.
#[derive(Clone, Copy)]
enum Step {
    Move(f32, f32),
    Line(f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

/// A shield with a shallow peak on top and a pointed foot.
const SHIELD: [Step; 8] = [
    Step::Move(256.0, 36.0),
    Step::Line(432.0, 92.0),
    Step::Line(432.0, 236.0),
    Step::Cubic(432.0, 360.0, 356.0, 436.0, 256.0, 478.0),
    Step::Cubic(156.0, 436.0, 80.0, 360.0, 80.0, 236.0),
    Step::Line(80.0, 92.0),
    Step::Line(256.0, 36.0),
    Step::Close,
];

/// The point the inner border shrinks towards, and by how much.
const CENTRE: (f32, f32) = (256.0, 257.0);
const INNER_SCALE: f32 = 0.84;
const BORDER_WIDTH: f32 = 16.0;

/// Which drawing of the emblem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The navy shield on a transparent background: page icon and `any` app icons.
    Plain,
    /// A white shield on a navy square, small enough for any launcher's mask.
    Maskable,
}

struct Palette {
    background: Option<[u8; 3]>,
    shield: [u8; 3],
    detail: [u8; 3],
    scale: f32,
}

impl Variant {
    fn palette(self) -> Palette {
        match self {
            Variant::Plain => Palette {
                background: None,
                shield: NAVY,
                detail: WHITE,
                scale: 1.0,
            },
            Variant::Maskable => Palette {
                background: Some(NAVY),
                shield: WHITE,
                detail: NAVY,
                scale: MASKABLE_SCALE,
            },
        }
    }
}

/// The outlines of the emblem: the shield, its inner border, the star.
fn shield() -> Vec<Step> {
    SHIELD.to_vec()
}

fn inner_border() -> Vec<Step> {
    let (cx, cy) = CENTRE;
    let s = |x: f32, y: f32| (cx + (x - cx) * INNER_SCALE, cy + (y - cy) * INNER_SCALE);
    SHIELD
        .iter()
        .map(|step| match *step {
            Step::Move(x, y) => {
                let (x, y) = s(x, y);
                Step::Move(x, y)
            }
            Step::Line(x, y) => {
                let (x, y) = s(x, y);
                Step::Line(x, y)
            }
            Step::Cubic(x1, y1, x2, y2, x, y) => {
                let (x1, y1) = s(x1, y1);
                let (x2, y2) = s(x2, y2);
                let (x, y) = s(x, y);
                Step::Cubic(x1, y1, x2, y2, x, y)
            }
            Step::Close => Step::Close,
        })
        .collect()
}

/// A five-pointed star, one point up.
fn star() -> Vec<Step> {
    let (cx, cy, outer, inner) = (256.0_f32, 250.0_f32, 100.0_f32, 42.0_f32);
    let mut steps = Vec::with_capacity(11);
    for i in 0..10 {
        let radius = if i % 2 == 0 { outer } else { inner };
        let angle = (-90.0_f32 + 36.0 * i as f32).to_radians();
        let (x, y) = (cx + radius * angle.cos(), cy + radius * angle.sin());
        // Whole tenths keep the SVG short and the PNG the same as the SVG.
        let (x, y) = ((x * 10.0).round() / 10.0, (y * 10.0).round() / 10.0);
        steps.push(if i == 0 {
            Step::Move(x, y)
        } else {
            Step::Line(x, y)
        });
    }
    steps.push(Step::Close);
    steps
}

fn svg_path(steps: &[Step]) -> String {
    let mut d = String::new();
    for step in steps {
        let piece = match *step {
            Step::Move(x, y) => format!("M{x} {y}"),
            Step::Line(x, y) => format!("L{x} {y}"),
            Step::Cubic(x1, y1, x2, y2, x, y) => format!("C{x1} {y1} {x2} {y2} {x} {y}"),
            Step::Close => "Z".to_string(),
        };
        d.push_str(&piece);
    }
    d
}

fn hex([r, g, b]: [u8; 3]) -> String {
    format!("#{r:02x}{g:02x}{b:02x}")
}

/// The emblem as an SVG document.
pub fn svg(variant: Variant) -> String {
    let p = variant.palette();
    let background = p.background.map_or(String::new(), |c| {
        format!(r#"<rect width="512" height="512" fill="{}"/>"#, hex(c))
    });
    let offset = GRID * (1.0 - p.scale) / 2.0;
    let group = if p.scale < 1.0 {
        format!(
            r#" transform="translate({offset} {offset}) scale({})""#,
            p.scale
        )
    } else {
        String::new()
    };
    format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 512 512">{}<g{}>"#,
            r#"<path fill="{}" d="{}"/>"#,
            r#"<path fill="none" stroke="{}" stroke-width="{}" stroke-linejoin="round" d="{}"/>"#,
            r#"<path fill="{}" d="{}"/></g></svg>"#
        ),
        background,
        group,
        hex(p.shield),
        svg_path(&shield()),
        hex(p.detail),
        BORDER_WIDTH,
        svg_path(&inner_border()),
        hex(p.detail),
        svg_path(&star()),
    )
}

fn skia_path(steps: &[Step]) -> Option<tiny_skia::Path> {
    let mut builder = PathBuilder::new();
    for step in steps {
        match *step {
            Step::Move(x, y) => builder.move_to(x, y),
            Step::Line(x, y) => builder.line_to(x, y),
            Step::Cubic(x1, y1, x2, y2, x, y) => builder.cubic_to(x1, y1, x2, y2, x, y),
            Step::Close => builder.close(),
        }
    }
    builder.finish()
}

fn paint([r, g, b]: [u8; 3]) -> Paint<'static> {
    let mut paint = Paint::default();
    paint.set_color_rgba8(r, g, b, 255);
    paint.anti_alias = true;
    paint
}

/// The emblem as a square PNG of `side` pixels, drawn from the same shapes as the SVG. The
/// maskable one is opaque and written without an alpha channel.
pub fn png(variant: Variant, side: u32) -> anyhow::Result<Vec<u8>> {
    let p = variant.palette();
    let mut pixmap = Pixmap::new(side, side).ok_or_else(|| anyhow::anyhow!("icon size {side}"))?;
    if let Some([r, g, b]) = p.background {
        pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    }
    let unit = side as f32 / GRID;
    let offset = GRID * (1.0 - p.scale) / 2.0;
    let transform = Transform::from_scale(unit, unit)
        .pre_translate(offset, offset)
        .pre_scale(p.scale, p.scale);
    let missing = || anyhow::anyhow!("an emblem outline is empty");
    let outline = skia_path(&shield()).ok_or_else(missing)?;
    let border = skia_path(&inner_border()).ok_or_else(missing)?;
    let star = skia_path(&star()).ok_or_else(missing)?;
    pixmap.fill_path(
        &outline,
        &paint(p.shield),
        FillRule::Winding,
        transform,
        None,
    );
    let stroke = Stroke {
        width: BORDER_WIDTH,
        line_join: LineJoin::Round,
        ..Stroke::default()
    };
    pixmap.stroke_path(&border, &paint(p.detail), &stroke, transform, None);
    pixmap.fill_path(&star, &paint(p.detail), FillRule::Winding, transform, None);

    let rgba = pixmap.take_demultiplied();
    let mut out = Vec::new();
    let encoder =
        PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive);
    if p.background.is_some() {
        let rgb: Vec<u8> = rgba
            .chunks_exact(4)
            .flat_map(|px| [px[0], px[1], px[2]])
            .collect();
        encoder.write_image(&rgb, side, side, image::ExtendedColorType::Rgb8)?;
    } else {
        encoder.write_image(&rgba, side, side, image::ExtendedColorType::Rgba8)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(bytes: &[u8]) -> image::RgbaImage {
        image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
            .expect("a PNG")
            .to_rgba8()
    }

    #[test]
    fn plain_icon_is_a_navy_shield_with_a_white_star_on_nothing() {
        let icon = decode(&png(Variant::Plain, 192).expect("drawn"));
        assert_eq!(icon.dimensions(), (192, 192));
        // A corner is transparent, the shield's side navy, the star's centre white.
        assert_eq!(icon.get_pixel(2, 2).0[3], 0);
        let navy = [NAVY[0], NAVY[1], NAVY[2], 255];
        assert_eq!(icon.get_pixel(33, 96).0, navy, "outside the inner border");
        assert_eq!(icon.get_pixel(52, 96).0, navy, "inside the inner border");
        assert_eq!(icon.get_pixel(96, 93).0, [255, 255, 255, 255], "the star");
    }

    #[test]
    fn maskable_icon_keeps_its_emblem_inside_the_safe_circle() {
        let side = 512;
        let icon = decode(&png(Variant::Maskable, side).expect("drawn"));
        let navy = [NAVY[0], NAVY[1], NAVY[2], 255];
        let centre = side as f32 / 2.0;
        let safe = side as f32 * 0.4;
        for (x, y, pixel) in icon.enumerate_pixels() {
            let (dx, dy) = (x as f32 + 0.5 - centre, y as f32 + 0.5 - centre);
            if (dx * dx + dy * dy).sqrt() > safe {
                assert_eq!(pixel.0, navy, "({x}, {y}) lies outside the safe circle");
            }
        }
        assert_eq!(
            icon.get_pixel(180, 256).0,
            [255, 255, 255, 255],
            "the shield"
        );
        assert_eq!(icon.get_pixel(256, 254).0, navy, "the star");
    }

    #[test]
    fn svg_and_png_draw_the_same_shapes() {
        let svg = svg(Variant::Plain);
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(svg.contains(&svg_path(&SHIELD)));
        assert!(svg.contains(&svg_path(&star())));
        assert!(svg.contains("#12355b"));
        assert!(
            svg.len() < 1024,
            "the page icon stays small: {} bytes",
            svg.len()
        );
        let maskable = super::svg(Variant::Maskable);
        assert!(maskable.contains("scale(0.6)"));
    }

    #[test]
    fn icons_stay_small() {
        for (variant, side, most) in [
            (Variant::Plain, 192, 6 * 1024),
            (Variant::Plain, 512, 16 * 1024),
            (Variant::Maskable, 512, 12 * 1024),
        ] {
            let bytes = png(variant, side).expect("drawn").len();
            assert!(bytes < most, "{variant:?} {side}: {bytes} bytes");
        }
    }
}
