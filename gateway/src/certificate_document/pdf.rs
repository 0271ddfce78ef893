//! The certificate as a one-page PDF (A4 landscape), written with lopdf.
//! It uses the PDF standard fonts (Helvetica), which every reader has, so
//! the file embeds no font and stays a few kilobytes. Those fonts hold the
//! Latin-1 letters (French accents included) and a few more; any other
//! character is written in its closest Latin letters ("Łukasz" → "Lukasz").

use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};
use mdsc_core::Error;
use mdsc_course::CertificateVerification;
use mdsc_notify::Locale;

use super::text::CertificateText;

const PAGE_WIDTH: f32 = 842.0;
const PAGE_HEIGHT: f32 = 595.0;
/// Widest line, in points: the page less its margins.
const MAX_LINE: f32 = 720.0;

/// Advance widths (per 1000 units of font size) of the printable ASCII
/// characters, from Adobe's metrics of Helvetica (also those of its
/// oblique face) and Helvetica-Bold.
const HELVETICA_WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278,
    278, // ' ' to '/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // digits
    278, 278, 584, 584, 584, 556, 1015, // ':' to '@'
    667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, // A to M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N to Z
    278, 278, 278, 469, 556, 333, // '[' to '`'
    556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, // a to m
    556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, // n to z
    334, 260, 334, 584, // '{' to '~'
];
const HELVETICA_BOLD_WIDTHS: [u16; 95] = [
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278,
    278, // ' ' to '/'
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, // digits
    333, 333, 584, 584, 584, 611, 975, // ':' to '@'
    722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, // A to M
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, // N to Z
    333, 278, 333, 584, 556, 333, // '[' to '`'
    556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, // a to m
    611, 611, 611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, // n to z
    389, 280, 389, 584, // '{' to '~'
];

/// The text in the standard fonts' encoding (WinAnsiEncoding).
fn win_ansi(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code = c as u32;
        match c {
            ' '..='~' => out.push(code as u8),
            '\u{A0}'..='\u{FF}' => out.push(code as u8),
            '€' => out.push(0x80),
            '‘' => out.push(0x91),
            '’' => out.push(0x92),
            '“' => out.push(0x93),
            '”' => out.push(0x94),
            '–' => out.push(0x96),
            '—' => out.push(0x97),
            'Œ' => out.push(0x8C),
            'œ' => out.push(0x9C),
            c if c.is_control() => out.push(b' '),
            c => {
                let latin = deunicode::deunicode_char(c).unwrap_or("?");
                out.extend(latin.bytes().filter(|b| (b' '..=b'~').contains(b)));
            }
        }
    }
    out
}

/// Width of `text` at `size` points: an accented letter is as wide as
/// its base letter ("É" as "E"); anything else counts as a digit.
fn width(text: &str, bold: bool, size: f32) -> f32 {
    let table = if bold {
        &HELVETICA_BOLD_WIDTHS
    } else {
        &HELVETICA_WIDTHS
    };
    let of = |c: char| match c {
        ' '..='~' => u32::from(table[c as usize - 32]),
        _ => 556,
    };
    let units: u32 = text
        .chars()
        .map(|c| match c {
            ' '..='~' => of(c),
            c => deunicode::deunicode_char(c)
                .and_then(|latin| latin.chars().next())
                .map_or(556, of),
        })
        .sum();
    units as f32 * size / 1000.0
}

/// One line centred on the page at `y`, shrunk to fit its width.
fn centred(ops: &mut Vec<Operation>, font: &str, size: f32, y: f32, text: &str) {
    let bytes = win_ansi(text);
    let bold = font == "Bold";
    let measured = width(text, bold, size);
    let size = if measured > MAX_LINE {
        size * MAX_LINE / measured
    } else {
        size
    };
    let x = (PAGE_WIDTH - width(text, bold, size)) / 2.0;
    ops.push(Operation::new("BT", vec![]));
    ops.push(Operation::new("Tf", vec![font.into(), Object::Real(size)]));
    ops.push(Operation::new("Td", vec![Object::Real(x), Object::Real(y)]));
    ops.push(Operation::new(
        "Tj",
        vec![Object::String(bytes, StringFormat::Literal)],
    ));
    ops.push(Operation::new("ET", vec![]));
}

