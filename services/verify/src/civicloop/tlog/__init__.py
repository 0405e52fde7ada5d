"""Civicloop's transparency-log math, pure and store-free.

RFC 9162 Merkle trees (hashing, roots, inclusion and consistency proofs over stored complete
subtrees), C2SP signed notes, checkpoints, cosignatures and tiles, the ledger's leaf format, and
a witness's decision. No I/O: readers and fetchers are the caller's.
"""
