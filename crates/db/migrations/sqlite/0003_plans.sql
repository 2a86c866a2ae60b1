-- Work plans (工作安排) as data. SQLite dialect. Keep in step with ../postgres.
--
-- A plan_import is a working document: the source text and the parsed plan (JSON), edited on the
-- review screen. Nothing below it exists until a person confirms it; confirming writes the plan
-- tree (plans → plan_tasks → plan_duties → duty_units, duty_deadlines, obligations,
-- feedback_rounds) in one transaction and sets plan_id. Civil dates are 'YYYY-MM-DD' TEXT,
-- instants epoch milliseconds, booleans 0/1, JSON TEXT.

CREATE TABLE plan_imports (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    source_name TEXT NOT NULL,
    source_text TEXT NOT NULL,
    parsed_json TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'confirmed', 'discarded')),
    plan_id     INTEGER,
    created_by  INTEGER REFERENCES users(id),
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX plan_imports_plan ON plan_imports(plan_id);
CREATE INDEX plan_imports_created_by ON plan_imports(created_by);

CREATE TABLE plans (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT NOT NULL,
    issuer     TEXT,
    issued_on  TEXT,
    year       INTEGER NOT NULL,
    import_id  INTEGER REFERENCES plan_imports(id),
    status     TEXT NOT NULL DEFAULT 'active',
    created_by INTEGER REFERENCES users(id),
    created_at INTEGER NOT NULL
);
CREATE INDEX plans_import ON plans(import_id);
CREATE INDEX plans_created_by ON plans(created_by);

CREATE TABLE plan_tasks (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id           INTEGER NOT NULL REFERENCES plans(id) ON DELETE CASCADE,
    number            INTEGER NOT NULL,
    title             TEXT NOT NULL,
    section_path_json TEXT NOT NULL DEFAULT '[]',
    sort_order        INTEGER NOT NULL
);
CREATE INDEX plan_tasks_plan ON plan_tasks(plan_id);

CREATE TABLE plan_duties (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id    INTEGER NOT NULL REFERENCES plan_tasks(id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    clause     TEXT,
    assessed   INTEGER NOT NULL DEFAULT 0,
    sort_order INTEGER NOT NULL
);
CREATE INDEX plan_duties_task ON plan_duties(task_id);

-- One row per organisation a written name stands for (a collective gives several rows).
CREATE TABLE duty_units (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    duty_id         INTEGER NOT NULL REFERENCES plan_duties(id) ON DELETE CASCADE,
    name_as_written TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('lead', 'co', 'responsible')),
    org_id          INTEGER REFERENCES organisations(id),
    resolution      TEXT NOT NULL CHECK (resolution IN ('matched', 'collective', 'suspect', 'unknown', 'mapped'))
);
CREATE INDEX duty_units_duty ON duty_units(duty_id);
CREATE INDEX duty_units_org ON duty_units(org_id);

CREATE TABLE duty_deadlines (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    duty_id INTEGER NOT NULL REFERENCES plan_duties(id) ON DELETE CASCADE,
    text    TEXT NOT NULL,
    date    TEXT
);
CREATE INDEX duty_deadlines_duty ON duty_deadlines(duty_id);

-- One per (duty, cadence, reporting organisation). cadence is the norm
-- (gongkai_domain::obligation::Cadence); due_rule 'working_days_after_end:20' for periodic
-- cadences, NULL for event-triggered and unschedulable ones.
CREATE TABLE obligations (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    duty_id      INTEGER NOT NULL REFERENCES plan_duties(id) ON DELETE CASCADE,
    org_id       INTEGER NOT NULL REFERENCES organisations(id),
    column_id    INTEGER REFERENCES columns(id),
    cadence      TEXT NOT NULL,
    cadence_text TEXT NOT NULL,
    due_rule     TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX obligations_duty ON obligations(duty_id);
CREATE INDEX obligations_org ON obligations(org_id);
CREATE INDEX obligations_column ON obligations(column_id);

-- One per feedback date per reporting organisation of a duty.
CREATE TABLE feedback_rounds (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    duty_id    INTEGER NOT NULL REFERENCES plan_duties(id) ON DELETE CASCADE,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    due_date   TEXT NOT NULL,
    label      TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'open',
    created_at INTEGER NOT NULL
);
CREATE INDEX feedback_rounds_duty ON feedback_rounds(duty_id);
CREATE INDEX feedback_rounds_org ON feedback_rounds(org_id);
CREATE INDEX feedback_rounds_due ON feedback_rounds(due_date);
