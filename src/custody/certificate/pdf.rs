//! The certificate printed: an A4 PDF made with krilla, the bundled font embedded and
//! subset. Every page carries the classification banner at top and bottom; page one the
//! SP 800-88 fields in English and Chinese; then the items, as many pages as they need.
//! The same certificate always gives the same bytes (no creation date is written), so a
//! PDF can be compared with one printed again from its `certificate.json`.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use crate::{Error, Level, Result};

use super::document::SignedCertificate;
use super::typeface::{FONT, Typeface};
use super::{Certificate, Subject};

const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 40.0;
const BANNER_H: f32 = 22.0;
const BODY_TOP: f32 = MARGIN + BANNER_H + 8.0;
const BODY_BOTTOM: f32 = PAGE_H - MARGIN - BANNER_H - 24.0;
const LABEL_W: f32 = 175.0;
const TEXT: f32 = 8.5;
const LINE: f32 = 11.5;
const ROW: f32 = 10.5;
const ROW_TEXT: f32 = 6.8;

/// Item table columns: (x, width, header). A cell wider than its column is drawn smaller.
const COLUMNS: [(f32, f32, &str); 6] = [
    (MARGIN, 70.0, "Control number 编号"),
    (MARGIN + 70.0, 66.0, "Level 密级"),
    (MARGIN + 136.0, 44.0, "Category 类别"),
    (MARGIN + 180.0, 48.0, "Size (bytes) 大小"),
    (MARGIN + 228.0, 250.0, "Plaintext SHA-256 明文散列"),
    (MARGIN + 478.0, 37.0, "Seq 序号"),
];

/// One thing drawn on a page.
enum Mark {
    Text {
        x: f32,
        y: f32,
        size: f32,
        text: String,
        grey: bool,
    },
    Rule {
        y: f32,
    },
    Shade {
        y: f32,
        h: f32,
    },
}

/// Render `certificate` (with its signature line when `signed`) as PDF bytes.
pub fn render(certificate: &Certificate, signed: Option<&SignedCertificate>) -> Result<Vec<u8>> {
    let face = Typeface::bundled()?;
    let pages = lay_out(&face, certificate, signed);
    let font =
        Font::new(FONT.into(), 0).ok_or_else(|| Error::integrity("the bundled font", "krilla cannot read it"))?;
    let mut document = Document::new();
    document.set_metadata(
        Metadata::new()
            .title(format!("Certificate of Sanitization {} / 销毁证明", certificate.number))
            .creator(super::TOOL.to_string())
            .language("en".into()),
    );
    let level = certificate.level();
    let total = pages.len();
    for (index, marks) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| Error::InvalidInput("page size".into()))?;
        let mut page = document.start_page_with(settings);
        let mut surface = page.surface();
        for top in [MARGIN, PAGE_H - MARGIN - BANNER_H] {
            banner(&mut surface, &font, &face, level, top);
        }
        for mark in marks {
            match mark {
                Mark::Text { x, y, size, text, grey } => {
                    let shade = if *grey { 90 } else { 0 };
                    surface.set_fill(Some(fill(rgb::Color::new(shade, shade, shade))));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font.clone(),
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Mark::Rule { y } => {
                    surface.set_fill(None);
                    surface.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(150, 150, 150).into(),
                        width: 0.4,
                        ..Default::default()
                    }));
                    let mut path = PathBuilder::new();
                    path.move_to(MARGIN, *y);
                    path.line_to(PAGE_W - MARGIN, *y);
                    if let Some(path) = path.finish() {
                        surface.draw_path(&path);
                    }
                    surface.set_stroke(None);
                }
                Mark::Shade { y, h } => {
                    surface.set_fill(Some(fill(rgb::Color::new(232, 232, 232))));
                    if let Some(rect) = Rect::from_xywh(MARGIN, *y, PAGE_W - 2.0 * MARGIN, *h) {
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        if let Some(path) = path.finish() {
                            surface.draw_path(&path);
                        }
                    }
                }
            }
        }
        let footer = format!(
            "{}  ·  page {} of {total}  ·  verify: strongroom audit verify-certificate certificate.json",
            certificate.number,
            index + 1
        );
        surface.set_fill(Some(fill(rgb::Color::new(90, 90, 90))));
        surface.draw_text(
            Point::from_xy(MARGIN, PAGE_H - MARGIN - BANNER_H - 8.0),
            font.clone(),
            6.5,
            &footer,
            false,
            TextDirection::Auto,
        );
        surface.finish();
        page.finish();
    }
    document
        .finish()
        .map_err(|e| Error::InvalidInput(format!("the certificate's PDF could not be written: {e:?}")))
}

