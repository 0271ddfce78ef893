//! The one diesel schema, shared by both backends. Written by hand to match
//! `migrations/postgres` and `migrations/sqlite`; `tests/schema_invariants.rs`
//! checks that both produce the same tables and columns.

diesel::table! {
    users (id) {
        id -> Integer,
        email -> Text,
        password_hash -> Text,
        first_name -> Text,
        last_name -> Text,
        avatar -> Nullable<Text>,
        role -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    courses (id) {
        id -> Integer,
        title -> Text,
        slug -> Text,
        description -> Text,
        short_description -> Nullable<Text>,
        thumbnail_url -> Nullable<Text>,
        category -> Nullable<Text>,
        level -> Nullable<Text>,
        language -> Text,
        instructor_id -> Integer,
        is_published -> Bool,
        start_date -> Nullable<Timestamp>,
        end_date -> Nullable<Timestamp>,
        estimated_duration_weeks -> Nullable<Integer>,
        average_rating -> Double,
        rating_count -> Integer,
        enrollment_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        rating_sum -> Integer,
        rating_count_1 -> Integer,
        rating_count_2 -> Integer,
        rating_count_3 -> Integer,
        rating_count_4 -> Integer,
        rating_count_5 -> Integer,
        recommend_count -> Integer,
        recommendation_rate -> Double,
    }
}

diesel::table! {
    course_modules (id) {
        id -> Integer,
        course_id -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lessons (id) {
        id -> Integer,
        course_id -> Integer,
        module_id -> Integer,
        title -> Text,
        content -> Nullable<Text>,
        video_url -> Nullable<Text>,
        duration_minutes -> Integer,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quizzes (id) {
        id -> Integer,
        course_id -> Integer,
        module_id -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        passing_score -> Integer,
        due_date -> Nullable<Timestamp>,
        due_offset_days -> Nullable<Integer>,
        position -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    enrollments (id) {
        id -> Integer,
        user_id -> Integer,
        course_id -> Integer,
        status -> Text,
        progress_percentage -> Double,
        payment_id -> Nullable<Text>,
        enrolled_at -> Timestamp,
        completed_at -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    lesson_completions (id) {
        id -> Integer,
        enrollment_id -> Integer,
        lesson_id -> Integer,
        completed_at -> Timestamp,
    }
}

diesel::table! {
    quiz_attempts (id) {
        id -> Integer,
        enrollment_id -> Integer,
        quiz_id -> Integer,
        score -> Double,
        passed -> Bool,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    certificates (id) {
        id -> Integer,
        enrollment_id -> Integer,
        user_id -> Integer,
        course_id -> Integer,
        verification_code -> Text,
        issued_at -> Timestamp,
    }
}

diesel::table! {
    course_ratings (id) {
        id -> Integer,
        course_id -> Integer,
        user_id -> Integer,
        enrollment_id -> Integer,
        rating -> Integer,
        comment -> Nullable<Text>,
        pros -> Nullable<Text>,
        cons -> Nullable<Text>,
        would_recommend -> Bool,
        is_verified_purchase -> Bool,
        is_anonymous -> Bool,
        status -> Text,
        moderation_reason -> Nullable<Text>,
        moderated_by -> Nullable<Integer>,
        moderated_at -> Nullable<Timestamp>,
        helpful_count -> Integer,
        instructor_response -> Nullable<Text>,
        instructor_response_by -> Nullable<Integer>,
        instructor_response_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rating_helpful_votes (id) {
        id -> Integer,
        rating_id -> Integer,
        user_id -> Integer,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rating_prompt_dismissals (id) {
        id -> Integer,
        enrollment_id -> Integer,
        dismissed_at -> Timestamp,
    }
}

diesel::joinable!(courses -> users (instructor_id));
diesel::joinable!(course_ratings -> courses (course_id));
diesel::joinable!(course_ratings -> enrollments (enrollment_id));
diesel::joinable!(rating_helpful_votes -> course_ratings (rating_id));
diesel::joinable!(rating_prompt_dismissals -> enrollments (enrollment_id));
diesel::joinable!(course_modules -> courses (course_id));
diesel::joinable!(lessons -> course_modules (module_id));
diesel::joinable!(quizzes -> course_modules (module_id));
diesel::joinable!(enrollments -> courses (course_id));
diesel::joinable!(enrollments -> users (user_id));
diesel::joinable!(lesson_completions -> enrollments (enrollment_id));
diesel::joinable!(quiz_attempts -> enrollments (enrollment_id));
diesel::joinable!(lesson_completions -> lessons (lesson_id));
diesel::joinable!(quiz_attempts -> quizzes (quiz_id));
diesel::joinable!(certificates -> enrollments (enrollment_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    courses,
    course_modules,
    lessons,
    quizzes,
    enrollments,
    lesson_completions,
    quiz_attempts,
    certificates,
    course_ratings,
    rating_helpful_votes,
    rating_prompt_dismissals,
);
