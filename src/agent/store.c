/* SPDX-License-Identifier: Apache-2.0 */
/* Opening the evidence store: directory, file permissions, pragmas, schema (store.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "store_int.h"

/* Version 1: records, spill, schema_version. A later vigil that changes them bumps
 * STORE_SCHEMA_VERSION and migrates older files in store_schema().
 *
 * Events are indexed by time only; alerts by every column queries filter on (partial indexes,
 * WHERE kind = 1). Each index an event goes into costs 3 to 5 us per row on a 1M-row store
 * (SQLite's B-tree work, measured in bench/store): with all seven indexes for every row the
 * store took 33k events/s, with time alone 94k. Queries on events scan the time range they
 * give (1M rows, 2 GB: 0.4 s from the page cache), bounded by max_bytes. */
static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS records("
	" id INTEGER PRIMARY KEY, time_ns INTEGER NOT NULL, kind INTEGER NOT NULL, type TEXT,"
	" priority INTEGER, rule TEXT, node TEXT, namespace TEXT, pod TEXT, container TEXT,"
	" comm TEXT, binary TEXT, pid INTEGER, uid INTEGER, path TEXT, line TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS spill("
	" id INTEGER PRIMARY KEY, sink TEXT NOT NULL, time_ns INTEGER NOT NULL,"
	" kind INTEGER NOT NULL, prio INTEGER NOT NULL, type INTEGER NOT NULL,"
	" line TEXT NOT NULL);";

/* The indexes, by name: "CREATE INDEX <name> ON <def>" is also how SQLite keeps their
 * definition in sqlite_master, so that an index an older vigil made differently is seen and
 * rebuilt (store_indexes). Index definitions can change without a schema version. */
static const struct {
	const char *name, *def;
} store_index_defs[] = {
	{ "records_time", "records(time_ns)" },
	{ "records_pod", "records(namespace, pod) WHERE kind = 1" },
	{ "records_container", "records(container) WHERE kind = 1" },
	{ "records_rule", "records(rule) WHERE kind = 1" },
	{ "records_type", "records(type) WHERE kind = 1" },
	{ "records_comm", "records(comm) WHERE kind = 1" },
	{ "records_path", "records(path) WHERE kind = 1" },
	{ "spill_sink", "spill(sink, id)" },
};

static const char insert_sql[] =
	"INSERT INTO records(time_ns, kind, type, priority, rule, node, namespace, pod,"
	" container, comm, binary, pid, uid, path, line)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

uint64_t store__now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int store__errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_BUSY: case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM: case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	}
	return -EIO;
}

int store__exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		log_warn("store: %.60s...: %s", sql, msg ? msg : sqlite3_errstr(rc));
		sqlite3_free(msg);
		return store__errno(rc) ? store__errno(rc) : -EIO;
	}
	return 0;
}

int64_t store__int(sqlite3 *db, const char *sql, int64_t def)
{
	sqlite3_stmt *st;
	int64_t v = def;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return def;
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* mkdir -p of the store's directory; what we create is 0750 (and given to the reading group,
 * so that its members can reach the file). */
static int make_dirs(const char *path, gid_t gid, char *err, size_t errsz)
{
	char dir[PATH_MAX];
	struct stat sb;
	bool created = false;
	char *slash;

	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return snprintf(err, errsz, "store: %s: path too long", path), -ENAMETOOLONG;
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? 0 :
		       (snprintf(err, errsz, "store: %s: not a directory", dir), -ENOTDIR);
	for (char *p = dir + 1; ; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		created = mkdir(dir, 0750) == 0;
		if (!created && errno != EEXIST)
			return snprintf(err, errsz, "store: cannot create %s: %s", dir,
					strerror(errno)), -errno;
		*p = c;
		if (!c)
			break;
	}
	if (created && gid != (gid_t)-1 && chown(dir, (uid_t)-1, gid))
		return snprintf(err, errsz, "store: chown %s: %s", dir, strerror(errno)), -errno;
	return 0;
}

/* One of the store's files to mode and group (created when `create`); never through a
 * symlink, since the agent runs as root and the directory might be writable by others. */
