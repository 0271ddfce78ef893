//! Course structure: modules, lessons and quizzes, their order, and who
//! sees lesson content.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use chrono::DateTime;
use common::*;
use mdsc_course::CourseStructure;
use mdsc_course::structure::{
    LessonInput, ModuleInput, QuizInput, create_lesson, create_module, create_quiz, delete_lesson,
    delete_module, get_structure, update_lesson, update_quiz,
};

fn module_input(title: &str, position: Option<i32>) -> ModuleInput {
    ModuleInput {
        title: Some(title.to_owned()),
        description: None,
        position,
    }
}

fn lesson_at(title: &str, position: i32, minutes: i32) -> LessonInput {
    LessonInput {
        position: Some(position),
        duration_minutes: Some(minutes),
        ..lesson_input(title)
    }
}

fn lesson_titles(structure: &CourseStructure) -> Vec<Vec<String>> {
    structure
        .modules
        .iter()
        .map(|m| m.lessons.iter().map(|l| l.title.clone()).collect())
        .collect()
}

#[test]
fn only_course_staff_create_modules_lessons_and_quizzes() {
    let mut w = World::new();
    let cast = w.cast();
    for intruder in [cast.enrolled, cast.outsider, cast.other_instructor] {
        expect_forbidden(create_module(
            &mut w.conn,
            &intruder,
            &w.clock,
            cast.course_id,
            module_input("Intruding module", None),
        ));
        expect_forbidden(create_lesson(
            &mut w.conn,
            &intruder,
            &w.clock,
            cast.module_id,
            lesson_input("Intruding lesson"),
        ));
        expect_forbidden(create_quiz(
            &mut w.conn,
            &intruder,
            &w.clock,
            cast.module_id,
            quiz_input("Intruding quiz"),
        ));
    }
    let before = get_structure(&mut w.conn, Some(&cast.admin), cast.course_id).unwrap();
    assert_eq!(before.modules.len(), 1);
    assert_eq!(before.total_lessons, 2);
    assert_eq!(before.total_quizzes, 1);

    for staff in cast.staff() {
        let module = w.module(&staff, cast.course_id, "Staff module");
        assert_eq!(module.course_id, cast.course_id);
        let lesson = w.lesson(&staff, module.id, "Staff lesson");
        assert_eq!(
            (lesson.course_id, lesson.module_id),
            (cast.course_id, module.id)
        );
        let quiz = w.quiz(&staff, module.id, "Staff quiz");
        assert_eq!(
            (quiz.course_id, quiz.module_id),
            (cast.course_id, module.id)
        );
    }
    let after = get_structure(&mut w.conn, Some(&cast.admin), cast.course_id).unwrap();
    assert_eq!(after.modules.len(), 3);
    assert_eq!(after.total_lessons, 4);
    assert_eq!(after.total_quizzes, 3);
}

#[test]
fn structure_items_of_missing_parents_are_not_found() {
    let mut w = World::new();
    let admin = w.admin();
    expect_not_found(create_module(
        &mut w.conn,
        &admin,
        &w.clock,
        999_999,
        module_input("Orphan", None),
    ));
    expect_not_found(create_lesson(
        &mut w.conn,
        &admin,
        &w.clock,
        999_999,
        lesson_input("Orphan"),
    ));
    expect_not_found(create_quiz(
        &mut w.conn,
        &admin,
        &w.clock,
        999_999,
        quiz_input("Orphan"),
    ));
    expect_not_found(get_structure(&mut w.conn, Some(&admin), 999_999));
}

#[test]
fn a_title_is_required() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Course");
    let module = w.module(&instructor, course.id, "Module");
    expect_invalid_field(
        create_module(
            &mut w.conn,
            &instructor,
            &w.clock,
            course.id,
            ModuleInput::default(),
        ),
        "title",
    );
    expect_invalid_field(
        create_lesson(
            &mut w.conn,
            &instructor,
            &w.clock,
            module.id,
            LessonInput::default(),
        ),
        "title",
    );
    expect_invalid_field(
        create_quiz(
            &mut w.conn,
            &instructor,
            &w.clock,
            module.id,
            QuizInput {
                title: Some("  ".to_owned()),
                ..QuizInput::default()
            },
        ),
        "title",
    );
}

