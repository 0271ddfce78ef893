//! Statistics of approved ratings, kept on the course row: exact values, a
//! long random sequence of changes under both moderation settings checked
//! against a recount after every step, concurrent changes, and repair.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use std::collections::BTreeMap;

use common::*;
use diesel::prelude::*;
use mdsc_auth::Principal;
use mdsc_core::schema::{course_ratings, courses};
use mdsc_core::{Error, ErrorKind};
use mdsc_course::course::get_course;
use mdsc_rating::service::{
    CreateRatingInput, UpdateRatingInput, create_rating, delete_rating, moderate_rating,
    update_rating,
};
use mdsc_rating::stats::{count_stats, get_stats, recompute_stats};
use mdsc_rating::{Moderation, RatingStatus};

#[test]
fn a_course_without_ratings_has_zero_statistics() {
    let mut w = World::new();
    let cast = w.cast();
    let stats = w.assert_stats_exact(cast.course_id());
    assert_eq!(stats.average_rating, 0.0);
    assert_eq!(stats.rating_count, 0);
    assert_eq!(stats.recommendation_rate, 0.0);
    let keys: Vec<&str> = stats
        .rating_distribution
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["1", "2", "3", "4", "5"]);
    assert!(stats.rating_distribution.values().all(|n| *n == 0));
}

#[test]
fn statistics_are_rounded_to_two_decimals_and_shown_on_the_course() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    w.rate(&cast.student, course_id, 5);
    let second = w.completed(&cast.course);
    w.rate(&second, course_id, 4);
    let third = w.completed(&cast.course);
    let input = CreateRatingInput {
        would_recommend: Some(false),
        ..rating_input(third.enrollment_id, 4)
    };
    w.rate_with(&third, course_id, input);

    let stats = w.assert_stats_exact(course_id);
    assert_eq!(stats.rating_count, 3);
    assert_eq!(stats.average_rating, 4.33, "13 / 3");
    assert_eq!(stats.recommendation_rate, 66.67, "2 of 3");
    let distribution: Vec<i32> = stats.rating_distribution.values().copied().collect();
    assert_eq!(distribution, [0, 0, 0, 2, 1]);
    assert_eq!(stats, expected_stats(&[(5, true), (4, true), (4, false)]));

    // The course itself shows the same figures, to anyone.
    for viewer in [None, Some(&cast.outsider)] {
        let course = get_course(&mut w.conn, viewer, &course_id.to_string()).unwrap();
        assert_eq!(course.average_rating, 4.33);
        assert_eq!(course.rating_count, 3);
    }
    let row = w.course_row(course_id);
    assert_eq!((row.rating_sum, row.recommend_count), (13, 2));
}

#[test]
fn only_approved_ratings_count() {
    let mut w = World::new();
    w.pre_moderation();
    let cast = w.cast();
    let course_id = cast.course_id();
    let pending = w.rate(&cast.student, course_id, 1);
    let rejected = {
        let learner = w.completed(&cast.course);
        w.rate(&learner, course_id, 2)
    };
    let approved = {
        let learner = w.completed(&cast.course);
        w.rate(&learner, course_id, 5)
    };
    w.assert_stats(course_id, &[]);
    w.reject(&cast.instructor, course_id, rejected.id);
    w.approve(&cast.admin, course_id, approved.id);
    assert_eq!(w.stored_status(pending.id).as_deref(), Some("pending"));
    w.assert_stats(course_id, &[(5, true)]);
    let course = get_course(&mut w.conn, None, &course_id.to_string()).unwrap();
    assert_eq!((course.average_rating, course.rating_count), (5.0, 1));
}

#[test]
fn statistics_of_a_draft_are_not_public() {
    let mut w = World::new();
    let cast = w.cast();
    w.rate(&cast.student, cast.course_id(), 3);
    w.set_published(&cast.course, false);
    expect_not_found(get_stats(&mut w.conn, None, cast.course_id()));
    for outsider in cast.outsiders() {
        expect_not_found(get_stats(&mut w.conn, Some(&outsider), cast.course_id()));
    }
    for viewer in [cast.student.who, cast.instructor, cast.admin] {
        let stats = get_stats(&mut w.conn, Some(&viewer), cast.course_id()).unwrap();
        assert_eq!(stats, expected_stats(&[(3, true)]));
    }
    expect_not_found(get_stats(&mut w.conn, None, cast.course_id() + 1000));
}

/// xorshift64: a tiny deterministic generator, so a failure replays.
struct XorShift(u64);

