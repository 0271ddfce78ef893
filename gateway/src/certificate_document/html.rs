//! The certificate as a printable web page: what a learner shows a
//! recruiter, and what the recruiter's browser opens from the
//! verification link. One A4 landscape page when printed.

use mdsc_course::CertificateVerification;
use mdsc_notify::Locale;

use super::text::CertificateText;
use crate::html_text::escape;

/// The page for a valid certificate.
pub fn certificate_page(
    certificate: &CertificateVerification,
    locale: Locale,
    pdf_href: &str,
) -> String {
    let t = CertificateText::new(certificate, locale);
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{page_title}</title>\
         <style>\
         @page{{size:A4 landscape;margin:12mm}}\
         body{{font-family:Georgia,'Times New Roman',serif;color:#1d2433;margin:0;background:#f4f1ea}}\
         main{{max-width:60rem;margin:2rem auto;background:#fff;border:6px double #8a6d3b;padding:3rem 4rem;text-align:center}}\
         h1{{font-size:2.4rem;letter-spacing:.08em;text-transform:uppercase;margin:0 0 2rem}}\
         .learner{{font-size:2rem;font-weight:bold;margin:.5rem 0 1.5rem}}\
         .course{{font-size:1.5rem;font-style:italic;margin:.5rem 0 1.5rem}}\
         dl{{display:grid;grid-template-columns:max-content auto;gap:.3rem 1rem;text-align:left;width:max-content;margin:2rem auto 0;font-family:system-ui,sans-serif;font-size:.95rem}}\
         dt{{color:#5b6270}}dd{{margin:0}}code{{font-size:.9rem}}\
         nav{{text-align:center;font-family:system-ui,sans-serif;margin:1rem}}\
         @media print{{body{{background:#fff}}main{{margin:0;max-width:none}}nav{{display:none}}}}\
         </style></head><body>\
         <main>\
         <h1>{heading}</h1>\
         <p>{certifies}</p>\
         <p class=\"learner\" id=\"learner\">{learner}</p>\
         <p>{completed}</p>\
         <p class=\"course\" id=\"course\">{course}</p>\
         <dl>\
         <dt>{instructor_label}</dt><dd id=\"instructor\">{instructor}</dd>\
         <dt>{completed_label}</dt><dd id=\"completed-on\">{completed_on}</dd>\
         <dt>{code_label}</dt><dd><code id=\"code\">{code}</code></dd>\
         </dl>\
         <p>{verified}</p>\
         </main>\
         <nav><a href=\"{pdf_href}\">{pdf_label}</a></nav>\
         </body></html>\n",
        lang = locale.as_str(),
        page_title = escape(&t.page_title),
        heading = escape(t.heading),
        certifies = escape(t.certifies),
        learner = escape(&t.learner),
        completed = escape(t.completed),
        course = escape(&t.course),
        instructor_label = escape(t.instructor_label),
        instructor = escape(&t.instructor),
        completed_label = escape(t.completed_label),
        completed_on = escape(&t.completed_on),
        code_label = escape(t.code_label),
        code = escape(&t.code),
        verified = escape(t.verified),
        pdf_href = escape(pdf_href),
        pdf_label = escape(t.pdf_label),
    )
}

/// The page for a code that matches no certificate.
pub fn not_found_page(locale: Locale) -> String {
    let (title, text) = match locale {
        Locale::Fr => (
            "Certificat introuvable",
            "Aucun certificat ne porte ce code de vérification. Vérifiez le lien ou le code saisi.",
        ),
        Locale::En => (
            "Certificate not found",
            "No certificate has this verification code. Check the link or the code you typed.",
        ),
    };
    format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
         <style>body{{font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;line-height:1.5}}</style>\
         </head><body><h1>{title}</h1><p>{text}</p></body></html>\n",
        lang = locale.as_str(),
    )
}
