/*
 * commit.h - group commit: one writer thread runs the writes of many
 * callers in one transaction, so that one fsync covers them all
 * (docs/node.md#group-commit).
 *
 * A caller hands a job to commit_run and blocks.  The writer takes every
 * job queued, opens one transaction, runs each job in its own savepoint
 * (a job that fails is rolled back alone and gets its own error), commits,
 * and only then wakes the callers.  A failed commit fails every job of the
 * group with PL_E_STORE.  Jobs run one at a time on the writer's
 * connection, in the order they were queued, except urgent ones (below);
 * a job must not block on anything but the store.
 *
 * Urgent jobs (the node's: a batch received with a FLASH or IMMEDIATE
 * envelope in it, the receipts of a batch that held one) go ahead of every job that has not started, and the group being run
 * takes them in after its current job and commits: they wait for one job
 * and one fsync, not for a whole group.  A large write is therefore queued
 * in parts (commit_run_parts), so that "one job" stays short.
 */
#ifndef PL_COMMIT_H
#define PL_COMMIT_H

#include "store.h"

struct committer;

/* A write: runs on the writer thread inside the open transaction. */
typedef enum pl_err (*commit_fn)(struct store *st, void *ctx);

/*
 * Start the writer thread on st (taken over: commit_stop closes it).
 * max_group bounds the jobs per transaction (0: 1024).
 */
PL_MUST_USE enum pl_err commit_start(struct committer **out, struct store *st, unsigned max_group);

/*
 * Run fn(st, ctx) in the next group and wait until that group is on disk.
 * Returns fn's error if fn failed (its writes undone, pl_err_msg() is
 * fn's message on the calling thread), PL_E_STORE if the commit failed,
 * PL_E_STATE after commit_stop began.
 */
PL_MUST_USE enum pl_err commit_run(struct committer *c, commit_fn fn, void *ctx);

/* Part part of a write queued with commit_run_parts. */
typedef enum pl_err (*commit_part_fn)(struct store *st, void *ctx, unsigned part);

#define COMMIT_PARTS_MAX 16

/*
 * Run fn(st, ctx, 0) .. fn(st, ctx, parts - 1) as consecutive jobs, each in
 * its own savepoint, and wait until all are on disk.  They usually share
 * one group; an urgent job may come between two of them, the parts before
 * it then committed in its group.  A part that fails is undone alone and
 * the later parts still run: fn keeps in ctx what it needs to know to do
 * nothing after a failure.  Returns the first failed part's error.
 * urgent: the parts are urgent jobs (above).  done (may be NULL): how many
 * parts, from the first, are on disk when it returns (all of them on
 * success; those before the first failed part otherwise, since a failed
 * commit fails every part of its group).
 */
PL_MUST_USE enum pl_err commit_run_parts(struct committer *c, commit_part_fn fn, void *ctx,
                                         unsigned parts, int urgent, unsigned *done);

/*
 * commit_run, and queued(arg) once the job has its place in the queue,
 * before waiting (or at once if the job is refused): jobs queued one after
 * the other run in that order, so a caller can hold a lock of its own
 * until its job is in line and let the next caller queue behind it.
 * announced: the caller called commit_expect() for this job, which now
 * counts as arrived.
 */
PL_MUST_USE enum pl_err commit_run_then(struct committer *c, commit_fn fn, void *ctx,
                                        void (*queued)(void *arg), void *arg, int announced);

/*
 * A job is on its way: its caller is preparing it (sealing, say) and will
 * queue it with commit_run_then(..., announced = 1), or call
 * commit_expect_cancel() if it gives up.  While announced jobs are still
 * missing, the writer holds a group that has not reached max_group for at
 * most COMMIT_HOLD_US, so that concurrent callers share one fsync instead
 * of taking one each; a caller alone is never held.
 */
#define COMMIT_HOLD_US 1000
void commit_expect(struct committer *c);
void commit_expect_cancel(struct committer *c);

/* The longest hold, in microseconds (default COMMIT_HOLD_US; tests lengthen it). */
void commit_set_hold(struct committer *c, unsigned us);

/* Run the jobs already queued, refuse new ones, stop the thread, close the store. */
void commit_stop(struct committer *c);

/* Groups and writes (a commit_run, or all the parts of one write) committed so far. */
void commit_stats(struct committer *c, unsigned long long *groups, unsigned long long *jobs);

#endif
