//! Grading one answer. Pure functions: the rules of every question kind
//! live here, tested below without a database.
//!
//! - `single_choice`, `true_false`: the right choice earns the question's
//!   points, anything else 0.
//! - `multiple_choice`: right minus wrong, floored at 0. Each right choice
//!   picked earns `points / right choices`, each wrong choice picked takes
//!   the same away; picking everything therefore earns nothing. The answer
//!   counts as correct only when exactly the right choices are picked.
//! - `short_answer`: correct when the typed text equals an accepted answer
//!   once both are folded (case, accents) and their spaces trimmed and
//!   collapsed.
//!
//! An unanswered question earns 0 and is not correct.

use mdsc_core::search::fold;

use super::model::{ChoiceRow, QuestionKind};

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Graded {
    pub is_correct: bool,
    pub points: f64,
}

impl Graded {
    const WRONG: Graded = Graded {
        is_correct: false,
        points: 0.0,
    };
}

/// What a student answered to one question (empty when unanswered).
#[derive(Debug, Clone, Copy, Default)]
pub struct Given<'a> {
    pub choice_ids: &'a [i32],
    pub text: Option<&'a str>,
}

/// The form short answers are compared in.
pub fn normalize_answer(text: &str) -> String {
    fold(text).split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn grade(
    kind: QuestionKind,
    points: i32,
    choices: &[ChoiceRow],
    accepted: &[String],
    given: Given<'_>,
) -> Graded {
    let points = f64::from(points);
    match kind {
        QuestionKind::SingleChoice | QuestionKind::TrueFalse => {
            let right = match given.choice_ids {
                [only] => choices.iter().any(|c| c.id == *only && c.is_correct),
                _ => false,
            };
            if right {
                Graded {
                    is_correct: true,
                    points,
                }
            } else {
                Graded::WRONG
            }
        }
        QuestionKind::MultipleChoice => {
            let right_total = choices.iter().filter(|c| c.is_correct).count();
            if right_total == 0 || given.choice_ids.is_empty() {
                return Graded::WRONG;
            }
            let picked = |c: &&ChoiceRow| given.choice_ids.contains(&c.id);
            let right = choices
                .iter()
                .filter(picked)
                .filter(|c| c.is_correct)
                .count();
            let wrong = choices
                .iter()
                .filter(picked)
                .filter(|c| !c.is_correct)
                .count();
            let share = points / right_total as f64;
            let earned = (share * right as f64 - share * wrong as f64).max(0.0);
            Graded {
                is_correct: right == right_total && wrong == 0,
                points: (earned * 100.0).round() / 100.0,
            }
        }
        QuestionKind::ShortAnswer => {
            let typed = given.text.map(normalize_answer).unwrap_or_default();
            let right = !typed.is_empty() && accepted.iter().any(|a| normalize_answer(a) == typed);
            if right {
                Graded {
                    is_correct: true,
                    points,
                }
            } else {
                Graded::WRONG
            }
        }
    }
}

/// Percent of `max_points` earned, two decimals (0 when there is nothing
/// to earn).
pub fn score_percent(points: f64, max_points: f64) -> f64 {
    if max_points <= 0.0 {
        return 0.0;
    }
    ((points * 10000.0 / max_points).round() / 100.0).clamp(0.0, 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choices(correct: &[bool]) -> Vec<ChoiceRow> {
        correct
            .iter()
            .enumerate()
            .map(|(i, &is_correct)| ChoiceRow {
                id: i as i32 + 1,
                question_id: 1,
                text: format!("choice {i}"),
                is_correct,
                position: i as i32,
            })
            .collect()
    }

    fn picked(ids: &[i32]) -> Given<'_> {
        Given {
            choice_ids: ids,
            text: None,
        }
    }

    #[test]
    fn single_choice_earns_all_or_nothing() {
        let c = choices(&[false, true, false]);
        let right = grade(QuestionKind::SingleChoice, 4, &c, &[], picked(&[2]));
        assert_eq!(
            right,
            Graded {
                is_correct: true,
                points: 4.0
            }
        );
        assert_eq!(
            grade(QuestionKind::SingleChoice, 4, &c, &[], picked(&[1])),
            Graded::WRONG
        );
        // Two picks on a single-choice question are not an answer.
        assert_eq!(
            grade(QuestionKind::SingleChoice, 4, &c, &[], picked(&[2, 1])),
            Graded::WRONG
        );
        assert_eq!(
            grade(QuestionKind::SingleChoice, 4, &c, &[], picked(&[])),
            Graded::WRONG
        );
        // A choice of another question earns nothing.
        assert_eq!(
            grade(QuestionKind::TrueFalse, 4, &c, &[], picked(&[99])),
            Graded::WRONG
        );
    }

    #[test]
    fn multiple_choice_is_right_minus_wrong_floored_at_zero() {
        // Right: 1, 2, 3; wrong: 4.
        let c = choices(&[true, true, true, false]);
        let all_right = grade(QuestionKind::MultipleChoice, 3, &c, &[], picked(&[1, 2, 3]));
        assert_eq!(
            all_right,
            Graded {
                is_correct: true,
                points: 3.0
            }
        );
        let two_right = grade(QuestionKind::MultipleChoice, 3, &c, &[], picked(&[1, 3]));
        assert_eq!(
            two_right,
            Graded {
                is_correct: false,
                points: 2.0
            }
        );
        let two_right_one_wrong =
            grade(QuestionKind::MultipleChoice, 3, &c, &[], picked(&[1, 3, 4]));
        assert_eq!(
            two_right_one_wrong,
            Graded {
                is_correct: false,
                points: 1.0
            }
        );
        let one_wrong = grade(QuestionKind::MultipleChoice, 3, &c, &[], picked(&[4]));
        assert_eq!(one_wrong, Graded::WRONG);
        // Picking everything: 3 right, 1 wrong = 2 of 3 points here, but
        // with as many wrong as right choices it earns nothing.
        let half = choices(&[true, false]);
        let everything = grade(QuestionKind::MultipleChoice, 2, &half, &[], picked(&[1, 2]));
        assert_eq!(everything, Graded::WRONG);
    }

    #[test]
    fn multiple_choice_shares_round_to_hundredths() {
        let c = choices(&[true, true, true, false]);
        let one = grade(QuestionKind::MultipleChoice, 1, &c, &[], picked(&[2]));
        assert_eq!(one.points, 0.33);
    }

    #[test]
    fn short_answers_ignore_case_accents_and_spaces() {
        let accepted = vec!["Élément".to_owned(), "la mitochondrie".to_owned()];
        for typed in [
            "element",
            "  ÉLÉMENT ",
            "La   Mitochondrie",
            "la\tmitochondrie",
        ] {
            let given = Given {
                choice_ids: &[],
                text: Some(typed),
            };
            let graded = grade(QuestionKind::ShortAnswer, 2, &[], &accepted, given);
            assert_eq!(
                graded,
                Graded {
                    is_correct: true,
                    points: 2.0
                },
                "{typed:?}"
            );
        }
        for typed in ["elements", "", "   ", "mitochondrie"] {
            let given = Given {
                choice_ids: &[],
                text: Some(typed),
            };
            assert_eq!(
                grade(QuestionKind::ShortAnswer, 2, &[], &accepted, given),
                Graded::WRONG,
                "{typed:?}"
            );
        }
    }

    #[test]
    fn scores_are_percent_with_two_decimals() {
        assert_eq!(score_percent(2.0, 3.0), 66.67);
        assert_eq!(score_percent(3.0, 3.0), 100.0);
        assert_eq!(score_percent(0.0, 0.0), 0.0);
    }
}
