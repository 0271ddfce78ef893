//! Rows to the seed's `LiveSession`, in one batch: courses, instructors and
//! the caller's participation are loaded with one query each.

use std::collections::{HashMap, HashSet};

use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{courses, live_session_participants, users};
use mdsc_core::time::{utc, utc_opt};
use mdsc_core::{DbConnection, Error};

use crate::model::{LiveSession, LiveSessionRow, SessionCourse, SessionInstructor};

pub(crate) fn render_one(
    conn: &mut DbConnection,
    row: LiveSessionRow,
    viewer: &Principal,
) -> Result<LiveSession, Error> {
    render(conn, vec![row], viewer)?
        .pop()
        .ok_or_else(|| Error::internal("rendering a live session gave nothing"))
}

pub(crate) fn render(
    conn: &mut DbConnection,
    rows: Vec<LiveSessionRow>,
    viewer: &Principal,
) -> Result<Vec<LiveSession>, Error> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let course_ids: Vec<i32> = unique(rows.iter().map(|r| r.course_id));
    let course_map: HashMap<i32, SessionCourse> = courses::table
        .filter(courses::id.eq_any(&course_ids))
        .select((courses::id, courses::title, courses::slug))
        .load::<(i32, String, String)>(conn)?
        .into_iter()
        .map(|(id, title, slug)| (id, SessionCourse { id, title, slug }))
        .collect();
    let instructor_ids: Vec<i32> = unique(rows.iter().map(|r| r.instructor_id));
    let instructors: HashMap<i32, SessionInstructor> = users::table
        .filter(users::id.eq_any(&instructor_ids))
        .select(SessionInstructor::as_select())
        .load(conn)?
        .into_iter()
        .map(|u| (u.id, u))
        .collect();
    let session_ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let joined: HashSet<i32> = live_session_participants::table
        .filter(live_session_participants::user_id.eq(viewer.user_id))
        .filter(live_session_participants::session_id.eq_any(&session_ids))
        .select(live_session_participants::session_id)
        .load::<i32>(conn)?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            Ok(LiveSession {
                status: row.status()?,
                course: course_map.get(&row.course_id).cloned(),
                instructor: instructors.get(&row.instructor_id).cloned(),
                is_participant: joined.contains(&row.id),
                id: row.id,
                course_id: row.course_id,
                instructor_id: row.instructor_id,
                title: row.title,
                description: row.description,
                scheduled_start_time: utc(row.scheduled_start_time),
                scheduled_end_time: utc(row.scheduled_end_time),
                actual_start_time: utc_opt(row.actual_start_time),
                actual_end_time: utc_opt(row.actual_end_time),
                jitsi_room_name: row.jitsi_room_name,
                jitsi_server_url: row.jitsi_server_url,
                max_participants: row.max_participants,
                recording_enabled: row.recording_enabled,
                recording_url: row.recording_url,
                created_at: utc(row.created_at),
                updated_at: utc(row.updated_at),
                participant_count: row.participant_count,
                revision: row.revision,
            })
        })
        .collect()
}

fn unique(ids: impl Iterator<Item = i32>) -> Vec<i32> {
    ids.collect::<HashSet<_>>().into_iter().collect()
}