fn fill(colour: rgb::Color) -> Fill {
    Fill {
        paint: colour.into(),
        ..Default::default()
    }
}

/// The classification banner: the level's colour, its Chinese and English label centred.
fn banner(surface: &mut krilla::surface::Surface<'_>, font: &Font, face: &Typeface, level: Level, top: f32) {
    let colours = level.banner_colours();
    let [r, g, b] = colours.background;
    surface.set_fill(Some(fill(rgb::Color::new(r, g, b))));
    if let Some(rect) = Rect::from_xywh(0.0, top, PAGE_W, BANNER_H) {
        let mut path = PathBuilder::new();
        path.push_rect(rect);
        if let Some(path) = path.finish() {
            surface.draw_path(&path);
        }
    }
    let label = format!(
        "{}  {}",
        level.label_zh(),
        level.name().replace('-', " ").to_uppercase()
    );
    let size = 12.0;
    let x = (PAGE_W - face.width(&label, size)) / 2.0;
    let [r, g, b] = colours.text;
    surface.set_fill(Some(fill(rgb::Color::new(r, g, b))));
    surface.draw_text(
        Point::from_xy(x, top + 15.5),
        font.clone(),
        size,
        &label,
        false,
        TextDirection::Auto,
    );
}

/// Pages of marks: the fields first, then the item table.
fn lay_out(face: &Typeface, certificate: &Certificate, signed: Option<&SignedCertificate>) -> Vec<Vec<Mark>> {
    let mut pages: Vec<Vec<Mark>> = vec![Vec::new()];
    let mut y = BODY_TOP + 22.0;
    let title = "CERTIFICATE OF SANITIZATION  销毁证明";
    let x = (PAGE_W - face.width(title, 15.0)) / 2.0;
    push(
        &mut pages,
        Mark::Text {
            x,
            y,
            size: 15.0,
            text: title.into(),
            grey: false,
        },
    );
    y += 14.0;
    let sub = "after NIST SP 800-88 Rev. 1, Appendix G  ·  参照 NIST SP 800-88 附录 G";
    let x = (PAGE_W - face.width(sub, 7.5)) / 2.0;
    push(
        &mut pages,
        Mark::Text {
            x,
            y,
            size: 7.5,
            text: sub.into(),
            grey: true,
        },
    );
    y += 16.0;
    for (heading, rows) in sections(certificate, signed) {
        if y + LINE * 2.0 > BODY_BOTTOM {
            pages.push(Vec::new());
            y = BODY_TOP + 10.0;
        }
        push(&mut pages, Mark::Shade { y: y - 9.0, h: 12.5 });
        push(
            &mut pages,
            Mark::Text {
                x: MARGIN + 3.0,
                y,
                size: 9.0,
                text: heading.into(),
                grey: false,
            },
        );
        y += LINE + 2.0;
        for (label, value) in rows {
            let lines = face.wrap(&face.printable(&value), TEXT, PAGE_W - 2.0 * MARGIN - LABEL_W);
            // A short field stays on one page; a long one runs on, line by line.
            if y + LINE * lines.len().min(4) as f32 > BODY_BOTTOM {
                pages.push(Vec::new());
                y = BODY_TOP + 10.0;
            }
            push(
                &mut pages,
                Mark::Text {
                    x: MARGIN + 3.0,
                    y,
                    size: TEXT,
                    text: label.into(),
                    grey: true,
                },
            );
            for line in lines {
                if y + LINE > BODY_BOTTOM {
                    pages.push(Vec::new());
                    y = BODY_TOP + 10.0;
                }
                push(
                    &mut pages,
                    Mark::Text {
                        x: MARGIN + LABEL_W,
                        y,
                        size: TEXT,
                        text: line,
                        grey: false,
                    },
                );
                y += LINE;
            }
        }
        y += 6.0;
    }
    if certificate.subject == Subject::Items {
        items_table(face, certificate, &mut pages, y);
    }
    pages
}