#[test]
fn titles_are_one_line_and_texts_refuse_other_controls() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Course");
    let module = w.module(&instructor, course.id, "Module");
    let bad_module = ModuleInput {
        title: Some("Semaine\n1".to_owned()),
        ..ModuleInput::default()
    };
    expect_invalid_field(
        create_module(&mut w.conn, &instructor, &w.clock, course.id, bad_module),
        "title",
    );
    let text = |s: &str| Some(s.to_owned());
    let cases = [
        (
            LessonInput {
                title: text("Leçon\t1"),
                ..lesson_input("Leçon")
            },
            "title",
        ),
        (
            LessonInput {
                video_url: text("https://v.example.org/\r\nx"),
                ..lesson_input("Leçon")
            },
            "video_url",
        ),
        (
            LessonInput {
                content: text("échap\u{1b}[31m"),
                ..lesson_input("Leçon")
            },
            "content",
        ),
    ];
    for (input, field) in cases {
        expect_invalid_field(
            create_lesson(&mut w.conn, &instructor, &w.clock, module.id, input),
            field,
        );
    }
    let bad_quiz = QuizInput {
        description: Some("nul\0".to_owned()),
        ..quiz_input("Quiz")
    };
    expect_invalid_field(
        create_quiz(&mut w.conn, &instructor, &w.clock, module.id, bad_quiz),
        "description",
    );
    // Multi-line content keeps its newlines and tabs.
    let kept = create_lesson(
        &mut w.conn,
        &instructor,
        &w.clock,
        module.id,
        LessonInput {
            content: text("# Titre\r\n\n\tcode"),
            ..lesson_input("Leçon")
        },
    )
    .unwrap();
    assert_eq!(kept.content.as_deref(), Some("# Titre\r\n\n\tcode"));
}

#[test]
fn positions_default_to_after_the_last_one() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Course");
    let other_course = w.course(&instructor, "Other course");
    w.module(&instructor, other_course.id, "Elsewhere");

    let first = w.module(&instructor, course.id, "First");
    let second = w.module(&instructor, course.id, "Second");
    assert_eq!((first.position, second.position), (1, 2));
    let placed = create_module(
        &mut w.conn,
        &instructor,
        &w.clock,
        course.id,
        module_input("Placed", Some(10)),
    )
    .unwrap();
    assert_eq!(placed.position, 10);
    assert_eq!(w.module(&instructor, course.id, "After").position, 11);

    let positions = |w: &mut World, module_id: i32| {
        let lessons: Vec<i32> = (0..2)
            .map(|n| w.lesson(&instructor, module_id, &format!("L{n}")).position)
            .collect();
        let quizzes: Vec<i32> = (0..2)
            .map(|n| w.quiz(&instructor, module_id, &format!("Q{n}")).position)
            .collect();
        (lessons, quizzes)
    };
    // Lessons and quizzes count within their own module.
    assert_eq!(positions(&mut w, first.id), (vec![1, 2], vec![1, 2]));
    assert_eq!(positions(&mut w, second.id), (vec![1, 2], vec![1, 2]));
    assert_eq!(positions(&mut w, first.id), (vec![3, 4], vec![3, 4]));
}

#[test]
fn a_quiz_has_a_due_date_or_a_due_offset_not_both() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Course");
    let module = w.module(&instructor, course.id, "Module");
    let due_date = Some(DateTime::parse_from_rfc3339("2026-02-01T18:00:00+01:00").unwrap());
    let both = QuizInput {
        due_date,
        due_offset_days: Some(7),
        ..quiz_input("Both")
    };
    expect_invalid_field(
        create_quiz(&mut w.conn, &instructor, &w.clock, module.id, both.clone()),
        "due_offset_days",
    );

    let by_offset = QuizInput {
        due_offset_days: Some(7),
        passing_score: None,
        ..quiz_input("Offset")
    };
    let quiz = create_quiz(&mut w.conn, &instructor, &w.clock, module.id, by_offset).unwrap();
    assert_eq!(quiz.due_offset_days, Some(7));
    assert_eq!(quiz.due_date, None);
    assert_eq!(quiz.passing_score, 50, "default passing score");

    expect_invalid_field(
        update_quiz(&mut w.conn, &instructor, &w.clock, quiz.id, both),
        "due_offset_days",
    );
    let set_date = QuizInput {
        due_date,
        ..QuizInput::default()
    };
    let updated = update_quiz(&mut w.conn, &instructor, &w.clock, quiz.id, set_date).unwrap();
    assert_eq!(
        updated.due_date.map(|d| d.to_rfc3339()).as_deref(),
        Some("2026-02-01T17:00:00+00:00")
    );
    assert_eq!(
        updated.due_offset_days, None,
        "a due date replaces the offset"
    );
    assert_eq!(updated.title, "Offset");
}

#[test]
fn the_structure_nests_lessons_and_quizzes_in_order() {
    let mut w = World::new();
    let instructor = w.instructor();
    let course = w.course(&instructor, "Ordered");
    let create = |w: &mut World, title: &str, position| {
        create_module(
            &mut w.conn,
            &instructor,
            &w.clock,
            course.id,
            module_input(title, Some(position)),
        )
        .unwrap()
    };
    let second = create(&mut w, "Second", 2);
    let first = create(&mut w, "First", 1);
    let empty = create(&mut w, "Third", 3);
    for (module, title, position, minutes) in [
        (&second, "2b", 2, 10),
        (&first, "1b", 2, 20),
        (&second, "2a", 1, 30),
        (&first, "1a", 1, 45),
    ] {
        create_lesson(
            &mut w.conn,
            &instructor,
            &w.clock,
            module.id,
            lesson_at(title, position, minutes),
        )
        .unwrap();
    }
    let quiz = w.quiz(&instructor, second.id, "Final quiz");

    let structure = get_structure(&mut w.conn, None, course.id).unwrap();
    assert_eq!(structure.course.id, course.id);
    let modules: Vec<_> = structure.modules.iter().map(|m| m.module.id).collect();
    assert_eq!(modules, [first.id, second.id, empty.id]);
    assert_eq!(
        lesson_titles(&structure),
        [vec!["1a", "1b"], vec!["2a", "2b"], vec![]]
    );
    assert!(structure.modules[0].quizzes.is_empty());
    assert_eq!(structure.modules[1].quizzes.len(), 1);
    assert_eq!(structure.modules[1].quizzes[0].id, quiz.id);
    assert_eq!(structure.total_lessons, 4);
    assert_eq!(structure.total_quizzes, 1);
    assert_eq!(structure.total_duration_minutes, 105);
}