static int fix_file(const char *path, bool create, mode_t mode, gid_t gid, char *err,
		    size_t errsz)
{
	int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0), mode);
	struct stat sb;
	int rc = 0;

	if (fd < 0) {
		if (!create && errno == ENOENT)
			return 0;
		return snprintf(err, errsz, "store: %s: %s", path,
				errno == ELOOP ? "is a symlink, refused" : strerror(errno)), -errno;
	}
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		snprintf(err, errsz, "store: %s: not a regular file", path);
	} else if ((sb.st_mode & 07777) != mode && fchmod(fd, mode)) {
		rc = -errno;
		snprintf(err, errsz, "store: chmod %s: %s", path, strerror(errno));
	} else if ((sb.st_uid != geteuid() || (gid != (gid_t)-1 && sb.st_gid != gid)) &&
		   fchown(fd, geteuid(), gid)) {
		rc = -errno;
		snprintf(err, errsz, "store: chown %s: %s", path, strerror(errno));
	}
	close(fd);
	return rc;
}

/* The file and its WAL companions: 0600, or 0640 with the reading group. SQLite creates
 * -wal and -shm later with the database file's mode and owner, so fixing it here also
 * covers them; existing ones are fixed too, in case an older run left other modes. */
static int store_perms(const struct vg_store_cfg *cfg, char *err, size_t errsz)
{
	static const char *const sfx[] = { "", "-wal", "-shm" };
	mode_t mode = cfg->group[0] ? 0640 : 0600;
	gid_t gid = (gid_t)-1;
	char p[PATH_MAX + 8];
	int rc;

	if (cfg->group[0]) {
		struct group gr, *res = NULL;
		char buf[4096];

		if (getgrnam_r(cfg->group, &gr, buf, sizeof(buf), &res) || !res)
			return snprintf(err, errsz, "store: group '%s' (store.group) does not exist",
					cfg->group), -ENOENT;
		gid = res->gr_gid;
	}
	if ((rc = make_dirs(cfg->path, gid, err, errsz)))
		return rc;
	for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(p, sizeof(p), "%s%s", cfg->path, sfx[i]);
		if ((rc = fix_file(p, i == 0, mode, gid, err, errsz)))
			return rc;
	}
	return 0;
}

/* The definition sqlite_master has for index `name`: 1 if it is `want`, 0 if it differs, -1
 * if there is no such index. */
static int index_is(sqlite3 *db, const char *name, const char *want)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_master WHERE type = 'index' AND "
				   "name = ?1", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_text(st, 0) &&
		     !strcmp((const char *)sqlite3_column_text(st, 0), want);
	sqlite3_finalize(st);
	return rc;
}

/* Create the indexes; one an older vigil defined differently (all seven on every record,
 * before events were indexed by time only) is dropped and made again, once, and the log says
 * so: on a full store the old ones cost every insert several random page reads. Inside the
 * schema transaction. */
static int store_indexes(sqlite3 *db, const char *path)
{
	char want[160], sql[192];
	int is;

	for (size_t i = 0; i < sizeof(store_index_defs) / sizeof(store_index_defs[0]); i++) {
		const char *name = store_index_defs[i].name;

		snprintf(want, sizeof(want), "CREATE INDEX %s ON %s", name, store_index_defs[i].def);
		if ((is = index_is(db, name, want)) == 1)
			continue;
		if (is == 0) {
			log_info("store: %s: index %s is defined as an older vigil did: rebuilding it",
				 path, name);
			snprintf(sql, sizeof(sql), "DROP INDEX %s", name);
			if (store__exec(db, sql))
				return -EIO;
		}
		if (store__exec(db, want))
			return -EIO;
	}
	return 0;
}

/* Check or create the schema (auto_vacuum was chosen before, see store_connect). */
static int store_schema(sqlite3 *db, const char *path, char *err, size_t errsz)
{
	int64_t tables = store__int(db, "SELECT count(*) FROM sqlite_master WHERE type='table'", 0);
	int64_t ver = store__int(db, "SELECT max(version) FROM schema_version", -1);
	char sql[96];

	if (tables > 0 && ver < 0)
		return snprintf(err, errsz, "store: %s: not a vigil store (no schema_version "
			       "table)", path), -EINVAL;
	if (ver > STORE_SCHEMA_VERSION)
		return snprintf(err, errsz, "store: %s has schema version %lld, newer than this "
			       "vigil knows (%d): use a newer vigil or another store.path", path,
			       (long long)ver, STORE_SCHEMA_VERSION), -EPROTO;
	if (store__exec(db, "BEGIN IMMEDIATE") || store__exec(db, schema_sql) ||
	    store_indexes(db, path))
		goto fail_tx;
	snprintf(sql, sizeof(sql), "DELETE FROM schema_version; INSERT INTO schema_version "
		 "VALUES(%d)", STORE_SCHEMA_VERSION);
	if (ver != STORE_SCHEMA_VERSION && store__exec(db, sql))
		goto fail_tx;
	if (store__exec(db, "COMMIT"))
		goto fail_tx;
	if (store__int(db, "PRAGMA auto_vacuum", 0) != 2)
		log_warn("store: %s was created without incremental auto-vacuum: deleted rows "
			 "are reused but the file does not shrink", path);
	return 0;
fail_tx:
	sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
	snprintf(err, errsz, "store: %s: cannot create the schema: %s", path, sqlite3_errmsg(db));
	return -EIO;
}

