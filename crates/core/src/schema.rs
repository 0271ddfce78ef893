//! The one diesel schema, shared by both backends. Written by hand to match
//! `migrations/postgres` and `migrations/sqlite`; `tests/integration/schema_invariants.rs`
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
        /// Bumped to end every token issued before (issue 20).
        token_version -> Integer,
        /// `active` or `disabled`.
        status -> Text,
        /// The default time zone of new study schedules (IANA name).
        time_zone -> Nullable<Text>,
        /// When the account was erased (its personal data replaced).
        deleted_at -> Nullable<Timestamp>,
        /// Folded "last first" (catalog search by instructor, roster order).
        search_name -> Text,
        /// When the address was verified; none: not yet (see
        /// `REQUIRE_EMAIL_VERIFICATION`).
        email_verified_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Tokens ended before their expiry (logout).
    revoked_tokens (token_id) {
        token_id -> Text,
        user_id -> Integer,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    /// Single-use password reset links, by digest.
    password_resets (id) {
        id -> Integer,
        user_id -> Integer,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Single-use e-mail verification links, by digest.
    email_verifications (id) {
        id -> Integer,
        user_id -> Integer,
        token_digest -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
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
        rating_pending_count -> Integer,
        rating_rejected_count -> Integer,
        /// Folded title and descriptions (catalog search).
        search_text -> Text,
        /// The instructor's `users.search_name`, kept by triggers.
        search_instructor -> Text,
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
        max_attempts -> Nullable<Integer>,
        time_limit_minutes -> Nullable<Integer>,
        shuffle_questions -> Bool,
        shuffle_choices -> Bool,
        reveal_answers -> Text,
    }
}

diesel::table! {
    quiz_questions (id) {
        id -> Integer,
        quiz_id -> Integer,
        kind -> Text,
        prompt -> Text,
        points -> Integer,
        explanation -> Nullable<Text>,
        accepted_answers -> Nullable<Text>,
        position -> Integer,
        answered_count -> Integer,
        correct_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    quiz_choices (id) {
        id -> Integer,
        question_id -> Integer,
        text -> Text,
        is_correct -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    quiz_answers (id) {
        id -> Integer,
        attempt_id -> Integer,
        question_id -> Integer,
        choice_ids -> Nullable<Text>,
        text_answer -> Nullable<Text>,
        is_correct -> Nullable<Bool>,
        points -> Nullable<Double>,
        answered_at -> Timestamp,
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
        /// The student's `users.search_name`, kept by triggers (the
        /// roster's order).
        student_sort -> Text,
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
        score -> Nullable<Double>,
        passed -> Bool,
        submitted_at -> Nullable<Timestamp>,
        status -> Text,
        attempt_number -> Integer,
        started_at -> Timestamp,
        deadline_at -> Nullable<Timestamp>,
        shuffle_seed -> Integer,
        points -> Nullable<Double>,
        max_points -> Nullable<Double>,
        graded_by -> Nullable<Integer>,
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

diesel::table! {
    live_sessions (id) {
        id -> Integer,
        course_id -> Integer,
        instructor_id -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        scheduled_start_time -> Timestamp,
        scheduled_end_time -> Timestamp,
        actual_start_time -> Nullable<Timestamp>,
        actual_end_time -> Nullable<Timestamp>,
        status -> Text,
        jitsi_room_name -> Text,
        jitsi_server_url -> Text,
        max_participants -> Integer,
        recording_enabled -> Bool,
        recording_url -> Nullable<Text>,
        participant_count -> Integer,
        revision -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    live_session_participants (id) {
        id -> Integer,
        session_id -> Integer,
        user_id -> Integer,
        enrolled_at -> Timestamp,
        joined_at -> Nullable<Timestamp>,
        left_at -> Nullable<Timestamp>,
        attendance_duration -> Nullable<Integer>,
        is_staff -> Bool,
        attendance_seconds -> Integer,
        last_event_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    live_session_chat (id) {
        id -> Integer,
        session_id -> Integer,
        user_id -> Integer,
        message -> Text,
        message_type -> Text,
        is_pinned -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    live_session_webhook_events (id) {
        id -> Integer,
        idempotency_key -> Text,
        event_type -> Text,
        session_id -> Nullable<Integer>,
        received_at -> Timestamp,
    }
}

diesel::table! {
    course_forums (id) {
        id -> Integer,
        course_id -> Integer,
        title -> Text,
        description -> Nullable<Text>,
        is_locked -> Bool,
        topic_count -> Integer,
        reply_count -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        hidden_topic_count -> Integer,
    }
}

diesel::table! {
    forum_topics (id) {
        id -> Integer,
        forum_id -> Integer,
        user_id -> Integer,
        lesson_id -> Nullable<Integer>,
        title -> Text,
        content -> Text,
        search_text -> Text,
        is_pinned -> Bool,
        is_locked -> Bool,
        is_hidden -> Bool,
        has_solution -> Bool,
        view_count -> Integer,
        reply_count -> Integer,
        last_reply_at -> Nullable<Timestamp>,
        last_reply_by -> Nullable<Integer>,
        last_activity_at -> Timestamp,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        thread_count -> Integer,
        search_title -> Text,
    }
}

diesel::table! {
    forum_replies (id) {
        id -> Integer,
        topic_id -> Integer,
        user_id -> Integer,
        parent_reply_id -> Nullable<Integer>,
        root_reply_id -> Nullable<Integer>,
        depth -> Integer,
        content -> Text,
        is_solution -> Bool,
        is_hidden -> Bool,
        upvotes -> Integer,
        downvotes -> Integer,
        like_count -> Integer,
        helpful_count -> Integer,
        deleted_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// `downvotes - upvotes`, generated by the database: never written.
        vote_rank -> Integer,
    }
}

diesel::table! {
    forum_reactions (id) {
        id -> Integer,
        reply_id -> Integer,
        user_id -> Integer,
        reaction_type -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_topic_views (id) {
        id -> Integer,
        topic_id -> Integer,
        user_id -> Integer,
        viewed_at -> Timestamp,
    }
}

diesel::table! {
    forum_topic_participants (topic_id, user_id) {
        topic_id -> Integer,
        user_id -> Integer,
        joined_at -> Timestamp,
    }
}

diesel::table! {
    throttle_counters (scope, subject, window_start) {
        scope -> Text,
        subject -> Text,
        window_start -> Timestamp,
        hits -> Integer,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    forum_postings (id) {
        id -> Integer,
        user_id -> Integer,
        kind -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    forum_reports (id) {
        id -> Integer,
        forum_id -> Integer,
        topic_id -> Integer,
        reply_id -> Nullable<Integer>,
        user_id -> Integer,
        reason -> Text,
        details -> Nullable<Text>,
        status -> Text,
        resolution -> Nullable<Text>,
        resolved_by -> Nullable<Integer>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    course_schedules (id) {
        id -> Integer,
        enrollment_id -> Integer,
        user_id -> Integer,
        course_id -> Integer,
        timezone -> Text,
        study_days -> Text,
        hours_per_week -> Integer,
        preferred_time -> Text,
        generated_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    schedule_items (id) {
        id -> Integer,
        schedule_id -> Integer,
        item_key -> Text,
        item_type -> Text,
        title -> Text,
        description -> Nullable<Text>,
        start_time -> Nullable<Timestamp>,
        end_time -> Nullable<Timestamp>,
        due_date -> Nullable<Timestamp>,
        status -> Text,
        is_moved -> Bool,
        module_id -> Nullable<Integer>,
        lesson_id -> Nullable<Integer>,
        quiz_id -> Nullable<Integer>,
        live_session_id -> Nullable<Integer>,
        sequence -> Integer,
        cancelled_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        /// The schedule's owner, set by a trigger on insert (calendar pages).
        user_id -> Nullable<Integer>,
    }
}

diesel::table! {
    calendar_feed_tokens (id) {
        id -> Integer,
        user_id -> Integer,
        token -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// Withdrawn notifications not yet folded into `notification_counters`.
    notification_counter_deltas (id) {
        id -> Integer,
        user_id -> Integer,
        total -> Integer,
        unread -> Integer,
    }
}

diesel::table! {
    /// Each user's notification counts, kept by mdsc-notify.
    notification_counters (id) {
        id -> Integer,
        user_id -> Integer,
        total -> Integer,
        unread -> Integer,
    }
}

diesel::table! {
    notifications (id) {
        id -> Integer,
        user_id -> Integer,
        #[sql_name = "type"]
        kind -> Text,
        title -> Text,
        body -> Text,
        data -> Text,
        read_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        /// What it is about, when that can be withdrawn (`forum_topic:12`).
        subject -> Nullable<Text>,
    }
}

diesel::table! {
    notification_preferences (id) {
        id -> Integer,
        user_id -> Integer,
        #[sql_name = "type"]
        kind -> Text,
        in_app -> Bool,
        email -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    jobs (id) {
        id -> Integer,
        kind -> Text,
        job_key -> Text,
        payload -> Text,
        run_at -> Timestamp,
        attempts -> Integer,
        locked_by -> Nullable<Text>,
        locked_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        outcome -> Nullable<Text>,
        finished_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        /// An e-mail's notification subject, to cancel it with the notification.
        subject -> Nullable<Text>,
    }
}

diesel::table! {
    notification_settings (id) {
        id -> Integer,
        user_id -> Integer,
        locale -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    forum_follows (id) {
        id -> Integer,
        user_id -> Integer,
        course_id -> Integer,
        following -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(courses -> users (instructor_id));
diesel::joinable!(revoked_tokens -> users (user_id));
diesel::joinable!(password_resets -> users (user_id));
diesel::joinable!(email_verifications -> users (user_id));
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
diesel::joinable!(quiz_attempts -> users (graded_by));
diesel::joinable!(quiz_questions -> quizzes (quiz_id));
diesel::joinable!(quiz_choices -> quiz_questions (question_id));
diesel::joinable!(quiz_answers -> quiz_attempts (attempt_id));
diesel::joinable!(quiz_answers -> quiz_questions (question_id));
diesel::joinable!(certificates -> enrollments (enrollment_id));
diesel::joinable!(live_sessions -> courses (course_id));
diesel::joinable!(live_sessions -> users (instructor_id));
diesel::joinable!(live_session_participants -> live_sessions (session_id));
diesel::joinable!(live_session_participants -> users (user_id));
diesel::joinable!(live_session_chat -> live_sessions (session_id));
diesel::joinable!(live_session_chat -> users (user_id));
diesel::joinable!(live_session_webhook_events -> live_sessions (session_id));
diesel::joinable!(course_forums -> courses (course_id));
diesel::joinable!(forum_topics -> course_forums (forum_id));
diesel::joinable!(forum_topics -> lessons (lesson_id));
diesel::joinable!(forum_replies -> forum_topics (topic_id));
diesel::joinable!(forum_reactions -> forum_replies (reply_id));
diesel::joinable!(forum_topic_views -> forum_topics (topic_id));
diesel::joinable!(forum_topic_participants -> forum_topics (topic_id));
diesel::joinable!(forum_topic_participants -> users (user_id));
diesel::joinable!(forum_postings -> users (user_id));
diesel::joinable!(forum_reports -> course_forums (forum_id));
diesel::joinable!(forum_reports -> forum_topics (topic_id));
diesel::joinable!(forum_reports -> forum_replies (reply_id));
diesel::joinable!(course_schedules -> enrollments (enrollment_id));
diesel::joinable!(course_schedules -> courses (course_id));
diesel::joinable!(schedule_items -> course_schedules (schedule_id));
diesel::joinable!(calendar_feed_tokens -> users (user_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(notification_preferences -> users (user_id));
diesel::joinable!(notification_counter_deltas -> users (user_id));
diesel::joinable!(notification_counters -> users (user_id));
diesel::joinable!(notification_settings -> users (user_id));
diesel::joinable!(forum_follows -> courses (course_id));

diesel::table! {
    /// Access changes for open event streams, written by triggers (SQLite
    /// only; PostgreSQL sends them by NOTIFY).
    realtime_access_changes (id) {
        id -> Integer,
        /// `user`, `course`, `topic` or `session`.
        scope -> Text,
        scope_key -> Integer,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    users,
    revoked_tokens,
    password_resets,
    email_verifications,
    courses,
    course_modules,
    lessons,
    quizzes,
    quiz_questions,
    quiz_choices,
    quiz_answers,
    enrollments,
    lesson_completions,
    quiz_attempts,
    certificates,
    course_ratings,
    rating_helpful_votes,
    rating_prompt_dismissals,
    live_sessions,
    live_session_participants,
    live_session_chat,
    live_session_webhook_events,
    course_forums,
    forum_topics,
    forum_replies,
    forum_reactions,
    forum_topic_views,
    forum_topic_participants,
    course_schedules,
    schedule_items,
    calendar_feed_tokens,
    notifications,
    notification_counter_deltas,
    notification_counters,
    notification_preferences,
    notification_settings,
    forum_follows,
    jobs,
    forum_postings,
    forum_reports,
    throttle_counters,
    realtime_access_changes,
);
