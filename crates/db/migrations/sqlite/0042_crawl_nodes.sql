-- Crawling across nodes (issue 16 item 5). Keep in step with the other dialect.
--
-- jobs.progress: units of work a running job has done (an inspection's pages fetched), written
-- with the lease renewal every third of the lease, shown in the back office.
ALTER TABLE jobs ADD COLUMN progress INTEGER;

-- host_leases: one crawl of a host at a time across all nodes (politeness holds when two nodes
-- hold jobs for one host). The holder is the job ('node:job id'); the lease is renewed with the
-- job's and runs out when its node dies.
CREATE TABLE host_leases (
    host     TEXT PRIMARY KEY,
    holder   TEXT NOT NULL,
    until_ms INTEGER NOT NULL
);
