//! Quizzes graded on the server (issue 19): questions written by course
//! staff, attempts started and submitted by enrolled students, graded
//! here from the stored answer key; grades given by staff for quizzes
//! without questions; what staff read back.
//!
//! Students read questions only through an attempt (`view`), which holds
//! the answer key back until the quiz's `reveal_answers` allows it.

pub mod answers;
pub mod attempt;
pub mod due;
pub mod expiry;
pub mod grade;
pub mod grading;
pub mod model;
pub mod questions;
pub mod shuffle;
pub mod staff;
pub mod view;

pub use attempt::{
    AttemptAnswersInput, QuizSubmitInput, get_attempt, has_passed, list_enrollment_attempts,
    save_attempt_answers, start_attempt, submit_attempt, submit_quiz,
};
pub use due::quiz_due;
pub use expiry::grade_expired_attempts;
pub use questions::{
    ChoiceInput, QuestionInput, QuestionOrderInput, create_question, delete_question,
    has_questions, list_questions, reorder_questions, update_question,
};
pub use staff::{AttemptFilter, GradeInput, grade_quiz, list_quiz_attempts, quiz_statistics};