impl XorShift {
    fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }
    fn stars(&mut self) -> i32 {
        i32::try_from(self.below(5)).unwrap() + 1
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

/// What the test believes one rating is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Believed {
    author: usize,
    stars: i32,
    recommend: bool,
    status: &'static str,
}

fn status_str(status: RatingStatus) -> &'static str {
    status.as_str()
}

/// The test's model of one course: its ratings by id.
type Model = BTreeMap<i32, Believed>;

fn approved_of(model: &Model) -> Vec<(i32, bool)> {
    model
        .values()
        .filter(|b| b.status == "approved")
        .map(|b| (b.stars, b.recommend))
        .collect()
}

fn stored(w: &mut World, course_id: i32) -> BTreeMap<i32, (i32, bool, String)> {
    course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .select((
            course_ratings::id,
            course_ratings::rating,
            course_ratings::would_recommend,
            course_ratings::status,
        ))
        .load::<(i32, i32, bool, String)>(&mut *w.conn)
        .unwrap()
        .into_iter()
        .map(|(id, stars, recommend, status)| (id, (stars, recommend, status)))
        .collect()
}

#[derive(Debug, Default)]
struct Tally {
    done: BTreeMap<(&'static str, &'static str), u32>,
}

impl Tally {
    fn add(&mut self, op: &'static str, moderation: Moderation) {
        let m = match moderation {
            Moderation::Post => "post",
            Moderation::Pre => "pre",
        };
        *self.done.entry((op, m)).or_default() += 1;
    }
}

struct Sim {
    w: World,
    rng: XorShift,
    instructor: Principal,
    admin: Principal,
    courses: Vec<CourseFix>,
    /// learners[student][course]
    learners: Vec<Vec<Learner>>,
    models: Vec<Model>,
    tally: Tally,
}

impl Sim {
    fn new(seed: u64, students: usize) -> Self {
        let mut w = World::new();
        let instructor = w.instructor();
        let admin = w.admin();
        let courses = vec![
            w.course(&instructor, "Rust for beginners"),
            w.course(&instructor, "Advanced Rust"),
        ];
        let learners = (0..students)
            .map(|_| {
                let who = w.student();
                courses.iter().map(|c| w.complete_as(&who, c)).collect()
            })
            .collect();
        Self {
            w,
            rng: XorShift::new(seed),
            instructor,
            admin,
            models: vec![Model::new(); courses.len()],
            courses,
            learners,
            tally: Tally::default(),
        }
    }

    fn random_rating(&mut self, c: usize) -> Option<(i32, Believed)> {
        let ids: Vec<i32> = self.models[c].keys().copied().collect();
        if ids.is_empty() {
            return None;
        }
        let id = self.rng.pick(&ids);
        Some((id, self.models[c][&id]))
    }

    fn create(&mut self, c: usize) {
        let author = self.rng.below(self.learners.len());
        let learner = self.learners[author][c];
        let course_id = self.courses[c].id;
        let input = CreateRatingInput {
            would_recommend: Some(self.rng.percent(70)),
            is_anonymous: Some(self.rng.percent(30)),
            ..rating_input(learner.enrollment_id, self.rng.stars())
        };
        let already = self.models[c].values().any(|b| b.author == author);
        let result = self.w.try_rate_with(&learner.who, course_id, input.clone());
        if already {
            expect_conflict(result, "ALREADY_RATED");
            self.tally.add("create refused", self.w.settings.moderation);
            return;
        }
        let rating = result.unwrap();
        let expected = match self.w.settings.moderation {
            Moderation::Post => RatingStatus::Approved,
            Moderation::Pre => RatingStatus::Pending,
        };
        assert_eq!(rating.status, expected);
        self.models[c].insert(
            rating.id,
            Believed {
                author,
                stars: input.rating,
                recommend: input.would_recommend.unwrap(),
                status: status_str(expected),
            },
        );
        self.tally.add("create", self.w.settings.moderation);
    }

    fn update(&mut self, c: usize) {
        let Some((id, before)) = self.random_rating(c) else {
            return;
        };
        let input = UpdateRatingInput {
            rating: self.rng.percent(70).then(|| self.rng.stars()),
            would_recommend: self.rng.percent(50).then(|| self.rng.percent(50)),
            comment: Some(format!("edited at {id}")),
            ..UpdateRatingInput::default()
        };
        let author = self.learners[before.author][c].who;
        let rating = self
            .w
            .update(&author, self.courses[c].id, id, input.clone())
            .unwrap();
        let status = match (self.w.settings.moderation, before.status) {
            (Moderation::Pre, _) | (Moderation::Post, "rejected") => "pending",
            (Moderation::Post, current) => current,
        };
        let after = Believed {
            stars: input.rating.unwrap_or(before.stars),
            recommend: input.would_recommend.unwrap_or(before.recommend),
            status,
            ..before
        };
        assert_eq!(rating.status.as_str(), after.status);
        assert_eq!(
            (rating.rating, rating.would_recommend),
            (after.stars, after.recommend)
        );
        self.models[c].insert(id, after);
        self.tally.add("update", self.w.settings.moderation);
    }