fn font(base: &str) -> lopdf::Dictionary {
    dictionary! {
        "Type" => "Font",
        "Subtype" => "Type1",
        "BaseFont" => base,
        "Encoding" => "WinAnsiEncoding",
    }
}

/// The PDF's bytes.
pub fn certificate_pdf(
    certificate: &CertificateVerification,
    locale: Locale,
) -> Result<Vec<u8>, Error> {
    let t = CertificateText::new(certificate, locale);
    let mut ops = Vec::new();
    // A double frame.
    ops.push(Operation::new(
        "RG",
        vec![Object::Real(0.54), Object::Real(0.43), Object::Real(0.23)],
    ));
    for (inset, line) in [(24.0, 3.0), (32.0, 1.0)] {
        ops.push(Operation::new("w", vec![Object::Real(line)]));
        ops.push(Operation::new(
            "re",
            vec![
                Object::Real(inset),
                Object::Real(inset),
                Object::Real(PAGE_WIDTH - 2.0 * inset),
                Object::Real(PAGE_HEIGHT - 2.0 * inset),
            ],
        ));
        ops.push(Operation::new("S", vec![]));
    }
    ops.push(Operation::new(
        "rg",
        vec![Object::Real(0.11), Object::Real(0.14), Object::Real(0.2)],
    ));
    centred(&mut ops, "Bold", 30.0, 470.0, &t.heading.to_uppercase());
    centred(&mut ops, "Regular", 14.0, 420.0, t.certifies);
    centred(&mut ops, "Bold", 28.0, 375.0, &t.learner);
    centred(&mut ops, "Regular", 14.0, 330.0, t.completed);
    centred(&mut ops, "Italic", 22.0, 292.0, &t.course);
    let details = [
        format!("{} : {}", t.instructor_label, t.instructor),
        format!("{} : {}", t.completed_label, t.completed_on),
        format!("{} : {}", t.code_label, t.code),
    ];
    for (i, line) in details.iter().enumerate() {
        centred(&mut ops, "Regular", 12.0, 220.0 - 22.0 * i as f32, line);
    }
    centred(&mut ops, "Regular", 10.0, 110.0, t.verified);

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let fonts = dictionary! {
        "Regular" => doc.add_object(font("Helvetica")),
        "Bold" => doc.add_object(font("Helvetica-Bold")),
        "Italic" => doc.add_object(font("Helvetica-Oblique")),
    };
    let resources_id = doc.add_object(dictionary! { "Font" => fonts });
    let content = Content { operations: ops }
        .encode()
        .map_err(|e| Error::internal(format!("certificate PDF content: {e}")))?;
    let content_id = doc.add_object(Stream::new(dictionary! {}, content));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "Contents" => content_id,
        "Resources" => resources_id,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(PAGE_WIDTH), Object::Real(PAGE_HEIGHT)],
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => vec![page_id.into()],
            "Count" => 1,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    let info_id = doc.add_object(dictionary! {
        "Title" => Object::String(win_ansi(&t.page_title), StringFormat::Literal),
        "Producer" => Object::String(b"MDSC learning platform".to_vec(), StringFormat::Literal),
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    doc.compress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| Error::internal(format!("certificate PDF: {e}")))?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin_letters_keep_their_accents_and_others_are_transliterated() {
        assert_eq!(win_ansi("Élodie Noël"), b"\xC9lodie No\xEBl");
        let other = win_ansi("Łukasz — 北京");
        assert!(other.starts_with(b"Lukasz \x97 B"), "{other:?}");
        assert!(
            other[9..]
                .iter()
                .all(|b| b.is_ascii_graphic() || *b == b' '),
            "{other:?}"
        );
        assert_eq!(win_ansi("a\u{7}b"), b"a b");
    }

    #[test]
    fn widths_follow_the_font_metrics() {
        assert_eq!(width("MW", false, 10.0), (833.0 + 944.0) / 100.0);
        assert_eq!(width("ab", true, 10.0), (556.0 + 611.0) / 100.0);
        assert_eq!(width("É", true, 10.0), width("E", true, 10.0));
    }
}
