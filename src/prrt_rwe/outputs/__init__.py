"""Where prrt-rwe writes: destination checks, atomic files and the completion marker of OUT.

Issue 12: a run never replaces a file it does not own, never leaves a half-written file, and
a folder whose completion marker is missing or does not match its run.json is incomplete.
"""