#[test]
fn lesson_content_reaches_only_enrolled_students_and_staff() {
    let mut w = World::new();
    let cast = w.cast();
    let hidden = |s: &CourseStructure| {
        s.modules
            .iter()
            .flat_map(|m| &m.lessons)
            .all(|l| l.content.is_none() && l.video_url.is_none())
    };
    let shown = |s: &CourseStructure| {
        s.modules.iter().flat_map(|m| &m.lessons).all(|l| {
            l.content.as_deref() == Some(LESSON_CONTENT)
                && l.video_url.as_deref() == Some(LESSON_VIDEO)
        })
    };

    let anonymous = get_structure(&mut w.conn, None, cast.course_id).unwrap();
    assert!(hidden(&anonymous));
    assert_eq!(
        lesson_titles(&anonymous),
        [vec!["Ownership", "Borrowing"]],
        "titles are public"
    );
    assert_eq!(anonymous.total_duration_minutes, 60);
    for outsider in cast.outsiders() {
        let structure = get_structure(&mut w.conn, Some(&outsider), cast.course_id).unwrap();
        assert!(hidden(&structure), "hidden from user {}", outsider.user_id);
    }
    for member in [cast.enrolled, cast.instructor, cast.admin] {
        let structure = get_structure(&mut w.conn, Some(&member), cast.course_id).unwrap();
        assert_eq!(structure.total_lessons, 2);
        assert!(shown(&structure), "shown to user {}", member.user_id);
    }

    // A cancelled enrollment no longer opens the content.
    mdsc_course::enrollment::cancel_enrollment(
        &mut w.conn,
        &cast.enrolled,
        &w.clock,
        cast.enrollment_id,
    )
    .unwrap();
    let structure = get_structure(&mut w.conn, Some(&cast.enrolled), cast.course_id).unwrap();
    assert!(hidden(&structure));
}

#[test]
fn the_structure_of_a_draft_is_only_for_its_staff() {
    let mut w = World::new();
    let instructor = w.instructor();
    let other_instructor = w.instructor();
    let student = w.student();
    let admin = w.admin();
    let draft = w.draft(&instructor, "Draft");
    w.module(&instructor, draft.id, "Module");
    expect_not_found(get_structure(&mut w.conn, None, draft.id));
    expect_not_found(get_structure(&mut w.conn, Some(&student), draft.id));
    expect_not_found(get_structure(
        &mut w.conn,
        Some(&other_instructor),
        draft.id,
    ));
    for staff in [&instructor, &admin] {
        let structure = get_structure(&mut w.conn, Some(staff), draft.id).unwrap();
        assert_eq!(structure.modules.len(), 1);
    }
}

#[test]
fn only_course_staff_change_or_delete_lessons_and_modules() {
    let mut w = World::new();
    let cast = w.cast();
    let lesson_id = cast.lesson_ids[0];
    let rename = LessonInput {
        title: Some("Renamed".to_owned()),
        ..LessonInput::default()
    };
    for intruder in [cast.enrolled, cast.other_instructor] {
        expect_forbidden(update_lesson(
            &mut w.conn,
            &intruder,
            &w.clock,
            lesson_id,
            rename.clone(),
        ));
        expect_forbidden(delete_lesson(&mut w.conn, &intruder, &w.clock, lesson_id));
        expect_forbidden(delete_module(
            &mut w.conn,
            &intruder,
            &w.clock,
            cast.module_id,
        ));
    }
    let updated =
        update_lesson(&mut w.conn, &cast.instructor, &w.clock, lesson_id, rename).unwrap();
    assert_eq!(updated.title, "Renamed");
    assert_eq!(
        updated.content.as_deref(),
        Some(LESSON_CONTENT),
        "absent fields stay"
    );

    delete_lesson(&mut w.conn, &cast.admin, &w.clock, lesson_id).unwrap();
    let structure = get_structure(&mut w.conn, None, cast.course_id).unwrap();
    assert_eq!(lesson_titles(&structure), [vec!["Borrowing"]]);

    delete_module(&mut w.conn, &cast.instructor, &w.clock, cast.module_id).unwrap();
    let structure = get_structure(&mut w.conn, None, cast.course_id).unwrap();
    assert!(structure.modules.is_empty());
    assert_eq!((structure.total_lessons, structure.total_quizzes), (0, 0));
}