    fn delete(&mut self, c: usize) {
        let Some((id, before)) = self.random_rating(c) else {
            return;
        };
        let who = if self.rng.percent(50) {
            self.admin
        } else {
            self.learners[before.author][c].who
        };
        self.w.delete(&who, self.courses[c].id, id).unwrap();
        self.models[c].remove(&id);
        self.tally.add("delete", self.w.settings.moderation);
    }

    fn moderate(&mut self, c: usize) {
        let Some((id, before)) = self.random_rating(c) else {
            return;
        };
        let status = self
            .rng
            .pick(&[RatingStatus::Approved, RatingStatus::Rejected]);
        let who = self.rng.pick(&[self.instructor, self.admin]);
        let rating = self
            .w
            .moderate(&who, self.courses[c].id, id, status, Some("checked"))
            .unwrap();
        assert_eq!(rating.status, status);
        let after = Believed {
            status: status_str(status),
            ..before
        };
        self.models[c].insert(id, after);
        self.tally.add("moderate", self.w.settings.moderation);
    }

    /// Someone who may not change the rating tries to: nothing moves.
    fn intrude(&mut self, c: usize) {
        let Some((id, before)) = self.random_rating(c) else {
            return;
        };
        let intruder = (before.author + 1) % self.learners.len();
        let who = self.learners[intruder][c].who;
        let course_id = self.courses[c].id;
        let result = if self.rng.percent(50) {
            self.w.update(&who, course_id, id, new_stars(1)).map(|_| ())
        } else {
            self.w.delete(&who, course_id, id)
        };
        let err = result.unwrap_err();
        let expected = if before.status == "approved" {
            ErrorKind::Forbidden
        } else {
            ErrorKind::NotFound
        };
        assert_eq!(err.kind, expected, "{err}");
        self.tally.add("intrude", self.w.settings.moderation);
    }

    fn check(&mut self, step: usize) {
        for c in 0..self.courses.len() {
            let course_id = self.courses[c].id;
            let kept = self.w.stats(course_id);
            let counted = count_stats(&mut self.w.conn, course_id).unwrap();
            assert_eq!(kept, counted, "step {step}, course {c}: kept vs recount");
            let believed = expected_stats(&approved_of(&self.models[c]));
            assert_eq!(kept, believed, "step {step}, course {c}: kept vs model");
            let rows = stored(&mut self.w, course_id);
            let model: BTreeMap<i32, (i32, bool, String)> = self.models[c]
                .iter()
                .map(|(id, b)| (*id, (b.stars, b.recommend, b.status.to_owned())))
                .collect();
            assert_eq!(rows, model, "step {step}, course {c}: rows vs model");
        }
    }

    fn run(&mut self, steps: usize) {
        for step in 0..steps {
            if self.rng.percent(8) {
                self.w.settings.moderation = match self.w.settings.moderation {
                    Moderation::Post => Moderation::Pre,
                    Moderation::Pre => Moderation::Post,
                };
            }
            if self.rng.percent(20) {
                self.w.clock.advance(Duration::minutes(7));
            }
            let c = self.rng.below(self.courses.len());
            match self.rng.below(100) {
                0..30 => self.create(c),
                30..55 => self.update(c),
                55..67 => self.delete(c),
                67..95 => self.moderate(c),
                _ => self.intrude(c),
            }
            self.check(step);
        }
    }
}

#[test]
fn kept_statistics_equal_a_recount_after_every_step_of_a_random_history() {
    let mut sim = Sim::new(0x5eed_2026_0115, 8);
    sim.run(600);
    // Every kind of change happened under both moderation settings.
    for op in [
        "create",
        "create refused",
        "update",
        "delete",
        "moderate",
        "intrude",
    ] {
        for m in ["post", "pre"] {
            let n = sim.tally.done.get(&(op, m)).copied().unwrap_or(0);
            assert!(
                n >= 3,
                "only {n} `{op}` under {m}-moderation: {:?}",
                sim.tally
            );
        }
    }
    // And the repair finds nothing to repair.
    for course in sim.courses.clone() {
        let kept = sim.w.stats(course.id);
        assert_eq!(recompute_stats(&mut sim.w.conn, course.id).unwrap(), kept);
        assert_eq!(sim.w.stats(course.id), kept);
    }
}

