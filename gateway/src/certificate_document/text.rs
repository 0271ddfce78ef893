//! The words of a certificate, in French or English, shared by its web
//! page and its PDF so that both say the same thing.

use chrono::{DateTime, Datelike, Utc};
use mdsc_course::CertificateVerification;
use mdsc_notify::Locale;

pub struct CertificateText {
    pub page_title: String,
    pub heading: &'static str,
    pub certifies: &'static str,
    pub learner: String,
    pub completed: &'static str,
    pub course: String,
    pub instructor_label: &'static str,
    pub instructor: String,
    pub completed_label: &'static str,
    pub completed_on: String,
    pub code_label: &'static str,
    pub code: String,
    pub verified: &'static str,
    pub pdf_label: &'static str,
}

const MONTHS_FR: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A date as people write it: "15 janvier 2026", "January 15, 2026" (UTC).
pub fn long_date(at: DateTime<Utc>, locale: Locale) -> String {
    let month = at.month0() as usize;
    match locale {
        Locale::Fr => format!("{} {} {}", at.day(), MONTHS_FR[month], at.year()),
        Locale::En => format!("{} {}, {}", MONTHS_EN[month], at.day(), at.year()),
    }
}

fn full_name(first: &str, last: &str) -> String {
    format!("{first} {last}").trim().to_owned()
}

impl CertificateText {
    pub fn new(c: &CertificateVerification, locale: Locale) -> Self {
        let learner = full_name(&c.student.first_name, &c.student.last_name);
        let instructor = full_name(&c.instructor.first_name, &c.instructor.last_name);
        // Completion is when the enrollment reached 100 %; the issue date
        // stands in for certificates whose enrollment has none recorded.
        let completed_on = long_date(c.completed_at.unwrap_or(c.issued_at), locale);
        let code = c.verification_code.clone();
        match locale {
            Locale::Fr => Self {
                page_title: format!("Certificat de réussite — {learner}"),
                heading: "Certificat de réussite",
                certifies: "La plateforme MDSC certifie que",
                learner,
                completed: "a suivi avec succès le cours",
                course: c.course.title.clone(),
                instructor_label: "Formateur",
                instructor,
                completed_label: "Terminé le",
                completed_on,
                code_label: "Code de vérification",
                code,
                verified: "Ce certificat est vérifiable à l'adresse de cette page.",
                pdf_label: "Télécharger en PDF",
            },
            Locale::En => Self {
                page_title: format!("Certificate of completion — {learner}"),
                heading: "Certificate of completion",
                certifies: "The MDSC platform certifies that",
                learner,
                completed: "has successfully completed the course",
                course: c.course.title.clone(),
                instructor_label: "Instructor",
                instructor,
                completed_label: "Completed on",
                completed_on,
                code_label: "Verification code",
                code,
                verified: "This certificate can be verified at the address of this page.",
                pdf_label: "Download as PDF",
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_people_write_them() {
        let at = DateTime::parse_from_rfc3339("2026-08-01T23:30:00Z")
            .unwrap_or_default()
            .with_timezone(&Utc);
        assert_eq!(long_date(at, Locale::Fr), "1 août 2026");
        assert_eq!(long_date(at, Locale::En), "August 1, 2026");
    }
}