/// The size at which `text` fits `width`: `size`, or smaller (never below 4 pt).
fn fitted(face: &Typeface, text: &str, size: f32, width: f32) -> f32 {
    let wide = face.width(text, size);
    if wide <= width {
        size
    } else {
        (size * width / wide).max(4.0)
    }
}

fn push(pages: &mut [Vec<Mark>], mark: Mark) {
    if let Some(page) = pages.last_mut() {
        page.push(mark);
    }
}

/// The item table, its header repeated on every page it runs onto.
fn items_table(face: &Typeface, certificate: &Certificate, pages: &mut Vec<Vec<Mark>>, mut y: f32) {
    let header = |pages: &mut Vec<Vec<Mark>>, y: f32| {
        push(pages, Mark::Shade { y: y - 8.0, h: 11.0 });
        for (x, width, name) in COLUMNS {
            let size = fitted(face, name, 7.0, width - 4.0);
            push(
                pages,
                Mark::Text {
                    x: x + 2.0,
                    y,
                    size,
                    text: name.into(),
                    grey: false,
                },
            );
        }
    };
    let title = format!("Items destroyed 销毁条目 ({})", certificate.items.len());
    if y + LINE + ROW * 3.0 > BODY_BOTTOM {
        pages.push(Vec::new());
        y = BODY_TOP + 10.0;
    }
    push(
        pages,
        Mark::Text {
            x: MARGIN + 3.0,
            y,
            size: 9.0,
            text: title,
            grey: false,
        },
    );
    y += LINE + 2.0;
    header(pages, y);
    y += ROW + 1.0;
    for item in &certificate.items {
        if y + ROW > BODY_BOTTOM {
            pages.push(Vec::new());
            y = BODY_TOP + 10.0;
            header(pages, y);
            y += ROW + 1.0;
        }
        let cells = [
            item.control_number.clone(),
            format!("{} {}", item.level.label_zh(), item.level.name()),
            item.category.clone(),
            item.size.to_string(),
            item.sha256.clone(),
            item.seq.to_string(),
        ];
        for ((x, width, _), cell) in COLUMNS.iter().zip(cells) {
            let text = face.printable(&cell);
            let size = fitted(face, &text, ROW_TEXT, width - 4.0);
            push(
                pages,
                Mark::Text {
                    x: x + 2.0,
                    y,
                    size,
                    text,
                    grey: false,
                },
            );
        }
        push(pages, Mark::Rule { y: y + 3.0 });
        y += ROW;
    }
}

type Section = (&'static str, Vec<(&'static str, String)>);

