//! The storage layer (`gongkai-db`) on both backends: every test here runs on SQLite and on a
//! real PostgreSQL server through `both_backends!`.

mod concurrency;
mod demo;
mod integrity;
mod items;
mod seed;
mod visibility;