/* Connection settings every handle on the file uses (the main one, the checkpointer's, the
 * spill ones). Only the inserting one needs a large page cache; the others, up to one per
 * forwarder, keep theirs small so that memory does not grow with the number of outputs. */
int store__pragmas(sqlite3 *db, int cache_kib)
{
	char cache[48];

	sqlite3_busy_timeout(db, 5000);
	snprintf(cache, sizeof(cache), "PRAGMA cache_size = -%d", cache_kib);
	return store__exec(db, "PRAGMA journal_mode = WAL") ||
	       store__exec(db, "PRAGMA synchronous = NORMAL") ||
	       store__exec(db, "PRAGMA journal_size_limit = 67108864") ||
	       store__exec(db, "PRAGMA wal_autocheckpoint = 0") || /* store_ckpt.c does it */
	       store__exec(db, cache) ?
		       -EIO : 0;
}

/* After each commit: how long the WAL is (store_catch_up); wake the checkpointer when it
 * grew enough for a copy to be worth it. */
static int store_wal_hook(void *ctx, sqlite3 *db, const char *name, int frames)
{
	struct store *st = ctx;

	(void)db;
	(void)name;
	if (frames < st->wal_frames)
		st->wal_kick_frames = 0; /* the WAL started over */
	st->wal_frames = frames;
	if (st->ckpt_running && frames - st->wal_kick_frames >= STORE_WAL_KICK_FRAMES) {
		st->wal_kick_frames = frames;
		store__ckpt_kick(st);
	}
	return SQLITE_OK;
}

static int store_connect(struct store *st, char *err, size_t errsz)
{
	int rc = sqlite3_open_v2(st->cfg.path, &st->db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc != SQLITE_OK)
		return snprintf(err, errsz, "store: cannot open %s: %s", st->cfg.path,
				st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc)), -EIO;
	/* Page size and auto_vacuum take effect only before the file has its first page (which
	 * switching to WAL already writes), page size only before auto_vacuum. 8 KiB pages hold
	 * five ~1.5 KB lines where 4 KiB pages held two with a third of the page unused, and
	 * halve the pages each batch dirties: inserts measured 45% faster (bench/store). */
	if (store__int(st->db, "SELECT count(*) FROM sqlite_master", 0) == 0 &&
	    (store__exec(st->db, "PRAGMA page_size = 8192") ||
	     store__exec(st->db, "PRAGMA auto_vacuum = INCREMENTAL")))
		return snprintf(err, errsz, "store: %s: %s", st->cfg.path,
				sqlite3_errmsg(st->db)), -EIO;
	if (store__pragmas(st->db, STORE_CACHE_KIB))
		return snprintf(err, errsz, "store: %s: %s", st->cfg.path,
				sqlite3_errmsg(st->db)), -EIO;
	rc = store_schema(st->db, st->cfg.path, err, errsz);
	if (rc)
		return rc;
	if (sqlite3_prepare_v3(st->db, insert_sql, -1, SQLITE_PREPARE_PERSISTENT, &st->ins,
			       NULL) != SQLITE_OK)
		return snprintf(err, errsz, "store: %s: %s", st->cfg.path,
				sqlite3_errmsg(st->db)), -EIO;
	sqlite3_wal_hook(st->db, store_wal_hook, st);
	st->page_size = store__int(st->db, "PRAGMA page_size", 4096);
	STORE_SET(st, rows, (uint64_t)store__int(st->db, "SELECT count(*) FROM records", 0));
	return 0;
}

void store__close(struct store *st)
{
	if (!st)
		return;
	store__ckpt_stop(st);
	store_share__put(st->share);
	sqlite3_finalize(st->ins);
	if (st->db && sqlite3_close(st->db) != SQLITE_OK)
		log_warn("store: closing %s: %s", st->cfg.path, sqlite3_errmsg(st->db));
	free(st);
}

