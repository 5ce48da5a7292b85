# tests/sh/lib/procs.sh - sourced by the campaign tests (not a test itself:
# tests/run runs only tests/sh/*.sh).  Needs T (the test's temporary
# directory) and W (the campaign's work directory) set.

# procs_of: pids of live processes working in or naming the work directory
procs_of() {
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = $$ ] && continue
        cwd=$(readlink "$d/cwd" 2>/dev/null) || continue
        case $cwd in "$W" | "$W"/*) echo "$p"; continue ;; esac
        { tr '\0' ' ' <"$d/cmdline"; } 2>/dev/null | grep -qF "$W" && echo "$p"
    done
}

# cleanup: only processes of this test's campaigns (found by their
# directory), by pid; then the temporary directory
cleanup() {
    for p in $(procs_of); do kill -9 "$p" 2>/dev/null; done
    rm -rf "$T"
}
