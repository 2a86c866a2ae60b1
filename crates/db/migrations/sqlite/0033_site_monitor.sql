-- Site monitoring (issue 16 items 2 and 3). SQLite dialect. Keep in step with ../postgres.
--
-- monitored_sites: the register of sites per organisation; kind 'own' (this portal: columns,
-- dates and messages read from the database) or 'external' (crawled). bonus: the 加分 points the
-- inspector awarded by hand. A site is never deleted once it has history: it is deactivated.
CREATE TABLE monitored_sites (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organisations(id),
    name       TEXT NOT NULL,
    url        TEXT NOT NULL,
    kind       TEXT NOT NULL,
    bonus      INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX monitored_sites_org ON monitored_sites(org_id);

-- One reachability probe (the 15 s rule): ok = answered in time with a status below 400.
CREATE TABLE site_probes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id    INTEGER NOT NULL REFERENCES monitored_sites(id),
    at         INTEGER NOT NULL,
    ok         INTEGER NOT NULL,
    status     INTEGER,
    error      TEXT,
    elapsed_ms INTEGER NOT NULL
);
CREATE INDEX site_probes_site_at ON site_probes(site_id, at);

-- One full inspection of a site, with the score it gave (score_json: domain::monitor::scoring::Score).
CREATE TABLE site_runs (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id     INTEGER NOT NULL REFERENCES monitored_sites(id),
    as_of       TEXT NOT NULL,
    reason      TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER NOT NULL,
    pages       INTEGER NOT NULL,
    attachments INTEGER NOT NULL,
    findings    INTEGER NOT NULL,
    error       TEXT,
    total       INTEGER,
    verdict     TEXT,
    score_json  TEXT
);
CREATE INDEX site_runs_site ON site_runs(site_id, id);

-- A run's findings; finding_key identifies one fault across runs (domain::monitor::finding_key).
CREATE TABLE site_findings (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id      INTEGER NOT NULL REFERENCES site_runs(id),
    site_id     INTEGER NOT NULL REFERENCES monitored_sites(id),
    finding_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    page        TEXT NOT NULL,
    detail_json TEXT NOT NULL
);
CREATE INDEX site_findings_run ON site_findings(run_id);
CREATE INDEX site_findings_key ON site_findings(site_id, finding_key);

-- A rectification ticket （整改单）： open → fixed (the unit's note) → closed by a re-check that
-- no longer finds the fault, or open again with the re-check's evidence.
CREATE TABLE rectification_tickets (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    site_id          INTEGER NOT NULL REFERENCES monitored_sites(id),
    org_id           INTEGER NOT NULL REFERENCES organisations(id),
    finding_key      TEXT NOT NULL,
    kind             TEXT NOT NULL,
    page             TEXT NOT NULL,
    detail_json      TEXT NOT NULL,
    state            TEXT NOT NULL,
    opened_on        TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    opened_run_id    INTEGER NOT NULL REFERENCES site_runs(id),
    fixed_note       TEXT,
    fixed_at         INTEGER,
    fixed_by         INTEGER REFERENCES users(id),
    closed_at        INTEGER,
    checked_run_id   INTEGER REFERENCES site_runs(id),
    reopen_count     INTEGER NOT NULL DEFAULT 0,
    recheck_evidence TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX rectification_tickets_site ON rectification_tickets(site_id, state);
CREATE INDEX rectification_tickets_org ON rectification_tickets(org_id, state);