struct store *store__open(const struct vg_store_cfg *cfg, char *err, size_t errsz)
{
	struct store *st;

	if (!cfg->path[0]) {
		snprintf(err, errsz, "store: no path (store.path)");
		return NULL;
	}
	if (store_perms(cfg, err, errsz))
		return NULL;
	st = calloc(1, sizeof(*st));
	if (st && !(st->share = calloc(1, sizeof(*st->share))))
		free(st), st = NULL;
	if (!st) {
		snprintf(err, errsz, "store: out of memory");
		return NULL;
	}
	st->share->refs = 1;
	st->cfg = *cfg;
	st->commit_rows = STORE_COMMIT_ROWS;
	st->commit_ns = STORE_COMMIT_NS;
	if (store_connect(st, err, errsz)) {
		store__close(st);
		return NULL;
	}
	if (store__ckpt_start(st)) {
		log_warn("store: %s: no checkpoint thread, SQLite checkpoints while inserting",
			 cfg->path);
		store__exec(st->db, "PRAGMA wal_autocheckpoint = 4096");
	}
	store__spill_init(st);
	return st;
}

void store__stats(struct store *st, struct store_stats *out)
{
	const uint64_t *src = (const uint64_t *)&st->stats;
	uint64_t *dst = (uint64_t *)out;

	_Static_assert(sizeof(*out) % sizeof(uint64_t) == 0, "store_stats is all uint64_t");
	for (size_t i = 0; i < sizeof(*out) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* A read-only connection. `immutable` for a store whose -shm a reader cannot create (a group
 * member, the agent stopped): with no -wal either, no writer has it open and the file alone
 * is the whole store, which SQLite then reads without the WAL's shared memory. */
static int open_reader(const char *path, bool immutable, sqlite3 **db)
{
	char uri[PATH_MAX * 3 + 32];
	size_t o;

	if (!immutable)
		return sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL);
	o = (size_t)snprintf(uri, sizeof(uri), "file:");
	for (const char *p = path; *p && o < sizeof(uri) - 16; p++) {
		if (*p == '%' || *p == '?' || *p == '#')
			o += (size_t)snprintf(uri + o, sizeof(uri) - o, "%%%02X", (unsigned char)*p);
		else
			uri[o++] = *p;
	}
	snprintf(uri + o, sizeof(uri) - o, "?immutable=1");
	return sqlite3_open_v2(uri, db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
}

static int64_t schema_version(sqlite3 *db, const char *path)
{
	char wal[PATH_MAX + 8];
	int64_t ver = store__int(db, "SELECT max(version) FROM schema_version", -1);
	int code = sqlite3_errcode(db) & 0xff;

	snprintf(wal, sizeof(wal), "%s-wal", path);
	if (ver < 0 && (code == SQLITE_READONLY || code == SQLITE_CANTOPEN) && access(wal, F_OK))
		return -2; /* try immutable */
	return ver;
}

int store__open_ro(const char *path, sqlite3 **db, char *err, size_t errsz)
{
	int64_t ver;

	struct stat sb;

	*db = NULL;
	if (access(path, R_OK) || stat(path, &sb))
		return snprintf(err, errsz, "%s: %s", path, strerror(errno)), -errno;
	if (!S_ISREG(sb.st_mode))
		return snprintf(err, errsz, "%s: not a file", path), -EINVAL;
	if (open_reader(path, false, db) != SQLITE_OK)
		goto fail;
	sqlite3_busy_timeout(*db, 5000);
	ver = schema_version(*db, path);
	if (ver == -2) {
		sqlite3_close(*db);
		if (open_reader(path, true, db) != SQLITE_OK)
			goto fail;
		ver = store__int(*db, "SELECT max(version) FROM schema_version", -1);
	}
	if (ver < 0) {
		if ((sqlite3_errcode(*db) & 0xff) != SQLITE_ERROR)
			goto fail;
		snprintf(err, errsz, "%s: not a vigil store", path);
	} else if (ver > STORE_SCHEMA_VERSION) {
		snprintf(err, errsz, "%s: schema version %lld is newer than this vigil knows (%d)",
			 path, (long long)ver, STORE_SCHEMA_VERSION);
	} else {
		return 0;
	}
	sqlite3_close(*db);
	*db = NULL;
	return -EINVAL;
fail:
	snprintf(err, errsz, "%s: %s", path, *db ? sqlite3_errmsg(*db) : "cannot open");
	sqlite3_close(*db);
	*db = NULL;
	return -EIO;
}