#[test]
fn other_seeds_keep_statistics_exact_too() {
    for seed in [1, 42, 0xdead_beef] {
        let mut sim = Sim::new(seed, 4);
        sim.run(150);
    }
}

#[test]
fn many_students_rating_at_once_are_all_counted() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let learners: Vec<Learner> = (0..12).map(|_| w.completed(&cast.course)).collect();
    let settings = w.settings;
    let wanted: Vec<(i32, bool)> = (0..learners.len())
        .map(|i| (i32::try_from(i % 5).unwrap() + 1, i % 3 != 0))
        .collect();
    let plan = wanted.clone();
    let results = race(&w.db.pool(), learners.len(), move |i, conn| {
        let input = CreateRatingInput {
            would_recommend: Some(plan[i].1),
            ..rating_input(learners[i].enrollment_id, plan[i].0)
        };
        create_rating(
            conn,
            &learners[i].who,
            &thread_clock(),
            &settings,
            course_id,
            input,
        )
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    assert_eq!(w.rating_rows(course_id), 12);
    let stats = w.assert_stats_exact(course_id);
    assert_eq!(stats, expected_stats(&wanted));
    assert_eq!(stats.rating_count, 12);
}

#[test]
fn concurrent_edits_moderations_deletions_and_new_ratings_keep_statistics_exact() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let (instructor, admin) = (cast.instructor, cast.admin);
    let learners: Vec<Learner> = (0..12).map(|_| w.completed(&cast.course)).collect();
    // Half of them have rated already.
    let rated: Vec<i32> = learners[..6]
        .iter()
        .enumerate()
        .map(|(i, l)| w.rate(l, course_id, i32::try_from(i % 5).unwrap() + 1).id)
        .collect();
    w.assert_stats_exact(course_id);
    for round in 0..3 {
        let settings = mdsc_rating::RatingSettings {
            moderation: if round == 1 {
                Moderation::Pre
            } else {
                Moderation::Post
            },
            ..w.settings
        };
        let (learners, rated) = (learners.clone(), rated.clone());
        let results = race(&w.db.pool(), 12, move |i, conn| -> Result<(), Error> {
            let clock = thread_clock();
            let stars = i32::try_from((i + round) % 5).unwrap() + 1;
            if i >= 6 {
                // A new rating (or a conflict, after the first round).
                let input = rating_input(learners[i].enrollment_id, stars);
                return match create_rating(
                    conn,
                    &learners[i].who,
                    &clock,
                    &settings,
                    course_id,
                    input,
                ) {
                    Err(e) if e.code == "ALREADY_RATED" => Ok(()),
                    other => other.map(|_| ()),
                };
            }
            let (author, id) = (&learners[i].who, rated[i]);
            let outcome = match (i + round) % 4 {
                0 => update_rating(
                    conn,
                    author,
                    &clock,
                    &settings,
                    course_id,
                    id,
                    new_stars(stars),
                ),
                1 => {
                    let status = if round % 2 == 0 {
                        RatingStatus::Rejected
                    } else {
                        RatingStatus::Approved
                    };
                    let input = mdsc_rating::service::ModerateInput {
                        status,
                        reason: None,
                    };
                    let who = if i % 2 == 0 { &instructor } else { &admin };
                    moderate_rating(conn, who, &clock, course_id, id, input)
                }
                2 => {
                    let input = UpdateRatingInput {
                        would_recommend: Some(round % 2 == 1),
                        ..UpdateRatingInput::default()
                    };
                    update_rating(conn, author, &clock, &settings, course_id, id, input)
                }
                _ => {
                    let input = mdsc_rating::service::ModerateInput {
                        status: RatingStatus::Approved,
                        reason: None,
                    };
                    moderate_rating(conn, &admin, &clock, course_id, id, input)
                }
            };
            outcome.map(|_| ())
        });
        assert!(
            results.iter().all(Result::is_ok),
            "round {round}: {results:?}"
        );
        w.assert_stats_exact(course_id);
    }
    // Finally everyone deletes at once.
    let ids: Vec<(Principal, i32)> = course_ratings::table
        .filter(course_ratings::course_id.eq(course_id))
        .select((course_ratings::user_id, course_ratings::id))
        .load::<(i32, i32)>(&mut *w.conn)
        .unwrap()
        .into_iter()
        .map(|(user_id, id)| {
            let who = learners
                .iter()
                .find(|l| l.who.user_id == user_id)
                .unwrap()
                .who;
            (who, id)
        })
        .collect();
    assert_eq!(ids.len(), 12);
    let results = race(&w.db.pool(), ids.len(), move |i, conn| {
        delete_rating(conn, &ids[i].0, course_id, ids[i].1)
    });
    assert!(results.iter().all(Result::is_ok), "{results:?}");
    w.assert_stats(course_id, &[]);
    let row = w.course_row(course_id);
    assert_eq!(
        (row.rating_count, row.rating_sum, row.recommend_count),
        (0, 0, 0)
    );
}

