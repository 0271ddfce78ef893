//! `seed-demo`: a realistic demo course with an instructor, two students and
//! a quiz, upcoming live sessions and a started forum discussion, built
//! through the same services as the API. One student is a module ahead.
//! Prints credentials, the roster as the instructor sees it, and how to
//! change a password.

use chrono::Duration;
use mdsc_auth::{Principal, RegisterInput, Role, User};
use mdsc_core::{Clock, DbConnection, Error, SystemClock, write_transaction};
use mdsc_course::course::{CourseInput, create_course};
use mdsc_course::enrollment::{EnrollInput, enroll};
use mdsc_course::quiz::model::Question;
use mdsc_course::structure::{
    LessonInput, ModuleInput, QuizInput, create_lesson, create_module, create_quiz,
};

use crate::commands::open_database;
use crate::config::Config;

const INSTRUCTOR_EMAIL: &str = "instructeur@demo.mdsc.local";

/// (module title, [(lesson title, minutes)], quiz title)
type DemoModule = (&'static str, &'static [(&'static str, i32)], &'static str);

const MODULES: &[DemoModule] = &[
    (
        "Les bases",
        &[
            ("Installer la chaîne d'outils", 20),
            ("Variables et types", 35),
            ("Fonctions", 30),
        ],
        "Quiz : les bases",
    ),
    (
        "Propriété et emprunts",
        &[
            ("La propriété", 40),
            ("Références et emprunts", 45),
            ("Durées de vie", 50),
        ],
        "Quiz : propriété",
    ),
    (
        "Projet final",
        &[
            ("Structurer un projet avec Cargo", 30),
            ("Tests et documentation", 35),
        ],
        "Évaluation finale",
    ),
];

pub fn seed_demo(config: &Config) -> Result<(), Error> {
    let pool = open_database(config)?;
    let mut conn = pool.get()?;
    let clock = SystemClock;
    if mdsc_auth::service::find_user_by_email(&mut conn, INSTRUCTOR_EMAIL)?.is_some() {
        println!("The demo data already exists ({INSTRUCTOR_EMAIL}). Nothing to do.");
        return Ok(());
    }
    let seeded = write_transaction(&mut conn, |conn| seed(conn, &clock, config))?;
    println!("Demo data created. Sign in with POST /api/auth/login:");
    for (role, email, password) in &seeded.credentials {
        println!("  {role:<10} {email:<32} {password}");
    }
    print_roster(&mut conn, &seeded)?;
    println!(
        "\nChange a password (every older token of the account ends):\n  \
         POST /api/auth/change-password {{\"current_password\": \"…\", \"new_password\": \"…\"}}"
    );
    Ok(())
}

fn user(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    email: &str,
    first: &str,
    last: &str,
    role: Role,
) -> Result<(User, String), Error> {
    let password = mdsc_core::random::random_hex(8)?;
    let input = RegisterInput {
        email: email.to_owned(),
        password: password.clone(),
        first_name: first.to_owned(),
        last_name: last.to_owned(),
    };
    Ok((
        mdsc_auth::service::create_user_with_role(conn, clock, input, role)?,
        password,
    ))
}

fn seed(conn: &mut DbConnection, clock: &dyn Clock, config: &Config) -> Result<Seeded, Error> {
    let (instructor, instructor_pw) = user(
        conn,
        clock,
        INSTRUCTOR_EMAIL,
        "Awa",
        "Diallo",
        Role::Instructor,
    )?;
    let teacher = Principal {
        user_id: instructor.id,
        role: Role::Instructor,
    };
    let start = clock.now().and_utc().fixed_offset() + Duration::days(1);
    let course = create_course(
        conn,
        &teacher,
        clock,
        CourseInput {
            title: "Introduction à la programmation en Rust".to_owned(),
            description: Some(
                "Un cours de six semaines pour écrire ses premiers programmes en Rust.".to_owned(),
            ),
            short_description: Some("Premiers pas en Rust".to_owned()),
            category: Some("Programmation".to_owned()),
            level: Some("beginner".to_owned()),
            start_date: Some(start),
            end_date: Some(start + Duration::weeks(6)),
            estimated_duration_weeks: Some(6),
            ..CourseInput::default()
        },
    )?;
    // The first module's lessons and quiz: one student has done them.
    let mut first_module: FirstModule = (Vec::new(), None);
    for (index, (module_title, lessons, quiz_title)) in MODULES.iter().enumerate() {
        let module = create_module(
            conn,
            &teacher,
            clock,
            course.id,
            ModuleInput {
                title: Some((*module_title).to_owned()),
                ..ModuleInput::default()
            },
        )?;
        for (lesson_title, minutes) in lessons.iter() {
            let lesson = create_lesson(
                conn,
                &teacher,
                clock,
                module.id,
                LessonInput {
                    title: Some((*lesson_title).to_owned()),
                    content: Some(format!("# {lesson_title}\n\nContenu de la leçon.")),
                    duration_minutes: Some(*minutes),
                    ..LessonInput::default()
                },
            )?;
            if index == 0 {
                first_module.0.push(lesson.id);
            }
        }
        let quiz = create_quiz(
            conn,
            &teacher,
            clock,
            module.id,
            QuizInput {
                title: Some((*quiz_title).to_owned()),
                passing_score: Some(70),
                due_offset_days: Some(14 * (index as i32 + 1)),
                max_attempts: Some(Some(3)),
                time_limit_minutes: Some(Some(20)),
                shuffle_choices: Some(true),
                ..QuizInput::default()
            },
        )?;
        let questions = super::seed_quiz::add_questions(conn, &teacher, clock, quiz.id)?;
        if index == 0 {
            first_module.1 = Some((quiz.id, questions));
        }
    }
    live_sessions(conn, clock, config, &teacher, course.id)?;
    let mut credentials = vec![("instructor", instructor.email, instructor_pw)];
    let mut students = Vec::new();
    for (email, first, last) in [
        ("etudiant1@demo.mdsc.local", "Koffi", "Mensah"),
        ("etudiant2@demo.mdsc.local", "Fatou", "Sow"),
    ] {
        let (student, password) = user(conn, clock, email, first, last, Role::Student)?;
        let actor = Principal {
            user_id: student.id,
            role: Role::Student,
        };
        let enrollment = enroll(
            conn,
            &actor,
            clock,
            EnrollInput {
                course_id: course.id,
                payment_id: None,
                auto_generate_schedule: None,
            },
        )?;
        // As `POST /api/enrollments` does, so the demo has calendars.
        mdsc_schedule::service::generate_schedule(
            conn,
            &actor,
            clock,
            &config.schedule,
            enrollment.id,
            mdsc_schedule::service::PreferencesInput::default(),
        )?;
        if students.is_empty() {
            first_module_done(conn, clock, &actor, enrollment.id, &first_module)?;
        }
        credentials.push(("student", student.email, password));
        students.push(actor);
    }
    if let [asker, helper] = students[..] {
        forum_discussion(conn, clock, config, &teacher, &asker, &helper, course.id)?;
    }
    Ok(Seeded {
        credentials,
        teacher,
        course_id: course.id,
    })
}

/// What the demo made: who signs in, and the course to show.
struct Seeded {
    credentials: Vec<(&'static str, String, String)>,
    teacher: Principal,
    course_id: i32,
}

/// The first module's lessons, and its quiz with its questions.
type FirstModule = (Vec<i32>, Option<(i32, Vec<Question>)>);

/// The student completes the first module's lessons and passes its quiz
/// by answering it (through the schedule's hooks, as the API does: their
/// calendar follows).
fn first_module_done(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    student: &Principal,
    enrollment_id: i32,
    (lessons, quiz): &FirstModule,
) -> Result<(), Error> {
    for lesson_id in lessons {
        mdsc_schedule::hooks::complete_lesson(conn, student, clock, enrollment_id, *lesson_id)?;
    }
    if let Some((quiz_id, questions)) = quiz {
        mdsc_schedule::hooks::submit_quiz(
            conn,
            student,
            clock,
            enrollment_id,
            *quiz_id,
            super::seed_quiz::passing_answers(questions),
        )?;
    }
    Ok(())
}

/// The roster as the instructor sees it (`GET /api/courses/{id}/enrollments`).
fn print_roster(conn: &mut DbConnection, seeded: &Seeded) -> Result<(), Error> {
    let page = mdsc_course::roster::roster_page(
        conn,
        &seeded.teacher,
        seeded.course_id,
        mdsc_course::roster::RosterQuery::default(),
    )?;
    println!(
        "\nThe course's roster (GET /api/courses/{}/enrollments, or enrollments.csv):",
        seeded.course_id
    );
    for line in page.data {
        println!(
            "  {:<16} {:>5.1} %  lessons {}/{}  quizzes passed {}/{}",
            format!("{} {}", line.student.first_name, line.student.last_name),
            line.progress_percentage,
            line.lessons_completed,
            line.lessons_total,
            line.quizzes.passed,
            line.quizzes.total,
        );
    }
    Ok(())
}

/// Three weekly question-and-answer sessions, the first one two days from
/// now at 17:00 UTC.
fn live_sessions(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    config: &Config,
    teacher: &Principal,
    course_id: i32,
) -> Result<(), Error> {
    let first = (clock.now().date() + Duration::days(2))
        .and_hms_opt(17, 0, 0)
        .ok_or_else(|| Error::internal("17:00 is a valid time"))?
        .and_utc()
        .fixed_offset();
    for week in 0..3 {
        let start = first + Duration::weeks(week);
        mdsc_live::session::create_session(
            conn,
            teacher,
            clock,
            &config.live,
            course_id,
            mdsc_live::session::CreateSessionInput {
                title: format!("Questions-réponses, semaine {}", week + 1),
                description: Some(
                    "Apportez vos questions sur les leçons de la semaine.".to_owned(),
                ),
                scheduled_start_time: start,
                scheduled_end_time: start + Duration::minutes(90),
                max_participants: Some(config.live.max_participants_cap.min(50)),
                recording_enabled: Some(true),
            },
        )?;
    }
    Ok(())
}

/// A pinned welcome topic, and a student's question that a classmate
/// answers, the instructor completes, the asker upvotes and marks solved.
fn forum_discussion(
    conn: &mut DbConnection,
    clock: &dyn Clock,
    config: &Config,
    teacher: &Principal,
    asker: &Principal,
    helper: &Principal,
    course_id: i32,
) -> Result<(), Error> {
    use mdsc_forum::reaction::{ReactionInput, add_reaction};
    use mdsc_forum::reply::{CreateReplyInput, SolutionInput, create_reply, mark_solution};
    use mdsc_forum::topic::{CreateTopicInput, FlagInput, create_topic, set_pinned};

    let forum = mdsc_forum::forum::get_course_forum(conn, teacher, clock, course_id)?;
    let topic = |title: &str, content: &str| CreateTopicInput {
        title: title.to_owned(),
        content: content.to_owned(),
        lesson_id: None,
    };
    let reply = |content: &str, parent_reply_id: Option<i32>| CreateReplyInput {
        content: content.to_owned(),
        parent_reply_id,
    };
    let welcome = create_topic(
        conn,
        teacher,
        clock,
        &config.forum,
        forum.id,
        topic(
            "Bienvenue sur le forum du cours",
            "Présentez-vous ici et posez vos questions sur les leçons.\n\n**Bonne découverte de Rust !**",
        ),
    )?;
    set_pinned(conn, teacher, welcome.id, FlagInput { value: Some(true) })?;
    let question = create_topic(
        conn,
        asker,
        clock,
        &config.forum,
        forum.id,
        topic(
            "Pourquoi `let x = 5; x = 6;` ne compile pas ?",
            "Le compilateur me dit `cannot assign twice to immutable variable`. Que faire ?",
        ),
    )?;
    let answer = create_reply(
        conn,
        helper,
        clock,
        &config.forum,
        question.id,
        reply(
            "Les variables sont immuables par défaut : écris `let mut x = 5;`.",
            None,
        ),
    )?;
    create_reply(
        conn,
        teacher,
        clock,
        &config.forum,
        question.id,
        reply(
            "Exactement. Voir aussi le *shadowing* : `let x = x + 1;` crée une nouvelle variable.",
            Some(answer.id),
        ),
    )?;
    add_reaction(
        conn,
        asker,
        clock,
        &config.forum,
        answer.id,
        ReactionInput {
            reaction_type: mdsc_forum::ReactionType::Upvote,
        },
    )?;
    mark_solution(conn, asker, answer.id, SolutionInput { value: Some(true) })?;
    Ok(())
}