/// The fields, grouped as SP 800-88's sample certificate groups them.
fn sections(c: &Certificate, signed: Option<&SignedCertificate>) -> Vec<Section> {
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
    let person = |p: &super::Person| {
        vec![
            ("Name 姓名", p.name.clone()),
            ("Title 职务", or_none(&p.title)),
            ("Organization 单位", or_none(&p.organization)),
            ("Location 地点", or_none(&p.location)),
        ]
    };
    let signature = match signed {
        Some(s) => format!(
            "signed by {} on {} with admin key {}…",
            s.signed_by,
            s.signed_at,
            &s.admin_key[..16.min(s.admin_key.len())]
        ),
        None => "AWAITING A SECURITY OFFICER'S SIGNATURE — not valid until signed  待安全保密员签署".into(),
    };
    let mut out: Vec<Section> = vec![
        (
            "Certificate 证明",
            vec![
                ("Number 编号", c.number.clone()),
                ("Station 工作站", c.station.clone()),
                ("Destroyed at 销毁时间", c.destroyed_at.clone()),
                ("Signature 签署", signature),
            ],
        ),
        ("Person performing sanitization 执行人", person(&c.performed_by)),
        (
            "Media information 介质信息",
            vec![
                ("Media type 介质类型", c.media.media_type.clone()),
                ("Source 来源", c.media.source.clone()),
                (
                    "Classification 密级",
                    format!(
                        "{} {}",
                        c.media.classification.label_zh(),
                        c.media.classification.name()
                    ),
                ),
                ("Data backed up 是否有备份", c.media.backed_up.clone()),
                ("Backup location 备份位置", c.media.backup_location.clone()),
            ],
        ),
        (
            "Sanitization details 销毁方式",
            vec![
                ("Method type 方式类别", c.sanitization.method_type.clone()),
                ("Method used 方法", c.sanitization.method.clone()),
                ("Tool used 工具", c.sanitization.tool.clone()),
                (
                    "Verification method 核验方法",
                    c.sanitization.verification_method.clone(),
                ),
                (
                    "Verification result 核验结果",
                    c.sanitization.verification_result.clone(),
                ),
                (
                    "After sanitization 销毁后密级",
                    format!(
                        "{} {}",
                        c.post_sanitization_classification.label_zh(),
                        c.post_sanitization_classification.name()
                    ),
                ),
                ("Destination 去向", c.destination.clone()),
                ("Reason 原因", c.reason.clone()),
            ],
        ),
    ];
    if let Some(validator) = &c.validated_by {
        let mut rows = vec![("Validated as 见证方式", or_none(&c.validation))];
        rows.extend(person(validator));
        out.push(("Person validating 见证人 / 批准人", rows));
    }
    if let Some(m) = &c.medium {
        out.push((
            "Medium 介质",
            vec![
                ("Register id 登记号", m.medium.clone()),
                ("Label 标签", m.label.clone()),
                ("File system UUID 文件系统标识", m.fs_uuid.clone()),
                ("Serial 序列号", or_none(&m.serial)),
                ("Ledger seq 日志序号", m.seq.to_string()),
            ],
        ));
    }
    let l = &c.ledger;
    out.push((
        "Custody ledger 保管日志",
        vec![
            ("Log 日志", l.origin.clone()),
            ("Events 事件", format!("seq {} - {}", l.first_seq, l.last_seq)),
            (
                "Checkpoint 检查点",
                format!("size {}, root {}", l.checkpoint_size, l.checkpoint_root),
            ),
        ],
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A field longer than a page runs onto the next pages: nothing is drawn below the body
    /// (over the footer and the banner), and every word is drawn.
    #[test]
    fn a_long_field_runs_onto_further_pages_within_the_body() {
        let face = Typeface::bundled().unwrap();
        let mut certificate = crate::custody::certificate::document::tests::sample(3);
        let words: Vec<String> = (0..1500).map(|i| format!("word{i:04}")).collect();
        certificate.reason = format!("{} END-OF-REASON", words.join(" "));
        let pages = lay_out(&face, &certificate, None);
        assert!(pages.len() > 2);
        let mut drawn = String::new();
        for mark in pages.iter().flatten() {
            if let Mark::Text { y, text, .. } = mark {
                assert!(*y <= BODY_BOTTOM && *y >= BODY_TOP, "{text} at {y}");
                drawn.push_str(text);
                drawn.push(' ');
            }
        }
        assert!(drawn.contains("word0000") && drawn.contains("word1499") && drawn.contains("END-OF-REASON"));
        assert!(render(&certificate, None).unwrap().starts_with(b"%PDF-"));
    }
}