#[test]
fn recompute_repairs_statistics_broken_in_the_database() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    w.rate(&cast.student, course_id, 5);
    let second = w.completed(&cast.course);
    let input = CreateRatingInput {
        would_recommend: Some(false),
        ..rating_input(second.enrollment_id, 2)
    };
    w.rate_with(&second, course_id, input);
    let good = w.assert_stats_exact(course_id);
    assert_eq!(good, expected_stats(&[(5, true), (2, false)]));

    // Someone edits the course row by hand.
    diesel::update(courses::table.find(course_id))
        .set((
            courses::rating_count.eq(99),
            courses::rating_sum.eq(7),
            courses::rating_count_3.eq(42),
            courses::rating_count_5.eq(0),
            courses::recommend_count.eq(0),
            courses::average_rating.eq(1.5),
            courses::recommendation_rate.eq(3.0),
        ))
        .execute(&mut *w.conn)
        .unwrap();
    let broken = w.stats(course_id);
    assert_eq!(broken.rating_count, 99);
    assert_ne!(broken, good);
    // Counting does not write.
    assert_eq!(count_stats(&mut w.conn, course_id).unwrap(), good);
    assert_eq!(w.stats(course_id), broken);

    let repaired = recompute_stats(&mut w.conn, course_id).unwrap();
    assert_eq!(repaired, good);
    assert_eq!(w.assert_stats_exact(course_id), good);
    let row = w.course_row(course_id);
    assert_eq!(
        (
            row.rating_count,
            row.rating_sum,
            row.rating_count_3,
            row.recommend_count
        ),
        (2, 7, 0, 1)
    );
    let course = get_course(&mut w.conn, None, &course_id.to_string()).unwrap();
    assert_eq!((course.average_rating, course.rating_count), (3.5, 2));

    // Later changes start from the repaired figures.
    let third = w.completed(&cast.course);
    w.rate(&third, course_id, 4);
    w.assert_stats(course_id, &[(5, true), (2, false), (4, true)]);
}

#[test]
fn recompute_leaves_other_courses_alone() {
    let mut w = World::new();
    let cast = w.cast();
    let other = w.course(&cast.instructor, "Advanced Rust");
    w.rate(&cast.student, cast.course_id(), 3);
    let learner = w.complete_as(&cast.student.who, &other);
    w.rate(&learner, other.id, 1);
    diesel::update(courses::table.find(other.id))
        .set(courses::rating_count.eq(50))
        .execute(&mut *w.conn)
        .unwrap();
    recompute_stats(&mut w.conn, cast.course_id()).unwrap();
    assert_eq!(
        w.course_row(other.id).rating_count,
        50,
        "not this course's business"
    );
    assert_eq!(
        recompute_stats(&mut w.conn, other.id).unwrap(),
        expected_stats(&[(1, true)])
    );
    w.assert_stats(other.id, &[(1, true)]);
    w.assert_stats(cast.course_id(), &[(3, true)]);
}

#[test]
fn a_refused_change_leaves_the_statistics_as_they_were() {
    let mut w = World::new();
    let cast = w.cast();
    let course_id = cast.course_id();
    let rating = w.rate(&cast.student, course_id, 4);
    let before = w.assert_stats_exact(course_id);
    expect_invalid_field(
        w.update(&cast.student.who, course_id, rating.id, new_stars(0)),
        "rating",
    );
    expect_forbidden(w.update(&cast.instructor, course_id, rating.id, new_stars(1)));
    expect_forbidden(w.delete(&cast.instructor, course_id, rating.id));
    expect_forbidden(w.moderate(
        &cast.other_instructor,
        course_id,
        rating.id,
        RatingStatus::Rejected,
        None,
    ));
    expect_conflict(w.try_rate(&cast.student, course_id, 1), "ALREADY_RATED");
    assert_eq!(w.assert_stats_exact(course_id), before);
    assert_eq!(before, expected_stats(&[(4, true)]));
}
