"""Backups and restores: one archive holding a consistent database dump, the media files and a
manifest (row counts, checksums), rotated 7 daily and 4 weekly in a folder or a bucket.

Operations code with no tables of its own, hence a package in core rather than an app:
dump.py (the database), archive.py (the archive and its encryption), storage.py (where archives
live), rotation.py (which to keep), restore.py (the way back), run.py (a backup from end to end).
"""
