-- Course forums (seed §4.2.1): one forum per course, topics, nested replies,
-- reactions; plus what the rules need: distinct topic viewers, reports for
-- moderation, and the counters lists show, kept in the transaction of each
-- change.

CREATE TABLE course_forums (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    course_id INTEGER NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT,
    is_locked BOOLEAN NOT NULL DEFAULT 0,
    -- Visible (not hidden) topics, and the live replies of those topics.
    topic_count INTEGER NOT NULL DEFAULT 0,
    reply_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- One forum per course, also when two first visits create it at once.
CREATE UNIQUE INDEX course_forums_course_id_key ON course_forums (course_id);

CREATE TABLE forum_topics (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    forum_id INTEGER NOT NULL REFERENCES course_forums (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    -- A question asked from a lesson of the same course.
    lesson_id INTEGER REFERENCES lessons (id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    -- Title and content lower-cased and accent-folded, for a search that
    -- behaves the same on both backends (SQLite's LOWER is ASCII-only).
    search_text TEXT NOT NULL,
    is_pinned BOOLEAN NOT NULL DEFAULT 0,
    is_locked BOOLEAN NOT NULL DEFAULT 0,
    -- Hidden by a moderator after a report: seen by staff and the author only.
    is_hidden BOOLEAN NOT NULL DEFAULT 0,
    has_solution BOOLEAN NOT NULL DEFAULT 0,
    view_count INTEGER NOT NULL DEFAULT 0,
    reply_count INTEGER NOT NULL DEFAULT 0,
    last_reply_at TIMESTAMP,
    last_reply_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    -- The later of creation and the last live reply: the `recent` order.
    last_activity_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- The list's orders, pinned topics first: recent, popular, newest; each
-- index holds the whole ORDER BY, so a page is read without a sort.
CREATE INDEX idx_forum_topics_forum_id ON forum_topics (forum_id, is_pinned, last_activity_at, id);
CREATE INDEX forum_topics_forum_popular_idx ON forum_topics (forum_id, is_pinned, reply_count, view_count, last_activity_at, id);
CREATE INDEX forum_topics_forum_created_idx ON forum_topics (forum_id, is_pinned, created_at, id);
-- A user's topics.
CREATE INDEX idx_forum_topics_user_id ON forum_topics (user_id, created_at);
CREATE INDEX forum_topics_lesson_id_idx ON forum_topics (lesson_id);
CREATE INDEX forum_topics_last_reply_by_idx ON forum_topics (last_reply_by);

CREATE TABLE forum_replies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    parent_reply_id INTEGER REFERENCES forum_replies (id) ON DELETE CASCADE,
    -- The top-level reply of the thread (NULL for a top-level reply), so a
    -- page of threads loads with one query, without recursive SQL.
    root_reply_id INTEGER REFERENCES forum_replies (id) ON DELETE CASCADE,
    -- 0 for a top-level reply.
    depth INTEGER NOT NULL DEFAULT 0,
    content TEXT NOT NULL,
    is_solution BOOLEAN NOT NULL DEFAULT 0,
    is_hidden BOOLEAN NOT NULL DEFAULT 0,
    upvotes INTEGER NOT NULL DEFAULT 0,
    downvotes INTEGER NOT NULL DEFAULT 0,
    like_count INTEGER NOT NULL DEFAULT 0,
    helpful_count INTEGER NOT NULL DEFAULT 0,
    -- Set when a reply that has answers is deleted: it keeps its place in
    -- the tree, its content removed.
    deleted_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
-- A topic's replies in time order (its latest live reply, counts).
CREATE INDEX idx_forum_replies_topic_id ON forum_replies (topic_id, created_at);
-- A page of top-level replies.
CREATE INDEX forum_replies_topic_depth_created_idx ON forum_replies (topic_id, depth, created_at, id);
-- A user's replies.
CREATE INDEX idx_forum_replies_user_id ON forum_replies (user_id, created_at);
CREATE INDEX idx_forum_replies_parent_reply_id ON forum_replies (parent_reply_id);
CREATE INDEX forum_replies_root_reply_id_idx ON forum_replies (root_reply_id);
-- At most one solution per topic, whatever happens concurrently.
CREATE UNIQUE INDEX forum_replies_one_solution_key ON forum_replies (topic_id) WHERE is_solution;

CREATE TABLE forum_reactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reply_id INTEGER NOT NULL REFERENCES forum_replies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reaction_type TEXT NOT NULL DEFAULT 'upvote' CHECK (reaction_type IN ('upvote', 'downvote', 'like', 'helpful')),
    created_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_reactions_reply_user_type_key ON forum_reactions (reply_id, user_id, reaction_type);
CREATE INDEX forum_reactions_user_id_idx ON forum_reactions (user_id);

-- Who has opened a topic: `view_count` counts distinct viewers.
CREATE TABLE forum_topic_views (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic_id INTEGER NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    viewed_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX forum_topic_views_topic_user_key ON forum_topic_views (topic_id, user_id);
CREATE INDEX forum_topic_views_user_id_idx ON forum_topic_views (user_id);

-- A reader flags a topic (reply_id NULL) or a reply of it; staff resolve.
CREATE TABLE forum_reports (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    forum_id INTEGER NOT NULL REFERENCES course_forums (id) ON DELETE CASCADE,
    topic_id INTEGER NOT NULL REFERENCES forum_topics (id) ON DELETE CASCADE,
    reply_id INTEGER REFERENCES forum_replies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'offensive', 'off_topic', 'other')),
    details TEXT,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution TEXT CHECK (resolution IN ('hide', 'restore', 'dismiss')),
    resolved_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    resolved_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
-- The staff queue of a forum.
CREATE INDEX forum_reports_forum_status_created_idx ON forum_reports (forum_id, status, created_at);
CREATE INDEX forum_reports_topic_id_idx ON forum_reports (topic_id);
-- One report per user and post, whatever happens concurrently.
CREATE UNIQUE INDEX forum_reports_topic_user_key ON forum_reports (topic_id, user_id) WHERE reply_id IS NULL;
CREATE UNIQUE INDEX forum_reports_reply_user_key ON forum_reports (reply_id, user_id);
CREATE INDEX forum_reports_user_id_idx ON forum_reports (user_id);
CREATE INDEX forum_reports_resolved_by_idx ON forum_reports (resolved_by);

-- Anti-spam: when each user posted, for the per-minute bounds. Kept apart
-- from the posts so that deleting a post does not free its place in the
-- window; rows older than the window are pruned as the user posts again.
CREATE TABLE forum_postings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind VARCHAR(10) NOT NULL CHECK (kind IN ('topic', 'reply')),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX forum_postings_user_kind_created_idx ON forum_postings (user_id, kind, created_at);
