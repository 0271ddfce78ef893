//! The roster as CSV (RFC 4180): UTF-8 with a byte-order mark, so
//! spreadsheets open accented names right; every cell a student typed is
//! kept from being read as a formula (OWASP "CSV injection").

use mdsc_course::roster::RosterEntry;

/// The byte-order mark Excel needs to read UTF-8.
pub const BOM: &str = "\u{feff}";

pub const HEADER: &str = "enrollment_id,student_id,last_name,first_name,email,status,\
progress_percentage,lessons_completed,lessons_total,enrolled_at,completed_at,last_activity_at,\
quizzes_total,quizzes_attempted,quizzes_passed,average_best_score,live_sessions_held,\
live_sessions_attended\r\n";

/// One cell: quoted when it holds a comma, a quote or a line break; a
/// leading `=`, `+`, `-`, `@`, tab or carriage return gets a `'` first.
pub fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

/// One line, CRLF-terminated.
pub fn line(entry: &RosterEntry) -> String {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let cells = [
        entry.enrollment_id.to_string(),
        entry.student.id.to_string(),
        cell(&entry.student.last_name),
        cell(&entry.student.first_name),
        cell(&entry.student.email),
        entry.status.as_str().to_owned(),
        format!("{:.1}", entry.progress_percentage),
        entry.lessons_completed.to_string(),
        entry.lessons_total.to_string(),
        time(entry.enrolled_at),
        entry.completed_at.map(time).unwrap_or_default(),
        time(entry.last_activity_at),
        entry.quizzes.total.to_string(),
        entry.quizzes.attempted.to_string(),
        entry.quizzes.passed.to_string(),
        entry
            .quizzes
            .average_best_score
            .map(|s| format!("{s:.1}"))
            .unwrap_or_default(),
        entry.live_sessions.held.to_string(),
        entry.live_sessions.attended.to_string(),
    ];
    format!("{}\r\n", cells.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_quoted_and_formulas_defused() {
        assert_eq!(cell("Zoé"), "Zoé");
        assert_eq!(cell("Diallo, Awa"), "\"Diallo, Awa\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("+33 6"), "'+33 6");
        assert_eq!(cell("@sum"), "'@sum");
    }
}
