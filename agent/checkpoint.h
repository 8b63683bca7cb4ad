/* SPDX-License-Identifier: MIT */
/* checkpoint.h: how far each file identity is delivered, kept in state_dir across restarts. */
#ifndef CHECKPOINT_H
#define CHECKPOINT_H

#include <stdint.h>
#include <sys/types.h>

#include "ack.h"

#define CP_HEAD_MAX 1024	/* bytes of a file's head in its identity */

/*
 * A file identity (device, inode, and a hash of its first head_len bytes)
 * and how far its lines are acknowledged by every sink. An entry is
 * "registered" while the store saves it. The store owns entries; a
 * followed file holds one (cp_entry_hold) and each pending batch mark
 * keeps it too (through its ack stream), so an entry outlives both.
 */
struct cp_entry {
	dev_t dev;
	ino_t ino;
	uint32_t head_len;
	uint64_t head_hash;
	struct ack_stream ack;	/* ack.acked is the checkpointed offset */
	char *path;		/* where it was last seen, for messages and recovery */
	int64_t seen_ns;	/* when it was last seen at path (or open) */
	int registered;
	unsigned holds;		/* followed files using it */
	struct checkpoint_store *store;
	struct cp_entry *next;
};

struct checkpoint_store {
	char *file, *prev, *tmp, *dir;
	struct cp_entry *entries;	/* registered ones only */
	unsigned count;
	int dirty;
	int last_errno;		/* of the last failed save, logged once */
	uint64_t saves;
	uint64_t save_errors;
};

/* FNV-1a 64 of p[0..n): the head hash. */
uint64_t cp_hash(const void *p, size_t n);

/*
 * Open the store in dir (which must exist): load "checkpoints", or if it
 * is missing, empty or damaged, warn naming the file and load
 * "checkpoints.prev". Never fails for bad content; returns -errno only
 * when the directory cannot be used.
 */
int	checkpoint_open(struct checkpoint_store *cs, const char *dir);
/* Write every registered entry: temp file, fsync, rename, fsync the dir. */
int	checkpoint_save(struct checkpoint_store *cs);
/* Forget entries not seen for older_than_ns. */
void	checkpoint_forget(struct checkpoint_store *cs, int64_t now_ns,
	    int64_t older_than_ns);
void	checkpoint_close(struct checkpoint_store *cs);

/*
 * Parse the text of a checkpoint file into cs (text[len] must be
 * writable; it is changed). Returns 0, or -1 with *why saying what is
 * wrong. For checkpoint_open and the fuzzer.
 */
int	checkpoint_parse(struct checkpoint_store *cs, char *text, size_t len,
	    const char **why);
/* Forget every entry (the entries no longer held are freed). */
void	checkpoint_drop_all(struct checkpoint_store *cs);

/* The registered entry for dev/ino, or NULL. Its head is not checked. */
struct cp_entry *checkpoint_find(struct checkpoint_store *cs, dev_t dev,
	    ino_t ino);
/*
 * A new entry for an identity, registered in cs (which may be NULL: then
 * it is kept by its holders only). An older registered entry with the
 * same dev/ino is unregistered: the inode now holds another file.
 * Returned held once.
 */
struct cp_entry *cp_entry_new(struct checkpoint_store *cs, dev_t dev,
	    ino_t ino, uint32_t head_len, uint64_t head_hash, uint64_t offset,
	    const char *path);
void	cp_entry_hold(struct cp_entry *e);
/* Drop a hold; frees the entry when unregistered, unheld and no batch waits on it. */
void	cp_entry_release(struct cp_entry *e);
/* Stop saving it (the file is gone for good, or replaced). */
void	cp_entry_unregister(struct cp_entry *e);
/* The head grew (a file under 1 KiB got longer): new identity hash. */
void	cp_entry_set_head(struct cp_entry *e, uint32_t head_len, uint64_t head_hash);
void	cp_entry_seen(struct cp_entry *e, const char *path, int64_t now_ns);

#endif
